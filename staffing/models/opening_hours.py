"""Weekly opening-hours slots per channel (with history) and ad-hoc closures."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from meldpunt.channels import Channel


class Weekday(models.IntegerChoices):
    # Python's date.weekday() numbering.
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class OpeningHours(models.Model):
    """A weekly slot in which a channel is open, in Europe/Brussels local time.

    Slots are never edited away: a change of hours ends the old slot (`valid_to`) and adds a
    new one, because every past contact is judged by the hours in force at that time.
    A slot does not cross midnight. Belgian public holidays and closures are closed.
    """

    channel = models.CharField(_("channel"), max_length=16, choices=Channel)
    # A JSON list of weekday numbers (0 = Monday): portable across SQLite and PostgreSQL.
    weekdays = models.JSONField(_("weekdays"), help_text=_("0 = Monday … 6 = Sunday."))
    start_time = models.TimeField(_("from"), help_text=_("Local time, included."))
    end_time = models.TimeField(_("until"), help_text=_("Local time, excluded."))
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(
        _("valid until"), null=True, blank=True, help_text=_("Inclusive; blank: no end.")
    )
    label = models.CharField(_("label"), max_length=100, blank=True)
    is_trial = models.BooleanField(_("trial"), default=False)

    class Meta:
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        ordering = ["channel", "valid_from", "start_time", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_time__gt=F("start_time")),
                name="openinghours_end_after_start",
                violation_error_message=_("The slot must end after it starts (same day)."),
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="openinghours_valid_period",
                violation_error_message=_("The validity period ends before it starts."),
            ),
        ]

    def __str__(self):
        days = ",".join(str(Weekday(d).label)[:2] for d in sorted(self.weekdays or []))
        text = f"{self.get_channel_display()} {days} {self.start_time:%H:%M}–{self.end_time:%H:%M}"
        return f"{text} ({self.label})" if self.label else text

    @property
    def weekday_labels(self) -> list[str]:
        return [str(Weekday(d).label) for d in sorted(self.weekdays or [])]

    def clean(self):
        days = self.weekdays
        if (
            not isinstance(days, list)
            or not days
            or any(not isinstance(d, int) or not 0 <= d <= 6 for d in days)
        ):
            raise ValidationError({"weekdays": _("Use a list of weekday numbers 0–6.")})
        if self.channel == Channel.EMAIL:
            raise ValidationError({"channel": _("E-mail has no opening hours.")})


class Closure(models.Model):
    """An ad-hoc closure (a strike, a team day, a technical failure), for one or all channels."""

    channel = models.CharField(
        _("channel"), max_length=16, choices=Channel, blank=True, help_text=_("Blank: all.")
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    reason = models.CharField(_("reason"), max_length=200)

    class Meta:
        verbose_name = _("closure")
        verbose_name_plural = _("closures")
        ordering = ["-starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="closure_ends_after_start",
                violation_error_message=_("A closure must end after it starts."),
            ),
        ]

    def __str__(self):
        return f"{self.reason} ({self.starts_at:%Y-%m-%d})"
