"""Who may see what inside a page, beyond `viewable_by` (which decides the page itself)."""

from meldpunt.audit import Action, audit_record
from staffing.models import site_of


def notes_visible(user, obj) -> bool:
    """Free-text notes (and case summaries) are for the team of the record's own site only,
    even for coordinators who may see every site."""
    site = site_of(user)
    return site is not None and site.pk == obj.site_id


def audit_viewed(request, obj) -> None:
    """Every view of a contact's or case's details goes to the audit trail."""
    audit_record(action=Action.VIEW, request=request, obj=obj)
