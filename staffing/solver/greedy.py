"""The greedy baseline: earliest shift first, each filled by the least-loaded eligible person
who breaks no hard rule. What a careful planner does by hand; the benchmark compares the
CP-SAT proposal with it, and the solver starts from it as a hint."""

import time
from collections import defaultdict

from .instance import Instance
from .rules import Prepared, prepare


def greedy_assign(prepared: Prepared) -> set[tuple[int, int]]:
    """(person, shift) index pairs: the fixed ones plus the greedy choices."""
    instance = prepared.instance
    chosen = set(prepared.fixed)
    conflicts = defaultdict(set)
    for person, pairs in prepared.conflicts.items():
        for a, b in pairs:
            conflicts[person, a].add(b)
            conflicts[person, b].add(a)
    load = defaultdict(int)
    week_used = defaultdict(int)
    count = defaultdict(int)
    on_shift = defaultdict(set)
    worked = defaultdict(set)
    for person, j in prepared.fixed:
        load[person] += instance.shifts[j].minutes
        week_used[person, prepared.week[j]] += prepared.added_minutes[person, j]
        count[person] += 1
        on_shift[j].add(person)
        worked[person].add(j)
    order = sorted(range(len(instance.shifts)), key=lambda j: (instance.shifts[j].start, j))
    for j in order:
        shift = instance.shifts[j]
        week = prepared.week[j]
        while len(on_shift[j]) < shift.required:
            has_certified = any(instance.staff[p].certified for p in on_shift[j])
            best = None
            for person in prepared.candidates[j]:
                staff = instance.staff[person]
                if person in on_shift[j] or (not staff.certified and not has_certified):
                    continue
                if staff.max_shifts is not None and count[person] >= staff.max_shifts:
                    continue
                added = prepared.added_minutes[person, j]
                if week_used[person, week] + added > prepared.week_budget(person, week):
                    continue
                if conflicts[person, j] & worked[person]:
                    continue
                key = (load[person], not staff.certified, staff.id)
                if best is None or key < best[0]:
                    best = (key, person)
            if best is None:
                break
            person = best[1]
            chosen.add((person, j))
            on_shift[j].add(person)
            worked[person].add(j)
            load[person] += shift.minutes
            week_used[person, week] += prepared.added_minutes[person, j]
            count[person] += 1
    return chosen


def unmet_of(instance: Instance, chosen) -> tuple[list[dict], float]:
    staffed = defaultdict(int)
    for _person, j in chosen:
        staffed[j] += 1
    unmet, hours = [], 0.0
    for j, shift in enumerate(instance.shifts):
        missing = shift.required - staffed[j]
        if missing > 0:
            unmet.append({"shift": shift.id, "missing": missing})
            hours += missing * shift.minutes / 60
    return unmet, round(hours, 2)


def greedy_propose(instance: Instance) -> dict:
    """The baseline's roster in the proposal format (gap unknown: null)."""
    began = time.perf_counter()
    chosen = greedy_assign(prepare(instance))
    unmet, hours = unmet_of(instance, chosen)
    return {
        "status": "FEASIBLE",
        "seconds": round(time.perf_counter() - began, 3),
        "gap": None,
        "assignments": [
            {"staff": instance.staff[p].id, "shift": instance.shifts[j].id}
            for p, j in sorted(chosen, key=lambda pair: (pair[1], pair[0]))
        ],
        "unmet": unmet,
        "unmet_hours": hours,
    }
