"""Aggregates of the register, rebuilt per local day, and the bookkeeping of their rebuilds.

A year of a million contacts is reported from a few thousand rows: per local day, site and
channel one row per (dimension, value) — a long format, so a new breakdown is a new
dimension, not a new column — and the same per month. Rows are rebuilt, never incremented
(reports/services/aggregates.py): a rebuild replaces a day's rows and its month's rollup in
one transaction.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from meldpunt.channels import Channel
from staffing.models import Site


class Dimension(models.TextChoices):
    """What a count row breaks the contacts down by; the value is a code, "" = not recorded."""

    TOTAL = "total", _("total")
    THEME = "theme", _("main theme")
    CALLER_GENDER = "caller_gender", _("caller gender")
    CALLER_AGE_GROUP = "caller_age_group", _("caller age group")
    CALLER_ROLE = "caller_role", _("caller role")
    REGION = "region", _("region")
    AWARENESS_SOURCE = "awareness_source", _("heard of the line through")
    CONTEXT = "context", _("context")
    REFERRAL = "referral", _("referred to")
    # value "age_group|gender", each part "" when not recorded
    AGE_GENDER = "age_gender", _("caller age group and gender")
    # value "1" outside the opening hours in force at the contact's start, else "0"
    OUTSIDE_HOURS = "outside_hours", _("outside opening hours")
    # value the local hour "0".."23" of the start: contacts per occurrence of a weekly slot
    # (trial openings); daily rows only, the monthly rollup leaves it out
    HOUR = "hour", _("local hour")
    # victims counted per age group ("victims"); "contacts" = contacts with such a victim
    VICTIM_AGE_GROUP = "victim_age_group", _("victim age group")
    # several per contact; "" for a contact without any
    FORMS_OF_VIOLENCE = "forms_of_violence", _("forms of violence")
    # the contact type's code (counselling or not is the type's is_counselling, read when
    # the figures are made)
    CONTACT_TYPE = "contact_type", _("contact type")


class CountFields(models.Model):
    site = models.ForeignKey(
        Site, on_delete=models.CASCADE, related_name="+", verbose_name=_("site")
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    dimension = models.CharField(_("dimension"), max_length=30, choices=Dimension.choices)
    value = models.CharField(
        _("value"), max_length=100, blank=True, help_text=_("Code; blank = not recorded.")
    )
    contacts = models.PositiveIntegerField(_("contacts"))
    victims = models.PositiveIntegerField(
        _("victims"), help_text=_("Victims recorded in these contacts.")
    )

    class Meta:
        abstract = True


class DailyCount(CountFields):
    """Contacts of one local day, site and channel with one value of one dimension."""

    day = models.DateField(_("day"), help_text=_("Local date (Europe/Brussels)."))

    class Meta:
        verbose_name = _("daily count")
        verbose_name_plural = _("daily counts")
        ordering = ["day", "site", "channel", "dimension", "value", "id"]
        constraints = [
            # Its index (day first) also serves the rebuild's delete of a day or month and
            # the monthly rollup's GROUP BY over a month's days.
            models.UniqueConstraint(
                fields=["day", "site", "channel", "dimension", "value"], name="dailycount_key"
            ),
        ]
        indexes = [
            # One dimension over a period, all sites: hour-of-week counts for trial openings,
            # and the consistency check of daily totals against the contacts.
            models.Index(fields=["dimension", "day"], name="dailycount_dimension_day"),
        ]

    def __str__(self):
        return f"{self.day} {self.channel} {self.dimension}={self.value}: {self.contacts}"


class MonthlyCount(CountFields):
    """The daily counts of one local month summed; what the annual figures read."""

    month = models.DateField(_("month"), help_text=_("First day of the local month."))

    class Meta:
        verbose_name = _("monthly count")
        verbose_name_plural = _("monthly counts")
        ordering = ["month", "site", "channel", "dimension", "value", "id"]
        constraints = [
            # Its index (month first) serves the annual report: month in a year [and site].
            models.UniqueConstraint(
                fields=["month", "site", "channel", "dimension", "value"], name="monthlycount_key"
            ),
        ]

    def __str__(self):
        return f"{self.month:%Y-%m} {self.channel} {self.dimension}={self.value}: {self.contacts}"


class DailyAttemptCount(models.Model):
    """Call and chat attempts of one local day and hour (line-wide: attempts have no site)."""

    day = models.DateField(_("day"), help_text=_("Local date (Europe/Brussels)."))
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    hour = models.PositiveSmallIntegerField(_("local hour"))
    answered = models.BooleanField(_("answered"))
    outside_hours = models.BooleanField(_("outside opening hours"))
    likely_misdial = models.BooleanField(_("likely misdial"))
    attempts = models.PositiveIntegerField(_("attempts"))
    wait_seconds_sum = models.PositiveBigIntegerField(_("total wait (seconds)"))
    talk_seconds_sum = models.PositiveBigIntegerField(_("total conversation (seconds)"))

    class Meta:
        verbose_name = _("daily attempt count")
        verbose_name_plural = _("daily attempt counts")
        ordering = ["day", "channel", "hour", "id"]
        constraints = [
            # Its index (day first) serves the rebuild of a day and the year's sums.
            models.UniqueConstraint(
                fields=["day", "channel", "hour", "answered", "outside_hours", "likely_misdial"],
                name="dailyattemptcount_key",
            ),
        ]

    def __str__(self):
        return f"{self.day} {self.channel} {self.hour}h: {self.attempts}"


class DirtyDay(models.Model):
    """A local day whose aggregates must be rebuilt although no row of it shows a change:
    a contact moved away from it, or deleted from it, or a closure changed its hours."""

    class Reason(models.TextChoices):
        MOVED = "moved", _("a contact or attempt moved to another day")
        DELETED = "deleted", _("a contact or attempt was deleted")
        CLOSURE = "closure", _("a closure was added, changed or removed")
        DIMENSION = "dimension", _("a breakdown was added to the aggregates")

    day = models.DateField(_("day"))
    reason = models.CharField(_("reason"), max_length=10, choices=Reason.choices)
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("day to rebuild")
        verbose_name_plural = _("days to rebuild")
        ordering = ["day", "id"]

    def __str__(self):
        return f"{self.day} ({self.reason})"


class AggregateRun(models.Model):
    """One rebuild of aggregates: what it did and how it ended."""

    class Kind(models.TextChoices):
        CHANGED = "changed", _("changed days (nightly)")
        RANGE = "range", _("range of days")

    class Status(models.TextChoices):
        RUNNING = "running", _("running")
        SUCCEEDED = "succeeded", _("succeeded")
        FAILED = "failed", _("failed")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    first_day = models.DateField(_("first day rebuilt"), null=True, blank=True)
    last_day = models.DateField(_("last day rebuilt"), null=True, blank=True)
    days_rebuilt = models.PositiveIntegerField(_("days rebuilt"), default=0)
    changes_since = models.DateTimeField(
        _("changes since"),
        null=True,
        blank=True,
        help_text=_("Rows updated from this instant on were looked at (blank: all rows)."),
    )
    complete_through = models.DateField(
        _("complete through"),
        null=True,
        blank=True,
        help_text=_("Every day up to this one was aggregated; later days are counted live."),
    )
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("aggregate run")
        verbose_name_plural = _("aggregate runs")
        ordering = ["-started_at", "-id"]
        indexes = [
            # The last successful run of a kind: the next run's high-water mark, and the
            # figures' boundary between aggregated and live days.
            models.Index(fields=["status", "kind", "-started_at"], name="aggregaterun_last"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.started_at:%Y-%m-%d %H:%M} {self.status}"


class AggregateLock(models.Model):
    """A claim that keeps two rebuilds from running at once, taken by a conditional UPDATE
    (works on SQLite and PostgreSQL); a claim older than its expiry is stale and may be
    taken over, so a killed worker does not block the nightly run forever."""

    name = models.CharField(_("name"), max_length=40, primary_key=True)
    holder = models.CharField(_("holder"), max_length=64, blank=True)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)

    class Meta:
        verbose_name = _("aggregate lock")
        verbose_name_plural = _("aggregate locks")
        ordering = ["name"]

    def __str__(self):
        return f"{self.name}: {self.holder or '-'}"
