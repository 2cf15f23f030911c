from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from meldpunt.channels import Channel
from meldpunt.roles import sees_all_sites
from staffing.models import Site, site_of

from .taxonomy import (
    AwarenessSource,
    CallerAgeGroup,
    CallerRole,
    ContactType,
    Gender,
    Referral,
    Region,
    Theme,
    VictimAgeGroup,
    VictimRelation,
    ViolenceContext,
    ViolenceForm,
)

# The longest notes a contact may hold, in characters: the intake form, the CSV import and
# the database (a check constraint) all refuse more, so every export imports again (the csv
# module's own field limit is 131,072 characters). Twenty thousand characters is some ten
# pages: far more than any conversation's notes, far less than a pasted e-mail archive.
NOTES_MAX_LENGTH = 20_000
# The type of contacts registered before contact types existed, and of imported rows without
# one: a counselling contact (the register held only conversations), shown as "type not
# recorded". An inactive term, so the intake never offers it.
DEFAULT_CONTACT_TYPE = "unspecified"


def _site_scoped(queryset, user):
    """Rows of the user's own site; everything for roles that work across sites."""
    if not user.is_authenticated or not user.is_active:
        return queryset.none()
    if sees_all_sites(user):
        return queryset
    site = site_of(user)
    return queryset.filter(site=site) if site else queryset.none()


class ReferenceCounter(models.Model):
    """Last number handed out per kind of reference and year; rows are locked to hand out
    the next one, so two responders saving at once never get the same reference."""

    class Kind(models.TextChoices):
        CONTACT = "contact", _("contact")
        CASE = "case", _("case")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    last_value = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("reference counter")
        verbose_name_plural = _("reference counters")
        ordering = ["kind", "year", "id"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "year"], name="referencecounter_kind_year")
        ]

    def __str__(self):
        return f"{self.kind} {self.year}: {self.last_value}"


class CaseQuerySet(models.QuerySet):
    def viewable_by(self, user):
        return _site_scoped(self, user)


class CloseReason(models.TextChoices):
    RESOLVED = "resolved", _("Question answered")
    REFERRED = "referred", _("Referred")
    NO_RESPONSE = "no_response", _("No further contact")
    INACTIVE = "inactive", _("Closed automatically: no contact for a long time")
    OTHER = "other", _("Other reason")


class Case(models.Model):
    """Groups the contacts that concern one situation (a child, a family, a relationship)."""

    reference = models.CharField(_("reference"), max_length=20, unique=True)
    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, related_name="cases", verbose_name=_("site")
    )
    summary = models.TextField(
        _("summary"), blank=True, help_text=_("Short description, visible to the site's team.")
    )
    opened_at = models.DateTimeField(_("opened at"), auto_now_add=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("opened by"),
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    close_reason = models.CharField(
        _("reason for closing"), max_length=20, choices=CloseReason.choices, blank=True
    )
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("closed by"),
    )

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(closed_at__isnull=True) & Q(close_reason=""))
                | (Q(closed_at__isnull=False) & ~Q(close_reason="")),
                name="case_closed_with_reason",
                violation_error_message=_("A closed case has a reason; an open one has none."),
            ),
        ]

    def __str__(self):
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class ContactQuerySet(models.QuerySet):
    def viewable_by(self, user):
        return _site_scoped(self, user)


class Contact(models.Model):
    """One phone call, chat or e-mail to the line, as registered by a responder."""

    reference = models.CharField(_("reference"), max_length=20, unique=True)
    external_id = models.CharField(
        _("external id"),
        max_length=100,
        null=True,
        blank=True,
        # Unique by the constraint in Meta: a plain unique index, without the second
        # pattern-ops index that `unique=True` adds (it is only ever matched whole).
        help_text=_("Id in the source system of an import; re-imports match on it."),
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    started_at = models.DateTimeField(_("start"))
    ended_at = models.DateTimeField(_("end"), null=True, blank=True)
    # No index of its own: contact_site_started leads with the site. The code lists below
    # have none either: every query on them is also bounded by period or site, and each
    # index of this table costs every import and every save (migration 0008).
    site = models.ForeignKey(
        Site,
        on_delete=models.PROTECT,
        db_index=False,
        related_name="contacts",
        verbose_name=_("site"),
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="registered_contacts",
        verbose_name=_("registered by"),
    )
    case = models.ForeignKey(
        Case,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contacts",
        verbose_name=_("case"),
    )
    contact_type = models.ForeignKey(
        ContactType,
        on_delete=models.PROTECT,
        db_index=False,
        default=DEFAULT_CONTACT_TYPE,
        # Also in the database: rows written around the ORM (COPY, raw SQL) get it too.
        db_default=DEFAULT_CONTACT_TYPE,
        verbose_name=_("contact type"),
        help_text=_(
            "Contacts registered before contact types existed, and imported rows without "
            "one, have the type “type not recorded” (counted as counselling)."
        ),
    )
    caller_profile = models.ForeignKey(
        "CallerProfile",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contacts",
        verbose_name=_("caller profile"),
    )
    theme = models.ForeignKey(
        Theme,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        db_index=False,
        verbose_name=_("main theme"),
    )
    forms_of_violence = models.ManyToManyField(
        ViolenceForm, blank=True, related_name="+", verbose_name=_("forms of violence")
    )
    context = models.ForeignKey(
        ViolenceContext,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        db_index=False,
        verbose_name=_("context"),
    )
    caller_gender = models.ForeignKey(
        Gender,
        on_delete=models.PROTECT,
        db_index=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("caller gender"),
    )
    caller_age_group = models.ForeignKey(
        CallerAgeGroup,
        on_delete=models.PROTECT,
        db_index=False,
        null=True,
        blank=True,
        verbose_name=_("caller age group"),
    )
    caller_role = models.ForeignKey(
        CallerRole,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        db_index=False,
        verbose_name=_("caller role"),
    )
    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        db_index=False,
        verbose_name=_("region"),
    )
    awareness_source = models.ForeignKey(
        AwarenessSource,
        on_delete=models.PROTECT,
        db_index=False,
        null=True,
        blank=True,
        verbose_name=_("heard of the line through"),
    )
    referral = models.ForeignKey(
        Referral,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        db_index=False,
        verbose_name=_("referred to"),
    )
    follow_up_needed = models.BooleanField(_("follow-up needed"), default=False)
    notes = models.TextField(_("notes"), blank=True, max_length=NOTES_MAX_LENGTH)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ContactQuerySet.as_manager()

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["-started_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gte=F("started_at")),
                name="contact_end_after_start",
                violation_error_message=_("The end lies before the start."),
            ),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("notes"), NOTES_MAX_LENGTH),
                name="contact_notes_max_length",
            ),
            models.UniqueConstraint(fields=["external_id"], name="contact_external_id_unique"),
        ]
        indexes = [
            # The contact list of a site, newest first, and its period filter.
            models.Index(fields=["site", "-started_at"], name="contact_site_started"),
            # Period filters and yearly exports across all sites.
            models.Index(fields=["started_at"], name="contact_started"),
            # Responders' "changed since" and the nightly rebuild of changed days.
            models.Index(fields=["updated_at"], name="contact_updated"),
            # The contact list's keyset pages across all sites (coordinators).
            models.Index(fields=["-started_at", "-id"], name="contact_started_id"),
        ]

    def __str__(self):
        return self.reference

    @property
    def duration_seconds(self) -> int | None:
        if self.ended_at is None:
            return None
        return int((self.ended_at - self.started_at).total_seconds())


