"""The roster proposal in the app: the Roster instance built from the database, a run of the
pure solver (staffing/solver) recorded on a RosterProposal, and accepting it through
assignment_create so that every rule is checked again at that moment.

Modes: `full` keeps every existing assignment (fixed) and fills the rest of the period;
`repair` also releases assignments that now clash with an approved absence or with the
person's availability, and re-plans only the shifts that are short — the rest of the
accepted roster stays as it is."""

import logging
from collections import defaultdict
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from staffing.models import (
    Absence,
    Assignment,
    AvailabilityException,
    ConsultationAttendance,
    Qualification,
    RosterProposal,
    Shift,
    ShiftLimit,
    Site,
    StaffMember,
    WeeklyAvailability,
    Wish,
)
from staffing.solver import InstanceError, Weights, roster_propose

from .assignments import assignment_create, assignment_delete
from .availability import person_windows
from .time import dates_between, day_start, local_date, week_bounds

logger = logging.getLogger(__name__)


def solver_options() -> dict:
    """Weights, workers and seed from the settings."""
    options = {
        "weights": Weights(
            unmet=settings.ROSTER_WEIGHT_UNMET,
            contract=settings.ROSTER_WEIGHT_CONTRACT,
            wish=settings.ROSTER_WEIGHT_WISH,
            isolated=settings.ROSTER_WEIGHT_ISOLATED_DAY,
            fairness=settings.ROSTER_WEIGHT_FAIRNESS,
        ),
        "workers": 2,
    }
    if settings.ROSTER_REPRODUCIBLE:
        options["seed"] = settings.ROSTER_SEED
    return options


def _iso(instant) -> str:
    return instant.isoformat()


def _period(start, end) -> dict:
    return {"start": _iso(start), "end": _iso(end)}


def _certified_throughout(qualifications, first_day: date, last_day: date) -> bool:
    """Certified on every day of the period. Only such people count as the certified
    colleague a trainee needs (as assignment_create asks); everyone else is planned as
    needing one — the careful side for people in training, or without any qualification."""
    for day in dates_between(first_day, last_day):
        if not any(
            q.kind == Qualification.Kind.CERTIFIED_RESPONDER
            and q.valid_from <= day
            and (q.valid_to is None or q.valid_to >= day)
            for q in qualifications
        ):
            return False
    return True


