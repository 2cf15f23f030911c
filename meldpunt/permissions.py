"""The permission matrix: which role may do what, in one place.

Every view declares its action with `permission_required(Action.X)`; the decorator checks
the role and labels the view, and tests/meldpunt/test_access.py walks every URL pattern
for every role against this table, so a view without a rule fails the suite.
Which *site's* records a permitted user may touch is decided by the querysets
(`viewable_by`, `plannable_by`): another site's record is a 404, never a 403.
"""

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.db import models

from .roles import Role, roles_of

ALL = frozenset(Role)
PLANNERS = frozenset({Role.SITE_COORDINATOR, Role.COORDINATOR, Role.ADMINISTRATOR})
LINE_WIDE = frozenset({Role.COORDINATOR, Role.ADMINISTRATOR})
ADMINS = frozenset({Role.ADMINISTRATOR})


class Action(models.TextChoices):
    HOME = "home"
    CONTACT_REGISTER = "contact.register"
    CONTACT_VIEW = "contact.view"
    CONTACT_EDIT = "contact.edit"
    CONTACT_EXPORT = "contact.export"
    CASE_VIEW = "case.view"
    CASE_CONSULTATION_ADD = "case.consultation_add"
    FOLLOWUP_MANAGE = "followup.manage"
    ROSTER_VIEW = "roster.view"
    ROSTER_PLAN = "roster.plan"
    MY_SHIFTS = "roster.my_shifts"
    OPENING_HOURS_VIEW = "opening_hours.view"
    OPENING_HOURS_EDIT = "opening_hours.edit"
    ABSENCE_MANAGE = "absence.manage"
    CONSULTATION_PLAN = "consultation.plan"
    REPORT_VIEW = "report.view"
    REPORT_EXPORT = "report.export"
    AUDIT_VIEW = "audit.view"
    CASE_ERASE = "case.erase"
    ROSTER_SELF_SERVICE = "roster.self_service"
    NOTIFICATION_SETTINGS = "account.notifications"
    CALLER_PROFILE_VIEW = "caller_profile.view"
    CALLER_PROFILE_EDIT = "caller_profile.edit"
    CASE_MANAGE = "case.manage"
    FOLLOWUP_TEAM_VIEW = "followup.team_view"
    DATA_QUALITY = "data_quality.check"


PERMISSIONS: dict[str, frozenset[str]] = {
    Action.HOME: ALL,
    Action.CONTACT_REGISTER: ALL,
    Action.CONTACT_VIEW: ALL,
    Action.CONTACT_EDIT: ALL,
    # Rows with (pseudonymous) case content leave the system only through coordinators.
    Action.CONTACT_EXPORT: LINE_WIDE,
    Action.CASE_VIEW: ALL,
    Action.CASE_CONSULTATION_ADD: ALL,
    Action.FOLLOWUP_MANAGE: ALL,
    Action.ROSTER_VIEW: ALL,
    Action.ROSTER_PLAN: PLANNERS,
    Action.MY_SHIFTS: ALL,
    Action.OPENING_HOURS_VIEW: ALL,
    # Opening hours are line-wide: they decide the figures of every site.
    Action.OPENING_HOURS_EDIT: LINE_WIDE,
    Action.ABSENCE_MANAGE: PLANNERS,
    Action.CONSULTATION_PLAN: PLANNERS,
    # Reports show counts only, never notes.
    Action.REPORT_VIEW: PLANNERS,
    Action.REPORT_EXPORT: PLANNERS,
    Action.AUDIT_VIEW: PLANNERS,
    # Data-subject requests (access export, erasure) are handled by administrators alone.
    Action.CASE_ERASE: ADMINS,
    # Open shifts, giving a shift away, asking for time off: everyone with a staff profile.
    Action.ROSTER_SELF_SERVICE: ALL,
    Action.NOTIFICATION_SETTINGS: ALL,
    # Which profiles, cases and notes: the querysets and the site-team check decide.
    Action.CALLER_PROFILE_VIEW: ALL,
    Action.CALLER_PROFILE_EDIT: ALL,
    Action.CASE_MANAGE: ALL,
    Action.FOLLOWUP_TEAM_VIEW: PLANNERS,
    Action.DATA_QUALITY: PLANNERS,
}


def can(user, action: str) -> bool:
    return bool(roles_of(user) & PERMISSIONS[action])


def permission_required(action: str):
    """View decorator: 403 unless one of the user's roles may do `action`.

    Login itself is enforced by LoginRequiredMiddleware before the view runs.
    """
    allowed = PERMISSIONS[action]

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not roles_of(request.user) & allowed:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapper.permission_action = action
        return wrapper

    return decorator
