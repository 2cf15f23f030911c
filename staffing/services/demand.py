"""Staffing demand in the app: arrivals from a provider (contacts implements it, named in
settings.DEMAND_ARRIVALS_PROVIDER, so staffing never imports contacts), the forecast and
Erlang C of staffing/demand, the line's need spread over the sites by their shares, and the
shifts' required headcount written from it."""

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Protocol

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from meldpunt.channels import Channel
from staffing.demand.erlang import (
    QueueTarget,
    agents_needed,
    chat_agents_needed,
    email_hours_per_day,
    headcount,
    service_level,
)
from staffing.demand.forecast import forecast, forecast_choose
from staffing.models import Assignment, Shift, Site, SiteShare, StaffMember

from .opening_hours import OpeningSchedule
from .shifts import shifts_generate
from .time import at_local, dates_between, day_start, local

SLOT_SECONDS = 1800
CHANNELS = (Channel.PHONE, Channel.CHAT, Channel.EMAIL)
OFFICE_SLOTS = range(18, 34)  # e-mail is answered 09:00–17:00 on working days
EMAIL_SHIFTS = ((time(9), time(13)), (time(13), time(17)))
FALLBACK_TALK_SECONDS = {Channel.PHONE: 420, Channel.CHAT: 1200}


class ArrivalsProvider(Protocol):
    def arrivals(self, channel: str, start: datetime, end: datetime) -> list[datetime]: ...

    def talk_seconds(self, channel: str, start: datetime, end: datetime) -> float | None: ...


class NoArrivals:
    """A line without an arrivals source: no demand."""

    def arrivals(self, channel, start, end):
        return []

    def talk_seconds(self, channel, start, end):
        return None


def arrivals_provider() -> ArrivalsProvider:
    path = settings.DEMAND_ARRIVALS_PROVIDER
    return import_string(path)() if path else NoArrivals()


def slot_of(instant: datetime) -> tuple[date, int]:
    moment = local(instant)
    return moment.date(), moment.hour * 2 + moment.minute // 30


