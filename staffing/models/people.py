"""Sites, staff members, their qualifications and absences."""

import secrets
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from meldpunt.channels import Channel
from meldpunt.roles import Role, has_role, sees_all_sites

# Roles that may plan shifts; site coordinators only for their own site.
PLANNER_ROLES = (Role.SITE_COORDINATOR, Role.COORDINATOR, Role.ADMINISTRATOR)


class SiteQuerySet(models.QuerySet):
    def default(self) -> "Site":
        return self.get(is_default=True)

    def plannable_by(self, user):
        """Sites whose roster `user` may change."""
        if not has_role(user, *PLANNER_ROLES):
            return self.none()
        if sees_all_sites(user):
            return self
        site = site_of(user)
        return self.filter(pk=site.pk) if site else self.none()

    def viewable_by(self, user):
        """Sites whose roster `user` may see: their own, or all for cross-site roles."""
        if sees_all_sites(user):
            return self
        site = site_of(user)
        if site is None or not has_role(user, *Role):
            return self.none()
        return self.filter(pk=site.pk)


class Site(models.Model):
    """A regional site from which responders answer the line."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    is_default = models.BooleanField(
        _("default site"),
        default=False,
        help_text=_("Receives imported contacts whose site column is blank."),
    )
    swaps_auto_approve = models.BooleanField(
        _("approve swaps automatically"),
        default=False,
        help_text=_("A swap that breaks no rule needs no coordinator's approval."),
    )

    objects = SiteQuerySet.as_manager()

    class Meta:
        verbose_name = _("site")
        verbose_name_plural = _("sites")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"],
                condition=Q(is_default=True),
                name="site_single_default",
                violation_error_message=_("There can be only one default site."),
            )
        ]

    def __str__(self):
        return self.name


def new_ical_token() -> str:
    """A secret for the personal calendar feed URL (256 bits)."""
    return secrets.token_urlsafe(32)


class StaffMember(models.Model):
    """The helpline profile of a user: site, kind of contract, channels and active period."""

    class Kind(models.TextChoices):
        EMPLOYEE = "employee", _("Employee")
        VOLUNTEER = "volunteer", _("Volunteer")
        STUDENT = "student", _("Student")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="staff_member",
        verbose_name=_("user"),
    )
    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, related_name="staff_members", verbose_name=_("site")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind, default=Kind.EMPLOYEE)
    contract_hours = models.DecimalField(
        _("contract hours per week"),
        max_digits=4,
        decimal_places=1,
        default=0,
        validators=[MinValueValidator(0)],
        help_text=_("Agreed working hours per week; also agreed hours for volunteers."),
    )
    # A JSON list of channel codes rather than an ArrayField: the demo runs on SQLite.
    channels = models.JSONField(
        _("channels"),
        default=list,
        blank=True,
        help_text=_('Channels this person may serve, e.g. ["phone", "chat"].'),
    )
    active_from = models.DateField(_("active from"), null=True, blank=True)
    active_to = models.DateField(
        _("active until"), null=True, blank=True, help_text=_("Last working day, inclusive.")
    )
    ical_token = models.CharField(
        _("calendar token"),
        max_length=64,
        unique=True,
        default=new_ical_token,
        editable=False,
        help_text=_("Secret part of the personal calendar feed address."),
    )

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff members")
        ordering = ["user__username", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(active_to__isnull=True)
                | Q(active_from__isnull=True)
                | Q(active_to__gte=F("active_from")),
                name="staffmember_active_period",
                violation_error_message=_("The active period ends before it starts."),
            ),
        ]

    def __str__(self):
        return self.user.get_full_name() or self.user.username

    def clean(self):
        unknown = [c for c in self.channels or [] if c not in Channel.values]
        if not isinstance(self.channels, list) or unknown:
            raise ValidationError(
                {"channels": _("Use a list of channel codes: phone, chat, email.")}
            )

    def may_serve(self, channel: str) -> bool:
        return channel in (self.channels or [])

    def is_active_on(self, day: date) -> bool:
        if self.active_from and day < self.active_from:
            return False
        return not (self.active_to and day > self.active_to)


def site_of(user) -> Site | None:
    """The site a user works for, or None for users without a staff profile."""
    member = getattr(user, "staff_member", None) if user.is_authenticated else None
    return member.site if member else None


class QualificationQuerySet(models.QuerySet):
    def valid_on(self, day: date):
        return self.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day), valid_from__lte=day)


class Qualification(models.Model):
    """What a staff member is qualified for, and from when to when."""

    class Kind(models.TextChoices):
        CERTIFIED_RESPONDER = "certified_responder", _("Certified responder")
        IN_TRAINING = "in_training", _("In training")

    staff_member = models.ForeignKey(
        StaffMember,
        on_delete=models.CASCADE,
        related_name="qualifications",
        verbose_name=_("staff member"),
    )
    kind = models.CharField(_("kind"), max_length=32, choices=Kind)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(
        _("valid until"), null=True, blank=True, help_text=_("Inclusive; blank: no end.")
    )

    objects = QualificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("qualification")
        verbose_name_plural = _("qualifications")
        ordering = ["staff_member", "valid_from", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="qualification_valid_period",
                violation_error_message=_("The qualification ends before it starts."),
            ),
        ]

    def __str__(self):
        return f"{self.staff_member}: {self.get_kind_display()}"


class AbsenceQuerySet(models.QuerySet):
    def approved(self):
        return self.filter(approved_at__isnull=False)

    def pending(self):
        """Time-off requests nobody has answered yet."""
        return self.filter(approved_at__isnull=True, refused_at__isnull=True)

    def overlapping(self, start, end):
        return self.filter(starts_at__lt=end, ends_at__gt=start)


class Absence(models.Model):
    """Leave, sickness or training: a period in which someone cannot be rostered once approved."""

    class Kind(models.TextChoices):
        LEAVE = "leave", _("Leave")
        SICKNESS = "sickness", _("Sickness")
        TRAINING = "training", _("Training")

    staff_member = models.ForeignKey(
        StaffMember,
        on_delete=models.CASCADE,
        related_name="absences",
        verbose_name=_("staff member"),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    refused_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("refused by"),
    )
    refused_at = models.DateTimeField(_("refused at"), null=True, blank=True)

    objects = AbsenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("absence")
        verbose_name_plural = _("absences")
        ordering = ["-starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="absence_ends_after_start",
                violation_error_message=_("An absence must end after it starts."),
            ),
            models.CheckConstraint(
                condition=Q(approved_at__isnull=True) | Q(refused_at__isnull=True),
                name="absence_not_approved_and_refused",
                violation_error_message=_("An absence is approved or refused, not both."),
            ),
        ]
        indexes = [
            # The assignment rules: approved absences of one person overlapping a shift.
            models.Index(fields=["staff_member", "starts_at"], name="absence_member_start"),
        ]

    def __str__(self):
        return f"{self.staff_member}: {self.get_kind_display()}"

    @property
    def is_approved(self) -> bool:
        return self.approved_at is not None

    @property
    def is_refused(self) -> bool:
        return self.refused_at is not None
