"""Repeat callers: profiles keyed by a keyed hash of the caller's number or chat handle.

The number is hashed with the attempt log's `caller_hash` (CALLER_HASH_KEY), so a profile and
the attempts of the same caller share one key; the number itself is never stored.
"""

from dataclasses import dataclass
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

from meldpunt.audit import Action, audit_changes, audit_record
from staffing.models import Site, site_of

from ..models import CallerProfile, CallerProfileFlag, Contact
from ..models.caller import NOTE_MAX_LENGTH
from .attempts import caller_hash, caller_identifier_normalise

# Shorter input is not a number or a handle (a typo, a half-typed number): no lookup.
IDENTIFIER_MIN_LENGTH = 4
IDENTIFIER_MAX_LENGTH = 100


@sensitive_variables("identifier")
def caller_identifier_hash(identifier: str) -> str:
    """'' when the identifier is blank, too short or too long to be one."""
    normalised = caller_identifier_normalise(identifier)
    if not (IDENTIFIER_MIN_LENGTH <= len(normalised) <= IDENTIFIER_MAX_LENGTH):
        return ""
    return caller_hash(normalised)


@sensitive_variables("identifier")
def caller_profile_for(identifier: str, *, site: Site) -> CallerProfile | None:
    """The caller's profile, created (kept by `site`'s team) at their first contact."""
    key = caller_identifier_hash(identifier)
    if not key:
        return None
    profile, _created = CallerProfile.objects.get_or_create(
        identifier_hash=key, defaults={"site": site}
    )
    return profile


def profile_note_visible(user, profile: CallerProfile) -> bool:
    """A profile note is for the team of the profile's site only, like contact notes."""
    site = site_of(user)
    return site is not None and site.pk == profile.site_id


@dataclass(frozen=True)
class CallerHistory:
    profile: CallerProfile
    contacts: int
    cases: int
    last: datetime | None
    recent: list
    flags: list
    note_visible: bool


@sensitive_variables("identifier")
def caller_history(user, identifier: str, *, today: date | None = None) -> CallerHistory | None:
    """What the intake shows about a known caller: the earlier contacts and cases `user` may
    see (their own site's, or all for line-wide roles) and the flags still in force.
    None for an unknown caller or one without contacts the user may see."""
    key = caller_identifier_hash(identifier)
    if not key:
        return None
    profile = CallerProfile.objects.filter(identifier_hash=key).first()
    if profile is None:
        return None
    return caller_history_of(user, profile, today=today)


def caller_history_of(user, profile: CallerProfile, *, today: date | None = None):
    today = today or timezone.localdate()
    contacts = Contact.objects.viewable_by(user).filter(caller_profile=profile)
    summary = contacts.aggregate(
        contacts=Count("pk"), cases=Count("case", distinct=True), last=Max("started_at")
    )
    if not summary["contacts"]:
        return None
    recent = list(
        contacts.select_related("case", "theme", "contact_type").order_by("-started_at", "-id")[:5]
    )
    flags = list(profile.flags.filter(expires_on__gte=today))
    return CallerHistory(
        profile=profile,
        contacts=summary["contacts"],
        cases=summary["cases"],
        last=summary["last"],
        recent=recent,
        flags=flags,
        note_visible=profile_note_visible(user, profile),
    )


@sensitive_variables("note")
def caller_profile_note_update(*, profile: CallerProfile, note: str, user) -> CallerProfile:
    """Change the profile note (site team only, checked by the view); audited, masked."""
    note = (note or "").strip()
    if len(note) > NOTE_MAX_LENGTH:
        raise ValidationError(
            {"note": [_("At most %(max)s characters.") % {"max": NOTE_MAX_LENGTH}]}
        )
    with transaction.atomic(durable=True):
        locked = CallerProfile.objects.select_for_update().get(pk=profile.pk)
        old = {"note": locked.note}
        locked.note = note
        locked.note_updated_at = timezone.now() if note else None
        locked.save(update_fields=["note", "note_updated_at"])
        audit_record(
            action=Action.UPDATE,
            user=user,
            obj=locked,
            # Under the name of a masked free-text field: whether it changed, never what.
            changes=audit_changes({"notes": old["note"]}, {"notes": note}),
        )
    return locked


def caller_profile_flag_add(
    *, profile: CallerProfile, kind: str, expires_on: date, user
) -> CallerProfileFlag:
    """A flag on the profile, shown at the caller's next contacts until it expires."""
    if kind not in CallerProfileFlag.Kind.values:
        raise ValidationError({"kind": [_("Unknown kind of flag.")]})
    if expires_on < timezone.localdate():
        raise ValidationError({"expires_on": [_("The expiry date lies in the past.")]})
    with transaction.atomic(durable=True):
        flag = CallerProfileFlag.objects.create(
            profile=profile, kind=kind, expires_on=expires_on, created_by=user
        )
        audit_record(
            action=Action.CREATE,
            user=user,
            object_type="callerprofileflag",
            object_ref=profile.reference,
            site_code=profile.site.code,
            changes=audit_changes({}, {"kind": kind, "expires_on": expires_on}),
        )
    return flag
