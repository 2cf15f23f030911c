"""Staffing pages. Login is enforced by middleware; roles are checked in every view."""
