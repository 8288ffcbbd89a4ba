"""Slack plumbing: its vocabulary, sending, and what Slack says about people, places and rosters."""
