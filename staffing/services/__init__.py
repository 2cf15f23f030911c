"""Writes and domain computations of staffing: each write is one transaction."""
