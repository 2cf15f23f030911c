"""When people can work and what they would like: recurring weekly availability, dated
exceptions, wishes and a volunteer's monthly maximum. The roster proposal reads these:
being unavailable is a hard rule, wishes are soft."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from .opening_hours import Weekday
from .people import StaffMember


class WeeklyAvailability(models.Model):
    """A recurring weekly window in which a person can work. Someone with no windows at all
    is available whenever the other rules allow; someone with windows only inside them."""

    staff_member = models.ForeignKey(
        StaffMember,
        on_delete=models.CASCADE,
        related_name="weekly_availability",
        verbose_name=_("staff member"),
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday)
    start_time = models.TimeField(_("from"))
    end_time = models.TimeField(_("until"))

    class Meta:
        verbose_name = _("weekly availability")
        verbose_name_plural = _("weekly availability")
        ordering = ["staff_member", "weekday", "start_time", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_time__gt=F("start_time")),
                name="weeklyavailability_ends_after_start",
                violation_error_message=_("The window must end after it starts."),
            ),
            models.CheckConstraint(
                condition=Q(weekday__gte=0, weekday__lte=6),
                name="weeklyavailability_weekday_range",
                violation_error_message=_("Unknown weekday."),
            ),
        ]

    def __str__(self):
        span = f"{self.start_time:%H:%M}–{self.end_time:%H:%M}"
        return f"{self.staff_member}: {self.get_weekday_display()} {span}"


class AvailabilityException(models.Model):
    """One date on which the weekly pattern does not hold: unavailable (all day or part of
    it), or available although the weekly pattern says otherwise."""

    staff_member = models.ForeignKey(
        StaffMember,
        on_delete=models.CASCADE,
        related_name="availability_exceptions",
        verbose_name=_("staff member"),
    )
    day = models.DateField(_("date"))
    available = models.BooleanField(
        _("available"), default=False, help_text=_("Unticked: cannot work on this date.")
    )
    start_time = models.TimeField(_("from"), null=True, blank=True, help_text=_("Blank: all day."))
    end_time = models.TimeField(_("until"), null=True, blank=True, help_text=_("Blank: all day."))
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("availability exception")
        verbose_name_plural = _("availability exceptions")
        ordering = ["staff_member", "day", "start_time", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(start_time__isnull=True) & Q(end_time__isnull=True))
                | (
                    Q(start_time__isnull=False)
                    & Q(end_time__isnull=False)
                    & Q(end_time__gt=F("start_time"))
                ),
                name="availabilityexception_times",
                violation_error_message=_("Give both times, the end after the start, or neither."),
            ),
        ]
        indexes = [
            # The roster proposal: one site's exceptions in a period.
            models.Index(fields=["staff_member", "day"], name="availexception_member_day"),
        ]

    def __str__(self):
        return f"{self.staff_member}: {self.day}"


class Wish(models.Model):
    """A soft preference: rather (or rather not) on a weekday, at a time of day, or both."""

    class Kind(models.TextChoices):
        PREFER = "prefer", _("Prefer")
        AVOID = "avoid", _("Avoid")

    staff_member = models.ForeignKey(
        StaffMember, on_delete=models.CASCADE, related_name="wishes", verbose_name=_("staff member")
    )
    kind = models.CharField(_("kind"), max_length=8, choices=Kind)
    weekday = models.PositiveSmallIntegerField(
        _("weekday"), choices=Weekday, null=True, blank=True, help_text=_("Blank: every day.")
    )
    start_time = models.TimeField(_("from"), null=True, blank=True, help_text=_("Blank: all day."))
    end_time = models.TimeField(_("until"), null=True, blank=True, help_text=_("Blank: all day."))

    class Meta:
        verbose_name = _("wish")
        verbose_name_plural = _("wishes")
        ordering = ["staff_member", "kind", "weekday", "start_time", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(start_time__isnull=True) & Q(end_time__isnull=True))
                | (
                    Q(start_time__isnull=False)
                    & Q(end_time__isnull=False)
                    & Q(end_time__gt=F("start_time"))
                ),
                name="wish_times",
                violation_error_message=_("Give both times, the end after the start, or neither."),
            ),
            models.CheckConstraint(
                condition=~(
                    Q(weekday__isnull=True) & Q(start_time__isnull=True) & Q(end_time__isnull=True)
                ),
                name="wish_says_something",
                violation_error_message=_("Give a weekday, a time of day, or both."),
            ),
        ]

    def __str__(self):
        return f"{self.staff_member}: {self.get_kind_display()}"


class ShiftLimit(models.Model):
    """The most shifts a person (typically a volunteer) wants per calendar month."""

    staff_member = models.OneToOneField(
        StaffMember,
        on_delete=models.CASCADE,
        related_name="shift_limit",
        verbose_name=_("staff member"),
    )
    max_shifts_per_month = models.PositiveSmallIntegerField(
        _("maximum shifts per month"), validators=[MinValueValidator(0), MaxValueValidator(62)]
    )

    class Meta:
        verbose_name = _("shift limit")
        verbose_name_plural = _("shift limits")
        ordering = ["staff_member", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(max_shifts_per_month__lte=62),
                name="shiftlimit_max_range",
                violation_error_message=_("At most 62 shifts per month."),
            ),
        ]

    def __str__(self):
        return f"{self.staff_member}: ≤ {self.max_shifts_per_month}"
