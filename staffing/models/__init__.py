"""Staffing models, one module per feature; import them from here."""

from .availability import AvailabilityException, ShiftLimit, WeeklyAvailability, Wish
from .consultations import CaseConsultation, ConsultationAttendance
from .opening_hours import Closure, OpeningHours, Weekday
from .people import (
    PLANNER_ROLES,
    Absence,
    Qualification,
    Site,
    StaffMember,
    new_ical_token,
    site_of,
)
from .planning import RosterProposal, SiteShare
from .roster import Assignment, Shift

__all__ = [
    "PLANNER_ROLES",
    "Absence",
    "Assignment",
    "CaseConsultation",
    "Closure",
    "ConsultationAttendance",
    "OpeningHours",
    "Qualification",
    "Shift",
    "Site",
    "StaffMember",
    "Weekday",
    "new_ical_token",
    "site_of",
    "AvailabilityException",
    "RosterProposal",
    "ShiftLimit",
    "SiteShare",
    "WeeklyAvailability",
    "Wish",
]

# Day-to-day rostering (issue 9): released assignments, publications, notification settings.
from .notifications import NotificationPreferences, ReminderRun  # noqa: E402
from .roster import ReleasedAssignment, RosterPublication, WeekTemplate  # noqa: E402

__all__ += [
    "NotificationPreferences",
    "ReleasedAssignment",
    "ReminderRun",
    "RosterPublication",
    "WeekTemplate",
]
from .swaps import ShiftOffer  # noqa: E402

__all__ += ["ShiftOffer"]
