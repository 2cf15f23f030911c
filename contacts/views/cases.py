from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from meldpunt.permissions import Action, permission_required

from ..forms.consultations import ConsultationItemForm
from ..models import Case
from ..selectors import case_contacts, case_open_follow_ups
from ..services.consultations import consultation_item_save
from .access import audit_viewed, notes_visible


def _case_for(request, reference) -> Case:
    return get_object_or_404(
        Case.objects.viewable_by(request.user).select_related("site", "opened_by"),
        reference=reference,
    )


def _case_page(request, case, consultation_form=None, status=200):
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
