"""Insights: the figures, their chart, and the monthly digest."""
