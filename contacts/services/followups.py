from datetime import date

from django.db import transaction
from django.utils import timezone

from meldpunt.audit import Action, audit_changes, audit_record

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
        _audit(
            Action.CREATE,
            follow_up,
            created_by,
            {"description": description, "due_date": due_date, "assignee": assignee},
        )
    return follow_up


def followup_complete(*, follow_up: FollowUp, done_by) -> FollowUp:
    """Mark a follow-up done. Completing one twice keeps the first completion."""
    with transaction.atomic(durable=True):
        done_at = timezone.now()
        completed = FollowUp.objects.filter(pk=follow_up.pk, done_at__isnull=True).update(
            done_at=done_at, done_by=done_by
        )
        if completed:
            _audit(Action.UPDATE, follow_up, done_by, {"done_at": done_at, "done_by": done_by})
    follow_up.refresh_from_db()
    return follow_up


def _audit(action: str, follow_up: FollowUp, user, new: dict) -> None:
    # Logged under the contact's reference: a contact's history shows its follow-ups.
    contact = follow_up.contact
    audit_record(
        action=action,
        user=user,
        object_type="follow_up",
        object_ref=contact.reference,
        site_code=contact.site.code,
        changes=audit_changes({}, new),
        detail=f"follow_up={follow_up.pk}",
    )
