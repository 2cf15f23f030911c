"""Staffing demand as pure functions: arrivals → forecast → required agents (no Django)."""
