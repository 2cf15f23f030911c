"""Seeded Roster instances for the benchmark and the tests: sites staffing phone, chat and
e-mail on the opening hours of 2021 onward (phone Mon–Fri 9–17, chat Mon–Fri 17–22, e-mail
in office hours), with absences, trainees, part-timers, volunteers, consultations and
wishes. Pure Python."""

import random
from datetime import date, datetime, time, timedelta

from .instance import BRUSSELS

# (channel, local start, local end) on weekdays; phone and e-mail in half days.
SLOTS = [
    ("phone", time(9), time(13)),
    ("phone", time(13), time(17)),
    ("email", time(9), time(13)),
    ("email", time(13), time(17)),
    ("chat", time(17), time(22)),
]
# Headcount per slot at a site of ten people, before the per-day busy factor.
BASE_REQUIRED = {"phone": 3, "email": 1.5, "chat": 2}
DAY_FACTOR = [1.3, 1.1, 1.0, 1.0, 0.8]  # Monday busiest, Friday quietest


def _iso(day: date, clock: time) -> str:
    return datetime.combine(day, clock, tzinfo=BRUSSELS).isoformat()


def _person(rng: random.Random, site: str, number: int, first_day: date, days: int) -> dict:
    roll = rng.random()
    person = {"id": f"{site}-p{number}", "site": site, "kind": "employee"}
    if roll < 0.12:
        person.update(kind="volunteer", contract_hours=8.0, max_shifts=rng.choice([3, 4, 6]))
    elif roll < 0.22:
        person.update(kind="student", contract_hours=16.0, certified=False)
    elif roll < 0.5:
        person.update(contract_hours=rng.choice([19.0, 24.0, 30.4]))
    else:
        person["contract_hours"] = 38.0
    channels = ["phone", "chat", "email"]
    if rng.random() < 0.2:
        channels.remove(rng.choice(["chat", "email"]))
    person["channels"] = channels
    person.setdefault("certified", True)
    unavailable = []
    if rng.random() < 0.2:  # leave or sickness
        start = first_day + timedelta(days=rng.randrange(days))
        unavailable.append(
            {
                "start": _iso(start, time(0)),
                "end": _iso(start + timedelta(rng.randint(1, 5)), time(0)),
            }
        )
    if person["kind"] == "volunteer":  # volunteers give two weekdays
        free = set(rng.sample(range(5), 2))
        for offset in range(days):
            day = first_day + timedelta(offset)
            if day.weekday() < 5 and day.weekday() not in free:
                unavailable.append(
                    {"start": _iso(day, time(0)), "end": _iso(day + timedelta(1), time(0))}
                )
    person["unavailable"] = unavailable
    wish = rng.random()
    if wish < 0.2:
        person["avoid"] = [
            {
                "start": _iso(first_day + timedelta(o), time(17)),
                "end": _iso(first_day + timedelta(o), time(22)),
            }
            for o in range(days)
        ]
    elif wish < 0.3:
        person["prefer"] = [
            {
                "start": _iso(first_day + timedelta(o), time(9)),
                "end": _iso(first_day + timedelta(o), time(13)),
            }
            for o in range(days)
        ]
    return person


def instance_generate(
    *, sites: int, staff_per_site: int, weeks: int, seed: int, first_day: date = date(2027, 2, 1)
) -> dict:
    """A Roster instance (JSON-ready dict) starting on a Monday."""
    rng = random.Random(seed)  # noqa: S311 -- reproducible test data, not secrets
    days = weeks * 7
    scale = staff_per_site / 10
    staff, shifts = [], []
    for site_number in range(sites):
        site = f"site{site_number}"
        people = [_person(rng, site, n, first_day, days) for n in range(staff_per_site)]
        for offset in range(days):
            day = first_day + timedelta(offset)
            if day.weekday() >= 5:
                continue
            consultation = day.weekday() == 1 and rng.random() < 0.6
            for channel, start, end in SLOTS:
                required = BASE_REQUIRED[channel] * scale * DAY_FACTOR[day.weekday()]
                required = max(1, round(required + rng.uniform(-0.4, 0.4)))
                shifts.append(
                    {
                        "id": f"{site}-{day:%m%d}-{channel}-{start:%H}",
                        "site": site,
                        "channel": channel,
                        "start": _iso(day, start),
                        "end": _iso(day, end),
                        "required": required,
                        "weight": round(
                            DAY_FACTOR[day.weekday()] * (1.2 if channel == "phone" else 1.0), 2
                        ),
                    }
                )
            if consultation:  # the team's case consultation, Tuesday 13:00–14:30
                for person in people:
                    if person["kind"] != "volunteer":
                        person.setdefault("busy", []).append(
                            {"start": _iso(day, time(13)), "end": _iso(day, time(14, 30))}
                        )
        staff += people
    return {
        "period": {
            "start": first_day.isoformat(),
            "end": (first_day + timedelta(days - 1)).isoformat(),
        },
        "rules": {"min_rest_hours": 11, "weekly_hours_margin": 4},
        "staff": staff,
        "shifts": shifts,
        "fixed": [],
    }


SIZES = {
    "S": {"sites": 1, "staff_per_site": 15, "weeks": 2},
    "M": {"sites": 5, "staff_per_site": 10, "weeks": 4},
    "L": {"sites": 10, "staff_per_site": 20, "weeks": 4},
}
