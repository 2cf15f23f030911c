from datetime import date

from django.db import transaction
from django.utils import timezone

from ..models import Contact, FollowUp


def followup_create(
    *,
    contact: Contact,
    description: str,
    created_by,
    due_date: date | None = None,
    assignee=None,
) -> FollowUp:
    """Record something to do after a contact; the contact is marked as needing follow-up."""
    with transaction.atomic(durable=True):
        follow_up = FollowUp.objects.create(
            contact=contact,
            description=description,
            due_date=due_date,
            assignee=assignee,
            created_by=created_by,
        )
        Contact.objects.filter(pk=contact.pk, follow_up_needed=False).update(
            follow_up_needed=True, updated_at=timezone.now()
        )
    return follow_up


def followup_complete(*, follow_up: FollowUp, done_by) -> FollowUp:
    """Mark a follow-up done. Completing one twice keeps the first completion."""
    with transaction.atomic(durable=True):
        FollowUp.objects.filter(pk=follow_up.pk, done_at__isnull=True).update(
            done_at=timezone.now(), done_by=done_by
        )
    follow_up.refresh_from_db()
    return follow_up
