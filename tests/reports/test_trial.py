"""The trial evaluation of a labelled opening-hours slot ("Proef donderdagavond": phone,
Thursday 17–19, 2019-01-01 → 2019-06-30, as seeded), and its pages."""

from datetime import date

import pytest
from django.urls import reverse

from meldpunt.channels import Channel
from reports.services.trial import evaluated_slots, trial_evaluation
from staffing.models import OpeningHours
from staffing.services.opening_hours import closure_create

from .conftest import attempt, brussels, contact

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 1)
# Thursdays of 2019-01-01 … 2019-06-30: 26, less Ascension Day (2019-05-30).
OCCURRENCES = 25
# Phone: 124 working days (weekdays less New Year, Easter Monday, 1 May, Ascension Day,
# Whit Monday) × 8 hours, plus 25 Thursday evenings × 2 hours.
PHONE_OPEN_HOURS = 124 * 8 + OCCURRENCES * 2


@pytest.fixture
def trial_slot(db) -> OpeningHours:
    return OpeningHours.objects.get(label="Proef donderdagavond")


@pytest.fixture
def trial_register(site, other_site):
    """Contacts and attempts in, at the edges of and around the Thursday-evening slot."""
    # Thursday 10 January: the start is inside, 19:00 exactly is not (half-open slot).
    contact(brussels(2019, 1, 10, 17, 0), site=site)
    contact(brussels(2019, 1, 10, 18, 59, 59), site=site)
    contact(brussels(2019, 1, 10, 18, 30), site=other_site)
    contact(brussels(2019, 1, 10, 19, 0), site=site)
    attempt(brussels(2019, 1, 10, 19, 0), answered=False)
    # Thursday 17 January: one contact, two attempts.
    contact(brussels(2019, 1, 17, 18, 30), site=site)
    attempt(brussels(2019, 1, 17, 17, 5), answered=True)
    attempt(brussels(2019, 1, 17, 18, 45), answered=False)
    # Thursday after the clocks changed (31 March): still 17–19 local.
    contact(brussels(2019, 4, 4, 17, 30), site=site)
    # Ascension Day, a Thursday: closed, no occurrence, not an open hour of the channel.
    contact(brussels(2019, 5, 30, 18, 0), site=site)
    attempt(brussels(2019, 5, 30, 18, 0), answered=False)
    # Ordinary open hours of the phone: count for the channel only.
    for minute in (0, 10, 20):
        contact(brussels(2019, 1, 14, 10, minute), site=site)
    attempt(brussels(2019, 1, 14, 11, 0), answered=True)
    # Other channel, and before and after the trial period: not counted at all.
    contact(brussels(2019, 1, 10, 17, 30), site=site, channel=Channel.CHAT)
    attempt(brussels(2019, 1, 10, 17, 30), channel=Channel.CHAT, answered=True)
    contact(brussels(2018, 12, 27, 17, 30), site=site)
    contact(brussels(2019, 7, 4, 17, 30), site=site)


def test_seeded_trial_slot_is_listed(trial_slot):
    assert trial_slot in evaluated_slots()


def test_occurrences_skip_the_holiday(trial_slot):
    evaluation = trial_evaluation(trial_slot, today=TODAY)
    days = [row["date"] for row in evaluation["occurrences"]]
    assert len(days) == OCCURRENCES
    assert days[0] == date(2019, 1, 3) and days[-1] == date(2019, 6, 27)
    assert all(day.weekday() == 3 for day in days)
    assert date(2019, 5, 30) not in days
    assert [c["date"] for c in evaluation["closed_days"]] == [date(2019, 5, 30)]
    assert evaluation["slot_hours"] == OCCURRENCES * 2
    assert evaluation["channel_hours"] == PHONE_OPEN_HOURS


