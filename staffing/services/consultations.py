"""Team case consultations: planning a series, recording attendance, the monthly minimum."""

import uuid
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from meldpunt.roles import Role
from staffing.models import CaseConsultation, ConsultationAttendance, Site, StaffMember

from .opening_hours import OpeningSchedule
from .time import BRUSSELS, local, month_bounds


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
) -> list[CaseConsultation]:
    """A weekly (every_weeks=1) or fortnightly (2) series from `first_start` up to `until`
    (a local date, included), at the same local time of day across DST; public holidays
    are skipped. Every attendee is invited to every meeting."""
    if every_weeks not in (1, 2):
        raise ValidationError(_("A series is weekly or fortnightly."))
    if duration <= timedelta(0):
        raise ValidationError(_("A consultation must end after it starts."))
    first_local = local(first_start)
    if until < first_local.date():
        raise ValidationError(_("The series ends before it starts."))
    schedule = OpeningSchedule([])
    series_id = uuid.uuid4()
    created = []
    day = first_local.date()
    while day <= until:
        if not schedule.is_holiday(day):
            start = datetime.combine(day, first_local.time(), tzinfo=BRUSSELS)
            consultation = CaseConsultation.objects.create(
                site=site,
                starts_at=start,
                ends_at=start + duration,
                chair=chair,
                series_id=series_id,
            )
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
    """Save the minutes and the attendance ({staff member id: value}) of one meeting."""
    for member_id, value in attendance.items():
        if value not in ConsultationAttendance.Attendance.values:
            raise ValidationError(_("Unknown attendance."))
        updated = ConsultationAttendance.objects.filter(
            consultation=consultation, staff_member_id=member_id
        ).update(attendance=value)
        if not updated:
            raise ValidationError(_("This person is not on the list of this consultation."))
    consultation.minutes = minutes
    consultation.save(update_fields=["minutes"])
    return consultation
