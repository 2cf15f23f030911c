"""Finding and reading contacts."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db.models import Q
from django.http import Http404
from django.shortcuts import render

from meldpunt.audit import Action as AuditAction
from meldpunt.audit import audit_changes, audit_record
from meldpunt.permissions import Action, permission_required
from meldpunt.roles import sees_all_sites

from ..forms import ContactFilterForm, FollowUpForm
from ..forms.terms import Terms
from ..models import CallerAgeGroup, Contact, ContactType, Gender, Theme
from ..selectors import contact_for_detail, contacts_filter, contacts_terms_attach
from ..services.callers import caller_history_of
from .access import audit_viewed, notes_visible
from .intake import draft_clear

PAGE_SIZE = 50
# The list counts at most this many rows: counting a million matches on every page view
# costs more than the page itself. Beyond it the page says "more than 10 000".
COUNT_CAP = 10_000
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)
# Cursor instants outside these bounds are ignored (no contact is stored there).
CURSOR_MIN, CURSOR_MAX = 0, (datetime(3000, 1, 1, tzinfo=UTC) - EPOCH) // MICROSECOND


def cursor_of(contact: Contact) -> str:
    return f"{(contact.started_at - EPOCH) // MICROSECOND}.{contact.pk}"


def cursor_parse(text: str | None) -> tuple[datetime, int] | None:
    """(started_at, id) of a cursor, or None for anything malformed."""
    if not text or len(text) > 40:
        return None
    micros, _dot, pk = text.partition(".")
    if not (micros.isascii() and micros.isdigit() and pk.isascii() and pk.isdigit()):
        return None
    if not (CURSOR_MIN <= int(micros) <= CURSOR_MAX) or int(pk) > 2**63 - 1:
        return None
    return EPOCH + int(micros) * MICROSECOND, int(pk)


@dataclass
class KeysetPage:
    """One page of the list, found by the (started_at, id) of its neighbour rather than an
    offset: page 20 000 costs what page 1 costs, with the same queries."""

    rows: list
    count: int
    count_capped: bool
    next_cursor: str | None
    previous_cursor: str | None

    def __iter__(self):
        return iter(self.rows)

    def __len__(self):
        return len(self.rows)


def keyset_page(contacts, *, after: str | None, before: str | None) -> KeysetPage:
    """The page after the `after` cursor (older contacts), or before `before` (newer)."""
    position = cursor_parse(before)
    going_back = position is not None
    if going_back:
        started_at, pk = position
        rows = list(
            contacts.filter(
                Q(started_at__gt=started_at) | Q(started_at=started_at, pk__gt=pk)
            ).order_by("started_at", "id")[: PAGE_SIZE + 1]
        )
        more_before = len(rows) > PAGE_SIZE
        rows = rows[:PAGE_SIZE][::-1]
        more_after = True
    else:
        position = cursor_parse(after)
        if position is not None:
            started_at, pk = position
            # The plain range lets the (started_at, id) indexes seek; the OR breaks ties.
            contacts_page = contacts.filter(started_at__lte=started_at).filter(
                Q(started_at__lt=started_at) | Q(started_at=started_at, pk__lt=pk)
            )
        else:
            contacts_page = contacts
        rows = list(contacts_page[: PAGE_SIZE + 1])
        more_after = len(rows) > PAGE_SIZE
        rows = rows[:PAGE_SIZE]
        more_before = position is not None
    count = contacts.order_by().values("pk")[: COUNT_CAP + 1].count()
    return KeysetPage(
        rows=rows,
        count=min(count, COUNT_CAP),
        count_capped=count > COUNT_CAP,
        next_cursor=cursor_of(rows[-1]) if rows and more_after else None,
        previous_cursor=cursor_of(rows[0]) if rows and more_before else None,
    )


def _notes_search_audit(request, terms: str) -> None:
    """Every search in the notes is logged; the words themselves are masked."""
    audit_record(
        action=AuditAction.VIEW,
        request=request,
        object_type="contact_notes_search",
        changes=audit_changes({}, {"notes": terms}),
        detail=f"notes search words={len(terms.split())}",
    )


@permission_required(Action.CONTACT_VIEW)
def contact_list(request):
    # The filters' code lists and those the rows show, in one query.
    terms = Terms.load((Theme, ContactType, CallerAgeGroup, Gender))
    form = ContactFilterForm(request.GET, user=request.user, terms=terms)
    if form.is_valid():
        contacts = contacts_filter(request.user, form.cleaned_data)
        if form.cleaned_data.get("notes"):
            _notes_search_audit(request, form.cleaned_data["notes"])
    else:
        contacts = Contact.objects.none()
    page = keyset_page(contacts, after=request.GET.get("after"), before=request.GET.get("before"))
    contacts_terms_attach(page.rows, terms.all)
    return render(
        request,
        "contacts/contact_list.html",
        {"form": form, "page": page, "show_site": sees_all_sites(request.user)},
    )


def contact_detail_response(request, reference, follow_up_form=None):
    """The contact page; also re-shown by the follow-up form when posted without htmx."""
    try:
        contact = contact_for_detail(request.user, reference)
    except Contact.DoesNotExist:
        raise Http404 from None
    audit_viewed(request, contact)
    history = (
        caller_history_of(request.user, contact.caller_profile)
        if contact.caller_profile_id
        else None
    )
    return render(
        request,
        "contacts/contact_detail.html",
        {
            "contact": contact,
            "show_notes": notes_visible(request.user, contact),
            "follow_ups": contact.follow_ups.all(),
            "follow_up_form": follow_up_form or FollowUpForm(contact=contact, user=request.user),
            "caller_history": history,
            "flags": contact.flags.all(),
            "draft_clear": draft_clear(request),
        },
    )


@permission_required(Action.CONTACT_VIEW)
def contact_detail(request, reference):
    return contact_detail_response(request, reference)
