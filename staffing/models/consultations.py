"""Team case consultations (casusoverleg) and who attended them."""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from staffing.services.time import local

from .people import Site, StaffMember


class CaseConsultation(models.Model):
    """A team meeting about cases. Its time counts as working time for the attendees."""

    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, related_name="consultations", verbose_name=_("site")
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    chair = models.ForeignKey(
        StaffMember,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="chaired_consultations",
        verbose_name=_("chair"),
    )
    minutes = models.TextField(_("minutes"), blank=True)
    series_id = models.UUIDField(
        _("series"), null=True, blank=True, help_text=_("Shared by the meetings of one series.")
    )
    invites_site_team = models.BooleanField(
        _("invites the whole site team"),
        default=False,
        help_text=_("People who join the site later are invited too."),
    )
    attendees = models.ManyToManyField(
        StaffMember,
        through="ConsultationAttendance",
        related_name="consultations",
        verbose_name=_("attendees"),
    )

    class Meta:
        verbose_name = _("case consultation")
        verbose_name_plural = _("case consultations")
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="consultation_ends_after_start",
                violation_error_message=_("A consultation must end after it starts."),
            ),
        ]
        indexes = [
            # Roster page and iCal feed: a site's consultations in a period.
            models.Index(fields=["site", "starts_at"], name="consultation_site_start"),
            # Editing or removing one series at once.
            models.Index(fields=["series_id"], name="consultation_series"),
        ]

    def __str__(self):
        return f"{self.site}: {local(self.starts_at):%Y-%m-%d %H:%M}"

    @property
    def duration_hours(self) -> float:
        return (self.ends_at - self.starts_at).total_seconds() / 3600

    def has_started(self, now) -> bool:
        return self.starts_at <= now


class ConsultationAttendance(models.Model):
    class Attendance(models.TextChoices):
        INVITED = "invited", _("Invited")
        PRESENT = "present", _("Present")
        EXCUSED = "excused", _("Excused")
        ABSENT = "absent", _("Absent")

    # Who is (or was) there: these count as working time and towards the monthly minimum.
    COUNTING = (Attendance.INVITED, Attendance.PRESENT)

    consultation = models.ForeignKey(
        CaseConsultation,
        on_delete=models.CASCADE,
        related_name="attendances",
        verbose_name=_("case consultation"),
    )
    staff_member = models.ForeignKey(
        StaffMember,
        on_delete=models.CASCADE,
        related_name="consultation_attendances",
        verbose_name=_("staff member"),
    )
    attendance = models.CharField(
        _("attendance"), max_length=16, choices=Attendance, default=Attendance.INVITED
    )

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        ordering = ["consultation", "staff_member", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["consultation", "staff_member"],
                name="attendance_unique_member",
                violation_error_message=_("This person is already on the list."),
            ),
        ]

    def __str__(self):
        return f"{self.staff_member}: {self.get_attendance_display()}"
