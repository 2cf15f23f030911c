"""Bringing cases to the team case consultation and recording what was decided."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

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
            if not created and decision:
                item.decision = decision
                item.save(update_fields=["decision", "updated_at"])
    except IntegrityError as exc:  # two people adding the same case at the same moment
        raise ValidationError(_("This case is already on that consultation.")) from exc
    return item
