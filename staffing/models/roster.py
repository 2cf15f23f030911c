"""Shifts per site and channel, and who is assigned to them."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from meldpunt.channels import Channel
from staffing.services.time import local

from .people import Site, StaffMember


class ShiftQuerySet(models.QuerySet):
    def overlapping(self, start, end):
        return self.filter(starts_at__lt=end, ends_at__gt=start)


class Shift(models.Model):
    """A period in which a site staffs a channel with a number of people (stored in UTC)."""

    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, related_name="shifts", verbose_name=_("site")
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    required_headcount = models.PositiveSmallIntegerField(_("required headcount"), default=1)
    note = models.CharField(_("note"), max_length=200, blank=True)

    objects = ShiftQuerySet.as_manager()

    class Meta:
        verbose_name = _("shift")
        verbose_name_plural = _("shifts")
        ordering = ["starts_at", "site", "channel", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="shift_ends_after_start",
                violation_error_message=_("A shift must end after it starts."),
            ),
            models.CheckConstraint(
                condition=Q(required_headcount__gte=1),
                name="shift_headcount_positive",
                violation_error_message=_("A shift needs at least one person."),
            ),
            # Generating shifts twice for the same period creates nothing new.
            models.UniqueConstraint(
                fields=["site", "channel", "starts_at", "ends_at"],
                name="shift_unique_site_channel_period",
                violation_error_message=_("This shift already exists."),
            ),
        ]
        indexes = [
            # Roster and coverage pages: the shifts of one site in a week (the unique
            # constraint's index starts with site too, but then channel).
            models.Index(fields=["site", "starts_at"], name="shift_site_start"),
        ]

    def __str__(self):
        start, end = local(self.starts_at), local(self.ends_at)
        return f"{self.get_channel_display()} {start:%Y-%m-%d %H:%M}–{end:%H:%M} ({self.site})"

    @property
    def duration_hours(self) -> float:
        return (self.ends_at - self.starts_at).total_seconds() / 3600


class AssignmentQuerySet(models.QuerySet):
    def overlapping(self, start, end):
        return self.filter(starts_at__lt=end, ends_at__gt=start)


class Assignment(models.Model):
    """A staff member on a shift. Create and delete only through staffing.services.assignments.

    The shift's start and end are copied here so that the database itself can refuse two
    overlapping assignments of one person (an exclusion constraint on PostgreSQL, added by
    migration 0004; see there).
    """

    shift = models.ForeignKey(
        Shift, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("shift")
    )
    staff_member = models.ForeignKey(
        StaffMember,
        on_delete=models.CASCADE,
        related_name="assignments",
        verbose_name=_("staff member"),
    )
    starts_at = models.DateTimeField(_("starts at"), help_text=_("Copied from the shift."))
    ends_at = models.DateTimeField(_("ends at"), help_text=_("Copied from the shift."))
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assigned by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["starts_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["shift", "staff_member"],
                name="assignment_unique_shift_member",
                violation_error_message=_("This person is already on this shift."),
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="assignment_ends_after_start",
                violation_error_message=_("An assignment must end after it starts."),
            ),
        ]
        indexes = [
            # The assignment rules and "my shifts": one person's assignments around a period.
            models.Index(fields=["staff_member", "starts_at"], name="assignment_member_start"),
        ]

    def __str__(self):
        return f"{self.staff_member} · {self.shift}"


class ReleasedAssignment(models.Model):
    """An assignment that was taken back (the person became absent, gave the shift away):
    history, shown struck through on the roster. It no longer counts anywhere, so it lives
    apart from `Assignment` and its overlap constraint."""

    class Reason(models.TextChoices):
        ABSENCE = "absence", _("Released for absence")
        SWAP = "swap", _("Handed over to a colleague")

    shift = models.ForeignKey(
        Shift,
        on_delete=models.CASCADE,
        related_name="released_assignments",
        verbose_name=_("shift"),
    )
    staff_member = models.ForeignKey(
        StaffMember,
        on_delete=models.CASCADE,
        related_name="released_assignments",
        verbose_name=_("staff member"),
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    reason = models.CharField(_("reason"), max_length=16, choices=Reason)
    absence = models.ForeignKey(
        "staffing.Absence",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="released_assignments",
        verbose_name=_("absence"),
    )
    released_at = models.DateTimeField(_("released at"), auto_now_add=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("released by"),
    )

    class Meta:
        verbose_name = _("released assignment")
        verbose_name_plural = _("released assignments")
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="released_assignment_ends_after_start",
                violation_error_message=_("An assignment must end after it starts."),
            ),
        ]
        indexes = [
            # The roster week: released assignments of a site's shifts in a week.
            models.Index(fields=["shift"], name="released_assignment_shift"),
        ]

    def __str__(self):
        return f"{self.staff_member} · {self.shift} ({self.get_reason_display()})"


class RosterPublication(models.Model):
    """A site's roster of one local month is published: until then it is a draft that only
    planners see. Every change to a published shift is sent to the people concerned."""

    site = models.ForeignKey(
        Site, on_delete=models.CASCADE, related_name="publications", verbose_name=_("site")
    )
    month = models.DateField(_("month"), help_text=_("The first day of the local month."))
    published_at = models.DateTimeField(_("published at"), auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("published by"),
    )

    class Meta:
        verbose_name = _("roster publication")
        verbose_name_plural = _("roster publications")
        ordering = ["site", "month", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["site", "month"],
                name="publication_unique_site_month",
                violation_error_message=_("This month is already published."),
            ),
            models.CheckConstraint(
                condition=Q(month__day=1),
                name="publication_month_first_day",
                violation_error_message=_("A month starts on its first day."),
            ),
        ]

    def __str__(self):
        return f"{self.site}: {self.month:%Y-%m}"


class WeekTemplate(models.Model):
    """A site's week of assignments saved under a name, to lay onto coming weeks."""

    site = models.ForeignKey(
        Site, on_delete=models.CASCADE, related_name="week_templates", verbose_name=_("site")
    )
    name = models.CharField(_("name"), max_length=80)
    # [{"weekday": 0-6, "channel": "phone", "start": "09:00", "end": "17:00", "member": id}]
    entries = models.JSONField(_("entries"), default=list, blank=True)
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
        verbose_name = _("week template")
        verbose_name_plural = _("week templates")
        ordering = ["site", "name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["site", "name"],
                name="week_template_unique_name",
                violation_error_message=_("This site has a week template with that name."),
            ),
        ]

    def __str__(self):
        return f"{self.site}: {self.name}"
