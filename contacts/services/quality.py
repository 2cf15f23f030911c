"""Data quality: flagged (unusual) contacts, checked by a coordinator."""

from django.db import transaction
from django.utils import timezone

from meldpunt.audit import Action, audit_changes, audit_record

from ..models import ContactFlag


def contact_flag_check(*, flag: ContactFlag, user) -> ContactFlag:
    """Mark a flag checked; checking it twice keeps the first check."""
    with transaction.atomic(durable=True):
        now = timezone.now()
        updated = ContactFlag.objects.filter(pk=flag.pk, checked_at__isnull=True).update(
            checked_at=now, checked_by=user
        )
        if updated:
            contact = flag.contact
            audit_record(
                action=Action.UPDATE,
                user=user,
                object_type="contactflag",
                object_ref=contact.reference,
                site_code=contact.site.code,
                changes=audit_changes(
                    {"checked_at": None}, {"checked_at": now, "reason": flag.reason}
                ),
            )
    flag.refresh_from_db()
    return flag
