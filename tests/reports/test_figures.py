"""The annual figures from the aggregates equal the figures counted directly from the raw rows."""

import json
from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from contacts.models import Theme
from meldpunt.channels import Channel
from reports.models import DailyAttemptCount, DailyCount, Dimension, MonthlyCount
from reports.services.aggregates import aggregates_rebuild_range
from reports.services.figures import MONTHS, annual_figures, annual_figures_direct

from .conftest import attempt, brussels, contact, utc

pytestmark = pytest.mark.django_db

AFTER_2026 = utc(2027, 1, 10, 3)


def test_figures_from_aggregates_equal_the_direct_count(register, site, other_site):
    run = aggregates_rebuild_range(date(2025, 12, 1), date(2027, 1, 9), now=AFTER_2026)
    assert run.complete_through == date(2027, 1, 9)

    for which in (None, site, other_site):
        figures = annual_figures(2026, which, now=AFTER_2026)
        assert figures == annual_figures_direct(2026, which)
    whole = annual_figures(2026, now=AFTER_2026)
    assert whole["total_contacts"] == len(register) - 1  # one of them is in 2027, local
    assert whole["total_contacts"] == sum(whole["by_month"].values())
    assert whole["total_victims"] > 0
    assert whole["outside_opening_hours"]["attempts"] > 0
    # The monthly rollup is what the year reads: at most months x sites x channels x values.
    assert MonthlyCount.objects.filter(month__year=2026).count() < DailyCount.objects.count()


def test_every_code_month_and_channel_is_present_with_blank_for_not_recorded(db):
    figures = annual_figures_direct(2026)
    assert list(figures["by_month"]) == MONTHS
    assert set(figures["by_channel"]) == set(Channel.values)
    assert set(figures["by_theme"]) == {*Theme.objects.values_list("code", flat=True), ""}
    assert figures["by_theme"][""] == 0
    assert set(figures["caller_age_gender"]["under_12"]) >= {"female", "male", ""}
    assert set(figures["minors_by_channel"]) == set(Channel.values)
    assert {"region", "awareness_source", "context", "referral"} <= set(figures)
    assert annual_figures(2026, now=AFTER_2026) == figures


def test_local_days_across_dst_and_new_year(site):
    for instant in (
        utc(2026, 3, 29, 21, 59),  # 23:59 CEST on the 23-hour day
        utc(2026, 3, 29, 22, 0),  # 00:00 CEST, the next day
        utc(2026, 10, 25, 22, 59),  # 23:59 CET on the 25-hour day
        utc(2026, 10, 25, 23, 0),  # 00:00 CET, the next day
        utc(2018, 12, 31, 23, 30),  # January 2019, local
    ):
        contact(instant, site=site)
    aggregates_rebuild_range(date(2018, 12, 31), date(2026, 12, 31), now=AFTER_2026)

    totals = dict(
        DailyCount.objects.filter(dimension=Dimension.TOTAL).values_list("day", "contacts")
    )
    assert totals == {
        date(2026, 3, 29): 1,
        date(2026, 3, 30): 1,
        date(2026, 10, 25): 1,
        date(2026, 10, 26): 1,
        date(2019, 1, 1): 1,
    }
    hours = set(DailyCount.objects.filter(dimension=Dimension.HOUR).values_list("day", "value"))
    assert (date(2026, 3, 29), "23") in hours and (date(2026, 10, 26), "0") in hours
    assert annual_figures(2019, now=AFTER_2026)["by_month"]["1"] == 1
    assert annual_figures(2018, now=AFTER_2026)["total_contacts"] == 0


def test_blank_values_are_their_own_row(site):
    contact(
        utc(2026, 2, 3, 10),
        site=site,
        theme_id=None,
        caller_gender_id=None,
        caller_age_group_id=None,
        victims=[None, "age_0_2"],
    )
    aggregates_rebuild_range(date(2026, 2, 3), date(2026, 2, 3), now=AFTER_2026)
    figures = annual_figures(2026, now=AFTER_2026)
    assert figures["by_theme"][""] == 1
    assert figures["caller_age_gender"][""][""] == 1
    assert figures["victims_by_age_group"] == {
        **dict.fromkeys(figures["victims_by_age_group"], 0),
        "": 1,
        "age_0_2": 1,
    }
    assert figures["forms_of_violence"][""] == 1
    assert figures == annual_figures_direct(2026)


