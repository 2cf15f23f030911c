"""Demo data for staffing: profiles, four weeks of shifts and assignments, absences and a
weekly team case consultation per site. Called by the lead's `seed_demo` after it has
created the sites and staff members."""

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from meldpunt.channels import Channel
from meldpunt.roles import Role

from .demo_planning import planning_demo_seed
from .models import (
    Absence,
    ConsultationAttendance,
    Qualification,
    Shift,
    Site,
    StaffMember,
)
from .services.assignments import assignment_create
from .services.consultations import consultation_series_create
from .services.opening_hours import OpeningSchedule
from .services.publishing import published_months, roster_publish, shift_month
from .services.shifts import shifts_generate
from .services.time import BRUSSELS, day_start, local_date

WEEKS = 4
# Share of shifts deliberately left unfilled or one short, so the coverage page shows gaps.
GAP_SHARE = 0.08
HEADCOUNT = {Channel.PHONE: 2, Channel.CHAT: 1}


def _profiles_fill(rng: random.Random, members: list[StaffMember], today: date) -> None:
    """Kinds, hours, channels and qualifications; the last responder of a site is a trainee."""
    responders = [m for m in members if m.is_responder]
    trainee = responders[-1] if len(responders) >= 3 else None
    for index, member in enumerate(members):
        if member is trainee:
            member.kind = StaffMember.Kind.STUDENT
            member.contract_hours = Decimal(16)
        elif member.is_responder and index == 1:
            member.kind = StaffMember.Kind.VOLUNTEER
            member.contract_hours = Decimal(8)
        else:
            member.kind = StaffMember.Kind.EMPLOYEE
            member.contract_hours = Decimal(rng.choice(["38", "30.4", "30.4", "19"]))
        member.channels = [Channel.PHONE, Channel.CHAT]
        if rng.random() < 0.3:
            member.channels.append(Channel.EMAIL)
        if member.is_responder and rng.random() < 0.15 and member is not trainee:
            member.channels = [Channel.CHAT]
        member.save(update_fields=["kind", "contract_hours", "channels"])
        if member is trainee:
            Qualification.objects.create(
                staff_member=member,
                kind=Qualification.Kind.IN_TRAINING,
                valid_from=today - timedelta(days=60),
                valid_to=today + timedelta(days=120),
            )
        else:
            Qualification.objects.create(
                staff_member=member,
                kind=Qualification.Kind.CERTIFIED_RESPONDER,
                valid_from=date(rng.randint(2012, 2024), rng.randint(1, 12), 1),
            )


