"""Campaigns: the model's checks, the before/during/after comparison, and its pages."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from contacts.models import Campaign
from meldpunt.channels import Channel
from reports.services.campaigns import campaign_comparison, campaign_windows

from .conftest import brussels, contact, utc

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 1)


@pytest.fixture
def campaign(db) -> Campaign:
    """Ten days in March 2019, aimed at 12–17-year-olds, on phone and chat."""
    return Campaign.objects.create(
        name="Praat erover",
        start_date=date(2019, 3, 1),
        end_date=date(2019, 3, 10),
        target_age_group_id="age_12_17",
        channels=[Channel.PHONE, Channel.CHAT],
    )


@pytest.fixture
def campaign_register(site, other_site):
    # Before (19–28 February): two, one minor; one e-mail that does not count.
    contact(brussels(2019, 2, 19, 0, 0), site=site, caller_age_group_id="under_12")
    contact(brussels(2019, 2, 25, 10), site=site, awareness_source_id="internet")
    contact(brussels(2019, 2, 26, 10), site=site, channel=Channel.EMAIL)
    # 2019-02-28T23:30Z is 1 March local: during.
    contact(
        utc(2019, 2, 28, 23, 30),
        site=site,
        caller_age_group_id="age_12_17",
        awareness_source_id="campaign",
    )
    contact(
        brussels(2019, 3, 5, 10),
        site=site,
        caller_age_group_id="age_12_17",
        awareness_source_id="campaign",
        channel=Channel.CHAT,
    )
    contact(
        brussels(2019, 3, 6, 10),
        site=site,
        caller_age_group_id="under_12",
        awareness_source_id="school",
    )
    contact(brussels(2019, 3, 7, 10), site=other_site, caller_age_group_id=None)
    contact(brussels(2019, 3, 10, 23, 59), site=site, awareness_source_id="campaign")
    # After (11–20 March): one; the 21st is outside every window.
    contact(brussels(2019, 3, 11, 0, 0), site=site, awareness_source_id="campaign")
    contact(brussels(2019, 3, 21, 0, 0), site=site)
    # Before the before-window.
    contact(brussels(2019, 2, 18, 23, 59), site=site)


def test_end_before_start_is_refused_by_the_database(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        Campaign.objects.create(name="x", start_date=date(2019, 3, 2), end_date=date(2019, 3, 1))


@pytest.mark.parametrize("channels", [["fax"], "phone", [Channel.PHONE, Channel.PHONE]])
def test_channels_must_be_a_list_of_codes(db, channels):
    campaign = Campaign(
        name="x", start_date=date(2019, 3, 1), end_date=date(2019, 3, 1), channels=channels
    )
    with pytest.raises(ValidationError):
        campaign.full_clean()


def test_blank_channels_mean_all(db):
    campaign = Campaign(name="x", start_date=date(2019, 3, 1), end_date=date(2019, 3, 1))
    campaign.full_clean()
    assert campaign.channel_codes == list(Channel.values)


def test_windows_are_as_long_as_the_campaign_and_capped_at_today(campaign):
    before, during, after = campaign_windows(campaign, TODAY)
    assert (before.first, before.last, before.days) == (date(2019, 2, 19), date(2019, 2, 28), 10)
    assert (during.first, during.last, during.days) == (date(2019, 3, 1), date(2019, 3, 10), 10)
    assert (after.first, after.last, after.days) == (date(2019, 3, 11), date(2019, 3, 20), 10)
    _before, during, after = campaign_windows(campaign, date(2019, 3, 14))
    assert (during.days, after.days) == (10, 4)
    _before, during, after = campaign_windows(campaign, date(2019, 3, 4))
    assert (during.days, after.days) == (4, 0)


@pytest.mark.usefixtures("campaign_register")
def test_comparison_counts_and_shares(campaign, django_assert_max_num_queries):
    with django_assert_max_num_queries(5):
        comparison = campaign_comparison(campaign, today=TODAY)
    before, during, after = comparison["windows"]
    assert [w["contacts"] for w in (before, during, after)] == [2, 5, 1]
    assert [w["contacts_per_day"] for w in (before, during, after)] == [0.2, 0.5, 0.1]
    assert (before["minors"], during["minors"], after["minors"]) == (1, 3, 0)
    assert before["minors_percent"] == 50
    assert during["minors_percent"] == 60
    assert during["target"] == 2 and during["target_percent"] == 40
    assert during["awareness"]["campaign"] == 3
    assert during["awareness"]["school"] == 1
    assert during["awareness"][""] == 1  # not recorded has its own row
    assert during["awareness_percent"]["campaign"] == 60
    assert during["awareness_per_day"]["campaign"] == pytest.approx(0.3)
    assert before["awareness"] == before["awareness"] | {"internet": 1, "": 1, "campaign": 0}
    assert sum(during["awareness"].values()) == during["contacts"]
    assert after["awareness"]["campaign"] == 1


@pytest.mark.usefixtures("campaign_register")
def test_comparison_per_day_with_a_shorter_after_window(campaign):
    _before, _during, after = campaign_comparison(campaign, today=date(2019, 3, 12))["windows"]
    assert after["days"] == 2 and after["contacts"] == 1 and after["contacts_per_day"] == 0.5
    running = campaign_comparison(campaign, today=date(2019, 3, 4))["windows"]
    assert running[1]["days"] == 4 and running[1]["contacts"] == 1
    assert running[2]["days"] == 0 and running[2]["contacts_per_day"] is None


@pytest.mark.usefixtures("campaign_register")
def test_all_channels_and_site(campaign, site):
    campaign.channels = []
    before = campaign_comparison(campaign, today=TODAY)["windows"][0]
    assert before["contacts"] == 3  # the e-mail counts now
    during = campaign_comparison(campaign, site, today=TODAY)["windows"][1]
    assert during["contacts"] == 4


@pytest.mark.usefixtures("campaign_register")
def test_pages_for_a_coordinator(client_for, coordinator, campaign):
    client = client_for(coordinator)
    listing = client.get(reverse("evaluations:campaigns"))
    assert listing.status_code == 200 and "Praat erover" in listing.content.decode()
    detail = client.get(reverse("evaluations:campaign_detail", args=[campaign.pk]))
    assert detail.status_code == 200
    assert [w["contacts"] for w in detail.context["windows"]] == [2, 5, 1]
    assert "Not recorded" in detail.content.decode()
    assert (
        client.get(reverse("evaluations:campaign_detail", args=[campaign.pk + 99])).status_code
        == 404
    )


@pytest.mark.usefixtures("campaign_register")
def test_site_coordinator_sees_own_site_only(client_for, site_coordinator, site, campaign):
    response = client_for(site_coordinator).get(
        reverse("evaluations:campaign_detail", args=[campaign.pk]), {"site": "gent"}
    )
    assert response.status_code == 200
    assert response.context["site"] == site
    assert response.context["windows"][1]["contacts"] == 4


@pytest.mark.parametrize("user", ["responder", "outsider"])
def test_responders_and_outsiders_are_refused(request, client_for, user, campaign):
    client = client_for(request.getfixturevalue(user))
    for url in (
        reverse("evaluations:campaigns"),
        reverse("evaluations:campaign_detail", args=[campaign.pk]),
    ):
        assert client.get(url).status_code == 403


def test_admin_lists_campaigns(admin_client, campaign):
    response = admin_client.get(reverse("admin:contacts_campaign_changelist"))
    assert response.status_code == 200 and "Praat erover" in response.content.decode()
