"""Evaluation pages: a trial opening slot, campaigns, and the year's staffing figures.
Counts only: nothing here reads a note.

Site coordinators see their own site's figures whatever `?site=` says; coordinators and
administrators choose a site or the whole line (as on the annual report page).
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from contacts.models import Campaign
from meldpunt.permissions import Action, permission_required
from meldpunt.roles import sees_all_sites
from staffing.models import Site, site_of
from staffing.services.time import local_date

from .services.campaigns import campaign_comparison
from .services.staffing_figures import staffing_figures
from .services.trial import evaluated_slots, trial_evaluation

FIRST_YEAR = 2012  # the line opened in March 2012


def _current_year() -> int:
    return local_date(timezone.now()).year


def _chosen_site(request) -> Site | None:
    """The site whose figures the user asked for and may see; None for the whole line."""
    if sees_all_sites(request.user):
        code = request.GET.get("site", "")
        return get_object_or_404(Site, code=code) if code else None
    own = site_of(request.user)
    if own is None:  # a site role without a site sees nothing rather than everything
        raise PermissionDenied
    return own


def _site_choices(request):
    return Site.objects.all() if sees_all_sites(request.user) else None


@require_GET
@permission_required(Action.REPORT_VIEW)
def trial_list(request):
    return render(
        request,
        "reports/evaluations/trial_list.html",
        {"slots": evaluated_slots().order_by("-valid_from", "channel", "start_time", "id")},
    )


@require_GET
@permission_required(Action.REPORT_VIEW)
def trial_detail(request, pk: int):
    slot = get_object_or_404(evaluated_slots(), pk=pk)
    site = _chosen_site(request)
    return render(
        request,
        "reports/evaluations/trial_detail.html",
        {
            "evaluation": trial_evaluation(slot, site),
            "slot": slot,
            "site": site,
            "sites": _site_choices(request),
        },
    )


@require_GET
@permission_required(Action.REPORT_VIEW)
def campaign_list(request):
    return render(
        request,
        "reports/evaluations/campaign_list.html",
        {"campaigns": Campaign.objects.select_related("target_age_group")},
    )


@require_GET
@permission_required(Action.REPORT_VIEW)
def campaign_detail(request, pk: int):
    campaign = get_object_or_404(Campaign.objects.select_related("target_age_group"), pk=pk)
    site = _chosen_site(request)
    comparison = campaign_comparison(campaign, site)
    windows = comparison["windows"]
    awareness_rows = [
        (label, [(w["awareness"][code], w["awareness_percent"][code]) for w in windows])
        for code, label in [*comparison["awareness_sources"], ("", None)]
    ]
    return render(
        request,
        "reports/evaluations/campaign_detail.html",
        {
            "campaign": campaign,
            "comparison": comparison,
            "windows": windows,
            "awareness_rows": awareness_rows,
            "site": site,
            "sites": _site_choices(request),
        },
    )


@require_GET
@permission_required(Action.REPORT_VIEW)
def staffing_index(request):
    return redirect("evaluations:staffing", year=_current_year())


@require_GET
@permission_required(Action.REPORT_VIEW)
def staffing(request, year: int):
    if not FIRST_YEAR <= year <= _current_year():
        raise Http404
    site = _chosen_site(request)
    return render(
        request,
        "reports/evaluations/staffing.html",
        {
            "year": year,
            "years": range(_current_year(), FIRST_YEAR - 1, -1),
            "figures": staffing_figures(year, site),
            "site": site,
            "sites": _site_choices(request),
        },
    )
