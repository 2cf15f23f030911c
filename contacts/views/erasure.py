"""Data-subject requests for administrators: find a case, see what personal content it
holds, download it (right of access) and erase it after a confirmation (right to erasure).
The work is done by contacts/services/erasure.py."""

import json

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from meldpunt.permissions import Action, permission_required

from ..forms.erasure import CaseLookupForm, ErasureConfirmForm
from ..models import Case
from ..services.erasure import case_access_export, case_content, case_erase


def _case_for(request, reference) -> Case:
    return get_object_or_404(
        Case.objects.viewable_by(request.user).select_related("site"), reference=reference
    )


@require_GET
@permission_required(Action.CASE_ERASE)
def erasure_search(request):
    """Find a case by reference and show how much personal content it holds."""
    form = CaseLookupForm(request.GET or None)
    case = content = None
    if form.is_valid():
        reference = form.cleaned_data["reference"]
        case = Case.objects.viewable_by(request.user).filter(reference=reference).first()
        if case is None:
            form.add_error("reference", _("No case with this reference."))
        else:
            content = case_content(case)
    return render(
        request, "contacts/erasure.html", {"form": form, "case": case, "content": content}
    )


@require_GET
@permission_required(Action.CASE_ERASE)
def erasure_export(request, reference):
    """The case's content as a JSON download, for a data subject's request of access."""
    case = _case_for(request, reference)
    data = case_access_export(case=case, user=request.user, request=request)
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="dossier-{case.reference}.json"'
    response["Cache-Control"] = "no-store"
    return response


@permission_required(Action.CASE_ERASE)
def erasure_confirm(request, reference):
    """Ask to confirm (GET), then erase (POST) the case's personal content."""
    case = _case_for(request, reference)
    form = ErasureConfirmForm(request.POST or None, reference=case.reference)
    if request.method == "POST" and form.is_valid():
        try:
            result = case_erase(case=case, user=request.user, request=request)
        except Case.DoesNotExist as exc:  # erased by another administrator meanwhile
            raise Http404 from exc
        messages.success(
            request,
            _(
                "The personal content of case %(reference)s is erased: %(notes)s notes, "
                "%(relations)s victim relations, %(follow_ups)s follow-ups and "
                "%(items)s consultation items. The contacts are still counted."
            )
            % {
                "reference": result.case_reference,
                "notes": result.notes_blanked,
                "relations": result.victim_relations_removed,
                "follow_ups": result.follow_ups_deleted,
                "items": result.consultation_items_deleted,
            },
        )
        return redirect(reverse("contacts:erasure"))
    return render(
        request,
        "contacts/erasure_confirm.html",
        {"case": case, "content": case_content(case), "form": form},
        status=400 if form.is_bound else 200,
    )
