from django.shortcuts import get_object_or_404, render

from meldpunt.roles import STAFF_ROLES, role_required

from ..models import Case
from ..selectors import case_contacts, case_open_follow_ups
from .access import audit_viewed, notes_visible


@role_required(*STAFF_ROLES)
def case_detail(request, reference):
    """A case: its contacts in the order they happened, and what is still to be done."""
    case = get_object_or_404(
        Case.objects.viewable_by(request.user).select_related("site", "opened_by"),
        reference=reference,
    )
    audit_viewed(request, case)
    return render(
        request,
        "contacts/case_detail.html",
        {
            "case": case,
            "contacts": case_contacts(case),
            "open_follow_ups": case_open_follow_ups(case),
            "show_summary": notes_visible(request.user, case),
        },
    )
