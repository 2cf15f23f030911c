"""Roster e-mails: short, in the app's language, without case content, with a link.

A service that changes the roster calls `notify(...)` inside its transaction; the mail is
queued for Celery only when that transaction commits (`delay_on_commit`), so a rolled-back
change never mails anyone and no task is queued inside an open transaction. The task looks
the recipients up again and leaves out whoever switched that kind of mail off.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from staffing.models import NotificationPreferences, RosterPublication, Shift, StaffMember

from .time import local

Kind = NotificationPreferences.Kind


def page_url(name: str, query: str = "") -> str:
    """The absolute address of a page, for a mail."""
    return f"{settings.SITE_URL}{reverse(name)}{query}"


def shift_label(shift: Shift) -> str:
    start, end = local(shift.starts_at), local(shift.ends_at)
    return _("%(channel)s %(day)s %(start)s–%(end)s, %(site)s") % {
        "channel": shift.get_channel_display(),
        "day": date_format(start, "l j F"),
        "start": f"{start:%H:%M}",
        "end": f"{end:%H:%M}",
        "site": shift.site,
    }


def _body(greeting_name: str, lines: list[str], link: str) -> str:
    return "\n\n".join(
        [
            _("Hello %(name)s,") % {"name": greeting_name},
            *lines,
            link,
            _("You can switch these e-mails off at %(url)s")
            % {"url": page_url("staffing:notification_settings")},
        ]
    )


def notify(*, user_ids, kind: str, subject: str, lines: list[str], link: str) -> None:
    """Mail each of `user_ids` once the current transaction commits.

    The caller translates `subject` and `lines` under `mail_language()`; the task adds the
    greeting, the link and the opt-out line."""
    from staffing.tasks import notification_mail_send  # tasks import services, not back

    user_ids = sorted(set(user_ids) - {None})
    if not user_ids:
        return
    notification_mail_send.delay_on_commit(
        user_ids=user_ids, kind=kind, subject=subject, lines=lines, link=link
    )


def mail_language():
    """Mails are in the app's language (Dutch), whatever the language of the request."""
    return translation.override(settings.LANGUAGE_CODE)


def notification_mail_deliver(
    *, user_ids: list[int], kind: str, subject: str, lines: list[str], link: str
) -> int:
    """Send one mail per active user with an address who did not switch `kind` off;
    returns how many were sent."""
    users = get_user_model().objects.filter(pk__in=user_ids, is_active=True).exclude(email="")
    muted = {
        p.user_id
        for p in NotificationPreferences.objects.filter(user__in=users)
        if not p.wants(kind)
    }
    sent = 0
    with mail_language():
        for user in users.order_by("pk"):
            if user.pk in muted:
                continue
            body = _body(user.get_full_name() or user.get_username(), lines, link)
            sent += send_mail(
                f"Meldpunt: {subject}", body, settings.DEFAULT_FROM_EMAIL, [user.email]
            )
    return sent


def notification_preferences_set(*, user, muted_kinds) -> NotificationPreferences:
    """Store which kinds of mail `user` switched off."""
    unknown = set(muted_kinds) - set(Kind.values)
    if unknown:
        raise ValueError(f"unknown notification kinds: {sorted(unknown)}")
    preferences, _created = NotificationPreferences.objects.update_or_create(
        user=user, defaults={"muted": sorted(muted_kinds)}
    )
    return preferences


def shifts_published(shifts) -> list[Shift]:
    """The shifts of `shifts` whose month is published at their site, in one query."""
    shifts = list(shifts)
    months = {(shift.site_id, local(shift.starts_at).date().replace(day=1)) for shift in shifts}
    if not months:
        return []
    published = set(
        RosterPublication.objects.filter(
            site__in={site for site, _month in months}, month__in={m for _site, m in months}
        ).values_list("site_id", "month")
    )
    return [
        shift
        for shift in shifts
        if (shift.site_id, local(shift.starts_at).date().replace(day=1)) in published
    ]


def shift_is_published(shift: Shift) -> bool:
    return bool(shifts_published([shift]))


def shift_change_notify(*, shift: Shift, member: StaffMember, change: str, by=None) -> None:
    """Tell `member` that someone else put them on, took them off or released them from a
    shift of a published roster (`change`: "assigned", "removed", "released")."""
    shifts_change_notify(shifts=[shift], member=member, change=change, by=by)


def shifts_change_notify(*, shifts, member: StaffMember, change: str, by=None) -> None:
    """shift_change_notify for several shifts at once: one mail listing those of them that
    are on a published roster (a week's sickness is one mail, not one per shift)."""
    if by is not None and by.pk == member.user_id:
        return  # their own doing: no mail
    shifts = shifts_published(shifts)
    if not shifts:
        return
    with mail_language():
        subject, line = {
            "assigned": (_("new shift"), _("You were put on this shift: %(shift)s.")),
            "removed": (_("shift cancelled"), _("You were taken off this shift: %(shift)s.")),
            "released": (
                _("shift released"),
                _("Because of your absence you were released from this shift: %(shift)s."),
            ),
        }[change]
        notify(
            user_ids=[member.user_id],
            kind=Kind.SHIFT_CHANGED,
            subject=subject,
            lines=[line % {"shift": shift_label(shift)} for shift in shifts],
            link=page_url("staffing:my_shifts"),
        )
