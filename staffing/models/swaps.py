"""A shift offered to a colleague (or to every eligible colleague) and taken over."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from .people import StaffMember
from .roster import Shift


class ShiftOffer(models.Model):
    """Someone gives their place on a shift away: offered, accepted by a colleague (the rules
    checked for both), then approved by the coordinator or, where the site allows it,
    at once. Change only through staffing.services.swaps."""

    class Status(models.TextChoices):
        OFFERED = "offered", _("Offered")
        ACCEPTED = "accepted", _("Accepted, awaiting approval")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    OPEN = (Status.OFFERED, Status.ACCEPTED)

    shift = models.ForeignKey(
        Shift, on_delete=models.CASCADE, related_name="offers", verbose_name=_("shift")
    )
    offered_by = models.ForeignKey(
        StaffMember,
        on_delete=models.CASCADE,
        related_name="offers_made",
        verbose_name=_("offered by"),
    )
    offered_to = models.ForeignKey(
        StaffMember,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="offers_received",
        verbose_name=_("offered to"),
        help_text=_("Blank: every colleague who may work the shift."),
    )
    taken_by = models.ForeignKey(
        StaffMember,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="offers_taken",
        verbose_name=_("taken by"),
    )
    # An exchange: the shift the taker gives the giver in return (blank: a give-away).
    in_return = models.ForeignKey(
        Shift,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="offers_in_return",
        verbose_name=_("in exchange for"),
    )
    status = models.CharField(_("status"), max_length=16, choices=Status, default=Status.OFFERED)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )

    class Meta:
        verbose_name = _("shift offer")
        verbose_name_plural = _("shift offers")
        ordering = ["shift__starts_at", "id"]
        constraints = [
            # One open offer per person and shift: offering twice is a no-op, not two offers.
            models.UniqueConstraint(
                fields=["shift", "offered_by"],
                condition=Q(status__in=["offered", "accepted"]),
                name="offer_one_open_per_member_shift",
                violation_error_message=_("You already offered this shift."),
            ),
            models.CheckConstraint(
                condition=Q(status="offered") | Q(status="withdrawn") | Q(taken_by__isnull=False),
                name="offer_taken_has_taker",
                violation_error_message=_("An accepted offer needs the colleague who took it."),
            ),
            models.CheckConstraint(
                condition=Q(in_return__isnull=True)
                | (Q(taken_by__isnull=False) & ~Q(in_return=F("shift"))),
                name="offer_exchange_other_shift_with_taker",
                violation_error_message=_("A shift cannot be exchanged for itself."),
            ),
        ]
        indexes = [
            # "My shifts": the open offers made to me or to everyone of my site.
            models.Index(fields=["status", "offered_to"], name="offer_status_to"),
        ]

    def __str__(self):
        return f"{self.offered_by} → {self.offered_to or '*'}: {self.shift}"