def _absences_create(rng, responders, monday, approver) -> int:
    created = 0
    for member in rng.sample(responders, k=min(2, len(responders) // 2)):
        first = monday + timedelta(days=rng.randint(7, 20))
        kind = rng.choice([Absence.Kind.LEAVE, Absence.Kind.LEAVE, Absence.Kind.SICKNESS])
        Absence.objects.create(
            staff_member=member,
            kind=kind,
            starts_at=day_start(first),
            ends_at=day_start(first + timedelta(days=rng.randint(1, 4))),
            approved_by=approver,
            approved_at=timezone.now(),
        )
        created += 1
    return created


def _consultations_plan(rng, site, members, monday, today) -> None:
    weekday = rng.choice([1, 3])  # Tuesday or Thursday, 13:00–14:30
    first = datetime.combine(monday + timedelta(days=weekday), time(13), tzinfo=BRUSSELS)
    consultations = consultation_series_create(
        site=site,
        first_start=first,
        duration=timedelta(minutes=90),
        until=monday + timedelta(weeks=WEEKS) - timedelta(days=1),
        chair=members[0] if members else None,
        attendees=members,
    )
    for consultation in consultations:
        if local_date(consultation.starts_at) < today:
            for attendance in consultation.attendances.all():
                attendance.attendance = rng.choices(
                    [
                        ConsultationAttendance.Attendance.PRESENT,
                        ConsultationAttendance.Attendance.EXCUSED,
                        ConsultationAttendance.Attendance.ABSENT,
                    ],
                    weights=[8, 2, 1],
                )[0]
                attendance.save(update_fields=["attendance"])


def _shifts_fill(rng, shifts, responders, planner) -> tuple[int, int]:
    """Assign people shift by shift, certified colleagues before trainees; every rule is
    checked by assignment_create, so a person who does not fit is simply skipped."""
    assigned = gaps = 0
    for shift in shifts:
        wanted = shift.required_headcount
        if rng.random() < GAP_SHARE:
            wanted = rng.randint(0, wanted - 1)
            gaps += 1
        candidates = rng.sample(responders, k=len(responders))
        candidates.sort(key=lambda m: m.is_trainee)
        placed = 0
        for member in candidates:
            if placed >= wanted:
                break
            try:
                assignment_create(shift=shift, staff_member=member, assigned_by=planner)
            except ValidationError:
                continue
            placed += 1
        assigned += placed
    return assigned, gaps


def staffing_demo_seed(*, rng: random.Random, today: date, stdout=None) -> str:
    """Fill the staffing demo data around `today`; does nothing if shifts exist already."""
    if Shift.objects.exists():
        line = "Roosters: bestaan al, niets veranderd."
    else:
        with transaction.atomic():
            line = _seed(rng, today)
    with transaction.atomic():
        addresses, months = _addresses_ensure(), _months_publish(today)
    if addresses or months:
        line += f" {addresses} e-mailadressen, {months} maanden gepubliceerd."
    if stdout is not None:
        stdout.write(line)
    return line


def _addresses_ensure() -> int:
    """An example.org address for every staff member without one, so that the console mail
    backend of `make run` shows the roster mails. Existing addresses are left alone."""
    users = {
        member.user for member in StaffMember.objects.filter(user__email="").select_related("user")
    }
    for user in users:
        user.email = f"{user.username}@example.org"
        user.save(update_fields=["email"])
    return len(users)


def _months_publish(today: date) -> int:
    """Publish, per site, the current month and the past months that have shifts (as if the
    coordinator had done so on time), so responders see their shifts in "my shifts" and the
    calendar feed; later months stay drafts. Nobody is mailed for these."""
    done = published_months()
    wanted = {(shift.site, shift_month(shift)) for shift in Shift.objects.select_related("site")}
    published = 0
    for site, month in sorted(wanted, key=lambda pair: (pair[0].pk, pair[1])):
        if month <= today.replace(day=1) and (site.pk, month) not in done:
            roster_publish(site=site, month=month, announce=False)
            published += 1
    return published


def _seed(rng: random.Random, today: date) -> str:
    monday = today - timedelta(days=today.weekday())
    schedule = OpeningSchedule.load()
    shift_count = assignment_count = gap_count = absence_count = 0
    for site in Site.objects.order_by("code"):
        members = list(
            StaffMember.objects.filter(site=site, user__is_active=True)
            .select_related("user")
            .order_by("user__username", "id")
        )
        responder_ids = set(
            StaffMember.objects.filter(site=site, user__groups__name=Role.RESPONDER).values_list(
                "pk", flat=True
            )
        )
        for member in members:
            member.is_responder = member.pk in responder_ids
        if not members:
            continue
        _profiles_fill(rng, members, today)
        responders = [m for m in members if m.is_responder]
        for member in members:
            member.is_trainee = member.kind == StaffMember.Kind.STUDENT
        planner = next((m.user for m in members if not m.is_responder), None)
        absence_count += _absences_create(rng, responders, monday, planner)
        _consultations_plan(rng, site, responders, monday, today)
        shifts = []
        for channel, headcount in HEADCOUNT.items():
            shifts += shifts_generate(
                site=site,
                start_date=monday,
                end_date=monday + timedelta(weeks=WEEKS) - timedelta(days=1),
                channels=[channel],
                headcount=headcount,
                schedule=schedule,
            )
        shifts = list(Shift.objects.filter(site=site).order_by("starts_at", "channel", "id"))
        shift_count += len(shifts)
        if responders:
            assigned, gaps = _shifts_fill(rng, shifts, responders, planner)
            assignment_count += assigned
            gap_count += gaps
    planning = planning_demo_seed(rng=rng, today=today)
    return (
        f"Roosters: {shift_count} shifts, {assignment_count} toewijzingen "
        f"({gap_count} bewuste gaten), {absence_count} afwezigheden, wekelijks casusoverleg. "
        f"{planning}"
    )
