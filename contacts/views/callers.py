"""Repeat callers: the lookup while the responder types the number, and the profile page."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from meldpunt.audit import Action as AuditAction
from meldpunt.audit import audit_record
from meldpunt.permissions import Action, permission_required

from ..forms.callers import CallerProfileFlagForm, CallerProfileNoteForm
from ..models import CallerProfile, Contact
from ..services.callers import (
    caller_history,
    caller_history_of,
    caller_profile_flag_add,
    caller_profile_note_update,
    profile_note_visible,
)


@require_POST
@permission_required(Action.CONTACT_REGISTER)
@sensitive_post_parameters("caller_identifier")
def caller_lookup(request):
    """htmx: "3 earlier contacts, 1 case (last 12 Nov)" for the number typed so far.
    A POST, so the number never shows in an address or an access log."""
    identifier = request.POST.get("caller_identifier", "")[:200]
    history = caller_history(request.user, identifier)
    return render(
        request,
        "contacts/_caller_history.html",
        {"history": history, "looked_up": bool(identifier.strip())},
    )


def _profile(request, pk) -> CallerProfile:
    profile = (
        CallerProfile.objects.viewable_by(request.user).select_related("site").filter(pk=pk).first()
    )
    if profile is None:
        raise Http404
    return profile


def _profile_page(request, profile, note_form=None, flag_form=None, status=200):
    team = profile_note_visible(request.user, profile)
    history = caller_history_of(request.user, profile)
    contacts = (
        Contact.objects.viewable_by(request.user)
        .filter(caller_profile=profile)
        .select_related("case", "theme", "contact_type", "site")
        .order_by("-started_at", "-id")[:200]
    )
    return render(
        request,
        "contacts/caller_profile.html",
        {
            "profile": profile,
            "history": history,
            "contacts": contacts,
            "flags": profile.flags.select_related("created_by"),
            "team": team,
            "note_form": note_form
            or (CallerProfileNoteForm(initial={"note": profile.note}) if team else None),
            "flag_form": flag_form or CallerProfileFlagForm(),
            "today": timezone.localdate(),
            "looked_up": False,
        },
        status=status,
    )


@permission_required(Action.CALLER_PROFILE_VIEW)
def caller_profile(request, pk):
    profile = _profile(request, pk)
    audit_record(action=AuditAction.VIEW, request=request, obj=profile)
    return _profile_page(request, profile)


@require_POST
@permission_required(Action.CALLER_PROFILE_EDIT)
@sensitive_post_parameters("note")
def caller_profile_note(request, pk):
    """The profile note: for the profile's site team only."""
    profile = _profile(request, pk)
    if not profile_note_visible(request.user, profile):
        raise PermissionDenied
    form = CallerProfileNoteForm(request.POST)
    if form.is_valid():
        try:
            caller_profile_note_update(
                profile=profile, note=form.cleaned_data["note"], user=request.user
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Profile note saved."))
            return redirect("contacts:caller_profile", pk=profile.pk)
    return _profile_page(request, profile, note_form=form, status=400)


@require_POST
@permission_required(Action.CALLER_PROFILE_EDIT)
def caller_profile_flag(request, pk):
    profile = _profile(request, pk)
    form = CallerProfileFlagForm(request.POST)
    if form.is_valid():
        try:
            caller_profile_flag_add(profile=profile, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Flag added."))
            return redirect("contacts:caller_profile", pk=profile.pk)
    return _profile_page(request, profile, flag_form=form, status=400)
