from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from meldpunt.permissions import Action, permission_required

from ..forms.consultations import ConsultationItemForm
from ..models import Case, CloseReason
from ..selectors import case_contacts, case_open_follow_ups
from ..services.cases import case_close, case_reopen, case_summary_update
from ..services.consultations import consultation_item_save
from .access import audit_viewed, notes_visible


def _case_for(request, reference) -> Case:
    return get_object_or_404(
        Case.objects.viewable_by(request.user).select_related("site", "opened_by"),
        reference=reference,
    )


def _case_page(request, case, consultation_form=None, status=200, close_question=""):
    team = notes_visible(request.user, case)
    if team and consultation_form is None:
        consultation_form = ConsultationItemForm(case=case)
    return render(
        request,
        "contacts/case_detail.html",
        {
            "case": case,
            "contacts": case_contacts(case),
            "open_follow_ups": case_open_follow_ups(case),
            "show_summary": team,
            "consultation_items": case.consultation_items.select_related("consultation"),
            "consultation_form": consultation_form if team else None,
            "close_reasons": [
                (value, label)
                for value, label in CloseReason.choices
                if value != CloseReason.INACTIVE
            ],
            "close_question": close_question,
            "close_reason_chosen": request.POST.get("reason", ""),
        },
        status=status,
    )


@permission_required(Action.CASE_VIEW)
def case_detail(request, reference):
    """A case: its contacts in the order they happened, what is still to be done, and what
    the team consultations decided."""
    case = _case_for(request, reference)
    audit_viewed(request, case)
    return _case_page(request, case)


@require_POST
@permission_required(Action.CASE_CONSULTATION_ADD)
@sensitive_post_parameters("decision")
def case_consultation_add(request, reference):
    """Put the case on a team case consultation of its site, with the decision if known.
    Decisions are case content: only the site's own team records them."""
    case = _case_for(request, reference)
    if not notes_visible(request.user, case):
        raise PermissionDenied
    form = ConsultationItemForm(request.POST, case=case)
    if form.is_valid():
        try:
            consultation_item_save(case=case, user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The case is on the consultation."))
            return redirect("contacts:case_detail", reference=case.reference)
    return _case_page(request, case, consultation_form=form, status=400)


@require_POST
@permission_required(Action.CASE_MANAGE)
def case_close_view(request, reference):
    """Close the case with a reason; with open follow-ups the page asks first."""
    case = _case_for(request, reference)
    try:
        case_close(
            case=case,
            reason=request.POST.get("reason", ""),
            user=request.user,
            confirm_open_follow_ups=request.POST.get("confirm") == "1",
        )
    except ValidationError as error:
        return _case_page(request, case, status=400, close_question=" ".join(error.messages))
    messages.success(request, _("The case is closed."))
    return redirect("contacts:case_detail", reference=case.reference)


@require_POST
@permission_required(Action.CASE_MANAGE)
def case_reopen_view(request, reference):
    case = _case_for(request, reference)
    try:
        case_reopen(case=case, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The case is open again."))
    return redirect("contacts:case_detail", reference=case.reference)


@require_POST
@permission_required(Action.CASE_MANAGE)
@sensitive_post_parameters("summary")
def case_summary_view(request, reference):
    """The summary is case content: only the site's own team edits it."""
    case = _case_for(request, reference)
    if not notes_visible(request.user, case):
        raise PermissionDenied
    try:
        case_summary_update(case=case, summary=request.POST.get("summary", ""), user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Summary saved."))
    return redirect("contacts:case_detail", reference=case.reference)
