"""The roster proposal as a CP-SAT model (OR-Tools).

Hard: the rules of assignment_create (see rules.py), unavailability, volunteers' maximum.
Soft, weighted (weights read per hour, relative to one hour away from the contract):
unmet headcount × shift weight, hours away from the contract over the period, time worked
against a wish, isolated single working days, and the most evening/weekend shifts anyone
gets. It never fails for lack of people: every shift has an `unmet` slack."""

import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import timedelta

from ortools.sat.python import cp_model

from .greedy import greedy_assign
from .instance import BRUSSELS, Instance
from .rules import Prepared, local_day, prepare

ONE_DAY = timedelta(days=1)

# Points per minute of contract deviation at weight 1: weights below 1 stay whole numbers.
SCALE = 10


@dataclass(frozen=True)
class Weights:
    """Per hour (or per day / per shift), relative to one hour away from the contract."""

    unmet: float = 100.0  # per missing headcount-hour of a shift of weight 1
    contract: float = 1.0  # per hour above or below the contract over the period
    wish: float = 2.0  # per hour worked in an avoided period or outside preferred ones
    isolated: float = 1.0  # per single working day between two free days
    fairness: float = 3.0  # per evening/weekend shift of whoever has the most


def is_unsocial(shift) -> bool:
    """Evening (ending after 19:00 local) or weekend."""
    start = shift.start.astimezone(BRUSSELS)
    end = shift.end.astimezone(BRUSSELS)
    return start.weekday() >= 5 or end.hour * 60 + end.minute > 19 * 60 or end.date() > start.date()


