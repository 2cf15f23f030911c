"""Bringing cases to the team case consultation and recording what was decided."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from meldpunt.audit import Action, audit_changes, audit_record
from staffing.models import CaseConsultation

from ..models import Case, ConsultationItem


def consultation_item_save(
    *, case: Case, consultation: CaseConsultation, decision: str = "", user
) -> ConsultationItem:
    """Put a case on a consultation of its own site, or update the decision if it is on it."""
    if consultation.site_id != case.site_id:
        raise ValidationError({"consultation": _("This consultation belongs to another site.")})
    try:
        with transaction.atomic(durable=True):
            item, created = ConsultationItem.objects.select_for_update().get_or_create(
                consultation=consultation,
                case=case,
                defaults={"decision": decision, "added_by": user},
            )
            old = {} if created else {"decision": item.decision}
            if not created and decision:
                item.decision = decision
                item.save(update_fields=["decision", "updated_at"])
            changes = audit_changes(old, {"decision": item.decision})
            if created or changes:
                audit_record(
                    action=Action.CREATE if created else Action.UPDATE,
                    user=user,
                    object_type="consultation_item",
                    object_ref=case.reference,
                    site_code=case.site.code,
                    changes=changes,
                    detail=f"consultation={consultation.pk}",
                )
    except IntegrityError as exc:  # two people adding the same case at the same moment
        raise ValidationError(_("This case is already on that consultation.")) from exc
    return item
