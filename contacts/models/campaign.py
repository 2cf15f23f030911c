"""Awareness campaigns, so the figures can show how contacts changed around them."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from meldpunt.channels import Channel

from .taxonomy import CallerAgeGroup


class Campaign(models.Model):
    """A campaign that ran on local dates (Europe/Brussels), both days included.

    `channels` is a JSON list of channel codes (portable across SQLite and PostgreSQL, like
    the opening hours' weekdays); an empty list means every channel.
    """

    name = models.CharField(_("name"), max_length=200)
    start_date = models.DateField(_("start date"), help_text=_("Local date, included."))
    end_date = models.DateField(_("end date"), help_text=_("Local date, included."))
    target_age_group = models.ForeignKey(
        CallerAgeGroup,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("target caller age group"),
    )
    channels = models.JSONField(
        _("channels"),
        default=list,
        blank=True,
        help_text=_('A list of channel codes, e.g. ["phone", "chat"]; empty: all channels.'),
    )
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-start_date", "name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")),
                name="campaign_end_not_before_start",
                violation_error_message=_("The campaign ends before it starts."),
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.start_date:%Y-%m-%d} – {self.end_date:%Y-%m-%d})"

    def clean(self):
        channels = self.channels
        if channels in (None, ""):
            self.channels = channels = []
        if not isinstance(channels, list) or any(c not in Channel.values for c in channels):
            raise ValidationError(
                {
                    "channels": _("Use a list of channel codes: %(codes)s.")
                    % {"codes": ", ".join(Channel.values)}
                }
            )
        if len(set(channels)) != len(channels):
            raise ValidationError({"channels": _("A channel is listed twice.")})

    @property
    def channel_labels(self) -> list[str]:
        """The channels of `channel_codes` as a reader sees them ("Telefoon", not "phone")."""
        return [str(Channel(code).label) for code in self.channel_codes]

    @property
    def channel_codes(self) -> list[str]:
        """The channels the campaign is judged on: its own, or all when none are set."""
        return list(self.channels) or list(Channel.values)