def _overlap(shift, periods) -> int:
    total = 0.0
    for period in periods:
        start, end = max(shift.start, period.start), min(shift.end, period.end)
        if end > start:
            total += (end - start).total_seconds()
    return int(total // 60)


class _Progress(cp_model.CpSolverSolutionCallback):
    def __init__(self, unmet_vars, limit, on_progress):
        super().__init__()
        self.unmet_vars = unmet_vars
        self.limit = limit
        self.on_progress = on_progress
        self.first_full = None
        self.solutions = 0

    def on_solution_callback(self):
        self.solutions += 1
        unmet = sum(self.Value(v) for v in self.unmet_vars)
        if unmet == 0 and self.first_full is None:
            self.first_full = self.WallTime()
        if self.on_progress is not None:
            self.on_progress(min(0.99, self.WallTime() / max(self.limit, 0.001)), unmet)


def _build(prepared: Prepared, weights: Weights):
    """The model, its decision variables, and the unmet and soft parts of the objective."""
    instance = prepared.instance
    model = cp_model.CpModel()
    x = {}
    for person, shifts in prepared.eligible.items():
        for j in shifts:
            x[person, j] = model.NewBoolVar(f"x{person}_{j}")
            if (person, j) in prepared.fixed:
                model.Add(x[person, j] == 1)
    unmet_terms, soft = [], []
    unmet_vars = []
    for j, shift in enumerate(instance.shifts):
        on = [x[p, j] for p in prepared.candidates[j]]
        fixed_count = sum(1 for p in prepared.candidates[j] if (p, j) in prepared.fixed)
        model.Add(sum(on) <= max(shift.required, fixed_count))
        unmet = model.NewIntVar(0, shift.required, f"u{j}")
        model.Add(sum(on) + unmet >= shift.required)
        unmet_vars.append(unmet)
        unmet_terms.append(round(weights.unmet * SCALE * shift.weight * shift.minutes) * unmet)
        certified = [x[p, j] for p in prepared.candidates[j] if instance.staff[p].certified]
        for p in prepared.candidates[j]:
            if not instance.staff[p].certified and (p, j) not in prepared.fixed:
                if certified:
                    model.Add(x[p, j] <= sum(certified))
                else:
                    model.Add(x[p, j] == 0)
    unsocial = {j for j, s in enumerate(instance.shifts) if is_unsocial(s)}
    most_unsocial = model.NewIntVar(0, len(instance.shifts), "most_unsocial")
    for person, shifts in prepared.eligible.items():
        if shifts:
            soft += _person_terms(model, prepared, weights, x, person, shifts)
            mine = [x[person, j] for j in shifts if j in unsocial]
            if mine:
                model.Add(most_unsocial >= sum(mine))
    soft.append(round(weights.fairness * SCALE * 60) * most_unsocial)
    return model, x, unmet_vars, sum(unmet_terms), sum(soft)


def _person_terms(model, prepared: Prepared, weights: Weights, x, person, shifts) -> list:
    """Hard rules of one person, and their soft terms."""
    instance = prepared.instance
    staff = instance.staff[person]
    terms = []
    for a, b in prepared.conflicts[person]:
        model.AddBoolOr([x[person, a].Not(), x[person, b].Not()])
    by_week = defaultdict(list)
    for j in shifts:
        by_week[prepared.week[j]].append(j)
    for week, week_shifts in by_week.items():
        fixed_minutes = sum(
            prepared.added_minutes[person, j] for j in week_shifts if (person, j) in prepared.fixed
        )
        budget = max(prepared.week_budget(person, week), fixed_minutes)
        model.Add(
            sum(prepared.added_minutes[person, j] * x[person, j] for j in week_shifts) <= budget
        )
    if staff.max_shifts is not None:
        fixed_count = sum(1 for j in shifts if (person, j) in prepared.fixed)
        model.Add(sum(x[person, j] for j in shifts) <= max(staff.max_shifts, fixed_count))
    # Hours near the contract over the period (consultation time counts as worked).
    busy = sum(minutes for (p, _week), minutes in prepared.busy_minutes.items() if p == person)
    target = max(0, round(staff.contract_hours * 60 * instance.weeks) - busy)
    worked = sum(instance.shifts[j].minutes * x[person, j] for j in shifts)
    horizon = sum(instance.shifts[j].minutes for j in shifts) + target
    deviation = model.NewIntVar(0, horizon, f"dev{person}")
    model.Add(deviation >= worked - target)
    model.Add(deviation >= target - worked)
    terms.append(round(weights.contract * SCALE) * deviation)
    # Wishes: minutes in avoided periods, or outside preferred ones when there are any.
    for j in shifts:
        shift = instance.shifts[j]
        against = _overlap(shift, staff.avoid)
        if staff.prefer:
            against += shift.minutes - _overlap(shift, staff.prefer)
        if against and (person, j) not in prepared.fixed:
            terms.append(round(weights.wish * SCALE * against) * x[person, j])
    # Isolated single working days: worked, but neither the day before nor after.
    if weights.isolated:
        by_day = defaultdict(list)
        for j in shifts:
            by_day[local_day(instance.shifts[j].start)].append(j)
        works = {}
        for day, day_shifts in by_day.items():
            works[day] = model.NewBoolVar(f"w{person}_{day}")
            model.AddMaxEquality(works[day], [x[person, j] for j in day_shifts])
        for day, worked_day in works.items():
            neighbours = [works[d] for d in (day - ONE_DAY, day + ONE_DAY) if d in works]
            isolated = model.NewBoolVar(f"i{person}_{day}")
            model.Add(isolated >= worked_day - sum(neighbours))
            terms.append(round(weights.isolated * SCALE * 60) * isolated)
    return terms


def components(instance: Instance) -> list[Instance]:
    """Independent parts of the instance: people work only at their own site, so each site
    (joined with any site a fixed assignment crosses to) is solved on its own."""
    parent = {}

    def find(site):
        parent.setdefault(site, site)
        while parent[site] != site:
            parent[site] = parent[parent[site]]
            site = parent[site]
        return site

    staff_site = {s.id: s.site for s in instance.staff}
    shift_site = {s.id: s.site for s in instance.shifts}
    for site in [*staff_site.values(), *shift_site.values()]:
        find(site)
    for person, shift in instance.fixed:
        parent[find(staff_site[person])] = find(shift_site[shift])
    groups = defaultdict(lambda: ([], [], []))
    for person in instance.staff:
        groups[find(person.site)][0].append(person)
    for shift in instance.shifts:
        groups[find(shift.site)][1].append(shift)
    for pair in instance.fixed:
        groups[find(staff_site[pair[0]])][2].append(pair)
    return [
        replace(instance, staff=staff, shifts=shifts, fixed=fixed)
        for _root, (staff, shifts, fixed) in sorted(groups.items())
    ]


class _Part:
    """One independent part, solved lexicographically: first the least weighted unmet
    headcount (quick, mostly optimal), then the soft terms with unmet held at that level."""

    def __init__(self, part: Instance, weights: Weights, *, workers, seed, gap_limit):
        self.part = part
        self.prepared = prepare(part)
        self.chosen = greedy_assign(self.prepared)
        self.settings = (workers, seed, gap_limit)
        self.objective = self.bound = 0.0
        self.optimal = True
        self.full_at = None  # perf_counter() when a roster without unmet headcount was found
        if part.shifts:
            built = _build(self.prepared, weights)
            self.model, self.x, self.unmet_vars, self.unmet_expr, self.soft_expr = built

    def _run(self, objective, limit, report):
        workers, seed, gap_limit = self.settings
        self.model.ClearHints()
        for key, var in self.x.items():
            self.model.AddHint(var, key in self.chosen)
        self.model.Minimize(objective)
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = max(0.05, limit)
        solver.parameters.num_workers = max(1, workers)
        solver.parameters.relative_gap_limit = gap_limit
        # Full linearisation: the soft terms (contract deviation against wishes) find good
        # rosters far sooner with it (a 20-person month: gap 41 % → 28 % in 6 s).
        solver.parameters.linearization_level = 2
        if seed is not None:  # reproducible: one worker, a fixed seed, deterministic time
            solver.parameters.random_seed = seed
            solver.parameters.num_workers = 1
            solver.parameters.max_deterministic_time = max(0.05, limit)
            solver.parameters.max_time_in_seconds = max(0.05, 10 * limit)
        callback = _Progress(self.unmet_vars, limit, report)
        started = time.perf_counter()
        status = solver.Solve(self.model, callback)
        if callback.first_full is not None and self.full_at is None:
            self.full_at = started + callback.first_full
        found = status in (cp_model.OPTIMAL, cp_model.FEASIBLE)
        if found:
            self.chosen = {key for key, var in self.x.items() if solver.BooleanValue(var)}
        return solver, status, found

    def coverage(self, limit, report):
        if not self.part.shifts:
            self.full_at = time.perf_counter()
            return
        solver, status, found = self._run(self.unmet_expr, limit, report)
        self.unmet_bound = solver.BestObjectiveBound() if found else 0.0
        self.unmet_optimal = status == cp_model.OPTIMAL
        if found:
            self.model.Add(self.unmet_expr <= round(solver.ObjectiveValue()))
        else:
            self.optimal = False

    def balance(self, limit, report):
        if not self.part.shifts:
            return
        solver, status, found = self._run(self.unmet_expr + self.soft_expr, limit, report)
        if not found:
            self.optimal, self.objective, self.bound = False, float("nan"), float("nan")
            return
        self.objective, self.bound = solver.ObjectiveValue(), solver.BestObjectiveBound()
        if not self.unmet_optimal:  # the unmet level itself may still be improvable
            self.bound = min(self.bound, self.unmet_bound)
        self.optimal = self.optimal and self.unmet_optimal and status == cp_model.OPTIMAL


COVERAGE_SHARE = 0.3  # of the time limit for the first phase (unmet headcount only)


def roster_solve(
    instance: Instance,
    *,
    seconds: float = 30.0,
    weights: Weights | None = None,
    workers: int = 2,
    seed: int | None = None,
    gap_limit: float = 0.0,
    on_progress: Callable[[float, int], None] | None = None,
) -> dict:
    """The proposal (DESIGN.md's output format) plus `first_full_s`: seconds until every
    part had a roster without unmet headcount (None when none was found)."""
    began = time.perf_counter()
    weights = weights or Weights()
    parts = [
        _Part(part, weights, workers=workers, seed=seed, gap_limit=gap_limit)
        for part in components(instance)
    ]
    sizes = [max(1, len(p.part.shifts) * len(p.part.staff)) for p in parts]
    total = sum(sizes)

    def reporter(phase_start, phase_share, index):
        done = phase_start + phase_share * sum(sizes[:index]) / total
        mine = phase_share * sizes[index] / total

        def report(fraction, unmet):
            if on_progress is not None:
                on_progress(min(0.99, done + mine * fraction), unmet)

        return report

    for phase, (start_fraction, share) in enumerate(
        ((0.0, COVERAGE_SHARE), (COVERAGE_SHARE, 1 - COVERAGE_SHARE))
    ):
        phase_end = began + seconds * (start_fraction + share)
        for index, part in enumerate(parts):
            remaining = phase_end - time.perf_counter()
            limit = max(0.05, remaining * sizes[index] / sum(sizes[index:]))
            report = reporter(start_fraction, share, index)
            if phase == 0:
                part.coverage(limit, report)
            else:
                part.balance(limit, report)
    chosen_all = []
    for part in parts:
        chosen_all += [(part.part.staff[p].id, part.part.shifts[j].id) for p, j in part.chosen]
    objective = sum(p.objective for p in parts)
    bound = sum(p.bound for p in parts)
    optimal = all(p.optimal for p in parts)
    unmet, hours = _unmet(instance, chosen_all)
    gap = 0.0 if optimal else (objective - bound) / max(abs(objective), 1)
    if gap != gap:  # nan: a part found nothing beyond the greedy roster
        gap = None
    full = [p.full_at for p in parts]
    first_full = None
    if not unmet and all(f is not None for f in full):
        first_full = round(max(full) - began, 3)
    if on_progress is not None:
        on_progress(1.0, len(unmet))
    order = {s.id: n for n, s in enumerate(instance.shifts)}
    return {
        "status": "OPTIMAL" if optimal else "FEASIBLE",
        "seconds": round(time.perf_counter() - began, 3),
        "gap": None if gap is None else round(max(gap, 0.0), 4),
        "assignments": [
            {"staff": p, "shift": s}
            for p, s in sorted(chosen_all, key=lambda a: (order[a[1]], a[0]))
        ],
        "unmet": unmet,
        "unmet_hours": hours,
        "first_full_s": first_full,
    }


def _unmet(instance: Instance, pairs) -> tuple[list[dict], float]:
    staffed = defaultdict(int)
    for _person, shift in pairs:
        staffed[shift] += 1
    unmet, hours = [], 0.0
    for shift in instance.shifts:
        missing = shift.required - staffed[shift.id]
        if missing > 0:
            unmet.append({"shift": shift.id, "missing": missing})
            hours += missing * shift.minutes / 60
    return unmet, round(hours, 2)
