"""Celery tasks of contacts: thin, they take no ORM objects and call a service."""

from celery import shared_task
from django.conf import settings

from .services.cases import cases_auto_close

AUTO_CLOSE_TASK = "contacts.tasks.cases_auto_close_nightly"


@shared_task(name=AUTO_CLOSE_TASK, ignore_result=False)
def cases_auto_close_nightly() -> dict:
    """Close the cases without a contact for CASE_AUTO_CLOSE_MONTHS months (0: off)."""
    return {"closed": cases_auto_close(months=settings.CASE_AUTO_CLOSE_MONTHS)}
