"""The daily reminder of tomorrow's shifts, and the daily invitation of newcomers."""

from collections import defaultdict
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from staffing.models import Assignment, ReminderRun

from .consultations import consultations_invite_newcomers
from .notifications import Kind, mail_language, notify, page_url, shift_label
from .publishing import only_published
from .time import day_start


def shift_reminders_send(*, today=None) -> int:
    """Mail everyone on a published shift tomorrow (local) the list of those shifts; also
    invite newcomers to their site's consultation series. Returns how many were mailed.
    Once per day: a second run finds tomorrow claimed and mails nobody."""
    today = today or timezone.localdate()
    tomorrow = today + timedelta(days=1)
    consultations_invite_newcomers()
    with transaction.atomic():
        try:
            with transaction.atomic():
                run = ReminderRun.objects.create(day=tomorrow)
        except IntegrityError:
            return 0
        return _reminders_send(tomorrow, run)


def _reminders_send(tomorrow, run: ReminderRun) -> int:
    assignments = only_published(
        Assignment.objects.filter(
            starts_at__gte=day_start(tomorrow), starts_at__lt=day_start(tomorrow + timedelta(1))
        )
        .select_related("shift__site", "staff_member")
        .order_by("staff_member", "starts_at", "id")
    )
    per_user = defaultdict(list)
    for assignment in assignments:
        per_user[assignment.staff_member.user_id].append(assignment.shift)
    with mail_language():
        for user_id, shifts in per_user.items():
            notify(
                user_ids=[user_id],
                kind=Kind.REMINDER,
                subject=_("your shift tomorrow"),
                lines=[_("Tomorrow you work:"), "\n".join(f"- {shift_label(s)}" for s in shifts)],
                link=page_url("staffing:my_shifts"),
            )
    run.recipients = len(per_user)
    run.save(update_fields=["recipients"])
    return len(per_user)
