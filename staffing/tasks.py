"""Celery tasks of staffing: thin, they take ids and call a service."""

from celery import shared_task

from .services.proposal import proposal_run

PROPOSAL_TASK = "staffing.tasks.roster_proposal_run"


@shared_task(name=PROPOSAL_TASK, ignore_result=True)
def roster_proposal_run(proposal_id: int) -> None:
    proposal_run(proposal_id=proposal_id)
