from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from staffing.models import CaseConsultation

from .contact import Case


class ConsultationItem(models.Model):
    """A case discussed at a team case consultation, and what the team decided.

    Lives on the contacts side so that imports keep going one way (contacts → staffing).
    """

    consultation = models.ForeignKey(
        CaseConsultation,
        on_delete=models.CASCADE,
        related_name="items",
        verbose_name=_("case consultation"),
    )
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="consultation_items", verbose_name=_("case")
    )
    decision = models.TextField(_("decision"), blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("added by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("consultation item")
        verbose_name_plural = _("consultation items")
        ordering = ["consultation__starts_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["consultation", "case"],
                name="consultationitem_once_per_consultation",
                violation_error_message=_("This case is already on that consultation."),
            )
        ]

    def __str__(self):
        return f"{self.case} @ {self.consultation_id}"
