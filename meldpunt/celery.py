"""Celery application, configured from Django settings (CELERY_* names)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "meldpunt.settings")

app = Celery("meldpunt")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["meldpunt", "staffing", "contacts", "reports"])


@app.on_after_finalize.connect
def _count_task_outcomes(sender, **kwargs):
    from meldpunt.metrics import connect_celery_signals

    connect_celery_signals()
