"""Staffing demand: Erlang C against pyworkforce, the forecast on constructed series, the
split over sites, writing shifts, and the demand page."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from pyworkforce.queuing import ErlangC

from meldpunt.channels import Channel
from staffing.demand.erlang import (
    QueueTarget,
    agents_needed,
    chat_agents_needed,
    erlang_c,
    headcount,
    service_level,
)
from staffing.demand.forecast import backtest, forecast, forecast_choose, wape
from staffing.models import Shift, SiteShare
from staffing.services.demand import apportion, demand_apply, demand_compute, slot_start
from staffing.services.time import BRUSSELS

from .factories import RosterMemberFactory


@pytest.mark.parametrize(
    ("calls", "aht_minutes", "target"),
    [(100, 3, 0.8), (30, 7, 0.8), (12, 20, 0.9), (250, 4, 0.8), (5, 8, 0.95)],
)
def test_erlang_c_matches_pyworkforce(calls, aht_minutes, target):
    reference = ErlangC(
        transactions=calls, asa=20 / 60, aht=aht_minutes, interval=30, shrinkage=0.3
    )
    expected = reference.required_positions(service_level=target, max_occupancy=0.85)
    ours = agents_needed(calls, 1800, aht_minutes * 60, QueueTarget(service_level=target))
    assert ours == expected["raw_positions"]
    assert headcount(ours, 0.3) == expected["positions"]
    for agents in (ours, ours + 1):
        assert service_level(calls, 1800, aht_minutes * 60, agents, 20) == pytest.approx(
            reference.service_level(positions=agents, scale_positions=False), rel=1e-9
        )


def test_erlang_c_reference_values():
    # Textbook: 2 Erlangs on 3 agents wait with probability 4/9.
    assert erlang_c(2.0, 3) == pytest.approx(4 / 9)
    assert erlang_c(2.0, 2) == 1.0
    assert agents_needed(0, 1800, 300, QueueTarget()) == 0


def test_chat_concurrency_halves_the_work():
    target = QueueTarget()
    single = agents_needed(40, 1800, 1200, target)
    double = chat_agents_needed(40, 1800, 1200, 2, target)
    assert double < single


def _series(weeks, level_by_week, holiday=None):
    """Mon–Fri, slots 18..21, a constant per week; a holiday week's Monday is closed."""
    history = {}
    monday = date(2026, 1, 5)
    for week in range(weeks):
        for weekday in range(5):
            day = monday + timedelta(weeks=week, days=weekday)
            if day == holiday:
                continue
            for slot in range(18, 22):
                history[day, slot] = level_by_week(week) * (2 if weekday == 0 else 1)
    return history


def test_forecast_mean_leaves_closed_days_out():
    holiday = date(2026, 1, 5) + timedelta(weeks=6)  # a Monday
    history = _series(8, lambda week: 10, holiday=holiday)
    target_day = date(2026, 1, 5) + timedelta(weeks=8)
    result = forecast(history, [target_day], lambda d: [18, 19], method="mean", weeks=8)
    # Mondays are 20 every open week; the closed one is not read as zero.
    assert result == {(target_day, 18): 20.0, (target_day, 19): 20.0}
    naive = forecast(history, [target_day], lambda d: [18], method="naive", weeks=8)
    assert naive == {(target_day, 18): 20.0}


def test_forecast_beyond_the_history_uses_the_latest_weeks():
    history = _series(8, lambda week: week)
    far = date(2026, 1, 5) + timedelta(weeks=12, days=1)  # a Tuesday, 5 weeks past the end
    result = forecast(history, [far], lambda d: [18], method="mean", weeks=2)
    assert result[far, 18] == pytest.approx((7 + 6) / 2)


def test_backtest_prefers_the_trend_on_a_growing_series():
    history = _series(16, lambda week: 10 * 1.15**week)
    method, scores = forecast_choose(history, weeks=8)
    assert scores["mean_trend"] < scores["mean"]
    assert scores[method] == min(scores.values())
    # A flat series with one closed Monday: the averaging methods beat last week's value.
    flat = _series(12, lambda week: 10 + (week % 2) * 4, holiday=date(2026, 3, 2))
    method, scores = forecast_choose(flat, weeks=8)
    assert method != "naive" and scores[method] < scores["naive"]
    assert backtest({}, method="mean") is None
    assert wape({("d", 1): 2.0}, {("d", 1): 4}) == 0.5


def test_apportion_adds_up():
    shares = {1: Decimal("0.5"), 2: Decimal("0.3"), 3: Decimal("0.2")}
    for total in range(12):
        split = apportion(total, shares)
        assert sum(split.values()) == total
        assert all(abs(split[s] - total * float(shares[s])) < 1 for s in shares)


@pytest.mark.parametrize(
    "total, expected",
    [
        (4, {1: 3, 2: 1}),  # exact
        (5, {1: 4, 2: 1}),  # 3.75 / 1.25: the larger remainder gets the extra person
        (7, {1: 5, 2: 2}),  # 5.25 / 1.75
        (6, {1: 5, 2: 1}),  # 4.5 / 1.5: a tie goes to the lower site id
    ],
)
def test_apportion_gives_the_extra_people_to_the_largest_remainders(total, expected):
    assert apportion(total, {1: Decimal("0.75"), 2: Decimal("0.25")}) == expected


