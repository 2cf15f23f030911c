"""Prometheus metrics (django-prometheus), for the monitoring only.

`/metrics` answers a request that carries `Authorization: Bearer <METRICS_TOKEN>` or comes
from an address in METRICS_ALLOWED_IPS (e.g. the scraper on the machine's internal network);
anyone else gets a 404, as if there were no such page. Without either setting the page does
not exist at all.

What is measured: request latency per view and method (django-prometheus'
`django_http_requests_latency_seconds_by_view_method`), Celery task outcomes
(`meldpunt_celery_tasks_total{task, outcome}`, outcome succeeded/failed/retried/skipped,
written by the workers) and the age of the last nightly aggregation
(`meldpunt_aggregation_age_seconds`, computed when scraped). With several processes per
machine (gunicorn workers, Celery children) PROMETHEUS_MULTIPROC_DIR names a directory they
all write to (`make serve` and `make worker` set one), so one scrape sees all of them.
"""

import hmac

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import Http404
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import Counter, Gauge

from .health import last_aggregation_finished_at

TASK_OUTCOMES = Counter(
    "meldpunt_celery_tasks",
    "Celery tasks by name and outcome (succeeded, failed, retried, skipped).",
    ["task", "outcome"],
)
AGGREGATION_AGE = Gauge(
    "meldpunt_aggregation_age_seconds",
    "Seconds since the last successful nightly aggregation finished (-1: never).",
    multiprocess_mode="max",
)


def _authorised(request) -> bool:
    token = settings.METRICS_TOKEN
    given = request.headers.get("Authorization", "")
    if token and hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        return True
    return request.META.get("REMOTE_ADDR") in settings.METRICS_ALLOWED_IPS


def _aggregation_age() -> float:
    finished_at = last_aggregation_finished_at()
    if finished_at is None:
        return -1
    return (timezone.now() - finished_at).total_seconds()


@login_not_required
@never_cache
@require_GET
def metrics(request):
    if not _authorised(request):
        raise Http404
    from django_prometheus.exports import ExportToDjangoView

    AGGREGATION_AGE.set(_aggregation_age())
    return ExportToDjangoView(request)


def task_outcome_record(task_name: str, outcome: str) -> None:
    TASK_OUTCOMES.labels(task=task_name, outcome=outcome).inc()


def connect_celery_signals() -> None:
    """Count every task's outcome in the worker (called from meldpunt/celery.py)."""
    from celery import signals

    def succeeded(sender=None, result=None, **kwargs):
        skipped = isinstance(result, dict) and result.get("status") == "skipped"
        task_outcome_record(sender.name, "skipped" if skipped else "succeeded")

    signals.task_success.connect(succeeded, weak=False)
    signals.task_failure.connect(
        lambda sender=None, **kw: task_outcome_record(sender.name, "failed"), weak=False
    )
    signals.task_retry.connect(
        lambda sender=None, **kw: task_outcome_record(sender.name, "retried"), weak=False
    )
