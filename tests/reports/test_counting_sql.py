"""The PostgreSQL engine (numpy tally) gives exactly the rows of the Python pass (SQLite)."""

from datetime import date

import pytest
from django.db import connection

from meldpunt.channels import Channel
from reports.models import DailyAttemptCount, DailyCount, MonthlyCount
from reports.services import aggregates, counting
from reports.services.aggregates import aggregates_rebuild_range
from staffing.services.opening_hours import OpeningSchedule, closure_create
from staffing.services.time import day_start

from .conftest import aggregate_rows, attempt, brussels, contact, utc

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the tally is PostgreSQL's"),
]

AFTER_2026 = utc(2027, 1, 10, 3)


@pytest.fixture
def edges(site):
    """Starts on the edges of the opening hours: slot bounds (half-open), a public holiday,
    a closure of one channel, DST nights; contacts and attempts alike."""
    closure_create(
        reason="Storing",
        channel=Channel.PHONE,
        starts_at=brussels(2026, 6, 9, 10),
        ends_at=brussels(2026, 6, 9, 11, 30),
    )
    instants = [
        brussels(2026, 6, 8, 9),  # Monday 09:00: open
        brussels(2026, 6, 8, 8, 59, 59),  # just before
        brussels(2026, 6, 8, 17),  # 17:00: phone closed, chat open
        brussels(2026, 6, 8, 22),  # chat closed
        brussels(2026, 6, 9, 10, 15),  # in the phone closure
        brussels(2026, 6, 9, 11, 30),  # the closure's end: open again
        brussels(2026, 5, 14, 10),  # Ascension Day: closed
        brussels(2026, 3, 29, 3, 30),  # DST night
        brussels(2026, 10, 25, 2, 30),  # the repeated hour
        utc(2026, 12, 31, 22, 59),  # last local minute of 2026
    ]
    for instant in instants:
        for channel in Channel.values:
            contact(instant, site=site, channel=channel, victims=["age_0_2", None, None])
            if channel != Channel.EMAIL:
                attempt(instant, channel=channel, wait=3)


def month_bounds(month: int):
    return day_start(date(2026, month, 1)), day_start(date(2026 + month // 12, month % 12 + 1, 1))


@pytest.mark.parametrize("month", [3, 5, 6, 10, 12])
def test_a_month_tallied_with_numpy_equals_the_python_pass(register, edges, site, month):
    from reports.services.tally import everything_tally

    start, end = month_bounds(month)
    schedule = OpeningSchedule.load()
    python = counting.everything_count(start, end, schedule)
    tallied = everything_tally(start, end, schedule)
    assert python.contacts and python.attempts
    assert tallied.contacts == python.contacts
    assert tallied.attempts == python.attempts
    one_site = everything_tally(start, end, schedule, site_id=site.pk).contacts
    assert one_site == counting.everything_count(start, end, schedule, site_id=site.pk).contacts


def test_a_range_with_no_rows_counts_nothing(db):
    counts = counting.range_count(utc(2026, 1, 1), utc(2026, 2, 1), OpeningSchedule.load())
    assert counts.contacts == {} and counts.attempts == {}


def test_the_rebuild_writes_the_same_rows_on_both_paths(register, edges, monkeypatch):
    aggregates_rebuild_range(date(2026, 1, 1), date(2026, 12, 31), now=AFTER_2026)
    tallied = aggregate_rows()
    # The pure path: the Python pass, rows deleted and inserted.
    monkeypatch.setattr(aggregates, "_merged_in_sql", lambda: False)
    monkeypatch.setattr(aggregates, "range_count", counting.everything_count)
    aggregates_rebuild_range(date(2026, 1, 1), date(2026, 12, 31), now=AFTER_2026)
    assert aggregate_rows() == tallied
    assert tallied["DailyCount"] and tallied["DailyAttemptCount"]


def test_the_merge_writes_only_differences_and_ends_with_the_rows_of_a_fresh_build(
    register, edges, site, monkeypatch
):
    aggregates_rebuild_range(date(2026, 1, 1), date(2026, 12, 31), now=AFTER_2026)
    kept = {row.pk: row for row in DailyCount.objects.filter(day__month=5)}
    # A contact more on one day, a stale row of a value no contact has, a wrong count.
    contact(brussels(2026, 3, 10, 11), site=site)
    stale = DailyCount.objects.filter(day=date(2026, 3, 11)).first()
    DailyCount.objects.create(
        day=stale.day,
        site_id=stale.site_id,
        channel=stale.channel,
        dimension=stale.dimension,
        value="no-such-value",
        contacts=3,
        victims=0,
    )
    DailyCount.objects.filter(pk=stale.pk).update(contacts=stale.contacts + 7)
    MonthlyCount.objects.filter(month=date(2026, 3, 1)).delete()
    aggregates_rebuild_range(date(2026, 1, 1), date(2026, 12, 31), now=AFTER_2026)
    merged = aggregate_rows()
    # Unchanged rows are left as they were (same ids), a month without change untouched.
    assert {row.pk: row for row in DailyCount.objects.filter(day__month=5)} == kept
    assert all(
        (row.contacts, row.victims) == (kept[row.pk].contacts, kept[row.pk].victims)
        for row in DailyCount.objects.filter(day__month=5)
    )
    for model in (DailyCount, MonthlyCount, DailyAttemptCount):
        model.objects.all().delete()
    aggregates_rebuild_range(date(2026, 1, 1), date(2026, 12, 31), now=AFTER_2026)
    assert aggregate_rows() == merged
    monkeypatch.setattr(aggregates, "_merged_in_sql", lambda: False)
    monkeypatch.setattr(aggregates, "range_count", counting.everything_count)
    aggregates_rebuild_range(date(2026, 1, 1), date(2026, 12, 31), now=AFTER_2026)
    assert aggregate_rows() == merged


def test_a_day_rebuilt_alone_sums_again_only_the_monthly_rows_it_changed(
    register, edges, site, monkeypatch
):
    from contacts.models import Contact

    aggregates_rebuild_range(date(2026, 1, 1), date(2026, 12, 31), now=AFTER_2026)
    day = date(2026, 6, 8)
    on_day = Contact.objects.filter(started_at__gte=day_start(day))
    on_day = on_day.filter(started_at__lt=day_start(date(2026, 6, 9)))
    # A contact more, one moved to another theme, one deleted: keys gained, moved, lost.
    contact(brussels(2026, 6, 8, 10), site=site, theme_id="elder_abuse", region_id=None)
    first, second = on_day.order_by("id")[:2]
    Contact.objects.filter(pk=first.pk).update(theme_id="other")
    second.delete()
    before = aggregate_rows()["MonthlyCount"]
    aggregates.aggregates_rebuild_day(day)
    partial = aggregate_rows()
    assert partial["MonthlyCount"] != before
    for model in (DailyCount, MonthlyCount, DailyAttemptCount):
        model.objects.all().delete()
    aggregates_rebuild_range(date(2026, 1, 1), date(2026, 12, 31), now=AFTER_2026)
    assert aggregate_rows() == partial
