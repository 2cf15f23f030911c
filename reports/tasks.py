"""Celery tasks of reports: thin, they take no ORM objects and call a service."""

import logging

from celery import shared_task

from .services.aggregates import AggregatesBusy, aggregates_rebuild_changed

logger = logging.getLogger(__name__)

NIGHTLY_TASK = "reports.tasks.aggregates_rebuild_nightly"


@shared_task(name=NIGHTLY_TASK, ignore_result=False)
def aggregates_rebuild_nightly() -> dict:
    """Rebuild yesterday and every changed day; skipped while another rebuild runs."""
    try:
        run = aggregates_rebuild_changed()
    except AggregatesBusy:
        logger.info("Aggregate rebuild skipped: another one is running.")
        return {"status": "skipped"}
    return {"status": run.status, "run": run.pk, "days": run.days_rebuilt}
