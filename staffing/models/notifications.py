"""What a person wants to hear about by e-mail."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class NotificationPreferences(models.Model):
    """Per-user opt-out of the roster e-mails; a user without a row gets every kind."""

    class Kind(models.TextChoices):
        ROSTER_PUBLISHED = "roster_published", _("A roster is published")
        SHIFT_CHANGED = "shift_changed", _("My shift changed or was released")
        SWAP = "swap", _("Swaps: offered to me, accepted, approved")
        OPEN_SHIFT = "open_shift", _("An open shift at my site")
        REMINDER = "reminder", _("Reminder the day before a shift")
        TIME_OFF = "time_off", _("Time-off requests and their answers")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preferences",
        verbose_name=_("user"),
    )
    # The kinds this user switched off (codes of Kind); a JSON list so new kinds are on.
    muted = models.JSONField(_("switched off"), default=list, blank=True)

    class Meta:
        verbose_name = _("notification preferences")
        verbose_name_plural = _("notification preferences")
        ordering = ["user", "id"]

    def __str__(self):
        return str(self.user)

    def wants(self, kind: str) -> bool:
        return kind not in (self.muted or [])


class ReminderRun(models.Model):
    """The day-before reminders of one local day were sent: a second run of the beat task
    (a retry, two beat processes) finds the row and mails nobody twice."""

    day = models.DateField(_("day of the shifts"), unique=True)
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    recipients = models.PositiveIntegerField(_("recipients"), default=0)

    class Meta:
        verbose_name = _("reminder run")
        verbose_name_plural = _("reminder runs")
        ordering = ["-day", "id"]

    def __str__(self):
        return f"{self.day}"
