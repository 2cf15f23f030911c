"""Who may see what inside a page, beyond `viewable_by` (which decides the page itself)."""

import logging

from staffing.models import site_of

audit_log = logging.getLogger("meldpunt.audit")


def notes_visible(user, obj) -> bool:
    """Free-text notes (and case summaries) are for the team of the record's own site only,
    even for coordinators who may see every site."""
    site = site_of(user)
    return site is not None and site.pk == obj.site_id


def audit_viewed(request, obj) -> None:
    # Until the audit log has its own table, views of a record's details go to this logger.
    audit_log.info("%s %s viewed by user %s", obj._meta.model_name, obj, request.user.pk)
