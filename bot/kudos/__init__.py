"""Kudos: the rules, the one service every way of giving calls, and kudos where the conversation happens."""
