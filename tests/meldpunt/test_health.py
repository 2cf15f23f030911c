"""/health/live, /health/ready and /metrics: public or token views that show nothing else."""

from datetime import timedelta

import pytest
from django.utils import timezone

from meldpunt.models import Heartbeat
from meldpunt.tasks import beat_heartbeat
from reports.models import AggregateRun

pytestmark = pytest.mark.django_db


def _nightly_run(finished_ago: timedelta):
    at = timezone.now() - finished_ago
    AggregateRun.objects.create(
        kind=AggregateRun.Kind.CHANGED,
        status=AggregateRun.Status.SUCCEEDED,
        started_at=at - timedelta(minutes=1),
        finished_at=at,
    )


def test_live_answers_without_login(client):
    response = client.get("/health/live")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_ready_is_green_with_every_check_passing(client):
    _nightly_run(timedelta(hours=2))
    beat_heartbeat()
    response = client.get("/health/ready")
    assert response.status_code == 200, response.json()
    assert response.json() == {
        "status": "ok",
        "checks": {
            "database": "ok",
            "migrations": "ok",
            "broker": "ok",
            "aggregation": "ok",
            "beat": "ok",
        },
    }


def test_ready_names_the_failing_checks(client):
    _nightly_run(timedelta(hours=27))
    Heartbeat.objects.create(name="beat", at=timezone.now() - timedelta(minutes=10))
    response = client.get("/health/ready")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "fail"
    assert body["checks"]["aggregation"] == "fail"
    assert body["checks"]["beat"] == "fail"
    assert body["checks"]["database"] == "ok"
    # Nothing but check names and their results.
    assert set(body) == {"status", "checks"}
    assert set(body["checks"].values()) <= {"ok", "fail"}


def test_ready_fails_on_an_unreachable_broker(client, settings, caplog):
    _nightly_run(timedelta(hours=1))
    beat_heartbeat()
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    from meldpunt.celery import app

    saved = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:1/0"
    try:
        response = client.get("/health/ready")
    finally:
        app.conf.broker_url = saved
    assert response.status_code == 503
    assert response.json()["checks"]["broker"] == "fail"


def test_metrics_need_the_token_or_an_allowed_address(client, settings):
    settings.METRICS_TOKEN = "t" * 40
    settings.METRICS_ALLOWED_IPS = set()
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 404
    client.get("/health/live")
    response = client.get("/metrics", HTTP_AUTHORIZATION="Bearer " + "t" * 40)
    assert response.status_code == 200
    text = response.content.decode()
    assert "django_http_requests_latency_seconds_by_view_method" in text
    assert "meldpunt_aggregation_age_seconds" in text
    settings.METRICS_TOKEN = ""
    settings.METRICS_ALLOWED_IPS = {"127.0.0.1"}
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 404
