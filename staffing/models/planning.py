"""What the automatic planning stores: each site's share of the line's demand per channel,
and roster proposals (the solver's input and output, and how far a run is)."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from meldpunt.channels import Channel

from .people import Site


class SiteShare(models.Model):
    """The part of the line's required headcount on a channel that a site staffs."""

    site = models.ForeignKey(
        Site, on_delete=models.CASCADE, related_name="shares", verbose_name=_("site")
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel)
    share = models.DecimalField(
        _("share"),
        max_digits=4,
        decimal_places=3,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text=_("Between 0 and 1; the shares of one channel add up to 1."),
    )

    class Meta:
        verbose_name = _("site share")
        verbose_name_plural = _("site shares")
        ordering = ["channel", "site", "id"]
        constraints = [
            models.UniqueConstraint(fields=["site", "channel"], name="siteshare_unique"),
            models.CheckConstraint(
                condition=Q(share__gte=0, share__lte=1),
                name="siteshare_range",
                violation_error_message=_("A share lies between 0 and 1."),
            ),
        ]

    def __str__(self):
        return f"{self.site} {self.channel}: {self.share}"


class RosterProposal(models.Model):
    """One run of the roster solver for a site and period, and what became of it."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    class Mode(models.TextChoices):
        FULL = "full", _("Plan the period")
        REPAIR = "repair", _("Repair: fill the gaps, keep the rest")

    site = models.ForeignKey(
        Site, on_delete=models.CASCADE, related_name="roster_proposals", verbose_name=_("site")
    )
    first_day = models.DateField(_("first day"))
    last_day = models.DateField(_("last day"))
    mode = models.CharField(_("mode"), max_length=8, choices=Mode, default=Mode.FULL)
    status = models.CharField(_("status"), max_length=8, choices=Status, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(
        _("progress"), default=0, validators=[MaxValueValidator(100)]
    )
    seconds_limit = models.PositiveIntegerField(_("time limit (seconds)"), default=30)
    instance = models.JSONField(_("instance"), default=dict, blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)
    message = models.CharField(_("message"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("roster proposal")
        verbose_name_plural = _("roster proposals")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(last_day__gte=F("first_day")),
                name="rosterproposal_period",
                violation_error_message=_("The period ends before it starts."),
            ),
            models.CheckConstraint(
                condition=Q(progress__lte=100), name="rosterproposal_progress_range"
            ),
        ]
        indexes = [
            # The proposal page: a site's latest proposals.
            models.Index(fields=["site", "-created_at"], name="rosterproposal_site_created"),
        ]

    def __str__(self):
        return f"{self.site} {self.first_day}–{self.last_day} ({self.get_status_display()})"
