"""Team case consultations: planning a series, recording attendance, the monthly minimum."""

import uuid
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from meldpunt.roles import Role
from staffing.models import CaseConsultation, ConsultationAttendance, Site, StaffMember

from .opening_hours import OpeningSchedule
from .time import BRUSSELS, local, local_date, month_bounds


def _overlap_check(site: Site, start: datetime, end: datetime) -> None:
    clash = (
        CaseConsultation.objects.filter(site=site, starts_at__lt=end, ends_at__gt=start)
        .order_by("starts_at")
        .first()
    )
    if clash:
        raise ValidationError(
            _("Another consultation of this site overlaps: %(when)s.")
            % {"when": date_format(local(clash.starts_at), "l j F Y H:i")}
        )


@transaction.atomic
def consultation_series_create(
    *,
    site: Site,
    first_start: datetime,
    duration: timedelta,
    until: date,
    every_weeks: int = 1,
    chair: StaffMember | None = None,
    attendees=(),
    invite_site_team: bool = False,
) -> list[CaseConsultation]:
    """A weekly (every_weeks=1) or fortnightly (2) series from `first_start` up to `until`
    (a local date, included), at the same local time of day across DST; public holidays
    are skipped. Every attendee is invited to every meeting; with `invite_site_team`, people
    who join the site later are invited to the meetings ahead of them too
    (consultations_invite_newcomers). No two meetings of one site may overlap (also an
    exclusion constraint on PostgreSQL): the whole series is refused then."""
    if every_weeks not in (1, 2):
        raise ValidationError(_("A series is weekly or fortnightly."))
    if duration <= timedelta(0):
        raise ValidationError(_("A consultation must end after it starts."))
    first_local = local(first_start)
    if until < first_local.date():
        raise ValidationError(_("The series ends before it starts."))
    schedule = OpeningSchedule([])
    # The site row lock serialises two planners booking the same hour of one site.
    Site.objects.select_for_update().get(pk=site.pk)
    series_id = uuid.uuid4()
    created = []
    day = first_local.date()
    while day <= until:
        if not schedule.is_holiday(day):
            start = datetime.combine(day, first_local.time(), tzinfo=BRUSSELS)
            _overlap_check(site, start, start + duration)
            try:
                with transaction.atomic():
                    consultation = CaseConsultation.objects.create(
                        site=site,
                        starts_at=start,
                        ends_at=start + duration,
                        chair=chair,
                        series_id=series_id,
                        invites_site_team=invite_site_team,
                    )
            except IntegrityError as error:  # the exclusion constraint: a write around us
                raise ValidationError(
                    _("Another consultation of this site overlaps this one.")
                ) from error
            ConsultationAttendance.objects.bulk_create(
                ConsultationAttendance(consultation=consultation, staff_member=member)
                for member in attendees
            )
            created.append(consultation)
        day += timedelta(weeks=every_weeks)
    return created


def attendance_record(
    *, consultation: CaseConsultation, staff_member: StaffMember, attendance: str
) -> ConsultationAttendance:
    """Record who was present, excused or absent (adds the person if not invited)."""
    if attendance not in ConsultationAttendance.Attendance.values:
        raise ValidationError(_("Unknown attendance."))
    _attendance_allowed(consultation, attendance)
    record, _created = ConsultationAttendance.objects.update_or_create(
        consultation=consultation, staff_member=staff_member, defaults={"attendance": attendance}
    )
    return record


def consultation_shortfalls(site: Site, year: int, month: int) -> list[tuple[StaffMember, int]]:
    """Responders of `site`, active that month, with fewer consultations (invited or present)
    than MIN_CONSULTATIONS_PER_MONTH, with their count."""
    start, end = month_bounds(year, month)
    first, last = local(start).date(), local(end - timedelta(seconds=1)).date()
    counted = Q(
        consultation_attendances__attendance__in=ConsultationAttendance.COUNTING,
        consultation_attendances__consultation__starts_at__gte=start,
        consultation_attendances__consultation__starts_at__lt=end,
    )
    members = (
        StaffMember.objects.filter(
            site=site, user__is_active=True, user__groups__name=Role.RESPONDER
        )
        .filter(Q(active_from__isnull=True) | Q(active_from__lte=last))
        .filter(Q(active_to__isnull=True) | Q(active_to__gte=first))
        .annotate(consultation_count=Count("consultation_attendances", filter=counted))
        .filter(consultation_count__lt=settings.MIN_CONSULTATIONS_PER_MONTH)
        .select_related("user")
        .distinct()
    )
    return [(member, member.consultation_count) for member in members]


@transaction.atomic
def consultation_minutes_record(
    *, consultation: CaseConsultation, minutes: str, attendance: dict[int, str]
) -> CaseConsultation:
    """Save the minutes and the attendance ({staff member id: value}) of one meeting.
    Present or absent only once the meeting has started (excused may be said ahead)."""
    for member_id, value in attendance.items():
        if value not in ConsultationAttendance.Attendance.values:
            raise ValidationError(_("Unknown attendance."))
        _attendance_allowed(consultation, value)
        updated = ConsultationAttendance.objects.filter(
            consultation=consultation, staff_member_id=member_id
        ).update(attendance=value)
        if not updated:
            raise ValidationError(_("This person is not on the list of this consultation."))
    consultation.minutes = minutes
    consultation.save(update_fields=["minutes"])
    return consultation


def _attendance_allowed(consultation: CaseConsultation, value: str) -> None:
    before_start = (
        ConsultationAttendance.Attendance.PRESENT,
        ConsultationAttendance.Attendance.ABSENT,
    )
    if value in before_start and not consultation.has_started(timezone.now()):
        raise ValidationError(
            _("Who was present or absent can be recorded from the start of the meeting on.")
        )


@transaction.atomic
def consultations_invite_newcomers(*, site: Site | None = None, now=None) -> int:
    """Invite people who joined a site after its series was planned to the meetings ahead
    of them (series planned for the whole site team). Run daily; returns how many
    invitations were added."""
    now = now or timezone.now()
    meetings = CaseConsultation.objects.filter(invites_site_team=True, starts_at__gt=now)
    if site is not None:
        meetings = meetings.filter(site=site)
    meetings = list(meetings.prefetch_related("attendances"))
    members_by_site: dict[int, list[StaffMember]] = {}
    added = []
    for meeting in meetings:
        if meeting.site_id not in members_by_site:
            members_by_site[meeting.site_id] = list(
                StaffMember.objects.filter(site=meeting.site_id, user__is_active=True)
            )
        invited = {a.staff_member_id for a in meeting.attendances.all()}
        day = local_date(meeting.starts_at)
        added += [
            ConsultationAttendance(consultation=meeting, staff_member=member)
            for member in members_by_site[meeting.site_id]
            if member.pk not in invited and member.is_active_on(day)
        ]
    ConsultationAttendance.objects.bulk_create(added, ignore_conflicts=True)
    return len(added)
