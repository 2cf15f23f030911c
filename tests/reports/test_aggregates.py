"""The nightly rebuild: which days, idempotent, crash-safe, never two at once."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from contacts.models import Contact
from reports.models import AggregateRun, DailyCount, Dimension, DirtyDay
from reports.services import aggregates
from reports.services.aggregates import (
    AggregatesBusy,
    aggregates_lock_claim,
    aggregates_lock_release,
    aggregates_lock_renew,
    aggregates_rebuild_changed,
    aggregates_rebuild_day,
    aggregates_rebuild_range,
)
from reports.services.figures import annual_figures, annual_figures_direct
from reports.tasks import NIGHTLY_TASK, aggregates_rebuild_nightly
from staffing.services.opening_hours import closure_create
from staffing.services.time import local_date
from tests.factories import ContactFactory

from .conftest import aggregate_rows, attempt, brussels, contact, utc

pytestmark = pytest.mark.django_db

AFTER_2026 = utc(2027, 1, 10, 3)


def day_total(day: date) -> int:
    row = DailyCount.objects.filter(day=day, dimension=Dimension.TOTAL)
    return sum(row.values_list("contacts", flat=True))


@pytest.fixture
def no_margin(settings):
    """Only rows updated since the previous run's start: what is rebuilt is then exactly
    what changed (the default margin rebuilds some days twice, harmlessly)."""
    settings.REPORTS_CHANGE_MARGIN_HOURS = 0


def past_day(days_ago: int) -> date:
    return timezone.localdate() - timedelta(days=days_ago)


def at_noon(day: date):
    return brussels(day.year, day.month, day.day, 12)


def test_a_day_is_rebuilt_to_the_same_rows_any_number_of_times(register):
    aggregates_rebuild_range(date(2026, 1, 1), date(2026, 12, 31), now=AFTER_2026)
    first = aggregate_rows()
    aggregates_rebuild_day(date(2026, 3, 29))
    aggregates_rebuild_range(date(2026, 1, 1), date(2026, 12, 31), now=AFTER_2026)
    assert aggregate_rows() == first


def test_the_first_nightly_run_builds_every_day_then_a_second_changes_nothing(register):
    run = aggregates_rebuild_changed()
    assert run.status == AggregateRun.Status.SUCCEEDED
    assert run.complete_through == timezone.localdate() - timedelta(days=1)
    assert run.days_rebuilt >= len({local_date(c.started_at) for c in register}) - 1
    rows = aggregate_rows()
    assert aggregates_rebuild_changed().status == AggregateRun.Status.SUCCEEDED
    assert aggregate_rows() == rows
    assert annual_figures(2026) == annual_figures_direct(2026)


def test_a_late_registration_changes_its_day_after_the_next_run(site, no_margin):
    day = past_day(40)
    contact(at_noon(day), site=site)
    aggregates_rebuild_changed()
    assert day_total(day) == 1

    contact(at_noon(day), site=site)  # registered late, for a past day
    assert day_total(day) == 1
    run = aggregates_rebuild_changed()
    assert day_total(day) == 2
    assert run.days_rebuilt == 2  # that day and yesterday, nothing else


def test_a_corrected_start_rebuilds_the_old_and_the_new_day(site, no_margin):
    old, new = past_day(30), past_day(20)
    moved = contact(at_noon(old), site=site)
    aggregates_rebuild_changed()

    moved.started_at = at_noon(new)
    moved.ended_at = None
    moved.save()
    assert DirtyDay.objects.filter(day=old, reason=DirtyDay.Reason.MOVED).exists()
    aggregates_rebuild_changed()
    assert (day_total(old), day_total(new)) == (0, 1)
    assert not DirtyDay.objects.exists()


def test_a_deleted_contact_leaves_its_day_after_the_next_run(site, no_margin):
    day = past_day(10)
    gone = contact(at_noon(day), site=site, victims=["age_0_2"])
    aggregates_rebuild_changed()
    gone.delete()
    aggregates_rebuild_changed()
    assert day_total(day) == 0
    assert not DailyCount.objects.filter(day=day).exists()


def test_a_bulk_import_is_found_by_its_updated_at(site, no_margin):
    aggregates_rebuild_changed()
    day = past_day(60)
    Contact.objects.bulk_create(
        [ContactFactory.build(site=site, started_at=at_noon(day)) for _ in range(3)]
    )
    aggregates_rebuild_changed()
    assert day_total(day) == 3


def test_a_write_that_bypasses_everything_is_caught_by_the_consistency_check(site, no_margin):
    day = past_day(15)
    gone = contact(at_noon(day), site=site)
    aggregates_rebuild_changed()
    Contact.objects.filter(pk=gone.pk)._raw_delete(connection.alias)  # no signal, no trace
    aggregates_rebuild_changed()
    assert day_total(day) == 0


def test_a_closure_on_a_past_day_rebuilds_it(site, no_margin):
    day = past_day(5)
    while day.weekday() > 4:
        day -= timedelta(days=1)
    contact(brussels(day.year, day.month, day.day, 10), site=site)
    aggregates_rebuild_changed()
    closure_create(reason="Staking", first_day=day)
    aggregates_rebuild_changed()
    assert DailyCount.objects.get(day=day, dimension=Dimension.OUTSIDE_HOURS).value == "1"


def test_a_run_that_crashes_halfway_keeps_whole_months_and_a_rerun_repairs(
    register, site, monkeypatch
):
    aggregates_rebuild_range(date(2026, 1, 1), date(2026, 12, 31), now=AFTER_2026)
    contact(brussels(2026, 1, 20, 10), site=site)
    contact(brussels(2026, 2, 20, 10), site=site)
    february = day_total(date(2026, 2, 20))
    real_rollup = aggregates._month_rollup

    def crash_in_february(month, *cells):
        if month == date(2026, 2, 1):
            raise RuntimeError("worker killed")
        real_rollup(month, *cells)

    monkeypatch.setattr(aggregates, "_month_rollup", crash_in_february)
    with pytest.raises(RuntimeError):
        aggregates_rebuild_range(date(2026, 1, 1), date(2026, 12, 31), now=AFTER_2026)
    failed = AggregateRun.objects.get(status=AggregateRun.Status.FAILED)
    assert "worker killed" in failed.error
    # January is rebuilt; February is as it was, daily rows included (one transaction).
    assert day_total(date(2026, 2, 20)) == february

    monkeypatch.setattr(aggregates, "_month_rollup", real_rollup)
    aggregates_rebuild_range(date(2026, 1, 1), date(2026, 12, 31), now=AFTER_2026)
    rows = aggregate_rows()
    assert day_total(date(2026, 2, 20)) == february + 1
    assert annual_figures(2026, now=AFTER_2026) == annual_figures_direct(2026)
    DailyCount.objects.all().delete()
    aggregates_rebuild_range(date(2026, 1, 1), date(2026, 12, 31), now=AFTER_2026)
    assert aggregate_rows() == rows


def test_two_runs_never_overlap(site):
    token = aggregates_lock_claim()
    assert token
    assert aggregates_lock_claim() is None
    with pytest.raises(AggregatesBusy):
        aggregates_rebuild_changed()
    # Reported as skipped, not as a success (in-process: Celery's IGNORED; on a worker the
    # result backend holds the state SKIPPED, tests/reports/test_worker_crash.py).
    assert aggregates_rebuild_nightly.delay().state == "IGNORED"
    assert not AggregateRun.objects.exists()

    aggregates_lock_release(token)
    assert aggregates_rebuild_nightly.delay().get()["status"] == AggregateRun.Status.SUCCEEDED
    assert aggregates_lock_claim()  # released after the run


def test_a_stale_claim_of_a_killed_worker_is_taken_over(db, settings):
    settings.REPORTS_LOCK_LEASE_SECONDS = 60
    assert aggregates_lock_claim(now=timezone.now() - timedelta(seconds=61))
    assert aggregates_lock_claim()


def test_a_live_claim_is_renewed_and_a_taken_over_one_is_not(db, settings):
    settings.REPORTS_LOCK_LEASE_SECONDS = 60
    token = aggregates_lock_claim(now=timezone.now() - timedelta(seconds=50))
    assert aggregates_lock_renew(token)  # good for another minute
    assert aggregates_lock_claim() is None
    assert not aggregates_lock_renew("someone-else")


def test_the_run_of_a_killed_worker_shows_failed_once_its_lease_expired(site, settings):
    settings.REPORTS_LOCK_LEASE_SECONDS = 60
    long_ago = timezone.now() - timedelta(minutes=5)
    assert aggregates_lock_claim(now=long_ago)  # the killed run's claim, never released
    killed = AggregateRun.objects.create(
        kind=AggregateRun.Kind.CHANGED, status=AggregateRun.Status.RUNNING, started_at=long_ago
    )
    run = aggregates_rebuild_changed()
    killed.refresh_from_db()
    assert killed.status == AggregateRun.Status.FAILED
    assert killed.finished_at is not None and "lock expired" in killed.error
    assert run.status == AggregateRun.Status.SUCCEEDED


def test_the_nightly_task_is_scheduled_at_half_past_two_brussels_time(db):
    task = PeriodicTask.objects.get(task=NIGHTLY_TASK)
    assert task.enabled
    assert (task.crontab.minute, task.crontab.hour) == ("30", "2")
    assert (task.crontab.day_of_week, task.crontab.day_of_month) == ("*", "*")
    assert str(task.crontab.timezone) == "Europe/Brussels"


def test_attempts_are_rebuilt_with_their_day(db):
    day = past_day(3)
    attempt(brussels(day.year, day.month, day.day, 3), wait=2)
    run = aggregates_rebuild_changed()
    assert run.first_day <= day
    figures = annual_figures(day.year)
    assert figures["outside_opening_hours"]["likely_misdials"] == 1


def test_force_breaks_a_held_lock(site):
    import io

    from django.core.management import call_command

    assert aggregates_lock_claim()
    err = io.StringIO()
    call_command("aggregates_rebuild", "--force", stdout=io.StringIO(), stderr=err)
    assert "lock" in err.getvalue()
    assert AggregateRun.objects.get().status == AggregateRun.Status.SUCCEEDED
