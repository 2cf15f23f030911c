"""Registering and correcting contacts. Every write is one transaction."""

from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

from meldpunt.audit import Action, audit_changes, audit_record
from meldpunt.channels import Channel
from staffing.models import Site
from staffing.services.opening_hours import OpeningSchedule

from ..models import (
    DEFAULT_CONTACT_TYPE,
    AwarenessSource,
    CallerAgeGroup,
    CallerRole,
    Case,
    Contact,
    ContactFlag,
    ContactType,
    FollowUp,
    Gender,
    Referral,
    Region,
    Theme,
    Victim,
    VictimAgeGroup,
    VictimRelation,
    ViolenceContext,
    ViolenceForm,
)
from .callers import caller_profile_for
from .references import Kind, reference_allocate

# A blank end is filled with the moment of saving only up to this long after the start; a
# later registration keeps a blank end (its duration is unknown).
MAX_CONVERSATION = timedelta(hours=8)
# A phone call or chat longer than this is unusual (flagged), not impossible.
LONG_CONVERSATION = timedelta(hours=2)
# A contact before this is a typing error. It also keeps every stored instant far from year 1,
# whose local midnight cannot be converted to UTC (an OverflowError; tests/security/test_fuzz.py).
EARLIEST_START = datetime(2000, 1, 1, tzinfo=UTC)
CALLER_ROLE_PROFESSIONAL = "professional"
CALLER_ROLE_VICTIM = "victim"
RELATION_SELF = "self"


@dataclass(frozen=True)
class VictimData:
    age_group: VictimAgeGroup | None = None
    gender: Gender | None = None
    relation: VictimRelation | None = None


@dataclass(frozen=True)
class ContactData:
    """What a responder records about one contact; blank (None) means *not recorded*."""

    channel: str
    started_at: datetime
    ended_at: datetime | None = None
    # None: the documented default (DEFAULT_CONTACT_TYPE, counted as counselling).
    contact_type: ContactType | None = None
    theme: Theme | None = None
    forms_of_violence: Sequence[ViolenceForm] = ()
    context: ViolenceContext | None = None
    caller_gender: Gender | None = None
    caller_age_group: CallerAgeGroup | None = None
    caller_role: CallerRole | None = None
    region: Region | None = None
    awareness_source: AwarenessSource | None = None
    referral: Referral | None = None
    follow_up_needed: bool = False
    notes: str = ""
    victims: Sequence[VictimData] = field(default_factory=tuple)

    @classmethod
    def from_mapping(cls, values: dict, victims: Sequence[VictimData] = ()) -> "ContactData":
        """Build from a form's cleaned_data, ignoring keys that are not contact fields."""
        names = {f.name for f in fields(cls)} - {"victims"}
        kwargs = {name: values[name] for name in names if name in values}
        kwargs["notes"] = kwargs.get("notes") or ""
        kwargs["forms_of_violence"] = tuple(kwargs.get("forms_of_violence") or ())
        return cls(**kwargs, victims=tuple(victims))

    # Scalar model fields, in the order of the model.
    SCALAR_FIELDS = (
        "channel",
        "started_at",
        "ended_at",
        "contact_type",
        "theme",
        "context",
        "caller_gender",
        "caller_age_group",
        "caller_role",
        "region",
        "awareness_source",
        "referral",
        "follow_up_needed",
        "notes",
    )


def _code(term) -> str | None:
    return term.code if term is not None else None


