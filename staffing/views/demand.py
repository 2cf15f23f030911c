"""The staffing demand of a day: forecast arrivals, required and planned people, expected
service level; and writing a month's demand into the shifts' required headcount."""

from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from meldpunt.channels import Channel
from meldpunt.permissions import Action, can, permission_required
from staffing.models import Site, SiteShare
from staffing.services.demand import (
    demand_apply,
    demand_compute,
    expected_service_level,
    planned_line,
    planned_site,
    site_required,
    site_shares,
    site_shares_set,
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
                # A percentage with one decimal (the template adds the % sign).
                "service_level": None
                if channel == Channel.EMAIL or not total
                else round(100 * weighted / total, 1),
                "method": METHOD_LABELS.get(channel_demand.method, channel_demand.method),
                "scores": [
                    (METHOD_LABELS.get(name, name), score)
                    for name, score in channel_demand.scores.items()
                ],
                "handling_minutes": round(channel_demand.handling_seconds / 60, 1),
            }
        )
    next_month = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
    may_edit_shares = can(request.user, Action.OPENING_HOURS_EDIT)
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
            "may_edit_shares": may_edit_shares,
            "channels": [Channel(c).label for c in Channel.values],
            "shares": _shares_table(Site.objects.all()) if may_edit_shares else [],
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


def _shares_table(sites) -> list[dict]:
    current = {(share.site_id, share.channel): share.share for share in SiteShare.objects.all()}
    fallback = {channel: site_shares(channel) for channel in Channel.values}
    return [
        {
            "site": site,
            "cells": [
                {
                    "channel": channel,
                    "name": f"share-{site.pk}-{channel}",
                    "value": Decimal(
                        current.get((site.pk, channel), fallback[channel].get(site.pk, 0))
                    ).quantize(Decimal("0.001")),
                }
                for channel in Channel.values
            ],
        }
        for site in sites
    ]


@require_POST
@permission_required(Action.OPENING_HOURS_EDIT)
def demand_shares(request):
    """Each site's share of the line per channel: a line-wide decision, like opening hours."""
    shares = {}
    for site in Site.objects.all():
        for channel in Channel.values:
            raw = request.POST.get(f"share-{site.pk}-{channel}", "").replace(",", ".").strip()
            try:
                value = Decimal(raw)
            except InvalidOperation:
                value = None
            if value is None or not value.is_finite() or not 0 <= value <= 1:
                messages.error(request, _("Give every share as a number from 0 to 1."))
                return redirect("staffing:demand")
            shares[site.pk, channel] = value.quantize(Decimal("0.001"))
    try:
        site_shares_set(shares=shares)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Site shares saved."))
    return redirect("staffing:demand")


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
