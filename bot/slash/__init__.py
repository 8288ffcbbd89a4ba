"""The /lp command: its language and its answers."""