def slot_start(day: date, slot: int) -> datetime:
    return at_local(day, time(slot // 2, 30 * (slot % 2)))


def open_slots(schedule: OpeningSchedule, channel: str, day: date) -> list[int]:
    """Half-hours whose start lies in an open interval; e-mail arrives at any time."""
    if channel == Channel.EMAIL:
        return list(range(48))
    slots = []
    for start, end in schedule.intervals_on(channel, day):
        moment = local(start)
        index = moment.hour * 2 + (moment.minute + 29) // 30
        while index < 48 and slot_start(day, index) < end:
            slots.append(index)
            index += 1
    return slots


def history_load(provider, schedule, channel: str, first_day: date, last_day: date) -> dict:
    """{(day, slot): arrivals} over the open half-hours of the days (zeros included)."""
    history = {}
    for day in dates_between(first_day, last_day):
        for slot in open_slots(schedule, channel, day):
            history[day, slot] = 0
    start, end = day_start(first_day), day_start(last_day + timedelta(days=1))
    for instant in provider.arrivals(channel, start, end):
        key = slot_of(instant)
        if key in history:
            history[key] += 1
    return history


@dataclass
class ChannelDemand:
    method: str
    scores: dict
    handling_seconds: float
    arrivals: dict = field(default_factory=dict)  # (day, slot) → forecast arrivals
    required: dict = field(default_factory=dict)  # (day, slot) → people for the line


def queue_target() -> QueueTarget:
    return QueueTarget(
        service_level=settings.DEMAND_SERVICE_LEVEL,
        answer_seconds=settings.DEMAND_ANSWER_SECONDS,
        max_occupancy=settings.DEMAND_MAX_OCCUPANCY,
        shrinkage=settings.DEMAND_SHRINKAGE,
    )


def _working_day(schedule: OpeningSchedule, day: date) -> bool:
    return day.weekday() < 5 and not schedule.is_holiday(day)


def demand_compute(
    first_day: date, last_day: date, *, today: date, provider=None, schedule=None
) -> dict[str, ChannelDemand]:
    """The line's forecast arrivals and required people per channel and half-hour."""
    provider = provider or arrivals_provider()
    schedule = schedule or OpeningSchedule.load()
    weeks = settings.DEMAND_HISTORY_WEEKS
    history_end = min(first_day, today) - timedelta(days=1)
    # Four more weeks than the forecast uses, for the backtest's folds.
    history_start = history_end - timedelta(weeks=weeks + 4) + timedelta(days=1)
    target = queue_target()
    days = list(dates_between(first_day, last_day))
    result = {}
    for channel in CHANNELS:
        history = history_load(provider, schedule, channel, history_start, history_end)
        method, scores = forecast_choose(history, weeks=weeks)
        arrivals = forecast(
            history, days, lambda d, c=channel: open_slots(schedule, c, d), method=method,
            weeks=weeks,
        )  # fmt: skip
        talk = provider.talk_seconds(
            channel, day_start(history_start), day_start(history_end + timedelta(days=1))
        )
        if channel == Channel.EMAIL:
            handling = settings.DEMAND_EMAIL_MINUTES * 60
        else:
            handling = (talk or FALLBACK_TALK_SECONDS[channel]) + settings.DEMAND_WRAPUP_SECONDS
        demand = ChannelDemand(method, scores, handling, arrivals)
        if channel == Channel.EMAIL:
            _email_required(demand, schedule, days, target)
        else:
            for key, expected in arrivals.items():
                if channel == Channel.PHONE:
                    agents = agents_needed(expected, SLOT_SECONDS, handling, target)
                else:
                    agents = chat_agents_needed(
                        expected, SLOT_SECONDS, handling, settings.DEMAND_CHAT_CONCURRENCY, target
                    )
                demand.required[key] = headcount(agents, target.shrinkage)
        result[channel] = demand
    return result


def _email_required(demand: ChannelDemand, schedule, days, target: QueueTarget) -> None:
    """Each day's mail (and that of the closed days before it) answered within the office
    hours of the next working day: workload hours spread evenly over its office half-hours."""
    backlog = 0.0
    for day in days:
        backlog += email_hours_per_day(
            sum(v for (d, _s), v in demand.arrivals.items() if d == day),
            demand.handling_seconds / 60,
        )
        if not _working_day(schedule, day) or backlog <= 0:
            continue
        people = math.ceil(backlog / (len(OFFICE_SLOTS) / 2) / (1 - target.shrinkage))
        for slot in OFFICE_SLOTS:
            demand.required[day, slot] = people
        backlog = 0.0


def site_shares(channel: str) -> dict[int, Decimal]:
    """Each site's share of a channel: as entered, else equal over the sites with someone
    who serves the channel."""
    shares = dict(SiteShare.objects.filter(channel=channel).values_list("site_id", "share"))
    if shares:
        return shares
    sites = {
        member.site_id
        for member in StaffMember.objects.filter(user__is_active=True).only("site_id", "channels")
        if channel in (member.channels or [])
    }
    return {site: Decimal(1) / len(sites) for site in sites} if sites else {}


def apportion(total: int, shares: dict[int, Decimal]) -> dict[int, int]:
    """Whole people per site adding up to `total` (largest remainders)."""
    weight = sum(shares.values())
    if not total or not weight:
        return dict.fromkeys(shares, 0)
    exact = {site: total * float(share / weight) for site, share in shares.items()}
    result = {site: math.floor(value) for site, value in exact.items()}
    left = total - sum(result.values())
    for site in sorted(exact, key=lambda s: (result[s] - exact[s], s))[:left]:
        result[site] += 1
    return result


def site_required(demand: dict[str, ChannelDemand], site: Site) -> dict:
    """{(channel, day, slot): people} for one site."""
    result = {}
    for channel, channel_demand in demand.items():
        shares = site_shares(channel)
        if site.pk not in shares:
            continue
        for key, people in channel_demand.required.items():
            result[(channel, *key)] = apportion(people, shares)[site.pk]
    return result


def _shift_need(shift: Shift, needs: dict) -> int:
    need, cursor = 0, shift.starts_at
    while cursor < shift.ends_at:
        day, slot = slot_of(cursor)
        need = max(need, needs.get((shift.channel, day, slot), 0))
        cursor += timedelta(seconds=SLOT_SECONDS)
    return need


@transaction.atomic
def demand_apply(
    *, site: Site, first_day: date, last_day: date, demand: dict[str, ChannelDemand]
) -> dict:
    """Write the site's share of the demand into its shifts of the period: shifts are
    generated on the days a channel has demand (phone and chat from the opening hours,
    e-mail in two office half-days), and every shift's required headcount is the most
    people any of its half-hours needs (at least one, a shift never asks for nobody)."""
    needs = site_required(demand, site)
    demand_days = defaultdict(set)
    for (channel, day, _slot), people in needs.items():
        if people > 0:
            demand_days[channel].add(day)
    schedule = OpeningSchedule.load()
    created = 0
    for channel in (Channel.PHONE, Channel.CHAT):
        for day in sorted(demand_days[channel]):
            created += len(
                shifts_generate(
                    site=site, start_date=day, end_date=day, channels=[channel], schedule=schedule
                )
            )
    mails = [
        Shift(
            site=site,
            channel=Channel.EMAIL,
            starts_at=at_local(day, start),
            ends_at=at_local(day, end),
            required_headcount=1,
        )
        for day in sorted(demand_days[Channel.EMAIL])
        for start, end in EMAIL_SHIFTS
    ]
    existing = set(
        Shift.objects.filter(site=site, channel=Channel.EMAIL)
        .filter(starts_at__in=[m.starts_at for m in mails])
        .values_list("starts_at", "ends_at")
    )
    mails = [m for m in mails if (m.starts_at, m.ends_at) not in existing]
    Shift.objects.bulk_create(mails, ignore_conflicts=True)
    created += len(mails)
    shifts = list(
        Shift.objects.filter(
            site=site,
            starts_at__gte=day_start(first_day),
            starts_at__lt=day_start(last_day + timedelta(days=1)),
        )
    )
    changed = []
    for shift in shifts:
        need = max(1, _shift_need(shift, needs))
        if shift.required_headcount != need:
            shift.required_headcount = need
            changed.append(shift)
    Shift.objects.bulk_update(changed, ["required_headcount"])
    return {"created": created, "updated": len(changed), "shifts": len(shifts)}


def planned_line(day: date) -> dict:
    """{(channel, slot): people on duty at the line} on a local day, from the assignments."""
    start, end = day_start(day), day_start(day + timedelta(days=1))
    planned = defaultdict(int)
    for channel, starts_at, ends_at in Assignment.objects.filter(
        Q(starts_at__lt=end) & Q(ends_at__gt=start)
    ).values_list("shift__channel", "starts_at", "ends_at"):
        for slot in range(48):
            moment = slot_start(day, slot)
            if starts_at <= moment < ends_at:
                planned[channel, slot] += 1
    return planned


def planned_site(site: Site, day: date) -> dict:
    start, end = day_start(day), day_start(day + timedelta(days=1))
    planned = defaultdict(int)
    for channel, starts_at, ends_at in Assignment.objects.filter(
        shift__site=site, starts_at__lt=end, ends_at__gt=start
    ).values_list("shift__channel", "starts_at", "ends_at"):
        for slot in range(48):
            if starts_at <= slot_start(day, slot) < ends_at:
                planned[channel, slot] += 1
    return planned


def expected_service_level(channel_demand: ChannelDemand, channel: str, arrivals, people) -> float:
    """Share answered within the target with `people` rostered (after shrinkage)."""
    agents = math.floor(people * (1 - settings.DEMAND_SHRINKAGE) + 1e-9)
    aht = channel_demand.handling_seconds
    if channel == Channel.CHAT:
        aht /= settings.DEMAND_CHAT_CONCURRENCY
    return service_level(arrivals, SLOT_SECONDS, aht, agents, settings.DEMAND_ANSWER_SECONDS)


@transaction.atomic
def site_shares_set(*, shares: dict[tuple[int, str], Decimal]) -> None:
    """Replace the shares of the given channels: {(site id, channel): share}. The shares of
    each channel must add up to 1 (to within 0.005); a channel without any positive share is
    refused, so the line's need always lands somewhere."""
    by_channel = defaultdict(dict)
    for (site_id, channel), share in shares.items():
        if channel not in Channel.values or not Decimal(0) <= share <= Decimal(1):
            raise ValidationError(_("A share lies between 0 and 1."))
        by_channel[channel][site_id] = share
    for channel, channel_shares in by_channel.items():
        if abs(sum(channel_shares.values()) - 1) > Decimal("0.005"):
            raise ValidationError(
                _("The shares of %(channel)s add up to %(total)s instead of 1.")
                % {"channel": Channel(channel).label, "total": sum(channel_shares.values())}
            )
        for site_id, share in channel_shares.items():
            SiteShare.objects.update_or_create(
                site_id=site_id, channel=channel, defaults={"share": share}
            )
