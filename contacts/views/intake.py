"""Registering and correcting contacts: one keyboard-first page for both."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from meldpunt.channels import Channel
from meldpunt.permissions import Action, permission_required
from staffing.models import site_of

from ..forms import ContactForm, VictimFormSet, service_errors_apply, victims_initial
from ..forms.terms import Terms
from ..models import Contact
from ..services import WarningsNotConfirmed, contact_register, contact_update
from .access import audit_viewed, notes_visible

# Free text about callers and victims: left out of error reports (sensitive_post_parameters).
SENSITIVE_FIELDS = ("notes", "summary", "decision", "caller_identifier")
VICTIMS_PREFIX = "victims"
# Value of the submit button that goes on to a fresh intake after saving.
SAVE_AND_NEW = "new"
# Name of the submit button that confirms the warnings about an unusual contact.
CONFIRM_WARNINGS = "confirm_warnings"


def _validate(form, formset) -> bool:
    # Both are validated, so every error shows at once.
    form_valid = form.is_valid()
    formset_valid = formset.is_valid()
    return form_valid and formset_valid


def _saved_message(contact: Contact, opened_case: bool) -> str:
    if opened_case:
        return _("Contact %(contact)s saved in the new case %(case)s.") % {
            "contact": contact.reference,
            "case": contact.case.reference,
        }
    return _("Contact %(contact)s saved.") % {"contact": contact.reference}


# The session flag set by a successful save: the next intake or contact page clears the
# browser's drafts (intake.js, draft_clear.js).
DRAFT_SAVED = "contacts_draft_saved"


def draft_key(request, contact=None) -> str:
    """The sessionStorage key of this form's draft: `intake:<owner>:<contact or new>`, the
    owner derived from the login session, so another login's drafts are recognised."""
    owner = salted_hmac(
        "meldpunt.contacts.intake.draft", request.session.session_key or ""
    ).hexdigest()[:16]
    return f"intake:{owner}:{contact.reference if contact else 'new'}"


def draft_clear(request) -> bool:
    """Whether the page should clear the drafts: once, after a successful save."""
    return bool(request.session.pop(DRAFT_SAVED, False))


def _saved(request, message: str) -> None:
    messages.success(request, message)
    request.session[DRAFT_SAVED] = True


def _render(request, form, formset, contact=None, warnings=()):
    return render(
        request,
        "contacts/contact_form.html",
        {
            "form": form,
            "formset": formset,
            "contact": contact,
            "save_and_new": SAVE_AND_NEW,
            "warnings": warnings,
            "confirm_warnings": CONFIRM_WARNINGS,
            "draft_key": draft_key(request, contact),
            "draft_clear": draft_clear(request),
        },
    )


def _confirmed(request) -> bool:
    return request.POST.get(CONFIRM_WARNINGS) == "1"


@permission_required(Action.CONTACT_REGISTER)
@require_http_methods(["GET", "POST"])
@sensitive_post_parameters(*SENSITIVE_FIELDS)
def contact_create(request):
    """A new contact: the channel of the button that was clicked, starting now."""
    channel = request.GET.get("channel")
    initial = {
        "channel": channel if channel in Channel.values else Channel.PHONE,
        "started_at": timezone.now().replace(second=0, microsecond=0),
        "site": site_of(request.user),
    }
    # Every code list of the form and its victims' rows, in one query.
    terms = Terms.load()
    if request.method == "POST":
        form = ContactForm(request.POST, user=request.user, initial=initial, terms=terms)
        formset = VictimFormSet(request.POST, prefix=VICTIMS_PREFIX, terms=terms)
        if _validate(form, formset):
            open_case = form.cleaned_data["open_case"]
            try:
                contact = contact_register(
                    data=form.contact_data(formset.victim_data()),
                    site=form.registration_site(),
                    registered_by=request.user,
                    case=form.cleaned_data["case"],
                    open_case=open_case,
                    confirmed=_confirmed(request),
                    caller_identifier=form.cleaned_data["caller_identifier"],
                )
            except WarningsNotConfirmed as warning:
                return _render(request, form, formset, warnings=warning.messages)
            except ValidationError as error:
                service_errors_apply(error, form, formset)
            else:
                _saved(request, _saved_message(contact, open_case))
                if request.POST.get("after") == SAVE_AND_NEW:
                    query = urlencode({"channel": contact.channel})
                    return redirect(f"{reverse('contacts:create')}?{query}")
                return redirect("contacts:detail", reference=contact.reference)
    else:
        form = ContactForm(user=request.user, initial=initial, terms=terms)
        formset = VictimFormSet(prefix=VICTIMS_PREFIX, terms=terms)
    return _render(request, form, formset)


@permission_required(Action.CONTACT_EDIT)
@require_http_methods(["GET", "POST"])
@sensitive_post_parameters(*SENSITIVE_FIELDS)
def contact_edit(request, reference):
    """Correct a registered contact, its victims and its case."""
    contact = get_object_or_404(
        Contact.objects.viewable_by(request.user).select_related("site", "case"),
        reference=reference,
    )
    terms = Terms.load()
    form_kwargs = {
        "terms": terms,
        "user": request.user,
        "contact": contact,
        "show_notes": notes_visible(request.user, contact),
        "initial": ContactForm.initial_from(contact),
    }
    victims = victims_initial(contact)
    if request.method == "POST":
        form = ContactForm(request.POST, **form_kwargs)
        formset = VictimFormSet(request.POST, prefix=VICTIMS_PREFIX, initial=victims, terms=terms)
        if _validate(form, formset):
            open_case = form.cleaned_data["open_case"]
            try:
                contact = contact_update(
                    contact=contact,
                    data=form.contact_data(formset.victim_data()),
                    case=form.cleaned_data["case"],
                    open_case=open_case,
                    updated_by=request.user,
                    confirmed=_confirmed(request),
                    caller_identifier=form.cleaned_data["caller_identifier"],
                )
            except WarningsNotConfirmed as warning:
                return _render(request, form, formset, contact, warnings=warning.messages)
            except ValidationError as error:
                service_errors_apply(error, form, formset)
            else:
                _saved(request, _saved_message(contact, open_case))
                return redirect("contacts:detail", reference=contact.reference)
    else:
        audit_viewed(request, contact)
        form = ContactForm(**form_kwargs)
        formset = VictimFormSet(prefix=VICTIMS_PREFIX, initial=victims, terms=terms)
    return _render(request, form, formset, contact)
