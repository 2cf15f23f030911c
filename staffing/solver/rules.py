"""The hard rules of staffing.services.assignments.assignment_create, on plain data.

Precomputed once per instance and shared by the CP-SAT model, the greedy baseline and the
checker: who may work which shift, which pairs of shifts one person cannot both work
(overlap, or less than the minimum rest between different local days), and how many minutes
each shift adds to its local ISO week (consultations — `busy` — counted once where they
overlap a shift)."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from .instance import BRUSSELS, Instance, Period, Shift, Staff


def week_of(instant) -> tuple[int, int]:
    year, week, _day = instant.astimezone(BRUSSELS).date().isocalendar()
    return year, week


def local_day(instant):
    return instant.astimezone(BRUSSELS).date()


def _merge(periods: list[Period]) -> list[Period]:
    merged: list[Period] = []
    for period in sorted(periods, key=lambda p: (p.start, p.end)):
        if merged and period.start <= merged[-1].end:
            merged[-1] = Period(merged[-1].start, max(merged[-1].end, period.end))
        else:
            merged.append(period)
    return merged


def _overlap_minutes(shift: Shift, periods: list[Period]) -> int:
    total = 0.0
    for period in periods:
        start, end = max(shift.start, period.start), min(shift.end, period.end)
        if end > start:
            total += (end - start).total_seconds()
    return int(total // 60)


def _overlaps(a_start, a_end, b_start, b_end) -> bool:
    return a_start < b_end and b_start < a_end


def conflict(a: Shift, b: Shift, rest: timedelta) -> bool:
    """One person cannot work both: they overlap, or lie on different local days with less
    than `rest` between them (as assignment_problems)."""
    if _overlaps(a.start, a.end, b.start, b.end):
        return True
    if local_day(a.start) == local_day(b.start):
        return False
    gap = max(a.start - b.end, b.start - a.end)
    return timedelta(0) <= gap < rest


@dataclass
class Prepared:
    """Everything the solvers need, indexed by position in instance.staff / instance.shifts."""

    instance: Instance
    eligible: dict[int, list[int]] = field(default_factory=dict)  # person → shifts
    candidates: dict[int, list[int]] = field(default_factory=dict)  # shift → people
    fixed: set[tuple[int, int]] = field(default_factory=set)  # (person, shift)
    conflicts: dict[int, list[tuple[int, int]]] = field(default_factory=dict)
    week: list[tuple[int, int]] = field(default_factory=list)  # per shift
    added_minutes: dict[tuple[int, int], int] = field(default_factory=dict)  # (person, shift)
    busy_minutes: dict[tuple[int, tuple], int] = field(default_factory=dict)  # (person, week)
    limit_minutes: list[int] = field(default_factory=list)  # per person, per week

    def week_budget(self, person: int, week) -> int:
        return self.limit_minutes[person] - self.busy_minutes.get((person, week), 0)


def prepare(instance: Instance) -> Prepared:
    prepared = Prepared(instance=instance)
    staff_index = {s.id: i for i, s in enumerate(instance.staff)}
    shift_index = {s.id: i for i, s in enumerate(instance.shifts)}
    prepared.fixed = {(staff_index[p], shift_index[s]) for p, s in instance.fixed}
    prepared.week = [week_of(s.start) for s in instance.shifts]
    rest = timedelta(hours=instance.min_rest_hours)
    by_site_channel = defaultdict(list)
    for j, shift in enumerate(instance.shifts):
        by_site_channel[shift.site, shift.channel].append(j)
    prepared.candidates = {j: [] for j in range(len(instance.shifts))}
    for i, person in enumerate(instance.staff):
        prepared.limit_minutes.append(
            round((person.contract_hours + instance.weekly_hours_margin) * 60)
        )
        busy_by_week = defaultdict(list)
        for period in person.busy:
            busy_by_week[week_of(period.start)].append(period)
        busy_by_week = {week: _merge(periods) for week, periods in busy_by_week.items()}
        for week, periods in busy_by_week.items():
            prepared.busy_minutes[i, week] = sum(p.minutes for p in periods)
        fixed_here = {j for (p, j) in prepared.fixed if p == i}
        shifts = []
        if person.max_shifts != 0 or fixed_here:
            for channel in person.channels:
                shifts += by_site_channel.get((person.site, channel), [])
        shifts = sorted(set(shifts) | fixed_here, key=lambda j: instance.shifts[j].start)
        eligible = []
        for j in shifts:
            shift = instance.shifts[j]
            week = prepared.week[j]
            added = shift.minutes - _overlap_minutes(shift, busy_by_week.get(week, []))
            prepared.added_minutes[i, j] = added
            if j not in fixed_here and (
                any(_overlaps(shift.start, shift.end, u.start, u.end) for u in person.unavailable)
                or added > prepared.week_budget(i, week)
            ):
                continue
            eligible.append(j)
            prepared.candidates[j].append(i)
        prepared.eligible[i] = eligible
        pairs = []
        for a_pos, a in enumerate(eligible):
            shift_a = instance.shifts[a]
            for b in eligible[a_pos + 1 :]:
                shift_b = instance.shifts[b]
                if shift_b.start - shift_a.end >= rest:
                    break  # sorted by start: every later shift is far enough
                if conflict(shift_a, shift_b, rest) and not (a in fixed_here and b in fixed_here):
                    pairs.append((a, b))
        prepared.conflicts[i] = pairs
    return prepared


def violations(instance: Instance, assignments: list[tuple[str, str]]) -> list[str]:
    """Every hard rule the given (staff id, shift id) assignments break (empty: none)."""
    staff = {s.id: s for s in instance.staff}
    shifts = {s.id: s for s in instance.shifts}
    rest = timedelta(hours=instance.min_rest_hours)
    problems = []
    by_person = defaultdict(list)
    by_shift = defaultdict(list)
    for person_id, shift_id in assignments:
        by_person[person_id].append(shifts[shift_id])
        by_shift[shift_id].append(staff[person_id])
    fixed = set(instance.fixed)
    for person_id, worked in by_person.items():
        person: Staff = staff[person_id]
        for shift in worked:
            if (person_id, shift.id) in fixed:
                continue
            if shift.site != person.site or shift.channel not in person.channels:
                problems.append(f"{person_id} on {shift.id}: site or channel")
            if any(_overlaps(shift.start, shift.end, u.start, u.end) for u in person.unavailable):
                problems.append(f"{person_id} on {shift.id}: unavailable")
        worked.sort(key=lambda s: s.start)
        for a_pos, a in enumerate(worked):
            for b in worked[a_pos + 1 :]:
                if conflict(a, b, rest) and not {(person_id, a.id), (person_id, b.id)} <= fixed:
                    problems.append(f"{person_id}: {a.id} and {b.id} overlap or lack rest")
        weeks = defaultdict(list)
        for shift in worked:
            weeks[week_of(shift.start)].append(Period(shift.start, shift.end))
        for period in person.busy:
            weeks[week_of(period.start)].append(period)
        limit = round((person.contract_hours + instance.weekly_hours_margin) * 60)
        for week, periods in weeks.items():
            total = sum(p.minutes for p in _merge(periods))
            fixed_only = [s for s in worked if week_of(s.start) == week]
            if total > limit and not all((person_id, s.id) in fixed for s in fixed_only):
                problems.append(f"{person_id}: {total} minutes in week {week} > {limit}")
        if person.max_shifts is not None:
            free = [s for s in worked if (person_id, s.id) not in fixed]
            if len(worked) > person.max_shifts and free:
                problems.append(f"{person_id}: {len(worked)} shifts > {person.max_shifts}")
    for shift_id, people in by_shift.items():
        trainees_alone = not any(p.certified for p in people)
        if trainees_alone and any((p.id, shift_id) not in fixed for p in people):
            problems.append(f"{shift_id}: trainee without a certified colleague")
    return problems