# The notes are left out of error reports.
@sensitive_variables("data")
def contact_validate(
    data: ContactData, *, site: Site, case: Case | None = None, now: datetime | None = None
) -> None:
    """Refuse what cannot be true; raises ValidationError keyed by field, in the UI language."""
    now = now or timezone.now()
    errors: dict[str, list[str]] = {}

    def refuse(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    if data.channel not in Channel.values:
        refuse("channel", _("Unknown channel."))
    if data.started_at is None:
        refuse("started_at", _("Enter the start of the contact."))
    else:
        tolerance = timedelta(minutes=settings.CONTACT_FUTURE_TOLERANCE_MINUTES)
        if data.started_at > now + tolerance:
            refuse("started_at", _("The start lies in the future."))
        elif data.started_at < EARLIEST_START:
            refuse("started_at", _("The start lies before 2000."))
        if data.ended_at is not None and data.ended_at < data.started_at:
            refuse("ended_at", _("The end lies before the start."))
        elif data.ended_at is not None and data.ended_at > now + tolerance:
            refuse("ended_at", _("The end lies in the future."))
    victims_self = [v for v in data.victims if _code(v.relation) == RELATION_SELF]
    if len(victims_self) > 1:
        refuse("victims", _("Only one victim can be the caller themselves."))
    if case is not None and case.site_id != site.pk:
        refuse("case", _("This case belongs to another site."))
    if errors:
        raise ValidationError(errors)


def contact_check_complete(data: ContactData) -> None:
    """What a registration with a contact type needs beyond being possible, so that a blank
    form never saves (the form requires the type): a counselling contact needs at least the
    main theme; a non-counselling one only channel, start and type. Without a type (callers
    that predate types, imports of older registers) the documented default applies and
    blank values are *not recorded*, as DESIGN.md says."""
    contact_type = data.contact_type
    if (
        contact_type is not None
        and contact_type.pk != DEFAULT_CONTACT_TYPE  # older contacts are corrected as they are
        and contact_type.is_counselling
        and data.theme is None
    ):
        raise ValidationError(
            {"theme": [_("A counselling contact needs at least the main theme.")]}
        )


def contact_warnings(data: ContactData) -> list[str]:
    """What is possible but unusual: saved only once confirmed, and flagged for a check.
    Returns ContactFlag.Reason values, in a fixed order."""
    reasons = []
    if (
        data.caller_age_group is not None
        and data.caller_age_group.is_minor
        and _code(data.caller_role) == CALLER_ROLE_PROFESSIONAL
    ):
        reasons.append(ContactFlag.Reason.MINOR_PROFESSIONAL)
    if (
        data.started_at is not None
        and data.ended_at is not None
        and data.channel != Channel.EMAIL
        and data.ended_at - data.started_at > LONG_CONVERSATION
    ):
        reasons.append(ContactFlag.Reason.LONG_CONVERSATION)
    if (
        any(_code(v.relation) == RELATION_SELF for v in data.victims)
        and data.caller_role is not None
        and _code(data.caller_role) != CALLER_ROLE_VICTIM
    ):
        reasons.append(ContactFlag.Reason.SELF_VICTIM_ROLE)
    return reasons


class WarningsNotConfirmed(ValidationError):
    """The contact is possible but unusual; the responder must confirm it first."""

    def __init__(self, reasons: list[str]):
        super().__init__(
            [str(ContactFlag.Reason(reason).label) for reason in reasons], code="unconfirmed"
        )
        self.reasons = reasons


def _flags_sync(contact: Contact, reasons: Sequence[str]) -> None:
    """The contact's flags are its current unusual traits; a checked flag that still
    applies stays checked."""
    contact.flags.exclude(reason__in=reasons).delete()
    present = set(contact.flags.values_list("reason", flat=True))
    ContactFlag.objects.bulk_create(
        ContactFlag(contact=contact, reason=reason) for reason in reasons if reason not in present
    )


def _victims_create(contact: Contact, victims: Sequence[VictimData]) -> None:
    Victim.objects.bulk_create(
        Victim(contact=contact, age_group=v.age_group, gender=v.gender, relation=v.relation)
        for v in victims
    )


def _local_year(instant: datetime) -> int:
    return timezone.localtime(instant).year


def case_open(*, site: Site, opened_by=None, summary: str = "") -> Case:
    """Open a new case at a site, with the next case reference of this year."""
    with transaction.atomic():
        (reference,) = reference_allocate(kind=Kind.CASE, year=_local_year(timezone.now()))
        return Case.objects.create(
            reference=reference, site=site, opened_by=opened_by, summary=summary
        )


def follow_up_due_default(today: date) -> date:
    """The next working day after `today`: Monday to Friday, not a Belgian public holiday."""
    schedule = OpeningSchedule([])  # only its holiday calendar: no query
    day = today + timedelta(days=1)
    while day.weekday() >= 5 or schedule.is_holiday(day):
        day += timedelta(days=1)
    return day


def _follow_up_default_create(contact: Contact, user, now: datetime) -> None:
    """Ticking "follow-up needed" is a task: due the next working day, for the responder."""
    if contact.follow_ups.filter(done_at__isnull=True).exists():
        return
    follow_up = FollowUp.objects.create(
        contact=contact,
        description=_("Follow up this contact"),
        due_date=follow_up_due_default(timezone.localdate(now)),
        assignee=user,
        created_by=user,
    )
    audit_record(
        action=Action.CREATE,
        user=user,
        object_type="follow_up",
        object_ref=contact.reference,
        site_code=contact.site.code,
        changes=audit_changes(
            {},
            {
                "description": follow_up.description,
                "due_date": follow_up.due_date,
                "assignee": user,
            },
        ),
        detail=f"follow_up={follow_up.pk}",
    )


def _with_default_type(data: ContactData) -> ContactData:
    if data.contact_type is not None:
        return data
    default = ContactType.objects.get(pk=DEFAULT_CONTACT_TYPE)
    return ContactData(**{**_as_kwargs(data), "contact_type": default})


def _check_warnings(data: ContactData, confirmed: bool) -> list[str]:
    reasons = contact_warnings(data)
    if reasons and not confirmed:
        raise WarningsNotConfirmed(reasons)
    return reasons


# The notes and the caller's number are left out of error reports.
@sensitive_variables("data", "caller_identifier")
def contact_register(
    *,
    data: ContactData,
    site: Site,
    registered_by,
    case: Case | None = None,
    open_case: bool = False,
    now: datetime | None = None,
    confirmed: bool = False,
    caller_identifier: str = "",
) -> Contact:
    """Register a contact with its victims, linked to an existing case or a new one.

    A blank end is filled with the moment of saving: the responder saves right after the
    conversation, so that is when it ended. A late registration (saved long after the start)
    keeps a blank end: its duration is unknown, not a day long.

    Impossible input is refused; unusual input (`contact_warnings`) raises
    WarningsNotConfirmed unless `confirmed`, and is then saved with its flags. A ticked
    "follow-up needed" creates the follow-up. `caller_identifier` (a number or chat handle,
    never stored) links the contact to the caller's profile.
    """
    now = now or timezone.now()
    if (
        data.ended_at is None
        and data.started_at is not None
        and timedelta(0) <= now - data.started_at <= MAX_CONVERSATION
    ):
        data = ContactData(**{**_as_kwargs(data), "ended_at": now})
    contact_check_complete(data)
    data = _with_default_type(data)
    contact_validate(data, site=site, case=case, now=now)
    reasons = _check_warnings(data, confirmed)
    with transaction.atomic(durable=True):
        if open_case:
            case = case_open(site=site, opened_by=registered_by)
        profile = caller_profile_for(caller_identifier, site=site)
        (reference,) = reference_allocate(kind=Kind.CONTACT, year=_local_year(data.started_at))
        contact = Contact.objects.create(
            reference=reference,
            site=site,
            registered_by=registered_by,
            case=case,
            caller_profile=profile,
            **{name: getattr(data, name) for name in ContactData.SCALAR_FIELDS},
        )
        contact.forms_of_violence.set(data.forms_of_violence)
        _victims_create(contact, data.victims)
        _flags_sync(contact, reasons)
        new = _audit_snapshot(contact, case, data.forms_of_violence, _victim_codes(data.victims))
        new["flags"] = reasons
        audit_record(
            action=Action.CREATE, user=registered_by, obj=contact, changes=audit_changes({}, new)
        )
        if data.follow_up_needed:
            _follow_up_default_create(contact, registered_by, now)
    return contact


# The notes and the caller's number are left out of error reports.
@sensitive_variables("data", "caller_identifier")
def contact_update(
    *,
    contact: Contact,
    data: ContactData,
    case: Case | None = None,
    open_case: bool = False,
    updated_by=None,
    now: datetime | None = None,
    confirmed: bool = False,
    caller_identifier: str = "",
) -> Contact:
    """Correct a registered contact; its victims are replaced by the ones given.

    Warnings and flags as `contact_register`; a blank `caller_identifier` keeps the profile.
    """
    now = now or timezone.now()
    contact_check_complete(data)
    if data.contact_type is None:  # a caller that predates types keeps the contact's type
        data = ContactData(**{**_as_kwargs(data), "contact_type": contact.contact_type})
    contact_validate(data, site=contact.site, case=case, now=now)
    reasons = _check_warnings(data, confirmed)
    with transaction.atomic(durable=True):
        locked = Contact.objects.select_for_update().get(pk=contact.pk)
        old = _audit_snapshot(
            locked,
            locked.case,
            locked.forms_of_violence.all(),
            [(v.age_group_id, v.gender_id, v.relation_id) for v in locked.victims.all()],
        )
        old["flags"] = sorted(locked.flags.values_list("reason", flat=True))
        if open_case:
            case = case_open(site=locked.site, opened_by=updated_by)
        for name in ContactData.SCALAR_FIELDS:
            setattr(locked, name, getattr(data, name))
        locked.case = case
        if caller_identifier.strip():
            locked.caller_profile = caller_profile_for(caller_identifier, site=locked.site)
        locked.save()
        locked.forms_of_violence.set(data.forms_of_violence)
        locked.victims.all().delete()
        _victims_create(locked, data.victims)
        _flags_sync(locked, reasons)
        new = _audit_snapshot(locked, case, data.forms_of_violence, _victim_codes(data.victims))
        new["flags"] = sorted(reasons)
        audit_record(
            action=Action.UPDATE, user=updated_by, obj=locked, changes=audit_changes(old, new)
        )
        if data.follow_up_needed and not old["follow_up_needed"]:
            _follow_up_default_create(locked, updated_by, now)
    return locked


def _victim_codes(victims: Sequence[VictimData]) -> list[tuple]:
    return [(_code(v.age_group), _code(v.gender), _code(v.relation)) for v in victims]


def _audit_snapshot(contact: Contact, case: Case | None, forms_of_violence, victims) -> dict:
    """What the audit trail compares of a contact: its fields as codes (notes are masked by
    audit_changes), the case by reference, victims as age group/gender/relation."""
    snapshot = {
        name: getattr(contact, contact._meta.get_field(name).attname)
        for name in ContactData.SCALAR_FIELDS
    }
    snapshot["case"] = case.reference if case is not None else None
    snapshot["forms_of_violence"] = sorted(getattr(f, "pk", f) for f in forms_of_violence)
    snapshot["victims"] = ["/".join(code or "" for code in victim) for victim in victims]
    return snapshot


def _as_kwargs(data: ContactData) -> dict:
    return {f.name: getattr(data, f.name) for f in fields(data)}
