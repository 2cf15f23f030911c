"""Celery tasks of the project itself."""

from celery import shared_task
from django.utils import timezone

HEARTBEAT_TASK = "meldpunt.tasks.beat_heartbeat"


@shared_task(name=HEARTBEAT_TASK, ignore_result=True, expires=120)
def beat_heartbeat() -> None:
    """Record that beat queued this and a worker ran it (see Heartbeat)."""
    from .models import Heartbeat

    Heartbeat.objects.update_or_create(name="beat", defaults={"at": timezone.now()})