class Victim(models.Model):
    """A person the contact is about; a contact concerns zero or more victims."""

    contact = models.ForeignKey(
        Contact, on_delete=models.CASCADE, related_name="victims", verbose_name=_("contact")
    )
    age_group = models.ForeignKey(
        VictimAgeGroup,
        on_delete=models.PROTECT,
        db_index=False,
        null=True,
        blank=True,
        verbose_name=_("age group"),
    )
    gender = models.ForeignKey(
        Gender,
        on_delete=models.PROTECT,
        db_index=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("gender"),
    )
    relation = models.ForeignKey(
        VictimRelation,
        on_delete=models.PROTECT,
        db_index=False,
        null=True,
        blank=True,
        verbose_name=_("relation to the caller"),
    )

    class Meta:
        verbose_name = _("victim")
        verbose_name_plural = _("victims")
        ordering = ["contact", "id"]

    def __str__(self):
        return f"{self.contact} #{self.pk}"


class FollowUpQuerySet(models.QuerySet):
    def viewable_by(self, user):
        if not user.is_authenticated or not user.is_active:
            return self.none()
        return self.filter(contact__in=Contact.objects.viewable_by(user))

    def open(self):
        return self.filter(done_at__isnull=True)


class FollowUp(models.Model):
    """Something a responder promised or must check after a contact."""

    contact = models.ForeignKey(
        Contact, on_delete=models.CASCADE, related_name="follow_ups", verbose_name=_("contact")
    )
    description = models.CharField(_("what"), max_length=300)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="follow_ups",
        verbose_name=_("assignee"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("done by"),
    )

    objects = FollowUpQuerySet.as_manager()

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["done_at", "due_date", "id"]
        indexes = [
            # "Follow-up open" filter on the contact list and the open items of a case.
            models.Index(
                fields=["contact"], condition=Q(done_at__isnull=True), name="followup_open"
            ),
            # "My open follow-ups" on the home page, overdue first.
            models.Index(
                fields=["assignee", "due_date"],
                condition=Q(done_at__isnull=True),
                name="followup_open_assignee",
            ),
        ]

    def __str__(self):
        return self.description

    @property
    def overdue(self) -> bool:
        """Open and due before today (Brussels)."""
        return (
            self.done_at is None
            and self.due_date is not None
            and self.due_date < timezone.localdate()
        )


class ContactFlag(models.Model):
    """Something unusual about a contact: possible, but worth a second look by a coordinator.
    Impossible things are refused; unusual ones are saved, flagged and checked later."""

    class Reason(models.TextChoices):
        MINOR_PROFESSIONAL = "minor_professional", _("A minor caller in a professional role")
        LONG_CONVERSATION = "long_conversation", _("A very long call or chat")
        SELF_VICTIM_ROLE = (
            "self_victim_role",
            _("A victim is the caller themselves, but the caller's role is not victim"),
        )

    contact = models.ForeignKey(
        Contact, on_delete=models.CASCADE, related_name="flags", verbose_name=_("contact")
    )
    reason = models.CharField(_("reason"), max_length=30, choices=Reason.choices)
    created_at = models.DateTimeField(_("flagged at"), auto_now_add=True)
    checked_at = models.DateTimeField(_("checked at"), null=True, blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("checked by"),
    )

    class Meta:
        verbose_name = _("data-quality flag")
        verbose_name_plural = _("data-quality flags")
        ordering = ["contact", "reason", "id"]
        constraints = [
            models.UniqueConstraint(fields=["contact", "reason"], name="contactflag_once"),
        ]
        indexes = [
            # "Flagged contacts to check" on the coordinators' home and the data-quality page.
            models.Index(
                fields=["contact"], condition=Q(checked_at__isnull=True), name="contactflag_open"
            ),
        ]

    def __str__(self):
        return f"{self.contact}: {self.get_reason_display()}"
