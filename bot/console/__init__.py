"""The local console: the real app with Slack played in-process."""
