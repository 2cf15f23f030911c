"""Celery tasks of staffing: thin, they take ids or plain values and call a service."""

from celery import shared_task

from .services.notifications import notification_mail_deliver
from .services.proposal import proposal_run
from .services.reminders import shift_reminders_send as reminders_send

PROPOSAL_TASK = "staffing.tasks.roster_proposal_run"


@shared_task(name=PROPOSAL_TASK, ignore_result=True)
def roster_proposal_run(proposal_id: int) -> None:
    proposal_run(proposal_id=proposal_id)


@shared_task(name="staffing.tasks.notification_mail_send", ignore_result=True)
def notification_mail_send(*, user_ids, kind, subject, lines, link) -> int:
    return notification_mail_deliver(
        user_ids=user_ids, kind=kind, subject=subject, lines=lines, link=link
    )


@shared_task(name="staffing.tasks.shift_reminders_send", ignore_result=True)
def shift_reminders_send() -> int:
    """Beat, daily 18:00 Brussels: a reminder to everyone on tomorrow's published shifts."""
    return reminders_send()
