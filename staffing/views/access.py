"""Who may see and plan which site's roster."""

from datetime import date

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from meldpunt.validation import date_in_range
from staffing.models import Site, site_of


def chosen_site(request, queryset) -> Site:
    """The site from ?site= (or the POSTed one) among `queryset`, else the user's own site,
    else the first one; 403 when the user may see none."""
    wanted = request.POST.get("site") or request.GET.get("site")
    if wanted:
        try:
            return queryset.get(pk=int(wanted))
        except (ValueError, Site.DoesNotExist):
            raise PermissionDenied from None
    own = site_of(request.user)
    if own and queryset.filter(pk=own.pk).exists():
        return own
    site = queryset.first()
    if site is None:
        raise PermissionDenied
    return site


def chosen_day(request) -> date:
    raw = request.GET.get("week") or request.POST.get("week")
    if not raw:
        return timezone.localdate()
    return date_in_range(raw)  # far weeks overflowed the date arithmetic


def may_plan(user, site: Site) -> bool:
    return Site.objects.plannable_by(user).filter(pk=site.pk).exists()


def posted_id(request, name: str) -> int:
    """An id from the POST data; 404 when missing or not a number."""
    try:
        return int(request.POST.get(name, ""))
    except ValueError:
        raise Http404 from None