def test_outside_opening_hours_and_misdials_at_the_boundaries(site):
    # Monday 2 March 2026, phone open 09:00-17:00 (half-open); e-mail never outside.
    for clock in ((8, 59), (9, 0), (16, 59), (17, 0)):
        contact(brussels(2026, 3, 2, *clock), site=site, channel=Channel.PHONE)
    contact(brussels(2026, 3, 2, 3, 0), site=site, channel=Channel.EMAIL)
    attempt(brussels(2026, 3, 2, 17, 0), wait=9)  # outside, unanswered, short: misdial
    attempt(brussels(2026, 3, 2, 17, 0), wait=10)  # not below MISDIAL_SECONDS
    attempt(brussels(2026, 3, 2, 17, 0), wait=2, answered=True)
    attempt(brussels(2026, 3, 2, 9, 0), wait=2)  # inside the hours
    aggregates_rebuild_range(date(2026, 3, 2), date(2026, 3, 2), now=AFTER_2026)

    outside = dict(
        DailyCount.objects.filter(dimension=Dimension.OUTSIDE_HOURS)
        .values("channel", "value")
        .values_list("value", "contacts")
        .filter(channel=Channel.PHONE)
    )
    assert outside == {"1": 2, "0": 2}
    assert DailyCount.objects.get(dimension=Dimension.OUTSIDE_HOURS, channel="email").value == "0"
    assert DailyAttemptCount.objects.filter(likely_misdial=True).get().attempts == 1
    figures = annual_figures(2026, now=AFTER_2026)
    assert figures["outside_opening_hours"] == {
        "contacts": 2,
        "attempts": 3,
        "likely_misdials": 1,
        "attempts_scope": "line",
    }
    assert figures == annual_figures_direct(2026)


def test_today_and_days_after_the_last_run_are_counted_live(site):
    contact(brussels(2026, 6, 1, 10), site=site)
    aggregates_rebuild_range(date(2026, 1, 1), date(2026, 6, 9), now=brussels(2026, 6, 10, 3))
    # After the run: a contact on a day the run did not reach, and one today.
    contact(brussels(2026, 6, 12, 10), site=site)
    contact(brussels(2026, 6, 15, 9, 30), site=site, channel=Channel.CHAT)
    now = brussels(2026, 6, 15, 12)

    figures = annual_figures(2026, now=now)
    assert figures["by_month"]["6"] == 3
    assert figures["by_month_channel"]["6"]["chat"] == 1
    assert figures == annual_figures_direct(2026)


def test_a_partial_month_reads_the_daily_rows(site):
    contact(brussels(2026, 5, 31, 10), site=site)
    contact(brussels(2026, 6, 3, 10), site=site)
    aggregates_rebuild_range(date(2026, 1, 1), date(2026, 6, 4), now=brussels(2026, 6, 5, 3))
    # Not counted live any more: it is aggregated through 4 June, so a raw row added for
    # 3 June shows only after the next rebuild of that day.
    contact(brussels(2026, 6, 3, 11), site=site)
    figures = annual_figures(2026, now=brussels(2026, 6, 5, 12))
    assert figures["by_month"]["5"] == 1
    assert figures["by_month"]["6"] == 1


def test_annual_report_command_prints_the_json(register):
    aggregates_rebuild_range(date(2025, 12, 1), date(2026, 12, 31))
    out = StringIO()
    call_command("annual_report", "2026", "--format", "json", stdout=out)
    printed = json.loads(out.getvalue())
    assert printed == json.loads(json.dumps(annual_figures_direct(2026)))
    assert isinstance(printed["total_contacts"], int)
    assert printed["by_month_theme"]["3"][""] >= 0


def test_annual_report_command_csv_site_and_refusals(register, site):
    out = StringIO()
    call_command("annual_report", "2026", "--site", site.code, "--format", "csv", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == "table,row,column,value"
    assert "by_month_channel,3,phone," in "\n".join(lines)
    assert f"site,,,{site.code}" in lines
    with pytest.raises(CommandError, match="xlsx"):
        call_command("annual_report", "2026", "--format", "xlsx", stdout=StringIO())
    with pytest.raises(CommandError):
        call_command("annual_report", "2026", "--site", "nowhere", stdout=StringIO())


def test_the_annual_figures_take_a_bounded_number_of_queries(
    register, django_assert_max_num_queries
):
    aggregates_rebuild_range(date(2025, 12, 1), date(2026, 10, 31), now=brussels(2026, 11, 2, 3))
    # Months from the rollup, November's days from the daily rows, today live, the code
    # lists of the taxonomy: 25 queries, whatever the number of contacts.
    with django_assert_max_num_queries(30):
        annual_figures(2026, now=brussels(2026, 11, 3, 12))
