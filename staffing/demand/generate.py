"""Seeded arrival histories for the backtest and the benchmark: a weekday × half-hour
profile per channel, a slow trend, noise (Poisson), and closed public holidays."""

import math
import random
from datetime import date, timedelta

# Open half-hours (local): phone Mon–Fri 09:00–17:00, chat Mon–Fri 17:00–22:00.
OPEN = {"phone": range(18, 34), "chat": range(34, 44)}
DAY_LEVEL = [1.3, 1.1, 1.0, 1.05, 0.85, 0, 0]


def _poisson(rng: random.Random, mean: float) -> int:
    if mean <= 0:
        return 0
    if mean > 30:  # normal approximation keeps it fast
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, k, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        k += 1
        product *= rng.random()
    return k


def arrivals_generate(
    *, channel: str, weeks: int, seed: int, first_day: date = date(2026, 1, 5),
    per_hour: float = 6.0, weekly_growth: float = 0.01, holidays=(),
) -> dict:  # fmt: skip
    """{(day, slot): arrivals} over `weeks` weeks of open half-hours (holidays closed)."""
    rng = random.Random(seed)  # noqa: S311 -- reproducible test data, not secrets
    history = {}
    slots = OPEN[channel]
    for offset in range(weeks * 7):
        day = first_day + timedelta(days=offset)
        if DAY_LEVEL[day.weekday()] == 0 or day in holidays:
            continue
        growth = (1 + weekly_growth) ** (offset / 7)
        for slot in slots:
            # Busier late morning and early afternoon on the phone; a peak at 20:00 on chat.
            position = (slot - slots.start) / len(slots)
            shape = 0.7 + 0.6 * math.sin(math.pi * position)
            mean = per_hour / 2 * DAY_LEVEL[day.weekday()] * shape * growth
            history[day, slot] = _poisson(rng, mean)
    return history
