"""The nightly task through a real Celery worker on Redis (REDIS_URL; CI sets it)."""

import os
from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from django.utils import timezone

from meldpunt.celery import app
from reports.models import AggregateRun, DailyCount, Dimension
from reports.tasks import aggregates_rebuild_nightly

from .conftest import brussels, contact

REDIS_URL = os.environ.get("REDIS_URL")

pytestmark = [
    pytest.mark.skipif(not REDIS_URL, reason="needs a Redis broker: set REDIS_URL"),
    # The worker has its own database connection: it sees committed rows only. The data
    # migrations' rows (sites, taxonomy) are restored after the flush for later tests.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def celery_worker():
    saved = {
        key: app.conf[key]
        for key in (
            "broker_url",
            "result_backend",
            "task_always_eager",
            "broker_connection_retry_on_startup",
        )
    }
    app.conf.update(
        broker_url=REDIS_URL,
        result_backend=REDIS_URL,
        task_always_eager=False,
        broker_connection_retry_on_startup=False,
    )
    _forget_connections()
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            yield
    finally:
        app.conf.update(saved)
        _forget_connections()


def _forget_connections():
    """The app caches its broker pool, producers and (per thread) result backend from the
    configuration it first ran with (in-process, for the other tests): drop them."""
    if app._pool is not None:
        app._pool.force_close_all()
        app._pool = None
    app.__dict__.pop("amqp", None)
    app._local.__dict__.pop("backend", None)


def test_the_nightly_task_runs_on_a_worker(site, celery_worker):
    yesterday = timezone.localdate() - timedelta(days=1)
    contact(brussels(yesterday.year, yesterday.month, yesterday.day, 11), site=site)

    result = aggregates_rebuild_nightly.delay()
    outcome = result.get(timeout=60)

    assert outcome["status"] == AggregateRun.Status.SUCCEEDED
    assert AggregateRun.objects.get(pk=outcome["run"]).complete_through == yesterday
    assert DailyCount.objects.get(day=yesterday, dimension=Dimension.TOTAL).contacts == 1