class FakeArrivals:
    """Four phone calls in each open half-hour and two e-mails a day, every day."""

    def arrivals(self, channel, start, end):
        result, day = [], start
        while day < end:
            if channel == Channel.PHONE:
                local_day = day.astimezone(BRUSSELS).date()
                for slot in range(18, 34):
                    result += [slot_start(local_day, slot)] * 4
            elif channel == Channel.EMAIL:
                result += [day + timedelta(hours=10)] * 2
            day += timedelta(days=1)
        return [instant for instant in result if start <= instant < end]

    def talk_seconds(self, channel, start, end):
        return 300 if channel == Channel.PHONE else None


@pytest.fixture
def fake_arrivals():
    return FakeArrivals()


@pytest.mark.django_db
def test_demand_written_to_the_shifts_by_share(fake_arrivals, schedule, site, other_site):
    for s in (site, other_site):
        RosterMemberFactory(site=s, channels=[Channel.PHONE, Channel.EMAIL])
    SiteShare.objects.create(site=site, channel=Channel.PHONE, share=Decimal("0.75"))
    SiteShare.objects.create(site=other_site, channel=Channel.PHONE, share=Decimal("0.25"))
    first, last = date(2027, 2, 1), date(2027, 2, 7)
    computed = demand_compute(first, last, today=date(2027, 1, 20), provider=fake_arrivals)
    phone = computed[Channel.PHONE]
    # 4 calls per half-hour at 6 min: Erlang C then shrinkage.
    expected = headcount(agents_needed(4, 1800, 360, QueueTarget()), 0.3)
    assert phone.required[first, 20] == expected
    assert (date(2027, 2, 6), 20) not in phone.required  # Saturday: closed
    counts = demand_apply(site=site, first_day=first, last_day=last, demand=computed)
    assert counts["created"] > 0
    phone_shifts = Shift.objects.filter(site=site, channel=Channel.PHONE)
    assert phone_shifts.count() == 5
    share = apportion(expected, {site.pk: Decimal("0.75"), other_site.pk: Decimal("0.25")})
    assert {s.required_headcount for s in phone_shifts} == {share[site.pk]}
    assert share[site.pk] + share[other_site.pk] == expected
    mail = Shift.objects.filter(site=site, channel=Channel.EMAIL)
    assert mail.count() == 10  # two half days on each working day
    again = demand_apply(site=site, first_day=first, last_day=last, demand=computed)
    assert again["created"] == 0 and again["updated"] == 0


@pytest.mark.django_db
def test_demand_page_for_planners_only(client_for, site_coordinator, responder, site, other_site):
    client = client_for(site_coordinator)
    response = client.get(reverse("staffing:demand"), {"day": "2026-12-07"})
    assert response.status_code == 200
    assert 'id="demand-charts"' in response.content.decode()
    assert client.get(reverse("staffing:demand"), {"day": "9999-12-31"}).status_code == 404
    # A NUL byte is refused before any view (meldpunt/validation.py).
    assert client.get(reverse("staffing:demand"), {"day": "x\x00"}).status_code == 400
    assert client.get(reverse("staffing:demand"), {"site": other_site.pk}).status_code == 403
    response = client.post(reverse("staffing:demand_to_shifts"), {"month": "0001-01"})
    assert response.status_code == 404
    response = client.post(
        reverse("staffing:demand_to_shifts"), {"month": "2027-02", "site": other_site.pk}
    )
    assert response.status_code == 403
    assert client_for(responder).get(reverse("staffing:demand")).status_code == 403


@pytest.mark.django_db
def test_demand_to_shifts_post(client_for, site_coordinator, site):
    RosterMemberFactory(site=site)
    response = client_for(site_coordinator).post(
        reverse("staffing:demand_to_shifts"), {"month": "2027-02", "site": site.pk}
    )
    assert response.status_code == 302
    assert response.url.startswith(reverse("staffing:demand"))


def test_slot_start_is_local():
    assert slot_start(date(2027, 2, 1), 18) == datetime(2027, 2, 1, 8, tzinfo=UTC)


@pytest.mark.django_db
def test_line_coordinator_edits_site_shares(client_for, coordinator, site_coordinator, site):
    from staffing.models import Site

    sites = list(Site.objects.all())
    data = {}
    for channel in ("phone", "chat", "email"):
        for index, each in enumerate(sites):
            data[f"share-{each.pk}-{channel}"] = "1" if index == 0 else "0"
    client = client_for(coordinator)
    page = client.get(reverse("staffing:demand"))
    assert 'id="shares-form"' in page.content.decode()
    response = client.post(reverse("staffing:demand_shares"), data)
    assert response.status_code == 302
    assert SiteShare.objects.get(site=sites[0], channel="phone").share == 1
    bad = dict(data, **{f"share-{sites[0].pk}-chat": "0.5"})
    client.post(reverse("staffing:demand_shares"), bad)
    assert SiteShare.objects.get(site=sites[0], channel="chat").share == 1  # refused: sum 0.5
    client.post(
        reverse("staffing:demand_shares"), dict(data, **{f"share-{sites[0].pk}-chat": "NaN"})
    )
    client.post(
        reverse("staffing:demand_shares"), dict(data, **{f"share-{sites[0].pk}-chat": "\x00"})
    )
    assert SiteShare.objects.get(site=sites[0], channel="chat").share == 1
    planner = client_for(site_coordinator)
    assert 'id="shares-form"' not in planner.get(reverse("staffing:demand")).content.decode()
    assert planner.post(reverse("staffing:demand_shares"), data).status_code == 403
