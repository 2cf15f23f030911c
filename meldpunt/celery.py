"""Celery application, configured from Django settings (CELERY_* names)."""

import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "meldpunt.settings")

app = Celery("meldpunt")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["meldpunt", "staffing", "contacts", "reports"])


@app.on_after_finalize.connect
def _count_task_outcomes(sender, **kwargs):
    from meldpunt.metrics import connect_celery_signals

    connect_celery_signals()


@signals.beat_init.connect
def _heartbeat_at_beat_start(sender, **kwargs):
    """The first heartbeat as beat starts: its schedule may wait a while for the next one
    (the database scheduler restarts intervals when the schedule changes)."""
    from meldpunt.tasks import beat_heartbeat

    beat_heartbeat.delay()
