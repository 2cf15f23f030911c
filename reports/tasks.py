"""Celery tasks of reports: thin, they take no ORM objects and call a service."""

import logging

from celery import shared_task
from django.conf import settings

from .services.aggregates import AggregatesBusy, aggregates_rebuild_changed
from .services.retention import retention_apply

logger = logging.getLogger(__name__)

NIGHTLY_TASK = "reports.tasks.aggregates_rebuild_nightly"


# A run never outlives its lock's claim, so a run that takes the lock over from a stale claim
# never overlaps the one that held it.
@shared_task(
    name=NIGHTLY_TASK,
    ignore_result=False,
    time_limit=settings.REPORTS_LOCK_TIMEOUT_MINUTES * 60,
)
def aggregates_rebuild_nightly() -> dict:
    """Rebuild yesterday and every changed day; skipped while another rebuild runs."""
    try:
        run = aggregates_rebuild_changed()
    except AggregatesBusy:
        logger.info("Aggregate rebuild skipped: another one is running.")
        return {"status": "skipped"}
    return {"status": run.status, "run": run.pk, "days": run.days_rebuilt}


RETENTION_TASK = "reports.tasks.retention_apply_nightly"


@shared_task(name=RETENTION_TASK, ignore_result=False)
def retention_apply_nightly() -> dict:
    """Remove the personal content past retention; counts only in the result."""
    return retention_apply().counts()
