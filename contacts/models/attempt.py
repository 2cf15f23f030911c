from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from meldpunt.channels import Channel

# The phone switch and the chat platform log attempts; e-mail has no such log.
ATTEMPT_CHANNELS = (Channel.PHONE, Channel.CHAT)


class CallAttemptQuerySet(models.QuerySet):
    def likely_misdial_candidates(self):
        """Unanswered attempts that gave up within MISDIAL_SECONDS.

        Only half of the likely-misdial rule: an attempt is a likely misdial when it is also
        outside the opening hours in force at its local start. Opening hours belong to
        staffing, so the caller applies that part (staffing.services.opening_hours).
        """
        return self.filter(answered=False, wait_seconds__lt=settings.MISDIAL_SECONDS)


class CallAttempt(models.Model):
    """One call or chat as the phone switch or chat platform saw it, answered or not.

    The only honest source for demand outside the opening hours and for demand nobody
    could answer; imported from the platforms' logs, never typed in.
    """

    external_id = models.CharField(
        _("external id"),
        max_length=100,
        # Unique by the constraint in Meta: one plain unique index, no pattern-ops twin.
        help_text=_("Id in the phone switch or chat platform; re-imports match on it."),
    )
    channel = models.CharField(
        _("channel"),
        max_length=10,
        choices=[(channel.value, channel.label) for channel in ATTEMPT_CHANNELS],
    )
    started_at = models.DateTimeField(_("arrived at"))
    wait_seconds = models.PositiveIntegerField(
        _("wait (seconds)"), help_text=_("From arrival until answered or given up.")
    )
    talk_seconds = models.PositiveIntegerField(
        _("conversation (seconds)"), help_text=_("0 when not answered.")
    )
    answered = models.BooleanField(_("answered"))
    caller_hash = models.CharField(
        _("caller (hashed)"),
        max_length=64,
        blank=True,
        help_text=_(
            "Keyed hash of the caller's number or chat handle, to recognise repeat callers; "
            "the number itself is never stored."
        ),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = CallAttemptQuerySet.as_manager()

    class Meta:
        verbose_name = _("call or chat attempt")
        verbose_name_plural = _("call and chat attempts")
        ordering = ["-started_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(channel__in=[channel.value for channel in ATTEMPT_CHANNELS]),
                name="callattempt_channel_phone_or_chat",
                violation_error_message=_("Only phone and chat have an attempt log."),
            ),
            models.CheckConstraint(
                condition=Q(answered=True) | Q(talk_seconds=0),
                name="callattempt_no_talk_unanswered",
                violation_error_message=_("An unanswered attempt has no conversation time."),
            ),
            models.UniqueConstraint(fields=["external_id"], name="callattempt_external_id_unique"),
        ]
        indexes = [
            # Period filters and the nightly per-day rebuild across both channels.
            models.Index(fields=["started_at"], name="callattempt_started"),
            # Per-channel figures: outside-hours and misdial counts per channel and period.
            models.Index(fields=["channel", "started_at"], name="callattempt_channel_started"),
            # The nightly aggregation finds the days changed since its last run.
            models.Index(fields=["updated_at"], name="callattempt_updated"),
        ]

    def __str__(self):
        return f"{self.get_channel_display()} {self.external_id}"
