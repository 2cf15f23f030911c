"""The life of a case: open → closed (with a reason) → reopened; its summary. All audited."""

import calendar
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.debug import sensitive_variables

from meldpunt.audit import Action, audit_changes, audit_record

from ..models import Case, CloseReason, FollowUp

SUMMARY_MAX_LENGTH = 2000


def _locked(case: Case) -> Case:
    return Case.objects.select_for_update().get(pk=case.pk)


def case_open_follow_ups_count(case: Case) -> int:
    return FollowUp.objects.open().filter(contact__case=case).count()


def case_close(
    *, case: Case, reason: str, user, confirm_open_follow_ups: bool = False, now=None
) -> Case:
    """Close a case. With open follow-ups it asks first: ValidationError (code
    "open_follow_ups") unless `confirm_open_follow_ups`."""
    # "inactive" is the nightly auto-close's own reason (cases_close_inactive), not a choice.
    if reason not in CloseReason.values or reason == CloseReason.INACTIVE:
        raise ValidationError({"reason": [_("Choose a reason for closing.")]})
    now = now or timezone.now()
    with transaction.atomic(durable=True):
        locked = _locked(case)
        if locked.closed_at is not None:
            raise ValidationError(_("This case is already closed."), code="closed")
        open_count = case_open_follow_ups_count(locked)
        if open_count and not confirm_open_follow_ups:
            raise ValidationError(
                ngettext(
                    "This case still has %(count)s open follow-up. Close it anyway?",
                    "This case still has %(count)s open follow-ups. Close it anyway?",
                    open_count,
                )
                % {"count": open_count},
                code="open_follow_ups",
            )
        locked.closed_at = now
        locked.close_reason = reason
        locked.closed_by = user
        locked.save(update_fields=["closed_at", "close_reason", "closed_by"])
        audit_record(
            action=Action.UPDATE,
            user=user,
            obj=locked,
            changes=audit_changes(
                {"closed_at": None, "close_reason": ""},
                {"closed_at": now, "close_reason": reason},
            ),
            detail=f"closed open_follow_ups={open_count}",
        )
    return locked


def case_reopen(*, case: Case, user) -> Case:
    with transaction.atomic(durable=True):
        locked = _locked(case)
        if locked.closed_at is None:
            raise ValidationError(_("This case is open."), code="open")
        old = {"closed_at": locked.closed_at, "close_reason": locked.close_reason}
        locked.closed_at = None
        locked.close_reason = ""
        locked.closed_by = None
        locked.save(update_fields=["closed_at", "close_reason", "closed_by"])
        audit_record(
            action=Action.UPDATE,
            user=user,
            obj=locked,
            changes=audit_changes(old, {"closed_at": None, "close_reason": ""}),
            detail="reopened",
        )
    return locked


@sensitive_variables("summary")
def case_summary_update(*, case: Case, summary: str, user) -> Case:
    """The summary (site team only, checked by the view); audited without its text."""
    summary = (summary or "").strip()
    if len(summary) > SUMMARY_MAX_LENGTH:
        raise ValidationError(
            {"summary": [_("At most %(max)s characters.") % {"max": SUMMARY_MAX_LENGTH}]}
        )
    if "\x00" in summary:
        raise ValidationError({"summary": [_("Contains a NUL character.")]})
    with transaction.atomic(durable=True):
        locked = _locked(case)
        old = {"summary": locked.summary}
        locked.summary = summary
        locked.save(update_fields=["summary"])
        audit_record(
            action=Action.UPDATE,
            user=user,
            obj=locked,
            changes=audit_changes(old, {"summary": summary}),
        )
    return locked


def _months_before(instant: datetime, months: int) -> datetime:
    """The same local wall-clock time `months` calendar months earlier (clamped to the
    month's last day)."""
    local = timezone.localtime(instant)
    index = local.year * 12 + local.month - 1 - months
    year, month = divmod(index, 12)
    day = min(local.day, calendar.monthrange(year, month + 1)[1])
    naive = local.replace(tzinfo=None, year=year, month=month + 1, day=day)
    return timezone.make_aware(naive)


def cases_auto_close(*, months: int, now: datetime | None = None, username: str = "") -> int:
    """Close open cases whose last contact (or opening, without contacts) is more than
    `months` months ago, reason "inactive"; returns how many. `months` 0 does nothing.
    Each case is closed by a conditional UPDATE, so two runs never close one twice."""
    if months <= 0:
        return 0
    now = now or timezone.now()
    cutoff = _months_before(now, months)
    candidates = (
        Case.objects.filter(closed_at__isnull=True, opened_at__lt=cutoff)
        .annotate(last_contact=Max("contacts__started_at"))
        .exclude(last_contact__gte=cutoff)
        .values_list("pk", flat=True)
    )
    closed = 0
    for pk in list(candidates):
        with transaction.atomic():
            updated = Case.objects.filter(pk=pk, closed_at__isnull=True).update(
                closed_at=now, close_reason=CloseReason.INACTIVE, closed_by=None
            )
            if updated:
                closed += 1
                case = Case.objects.select_related("site").get(pk=pk)
                audit_record(
                    action=Action.UPDATE,
                    obj=case,
                    username=username or "system",
                    changes=audit_changes(
                        {"closed_at": None, "close_reason": ""},
                        {"closed_at": now, "close_reason": CloseReason.INACTIVE},
                    ),
                    detail=f"auto-closed after {months} months without contact",
                )
    return closed
