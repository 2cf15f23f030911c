"""Local-time helpers: every bucket (day, ISO week, month) is Europe/Brussels, DST-safe."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

BRUSSELS = ZoneInfo("Europe/Brussels")


def local(instant: datetime) -> datetime:
    if instant.tzinfo is None:
        raise ValueError("naive datetime; Meldpunt works with aware instants only")
    return instant.astimezone(BRUSSELS)


def local_date(instant: datetime) -> date:
    return local(instant).date()


def at_local(day: date, clock: time) -> datetime:
    """The UTC instant of a local wall-clock time on a day (never inside a DST gap here:
    Belgian clocks jump at 02:00/03:00, outside any opening hours)."""
    return datetime.combine(day, clock, tzinfo=BRUSSELS).astimezone(UTC)


def day_start(day: date) -> datetime:
    """Local midnight as UTC; a local day lasts 23, 24 or 25 hours."""
    return at_local(day, time(0))


def week_bounds(day: date) -> tuple[datetime, datetime]:
    """[Monday 00:00, next Monday 00:00) of the ISO week of `day`, local, as UTC."""
    monday = day - timedelta(days=day.weekday())
    return day_start(monday), day_start(monday + timedelta(days=7))


def month_bounds(year: int, month: int) -> tuple[datetime, datetime]:
    first = date(year, month, 1)
    after = date(year + month // 12, month % 12 + 1, 1)
    return day_start(first), day_start(after)


def dates_between(start: date, end: date):
    """Every date from start to end, both included."""
    for offset in range((end - start).days + 1):
        yield start + timedelta(days=offset)


def union_seconds(periods) -> float:
    """Length of the union of (start, end) periods in seconds: overlapping time counts once
    (weekly hours: shifts plus consultations, as assignment_create counts them)."""
    seconds, reach = 0.0, None
    for start, end in sorted(periods):
        if reach is not None and start < reach:
            start = reach
        if end > start:
            seconds += (end - start).total_seconds()
            reach = end
    return seconds
