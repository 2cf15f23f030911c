"""Celery tasks of reports: thin, they take no ORM objects and call a service.

Both are idempotent (a rebuild replaces rows; retention removes what is past retention), so
they are acknowledged only after they ran (`acks_late`) and given back to the queue when the
worker process running them dies (`reject_on_worker_lost`): a `kill -9` mid-rebuild means the
task runs again, not that the night is lost.
"""

import logging

from celery import shared_task
from celery.exceptions import Ignore
from django.conf import settings

from meldpunt.metrics import task_outcome_record

from .services.aggregates import AggregatesBusy, aggregates_rebuild_changed
from .services.retention import retention_apply

logger = logging.getLogger(__name__)

NIGHTLY_TASK = "reports.tasks.aggregates_rebuild_nightly"
# A busy lock may be a live run or the lease of a killed one (it expires within
# REPORTS_LOCK_LEASE_SECONDS): wait that long, this many times, before calling it a skip.
BUSY_RETRIES = 3
SKIPPED = "SKIPPED"


@shared_task(
    name=NIGHTLY_TASK,
    bind=True,
    ignore_result=False,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=BUSY_RETRIES,
    # A hung run (not a long one: the lease keeps a live run's lock) is stopped after this.
    time_limit=settings.REPORTS_LOCK_TIMEOUT_MINUTES * 60,
)
def aggregates_rebuild_nightly(self) -> dict:
    """Rebuild yesterday and every changed day. While another rebuild holds the lock, try
    again after its lease; still busy after BUSY_RETRIES tries, the run is reported as
    SKIPPED (its own Celery state, not SUCCESS)."""
    try:
        run = aggregates_rebuild_changed()
    except AggregatesBusy as busy:
        # In-process (no broker: the demo, most tests) there is no queue to wait in.
        if not self.request.is_eager and self.request.retries < BUSY_RETRIES:
            raise self.retry(countdown=settings.REPORTS_LOCK_LEASE_SECONDS + 2, exc=busy) from busy
        logger.warning("Aggregate rebuild skipped: another one is still running.")
        task_outcome_record(NIGHTLY_TASK, "skipped")
        if not self.request.is_eager:
            self.update_state(state=SKIPPED, meta={"status": "skipped"})
        raise Ignore() from busy
    return {"status": run.status, "run": run.pk, "days": run.days_rebuilt}


RETENTION_TASK = "reports.tasks.retention_apply_nightly"


@shared_task(name=RETENTION_TASK, ignore_result=False, acks_late=True, reject_on_worker_lost=True)
def retention_apply_nightly() -> dict:
    """Remove the personal content past retention; counts only in the result."""
    return retention_apply().counts()
