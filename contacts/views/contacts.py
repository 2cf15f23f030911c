"""Finding and reading contacts."""

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render

from meldpunt.permissions import Action, permission_required
from meldpunt.roles import sees_all_sites

from ..forms import ContactFilterForm, FollowUpForm
from ..models import Contact
from ..selectors import contact_for_detail, contacts_filter
from .access import audit_viewed, notes_visible

PAGE_SIZE = 50


@permission_required(Action.CONTACT_VIEW)
def contact_list(request):
    form = ContactFilterForm(request.GET, user=request.user)
    if form.is_valid():
        contacts = contacts_filter(request.user, form.cleaned_data)
    else:
        contacts = Contact.objects.none()
    page = Paginator(contacts, PAGE_SIZE).get_page(request.GET.get("page"))
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
    return render(
        request,
        "contacts/contact_detail.html",
        {
            "contact": contact,
            "show_notes": notes_visible(request.user, contact),
            "follow_ups": contact.follow_ups.all(),
            "follow_up_form": follow_up_form or FollowUpForm(contact=contact, user=request.user),
        },
    )


@permission_required(Action.CONTACT_VIEW)
def contact_detail(request, reference):
    return contact_detail_response(request, reference)
