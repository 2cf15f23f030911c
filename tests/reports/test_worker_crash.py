"""kill -9 of the worker process in the middle of the nightly rebuild (issue 11): the task is
delivered again, the killed run shows failed, the rerun succeeds within seconds of the lease
expiring, and the figures equal the ones counted straight from the register.

A real Celery worker (prefork, one child) in a subprocess, on Redis (REDIS_URL) and this
test's PostgreSQL database. "Mid-rebuild" is made certain, not a race: the test holds an
exclusive lock on the daily aggregate table, so the run is claimed, recorded as running and
then waits at its first write; the child is killed there.
"""

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import psycopg
import pytest
from celery import Celery
from django.db import connection
from django.utils import timezone

from reports.models import AggregateRun
from reports.services.figures import annual_figures, annual_figures_direct
from reports.tasks import NIGHTLY_TASK

from .conftest import brussels, contact

REDIS_URL = os.environ.get("REDIS_URL")
ROOT = Path(__file__).resolve().parents[2]
LEASE_SECONDS = 3

pytestmark = [
    pytest.mark.skipif(not REDIS_URL, reason="needs a Redis broker: set REDIS_URL"),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the worker needs PostgreSQL"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _database_url() -> str:
    s = connection.settings_dict
    password = f":{s['PASSWORD']}" if s["PASSWORD"] else ""
    host = f"{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}"
    host = f"{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}"
    return f"postgres://{s['USER']}{password}@{host}/{s['NAME']}"


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def _wait_for(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def worker(tmp_path):
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    log = (tmp_path / "worker.log").open("w")
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": REDIS_URL,
        "REPORTS_LOCK_LEASE_SECONDS": str(LEASE_SECONDS),
    }
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and fixed arguments
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "meldpunt",
            "worker",
            "--pool",
            "prefork",
            "--concurrency",
            "1",
            "--loglevel",
            "INFO",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        yield process
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
        print((tmp_path / "worker.log").read_text()[-3000:])  # shown when the test fails


def test_a_rebuild_killed_mid_run_is_redone(site, worker):
    today = timezone.localdate()
    for months_ago in range(0, 14, 2):
        day = today.replace(day=1) - timedelta(days=30 * months_ago + 3)
        contact(brussels(day.year, day.month, day.day, 10), site=site, victims=["age_6_11"])

    broker = Celery(broker=REDIS_URL)
    with psycopg.connect(_database_url().replace("postgres://", "postgresql://")) as blocker:
        blocker.execute("LOCK TABLE reports_dailycount IN ACCESS EXCLUSIVE MODE")
        broker.send_task(NIGHTLY_TASK)
        killed = _wait_for(
            lambda: AggregateRun.objects.filter(status=AggregateRun.Status.RUNNING).first(),
            60,
            "the run to start",
        )
        children = _wait_for(lambda: _children(worker.pid), 10, "the pool's child")
        os.kill(children[0], signal.SIGKILL)
        killed_at = time.monotonic()
        blocker.rollback()  # the lock goes; the killed run never writes

    redone = _wait_for(
        lambda: AggregateRun.objects.filter(status=AggregateRun.Status.SUCCEEDED).first(),
        90,
        "the task to be delivered again and succeed",
    )
    seconds = time.monotonic() - killed_at
    print(f"redone {seconds:.1f} s after the kill (lease {LEASE_SECONDS} s)")
    killed.refresh_from_db()
    assert killed.status == AggregateRun.Status.FAILED
    assert redone.pk != killed.pk
    # The lease expires, the retry waits lease + 2 s: well under a minute here.
    assert seconds < 30
    for year in {today.year, today.year - 1, (today - timedelta(days=400)).year}:
        assert annual_figures(year) == annual_figures_direct(year)
