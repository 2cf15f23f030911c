"""Forecasting arrivals per channel × weekday × local half-hour, chosen by a backtest.

History is a mapping {(local date, half-hour index 0..47): arrivals} holding only the
half-hours in which the channel was *open* (closed ones — public holidays, closures, hours
outside a trial — are absent, not zero: they say nothing about demand when open). Methods:

- `naive`: the same half-hour one week earlier (the seasonal-naive baseline);
- `mean`: the mean of that weekday × half-hour over the last N weeks;
- `mean_trend`: `mean` times the ratio of the latest weeks' volume to the earlier weeks';
- `smooth`: `mean` over the half-hour and its two neighbours (weights 1-2-1) — less noise
  where counts per half-hour are small;
- `pooled`: the half-hour's mean over all weekdays, times this weekday's share of the
  volume — for lines so quiet that one weekday × half-hour is mostly zeros.

`backtest` forecasts each of the last weeks from the weeks before it and scores WAPE
(Σ|forecast − actual| / Σ actual); `forecast_choose` picks the method with the lowest."""

from collections import defaultdict
from datetime import date, timedelta

METHODS = ("naive", "mean", "mean_trend", "smooth", "pooled")
SLOTS = 48


LOOKBACK_WEEKS = 104


def _same_slot_history(history, day: date, slot: int, weeks: int):
    """The latest `weeks` observed values of this weekday × half-hour before `day`: closed
    weeks (holidays) are skipped, and for a day beyond the history the latest known weeks
    stand in."""
    values = []
    for back in range(1, LOOKBACK_WEEKS + 1):
        value = history.get((day - timedelta(weeks=back), slot))
        if value is not None:
            values.append(value)
            if len(values) == weeks:
                break
    return values


def _trend(history, day: date, weeks: int) -> float:
    """Recent half of the window against the older half, per open half-hour; 1 when unclear."""
    half = max(1, weeks // 2)
    sums = [[0.0, 0], [0.0, 0]]
    for (when, _slot), value in history.items():
        age = (day - when).days
        if 0 < age <= 7 * half:
            sums[0][0] += value
            sums[0][1] += 1
        elif 7 * half < age <= 7 * 2 * half:
            sums[1][0] += value
            sums[1][1] += 1
    if not sums[0][1] or not sums[1][1] or not sums[1][0]:
        return 1.0
    ratio = (sums[0][0] / sums[0][1]) / (sums[1][0] / sums[1][1])
    # The window's mean lies about half a window back: carry the change forward that far,
    # bounded (a trend, not a jump).
    return min(1.5, max(0.67, ratio))


def forecast(history, days, open_slots, *, method: str = "mean", weeks: int = 8) -> dict:
    """Forecast arrivals for each (day, slot) in open_slots(day) for the given days."""
    result, levels = {}, {}
    for day in days:
        factor = _trend(history, day, weeks) if method == "mean_trend" else 1.0
        for slot in open_slots(day):
            if method == "naive":
                past = _same_slot_history(history, day, slot, 2)[:1]
            elif method == "smooth":
                result[day, slot] = _smoothed(history, day, slot, weeks)
                continue
            elif method == "pooled":
                if day not in levels:
                    levels[day] = _weekday_level(history, day, weeks)
                result[day, slot] = _pooled(history, day, slot, weeks) * levels[day]
                continue
            else:
                past = _same_slot_history(history, day, slot, weeks)
            result[day, slot] = (sum(past) / len(past) * factor) if past else 0.0
    return result


def _mean(values) -> float | None:
    return sum(values) / len(values) if values else None


def _smoothed(history, day: date, slot: int, weeks: int) -> float:
    total = weight_sum = 0.0
    for neighbour, weight in ((slot - 1, 1.0), (slot, 2.0), (slot + 1, 1.0)):
        mean = _mean(_same_slot_history(history, day, neighbour, weeks))
        if mean is not None:
            total += weight * mean
            weight_sum += weight
    return total / weight_sum if weight_sum else 0.0


def _pooled(history, day: date, slot: int, weeks: int) -> float:
    """Mean of the half-hour over the latest `weeks` weeks' open days (any weekday)."""
    values = []
    for back in range(1, 7 * LOOKBACK_WEEKS):
        value = history.get((day - timedelta(days=back), slot))
        if value is not None:
            values.append(value)
            if len(values) >= 5 * weeks:
                break
    return _mean(values) or 0.0


def _weekday_level(history, day: date, weeks: int) -> float:
    """This weekday's daily volume against the average open day's, over the history."""
    totals = defaultdict(float)
    for (past, _slot), value in history.items():
        if past < day:
            totals[past] += value
    recent = sorted(totals)[-7 * weeks :]
    overall = _mean([totals[d] for d in recent])
    mine = _mean([totals[d] for d in recent if d.weekday() == day.weekday()])
    return (mine / overall) if overall and mine is not None else 1.0


def wape(predicted: dict, actual: dict) -> float | None:
    total = sum(actual.values())
    if not total:
        return None
    return sum(abs(predicted.get(key, 0.0) - value) for key, value in actual.items()) / total


def backtest(history, *, method: str, weeks: int = 8, folds: int = 4) -> float | None:
    """WAPE of `method` over the last `folds` weeks of history, each forecast from the weeks
    before it (never from itself or later)."""
    if not history:
        return None
    last = max(day for day, _slot in history)
    predicted, actual = {}, {}
    for fold in range(folds):
        week_start = last - timedelta(days=last.weekday()) - timedelta(weeks=fold)
        days = [week_start + timedelta(days=n) for n in range(7)]
        target = {k: v for k, v in history.items() if k[0] in days}
        known = {k: v for k, v in history.items() if k[0] < week_start}
        if not target or not known:
            continue
        open_by_day = defaultdict(list)
        for day, slot in target:
            open_by_day[day].append(slot)
        guess = forecast(
            known, days, lambda d, slots=open_by_day: slots.get(d, []), method=method, weeks=weeks
        )
        predicted.update(guess)
        actual.update(target)
    return wape(predicted, actual)


def forecast_choose(history, *, weeks: int = 8, folds: int = 4) -> tuple[str, dict]:
    """The method with the lowest backtest WAPE (ties: the simpler one) and every score;
    the seasonal-naive baseline itself wins when nothing beats it."""
    scores = {
        method: backtest(history, method=method, weeks=weeks, folds=folds) for method in METHODS
    }
    usable = [m for m in METHODS if scores[m] is not None]
    if not usable:
        return "mean", scores
    return min(usable, key=lambda m: (scores[m], METHODS.index(m))), scores
