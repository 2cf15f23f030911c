"""The staffing demand of a day: forecast arrivals, required and planned people, expected
service level; and writing a month's demand into the shifts' required headcount."""

from datetime import date, timedelta

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from meldpunt.channels import Channel
from meldpunt.permissions import Action, permission_required
from staffing.models import Site
from staffing.services.demand import (
    demand_apply,
    demand_compute,
    expected_service_level,
    planned_line,
    planned_site,
    site_required,
)

from .access import chosen_site

EARLIEST, LATEST = date(2000, 1, 1), date(2100, 12, 31)
METHOD_LABELS = {
    "naive": gettext_lazy("same half-hour last week"),
    "mean": gettext_lazy("mean of the last weeks"),
    "mean_trend": gettext_lazy("mean with trend"),
    "smooth": gettext_lazy("mean, smoothed over neighbouring half-hours"),
    "pooled": gettext_lazy("mean over all weekdays, weekday level"),
}


def _day(raw: str | None) -> date:
    if not raw:
        return timezone.localdate() + timedelta(days=1)
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        raise Http404 from None
    if not EARLIEST <= day <= LATEST:
        raise Http404
    return day


def _month(raw: str) -> tuple[date, date]:
    try:
        first = date.fromisoformat(f"{raw}-01")
    except ValueError:
        raise Http404 from None
    if not EARLIEST <= first <= LATEST:
        raise Http404
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    return first, last


@require_GET
@permission_required(Action.ROSTER_PLAN)
def demand(request):
    sites = Site.objects.plannable_by(request.user)
    site = chosen_site(request, sites)
    day = _day(request.GET.get("day"))
    today = timezone.localdate()
    computed = demand_compute(day, day, today=today)
    needs = site_required(computed, site)
    line_planned, site_planned = planned_line(day), planned_site(site, day)
    charts, summary = {}, []
    for channel, channel_demand in computed.items():
        slots = sorted(
            {s for (d, s) in channel_demand.arrivals if d == day}
            | {s for (c, s) in line_planned if c == channel}
        )
        if not slots:
            continue
        arrivals = [round(channel_demand.arrivals.get((day, s), 0.0), 2) for s in slots]
        levels = [
            expected_service_level(channel_demand, channel, a, line_planned[channel, s])
            for a, s in zip(arrivals, slots, strict=True)
        ]
        total = sum(arrivals)
        charts[channel] = {
            "label": str(Channel(channel).label),
            "labels": [f"{s // 2:02d}:{30 * (s % 2):02d}" for s in slots],
            "arrivals": arrivals,
            "required_line": [channel_demand.required.get((day, s), 0) for s in slots],
            "required_site": [needs.get((channel, day, s), 0) for s in slots],
            "planned_site": [site_planned[channel, s] for s in slots],
            "planned_line": [line_planned[channel, s] for s in slots],
        }
        weighted = sum(a * lv for a, lv in zip(arrivals, levels, strict=True))
        summary.append(
            {
                "channel": channel,
                "label": Channel(channel).label,
                "arrivals": round(total, 1),
                "required_peak": max(charts[channel]["required_line"], default=0),
                "planned_peak": max(charts[channel]["planned_line"], default=0),
                "service_level": None
                if channel == Channel.EMAIL or not total
                else weighted / total,
                "method": METHOD_LABELS.get(channel_demand.method, channel_demand.method),
                "scores": [
                    (METHOD_LABELS.get(name, name), score)
                    for name, score in channel_demand.scores.items()
                ],
                "handling_minutes": round(channel_demand.handling_seconds / 60, 1),
            }
        )
    next_month = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
    return render(
        request,
        "staffing/demand.html",
        {
            "site": site,
            "sites": sites,
            "day": day,
            "previous_day": day - timedelta(days=1),
            "next_day": day + timedelta(days=1),
            "charts": charts,
            "summary": summary,
            "next_month": next_month,
            "chart_labels": {
                "arrivals": _("Forecast arrivals"),
                "required": _("Required (line)"),
                "requiredSite": _("Required (this site)"),
                "planned": _("Planned (line)"),
            },
            "target": {
                "service_level": round(settings.DEMAND_SERVICE_LEVEL * 100),
                "seconds": settings.DEMAND_ANSWER_SECONDS,
                "shrinkage": round(settings.DEMAND_SHRINKAGE * 100),
                "concurrency": settings.DEMAND_CHAT_CONCURRENCY,
                "weeks": settings.DEMAND_HISTORY_WEEKS,
            },
        },
    )


@require_POST
@permission_required(Action.ROSTER_PLAN)
def demand_to_shifts(request):
    sites = Site.objects.plannable_by(request.user)
    if not sites.exists():
        raise PermissionDenied
    site = chosen_site(request, sites)
    first, last = _month(request.POST.get("month", ""))
    computed = demand_compute(first, last, today=timezone.localdate())
    counts = demand_apply(site=site, first_day=first, last_day=last, demand=computed)
    messages.success(
        request,
        _(
            "%(site)s, %(month)s: %(created)d shifts created, the required headcount of "
            "%(updated)d of %(shifts)d shifts changed."
        )
        % {"site": site, "month": first.strftime("%m/%Y"), **counts},
    )
    return redirect(f"{reverse('staffing:demand')}?site={site.pk}&day={first.isoformat()}")
