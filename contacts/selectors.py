"""Reads of the contacts app: permission-aware querysets, shaped for the pages that use them."""

from datetime import date, datetime, time, timedelta

from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connection
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.utils import timezone

from staffing.models import site_of

from .models import Case, Contact, ContactFlag, FollowUp, Victim

# PostgreSQL's text-search configuration for the notes (Dutch stemming and stop words).
NOTES_SEARCH_CONFIG = "dutch"

# The theme filter's value for contacts without a recorded theme.
NOT_RECORDED = "none"


def _local_midnight(day: date) -> datetime:
    # Midnight exists on every day in Brussels (DST changes at 02:00/03:00).
    return timezone.make_aware(datetime.combine(day, time.min))


def contacts_with_open_follow_up_flag(queryset):
    return queryset.annotate(
        has_open_follow_up=Exists(
            FollowUp.objects.filter(contact=OuterRef("pk"), done_at__isnull=True)
        )
    )


def contacts_filter(user, params: dict):
    """The contacts `user` may see that match the contact list's filters, newest first.

    `params` is the cleaned data of `ContactFilterForm`; dates are local calendar days,
    both ends included.
    """
    contacts = Contact.objects.viewable_by(user)
    if params.get("q"):
        # A whole reference is its own prefix; an import's external id matches whole.
        q = params["q"]
        contacts = contacts.filter(
            Q(reference__startswith=q) | Q(reference__startswith=q.upper()) | Q(external_id=q)
        )
    if params.get("date_from"):
        contacts = contacts.filter(started_at__gte=_local_midnight(params["date_from"]))
    if params.get("date_to"):
        end = _local_midnight(params["date_to"] + timedelta(days=1))
        contacts = contacts.filter(started_at__lt=end)
    if params.get("channel"):
        contacts = contacts.filter(channel=params["channel"])
    if params.get("theme") == NOT_RECORDED:
        contacts = contacts.filter(theme__isnull=True)
    elif params.get("theme"):
        contacts = contacts.filter(theme_id=params["theme"])
    if params.get("site"):
        contacts = contacts.filter(site=params["site"])
    if params.get("case"):
        contacts = contacts.filter(case__reference=params["case"])
    if params.get("contact_type"):
        contacts = contacts.filter(contact_type=params["contact_type"])
    if params.get("mine"):
        contacts = contacts.filter(registered_by=user)
    if params.get("notes"):
        contacts = contacts_notes_search(contacts, user, params["notes"])
    contacts = contacts_with_open_follow_up_flag(contacts).annotate(
        is_flagged=Exists(ContactFlag.objects.filter(contact=OuterRef("pk"), checked_at=None))
    )
    if params.get("follow_up_open"):
        contacts = contacts.filter(has_open_follow_up=True)
    if params.get("flagged"):
        contacts = contacts.filter(Exists(ContactFlag.objects.filter(contact=OuterRef("pk"))))
    # Code-list terms are attached by `contacts_terms_attach`, not joined: every join adds
    # to PostgreSQL's planning time (11 joins planned in ~100 ms under load, 4 in a few).
    return contacts.select_related("site", "case", "registered_by").order_by("-started_at", "-id")


LIST_TERMS = ("theme", "caller_age_group", "caller_gender", "contact_type")


def contacts_terms_attach(contacts, terms_of=None) -> None:
    """Give a page of contacts their code-list terms from one small query per list (a few
    dozen rows each), as select_related would, without the joins. `terms_of(model)`, when
    given, supplies each list's terms instead (contacts.forms.terms.Terms.all: one query)."""
    for name in LIST_TERMS:
        field = Contact._meta.get_field(name)
        model = field.related_model
        rows = terms_of(model) if terms_of else model.objects.all()
        terms = {term.pk: term for term in rows}
        for contact in contacts:
            code = getattr(contact, field.attname)
            field.set_cached_value(contact, terms.get(code) if code is not None else None)


def contacts_notes_search(contacts, user, terms: str):
    """Contacts whose notes match `terms`, among those of the user's *own site* only:
    notes are for the site's team, whatever else the user may see. PostgreSQL: full-text
    search with the Dutch configuration (served by the contact_notes_fts index); SQLite:
    every word as a case-insensitive substring."""
    site = site_of(user)
    if site is None:
        return contacts.none()
    contacts = contacts.filter(site=site)
    if connection.vendor == "postgresql":
        return contacts.annotate(
            notes_document=SearchVector("notes", config=NOTES_SEARCH_CONFIG)
        ).filter(notes_document=SearchQuery(terms, config=NOTES_SEARCH_CONFIG))
    for word in terms.split():
        contacts = contacts.filter(notes__icontains=word)
    return contacts


def contact_for_detail(user, reference: str) -> Contact:
    """One contact with everything its page shows; DoesNotExist when `user` may not see it."""
    victims = Victim.objects.select_related("age_group", "gender", "relation")
    follow_ups = FollowUp.objects.select_related("assignee", "done_by", "created_by")
    return (
        Contact.objects.viewable_by(user)
        .select_related(
            "site",
            "registered_by",
            "case",
            "theme",
            "context",
            "caller_gender",
            "caller_age_group",
            "caller_role",
            "region",
            "awareness_source",
            "referral",
            "contact_type",
            "caller_profile",
        )
        .prefetch_related(
            "forms_of_violence",
            Prefetch("victims", queryset=victims),
            Prefetch("follow_ups", queryset=follow_ups),
        )
        .get(reference=reference)
    )


def case_contacts(case: Case):
    """The contacts of a case in the order they happened."""
    return (
        contacts_with_open_follow_up_flag(case.contacts.all())
        .select_related("theme", "caller_age_group", "caller_role", "registered_by")
        .order_by("started_at", "id")
    )


def case_open_follow_ups(case: Case):
    return (
        FollowUp.objects.open()
        .filter(contact__case=case)
        .select_related("contact", "assignee")
        .order_by("due_date", "id")
    )
