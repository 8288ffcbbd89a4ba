"""LP Bot: a Slack app that keeps a team's principles in everyday work."""
