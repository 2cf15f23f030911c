"""Contacts before, during and after a campaign, compared per day.

Three windows of the campaign's length in local dates: the same number of days immediately
before, the campaign itself, and the same number immediately after. Windows are capped at
today (a running campaign, or an "after" still under way, has fewer days so far), so every
figure is also given per day. Only the campaign's channels count. Read from the raw
contacts, one grouped query per window, because the awareness source is not a dimension
of the aggregates.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count
from django.utils import timezone

from contacts.models import AwarenessSource, CallerAgeGroup, Campaign, Contact
from staffing.models import Site
from staffing.services.time import day_start, local_date

NOT_RECORDED = ""


@dataclass(frozen=True)
class Window:
    key: str  # "before", "during", "after"
    first: date
    last: date  # inclusive; before `first` when nothing of the window has happened yet

    @property
    def days(self) -> int:
        return max((self.last - self.first).days + 1, 0)


def campaign_windows(campaign: Campaign, today: date) -> list[Window]:
    """before / during / after, each as long as the campaign, capped at today."""
    length = timedelta(days=(campaign.end_date - campaign.start_date).days + 1)
    before = Window("before", campaign.start_date - length, campaign.start_date - timedelta(1))
    during = Window("during", campaign.start_date, campaign.end_date)
    after = Window("after", campaign.end_date + timedelta(1), campaign.end_date + length)
    return [Window(w.key, w.first, min(w.last, today)) for w in (before, during, after)]


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _percent(part: int, whole: int) -> float | None:
    return 100 * part / whole if whole else None


def campaign_comparison(
    campaign: Campaign, site: Site | None = None, *, today: date | None = None
) -> dict:
    """Per window: days, contacts (total and per day), minors' share (%), the target age
    group's share (%, when the campaign has one) and the "heard of us through" distribution, the
    not-recorded value included under the key ""."""
    today = today or local_date(timezone.now())
    channels = campaign.channel_codes
    minor_codes = set(CallerAgeGroup.objects.filter(is_minor=True).values_list("code", flat=True))
    sources = [(s.code, str(s)) for s in AwarenessSource.objects.all()]
    target = campaign.target_age_group_id

    windows = []
    for window in campaign_windows(campaign, today):
        counts: dict[tuple[str, str], int] = {}
        if window.days:
            contacts = Contact.objects.filter(
                channel__in=channels,
                started_at__gte=day_start(window.first),
                started_at__lt=day_start(window.last + timedelta(days=1)),
            )
            if site is not None:
                contacts = contacts.filter(site=site)
            for source, age_group, n in (
                contacts.order_by()
                .values_list("awareness_source_id", "caller_age_group_id")
                .annotate(n=Count("id"))
            ):
                key = (source or NOT_RECORDED, age_group or NOT_RECORDED)
                counts[key] = counts.get(key, 0) + n
        total = sum(counts.values())
        minors = sum(n for (_s, age), n in counts.items() if age in minor_codes)
        targeted = sum(n for (_s, age), n in counts.items() if target and age == target)
        by_source: dict[str, int] = {code: 0 for code, _label in sources}
        by_source[NOT_RECORDED] = 0
        for (source, _age), n in counts.items():
            by_source[source] = by_source.get(source, 0) + n
        windows.append(
            {
                "key": window.key,
                "first": window.first,
                "last": window.last,
                "days": window.days,
                "contacts": total,
                "contacts_per_day": _ratio(total, window.days),
                "minors": minors,
                "minors_percent": _percent(minors, total),
                "target": targeted if target else None,
                "target_percent": _percent(targeted, total) if target else None,
                "awareness": by_source,
                "awareness_per_day": {
                    code: _ratio(n, window.days) for code, n in by_source.items()
                },
                "awareness_percent": {code: _percent(n, total) for code, n in by_source.items()},
            }
        )
    labels = dict(sources)
    extra = [code for w in windows for code in w["awareness"] if code and code not in labels]
    return {
        "campaign": campaign,
        "site": site,
        "channels": channels,
        "windows": windows,
        "awareness_sources": [*sources, *((code, code) for code in dict.fromkeys(extra))],
    }