def instance_build(
    *, site: Site, first_day: date, last_day: date, mode: str = RosterProposal.Mode.FULL
) -> tuple[dict, list[int]]:
    """The Roster instance of a site's period, and (repair mode) the ids of assignments the
    proposal releases."""
    start, end = day_start(first_day), day_start(last_day + timedelta(days=1))
    # Weekly hours look at whole ISO weeks, rest at the neighbouring days.
    context_start = min(week_bounds(first_day)[0], start - timedelta(days=1))
    context_end = max(week_bounds(last_day)[1], end + timedelta(days=1))
    rest = timedelta(hours=settings.MIN_REST_HOURS)
    shifts = list(
        Shift.objects.filter(site=site, starts_at__gte=start, starts_at__lt=end).order_by(
            "starts_at", "channel", "id"
        )
    )
    shift_ids = {shift.pk for shift in shifts}
    members = list(
        StaffMember.objects.filter(site=site, user__is_active=True)
        .select_related("user")
        .prefetch_related("qualifications")
        .order_by("user__username", "id")
    )
    by_member = defaultdict(lambda: defaultdict(list))
    member_ids = [m.pk for m in members]
    for model, name, extra in (
        (WeeklyAvailability, "weekly", {}),
        (AvailabilityException, "exceptions", {"day__gte": first_day, "day__lte": last_day}),
        (Wish, "wishes", {}),
    ):
        for row in model.objects.filter(staff_member__in=member_ids, **extra):
            by_member[row.staff_member_id][name].append(row)
    absences = defaultdict(list)
    for absence in Absence.objects.approved().filter(
        staff_member__in=member_ids, starts_at__lt=context_end, ends_at__gt=context_start
    ):
        absences[absence.staff_member_id].append((absence.starts_at, absence.ends_at))
    busy = defaultdict(list)
    for attendance in ConsultationAttendance.objects.filter(
        staff_member__in=member_ids,
        attendance__in=ConsultationAttendance.COUNTING,
        consultation__starts_at__gte=context_start,
        consultation__starts_at__lt=context_end,
    ).select_related("consultation"):
        consultation = attendance.consultation
        busy[attendance.staff_member_id].append((consultation.starts_at, consultation.ends_at))
    assignments = list(
        Assignment.objects.filter(
            staff_member__in=member_ids, starts_at__lt=context_end, ends_at__gt=context_start
        ).select_related("shift")
    )
    limits = dict(
        ShiftLimit.objects.filter(staff_member__in=member_ids).values_list(
            "staff_member_id", "max_shifts_per_month"
        )
    )
    months = {(day.year, day.month) for day in dates_between(first_day, last_day)}
    month_counts = defaultdict(int)
    if limits:
        for member_id, starts_at in (
            Assignment.objects.filter(
                staff_member__in=list(limits),
                starts_at__gte=start - timedelta(days=31),
                starts_at__lt=end + timedelta(days=31),
            )
            .exclude(shift__in=shift_ids)
            .values_list("staff_member_id", "starts_at")
        ):
            local = local_date(starts_at)
            if (local.year, local.month) in months:
                month_counts[member_id] += 1
    staff, fixed, released = [], [], []
    unavailable_of = {}
    for member in members:
        windows = person_windows(
            member, first_day, last_day,
            weekly=by_member[member.pk]["weekly"],
            exceptions=by_member[member.pk]["exceptions"],
            wishes=by_member[member.pk]["wishes"],
        )  # fmt: skip
        unavailable = list(windows.unavailable) + absences[member.pk]
        if member.active_from and member.active_from > first_day:
            unavailable.append((start, day_start(member.active_from)))
        if member.active_to and member.active_to < last_day:
            unavailable.append((day_start(member.active_to + timedelta(days=1)), end))
        unavailable_of[member.pk] = unavailable
        member_busy = list(busy[member.pk])
        for assignment in assignments:
            if assignment.staff_member_id != member.pk or assignment.shift_id in shift_ids:
                continue
            # Outside the instance: counts towards the week, and keeps overlap and rest.
            member_busy.append((assignment.starts_at, assignment.ends_at))
            unavailable.append((assignment.starts_at - rest, assignment.ends_at + rest))
        max_shifts = None
        if member.pk in limits:
            max_shifts = max(0, limits[member.pk] * len(months) - month_counts[member.pk])
        staff.append(
            {
                "id": str(member.pk),
                "site": str(site.pk),
                "kind": member.kind,
                "contract_hours": float(member.contract_hours),
                "channels": [c for c in member.channels if c in ("phone", "chat", "email")],
                "certified": _certified_throughout(
                    member.qualifications.all(), first_day, last_day
                ),
                "max_shifts": max_shifts,
                "unavailable": [_period(s, e) for s, e in unavailable if e > s],
                "busy": [_period(s, e) for s, e in member_busy],
                "prefer": [_period(s, e) for s, e in windows.prefer],
                "avoid": [_period(s, e) for s, e in windows.avoid],
            }
        )
    member_set = set(member_ids)
    own, outside = defaultdict(int), defaultdict(int)
    for assignment in Assignment.objects.filter(shift__in=shift_ids):
        if assignment.staff_member_id not in member_set:
            # Someone of another site (or no longer active) helps out: their place is taken.
            outside[assignment.shift_id] += 1
            continue
        clash = any(
            s < assignment.ends_at and assignment.starts_at < e
            for s, e in unavailable_of[assignment.staff_member_id]
        )
        if mode == RosterProposal.Mode.REPAIR and clash:
            released.append(assignment.pk)
            continue
        own[assignment.shift_id] += 1
        fixed.append({"staff": str(assignment.staff_member_id), "shift": str(assignment.shift_id)})
    instance_shifts = []
    for shift in shifts:
        required = max(0, shift.required_headcount - outside[shift.pk])
        if mode == RosterProposal.Mode.REPAIR and own[shift.pk] >= required:
            required = own[shift.pk]  # untouched: as staffed now
        instance_shifts.append(
            {
                "id": str(shift.pk),
                "site": str(site.pk),
                "channel": shift.channel,
                "start": _iso(shift.starts_at),
                "end": _iso(shift.ends_at),
                "required": required,
                "weight": 1.0,
            }
        )
    instance = {
        "period": {"start": first_day.isoformat(), "end": last_day.isoformat()},
        "rules": {
            "min_rest_hours": settings.MIN_REST_HOURS,
            "weekly_hours_margin": settings.WEEKLY_HOURS_MARGIN,
        },
        "staff": staff,
        "shifts": instance_shifts,
        "fixed": fixed,
    }
    return instance, released


@transaction.atomic
def proposal_create(
    *,
    site: Site,
    first_day: date,
    last_day: date,
    mode: str,
    created_by,
    seconds: int | None = None,
) -> RosterProposal:
    """Record a proposal to be run (the caller queues roster_proposal_run after commit)."""
    if last_day < first_day or (last_day - first_day).days > 62:
        raise ValidationError(_("Choose a period of at most two months."))
    if mode not in RosterProposal.Mode.values:
        raise ValidationError(_("Unknown mode."))
    return RosterProposal.objects.create(
        site=site,
        first_day=first_day,
        last_day=last_day,
        mode=mode,
        seconds_limit=seconds or settings.ROSTER_SECONDS,
        created_by=created_by,
    )


def _claim(proposal_id: int) -> bool:
    """Only one worker runs a proposal: the one whose conditional UPDATE wins."""
    return bool(
        RosterProposal.objects.filter(pk=proposal_id, status=RosterProposal.Status.QUEUED).update(
            status=RosterProposal.Status.RUNNING, progress=1
        )
    )