@pytest.mark.usefixtures("trial_register")
def test_counts_per_occurrence_and_averages(trial_slot, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):  # slots, closures, contacts, attempts
        evaluation = trial_evaluation(trial_slot, today=TODAY)
    rows = {row["date"]: row for row in evaluation["occurrences"]}
    assert rows[date(2019, 1, 10)] == {
        "date": date(2019, 1, 10),
        "hours": 2.0,
        "contacts": 3,
        "attempts": 0,
        "answered": 0,
        "unanswered": 0,
    }
    assert (rows[date(2019, 1, 17)]["contacts"], rows[date(2019, 1, 17)]["attempts"]) == (1, 2)
    assert (rows[date(2019, 1, 17)]["answered"], rows[date(2019, 1, 17)]["unanswered"]) == (1, 1)
    assert rows[date(2019, 4, 4)]["contacts"] == 1
    assert sum(row["contacts"] for row in rows.values()) == 5

    assert evaluation["slot_totals"] == {
        "contacts": 5,
        "attempts": 2,
        "answered": 1,
        "unanswered": 1,
    }
    assert evaluation["slot_per_hour"]["contacts"] == pytest.approx(5 / 50)
    assert evaluation["slot_per_hour"]["attempts"] == pytest.approx(2 / 50)
    # The channel: the slot's five plus three on a Monday morning; 19:00 and the holiday
    # are outside every open hour.
    assert evaluation["channel_totals"] == {
        "contacts": 8,
        "attempts": 3,
        "answered": 2,
        "unanswered": 1,
    }
    assert evaluation["channel_per_hour"]["contacts"] == pytest.approx(8 / PHONE_OPEN_HOURS)
    assert evaluation["channel_per_hour"]["attempts"] == pytest.approx(3 / PHONE_OPEN_HOURS)


@pytest.mark.usefixtures("trial_register")
def test_site_restricts_contacts_not_attempts(trial_slot, site):
    evaluation = trial_evaluation(trial_slot, site, today=TODAY)
    assert evaluation["slot_totals"]["contacts"] == 4
    assert evaluation["slot_totals"]["attempts"] == 2
    assert evaluation["channel_totals"]["contacts"] == 7


@pytest.mark.usefixtures("trial_register")
def test_closure_shortens_an_occurrence(trial_slot):
    closure_create(
        reason="Storing", starts_at=brussels(2019, 1, 10, 18, 0), ends_at=brussels(2019, 1, 10, 20)
    )
    closure_create(reason="Teamdag", channel=Channel.PHONE, first_day=date(2019, 1, 17))
    evaluation = trial_evaluation(trial_slot, today=TODAY)
    rows = {row["date"]: row for row in evaluation["occurrences"]}
    assert rows[date(2019, 1, 10)]["hours"] == 1.0
    assert rows[date(2019, 1, 10)]["contacts"] == 1  # 17:00 only
    assert date(2019, 1, 17) not in rows
    assert date(2019, 1, 17) in [c["date"] for c in evaluation["closed_days"]]
    assert evaluation["slot_hours"] == (OCCURRENCES - 1) * 2 - 1


def test_period_is_capped_at_today(trial_slot):
    evaluation = trial_evaluation(trial_slot, today=date(2019, 1, 15))
    assert [row["date"] for row in evaluation["occurrences"]] == [
        date(2019, 1, 3),
        date(2019, 1, 10),
    ]
    future = trial_evaluation(trial_slot, today=date(2018, 6, 1))
    assert future["occurrences"] == [] and future["slot_per_hour"]["contacts"] is None


def test_unlabelled_slot_has_no_page(client_for, coordinator):
    plain = OpeningHours.objects.filter(label="", is_trial=False).first()
    response = client_for(coordinator).get(reverse("evaluations:trial_detail", args=[plain.pk]))
    assert response.status_code == 404


@pytest.mark.usefixtures("trial_register")
def test_pages_for_a_coordinator(client_for, coordinator, trial_slot):
    client = client_for(coordinator)
    listing = client.get(reverse("evaluations:trial"))
    assert listing.status_code == 200
    assert "Proef donderdagavond" in listing.content.decode()
    detail = client.get(reverse("evaluations:trial_detail", args=[trial_slot.pk]))
    assert detail.status_code == 200
    assert len(detail.context["evaluation"]["occurrences"]) == OCCURRENCES
    assert detail.context["site"] is None
    body = detail.content.decode()
    assert "Per hour in the slot" in body and "vs per open hour of the channel" in body


@pytest.mark.usefixtures("trial_register")
def test_site_coordinator_sees_own_site_only(client_for, site_coordinator, site, trial_slot):
    url = reverse("evaluations:trial_detail", args=[trial_slot.pk])
    response = client_for(site_coordinator).get(url, {"site": "gent"})
    assert response.status_code == 200
    assert response.context["site"] == site
    assert response.context["evaluation"]["slot_totals"]["contacts"] == 4


@pytest.mark.parametrize("user", ["responder", "outsider"])
def test_responders_and_outsiders_are_refused(request, client_for, user, trial_slot):
    client = client_for(request.getfixturevalue(user))
    for url in (
        reverse("evaluations:trial"),
        reverse("evaluations:trial_detail", args=[trial_slot.pk]),
    ):
        assert client.get(url).status_code == 403