def proposal_run(*, proposal_id: int) -> None:
    """Build the instance, run the solver with progress written to the row, store the result."""
    if not _claim(proposal_id):
        return
    proposal = RosterProposal.objects.select_related("site").get(pk=proposal_id)
    instance, released = instance_build(
        site=proposal.site,
        first_day=proposal.first_day,
        last_day=proposal.last_day,
        mode=proposal.mode,
    )
    last = {"progress": 1}

    def progress(fraction, _unmet):
        percent = max(1, min(99, int(fraction * 100)))
        if percent >= last["progress"] + 5:
            last["progress"] = percent
            RosterProposal.objects.filter(pk=proposal_id).update(progress=percent)

    try:
        result = roster_propose(
            instance,
            seconds=proposal.seconds_limit,
            on_progress=progress,
            **solver_options(),
        )
    except InstanceError as error:
        logger.warning("Roster proposal %s: bad instance: %s", proposal_id, error)
        RosterProposal.objects.filter(pk=proposal_id).update(
            status=RosterProposal.Status.FAILED, message=str(error)[:500]
        )
        return
    result["released"] = released
    RosterProposal.objects.filter(pk=proposal_id).update(
        status=RosterProposal.Status.DONE, progress=100, instance=instance, result=result
    )


def proposal_new_assignments(proposal: RosterProposal) -> list[tuple[int, int]]:
    """(staff member id, shift id) pairs the proposal adds to the roster as it was."""
    fixed = {(f["staff"], f["shift"]) for f in proposal.instance.get("fixed", [])}
    return [
        (int(a["staff"]), int(a["shift"]))
        for a in proposal.result.get("assignments", [])
        if (a["staff"], a["shift"]) not in fixed
    ]


def proposal_accept(
    *, proposal: RosterProposal, accepted_by, days=None, staff_member_id=None
) -> dict:
    """Apply the proposal's new assignments (all, those of some local days, or one person's) through
    assignment_create; whatever is no longer allowed is reported, never forced.

    Returns {"created": n, "existing": n, "refused": [(who, when, reasons)], "released": n}.
    Certified people go first on each shift, so a trainee finds their colleague there."""
    if proposal.status != RosterProposal.Status.DONE:
        raise ValidationError(_("This proposal has not finished."))
    pairs = proposal_new_assignments(proposal)
    shifts = Shift.objects.in_bulk({shift for _m, shift in pairs})
    members = StaffMember.objects.select_related("user").in_bulk({m for m, _s in pairs})
    trainee = {s["id"] for s in proposal.instance.get("staff", []) if not s.get("certified", True)}
    wanted = []
    for member_id, shift_id in pairs:
        shift, member = shifts.get(shift_id), members.get(member_id)
        if shift is None or member is None:
            continue
        if days is not None and local_date(shift.starts_at) not in days:
            continue
        if staff_member_id is not None and member_id != staff_member_id:
            continue
        wanted.append((shift.starts_at, shift_id, str(member_id) in trainee, member, shift))
    wanted.sort(key=lambda item: item[:3])
    report = {"created": 0, "existing": 0, "refused": [], "released": 0}
    if days is None and staff_member_id is None:
        for assignment in Assignment.objects.filter(
            pk__in=proposal.result.get("released", [])
        ).select_related("staff_member", "shift"):
            try:
                assignment_delete(assignment=assignment)
            except ValidationError:
                continue
            report["released"] += 1
    existing = set(
        Assignment.objects.filter(shift__in=[w[1] for w in wanted]).values_list(
            "staff_member_id", "shift_id"
        )
    )
    for _start, shift_id, _trainee, member, shift in wanted:
        if (member.pk, shift_id) in existing:
            report["existing"] += 1
            continue
        try:
            assignment_create(shift=shift, staff_member=member, assigned_by=accepted_by)
        except ValidationError as error:
            report["refused"].append((str(member), shift, error.messages))
        else:
            report["created"] += 1
    return report


def proposal_pending(proposal: RosterProposal) -> set[tuple[int, int]]:
    """The proposal's new pairs not yet on the roster (for the review page)."""
    pairs = proposal_new_assignments(proposal)
    present = set(
        Assignment.objects.filter(
            Q(shift__in={s for _m, s in pairs}) & Q(staff_member__in={m for m, _s in pairs})
        ).values_list("staff_member_id", "shift_id")
    )
    return {pair for pair in pairs if pair not in present}


def proposal_is_stale(proposal: RosterProposal) -> bool:
    """Queued or running for longer than any run can take: its worker is gone."""
    limit = timedelta(seconds=proposal.seconds_limit * 3 + 120)
    return (
        proposal.status
        in (
            RosterProposal.Status.QUEUED,
            RosterProposal.Status.RUNNING,
        )
        and timezone.now() - proposal.created_at > limit
    )
