"""Staffing figures of a year: scheduled hours, coverage of the opening hours, consultations
and attendance, on a small roster with opening hours of its own."""

from datetime import date, time

import pytest
from django.urls import reverse

from meldpunt.channels import Channel
from reports.services.staffing_figures import covered_seconds, staffing_figures
from staffing.models import (
    Assignment,
    CaseConsultation,
    ConsultationAttendance,
    OpeningHours,
    Shift,
)
from tests.factories import StaffMemberFactory

from .conftest import brussels, utc

pytestmark = pytest.mark.django_db


def _shift(site, channel, start, end, *, required=1, people=()):
    shift = Shift.objects.create(
        site=site, channel=channel, starts_at=start, ends_at=end, required_headcount=required
    )
    for member in people:
        Assignment.objects.create(shift=shift, staff_member=member, starts_at=start, ends_at=end)
    return shift


@pytest.fixture
def roster(site, other_site):
    """Phone is open only on Monday 7 January 2019, 09–17 (8 hours); chat never in 2019."""
    OpeningHours.objects.all().delete()
    OpeningHours.objects.create(
        channel=Channel.PHONE,
        weekdays=[0],
        start_time=time(9),
        end_time=time(17),
        valid_from=date(2019, 1, 7),
        valid_to=date(2019, 1, 7),
    )
    here = [StaffMemberFactory(site=site) for _ in range(4)]
    there = [StaffMemberFactory(site=other_site) for _ in range(2)]
    # 09–13 covered (1 of 1); 08–10 adds a covered hour before opening; 13–17 short (1 of 2).
    _shift(site, Channel.PHONE, brussels(2019, 1, 7, 9), brussels(2019, 1, 7, 13), people=here[:1])
    _shift(site, Channel.PHONE, brussels(2019, 1, 7, 8), brussels(2019, 1, 7, 10), people=here[1:2])
    _shift(
        site,
        Channel.PHONE,
        brussels(2019, 1, 7, 13),
        brussels(2019, 1, 7, 17),
        required=2,
        people=here[2:3],
    )
    # The other site's extra shift makes 13–17 covered for the whole line (3 of 3).
    _shift(
        other_site, Channel.PHONE, brussels(2019, 1, 7, 13), brussels(2019, 1, 7, 17), people=there
    )
    # New Year's Eve chat shift: two of its four hours fall in 2019.
    _shift(
        site,
        Channel.CHAT,
        brussels(2019, 12, 31, 22),
        brussels(2020, 1, 1, 2),
        people=here[3:],
    )
    # An unstaffed shift counts no hours.
    _shift(site, Channel.CHAT, brussels(2019, 3, 1, 17), brussels(2019, 3, 1, 19))

    held = [
        CaseConsultation.objects.create(
            site=site, starts_at=brussels(2019, m, 5, 12), ends_at=brussels(2019, m, 5, 13)
        )
        for m in (2, 9)
    ]
    CaseConsultation.objects.create(  # 2018: not counted
        site=site, starts_at=brussels(2018, 12, 31, 12), ends_at=brussels(2018, 12, 31, 13)
    )
    CaseConsultation.objects.create(
        site=other_site, starts_at=brussels(2019, 5, 5, 12), ends_at=brussels(2019, 5, 5, 13)
    )
    marks = ["present", "present", "excused", "invited"]
    for member, mark in zip(here, marks, strict=True):
        ConsultationAttendance.objects.create(
            consultation=held[0], staff_member=member, attendance=mark
        )
    ConsultationAttendance.objects.create(
        consultation=held[1], staff_member=here[0], attendance="present"
    )
    ConsultationAttendance.objects.create(
        consultation=held[1], staff_member=here[1], attendance="absent"
    )
    return here, there


def test_scheduled_hours_per_site_and_channel(roster, site, other_site):
    figures = staffing_figures(2019)
    rows = {row["site"]: row for row in figures["hours"]}
    assert rows[site.name]["by_channel"] == {"phone": 10.0, "chat": 2.0, "email": 0.0}
    assert rows[site.name]["total"] == 12.0
    assert rows[other_site.name]["by_channel"]["phone"] == 8.0  # two people, four hours
    assert figures["hours_by_channel"]["phone"] == 18.0
    assert staffing_figures(2020, site)["hours_by_channel"]["chat"] == 2.0


def test_coverage_of_the_opening_hours(roster, site):
    line = staffing_figures(2019)["coverage"]
    assert line[Channel.PHONE]["open_hours"] == 8.0
    assert line[Channel.PHONE]["covered_hours"] == 8.0
    assert line[Channel.PHONE]["percent"] == 100.0
    assert line[Channel.CHAT]["open_hours"] == 0 and line[Channel.CHAT]["percent"] is None
    own = staffing_figures(2019, site)["coverage"][Channel.PHONE]
    assert own["covered_hours"] == 4.0 and own["percent"] == 50.0


def test_covered_seconds_needs_every_required_person():
    open_ = [(utc(2019, 1, 1, 8), utc(2019, 1, 1, 12))]
    shifts = [
        (utc(2019, 1, 1, 7), utc(2019, 1, 1, 10), 1, 1),
        (utc(2019, 1, 1, 9), utc(2019, 1, 1, 11), 1, 0),  # 9–10: 1 of 2; 10–11: 0 of 1
    ]
    assert covered_seconds(open_, shifts) == 3600  # 08–09 only
    assert covered_seconds(open_, []) == 0
    # One long shift over two open intervals, and one open interval over two shifts.
    two_opens = [
        (utc(2019, 1, 1, 8), utc(2019, 1, 1, 12)),
        (utc(2019, 1, 1, 14), utc(2019, 1, 1, 16)),
    ]
    assert covered_seconds(two_opens, [(utc(2019, 1, 1, 7), utc(2019, 1, 1, 15), 1, 1)]) == 5 * 3600
    two_shifts = [
        (utc(2019, 1, 1, 9), utc(2019, 1, 1, 10), 1, 1),
        (utc(2019, 1, 1, 11), utc(2019, 1, 1, 15), 2, 2),
    ]
    assert covered_seconds(two_opens, two_shifts) == 3 * 3600


def test_consultations_and_attendance(roster, site, other_site):
    figures = staffing_figures(2019)
    rows = {row["site"]: row for row in figures["consultations"]}
    assert rows[site.name] == {
        "site": site.name,
        "held": 2,
        "present": 3,
        "excused": 1,
        "absent": 1,
        "not_recorded": 1,
        "present_percent": 60.0,
    }
    assert rows[other_site.name]["held"] == 1
    assert rows[other_site.name]["present_percent"] is None
    assert figures["consultations_total"]["held"] == 3
    assert [row["site"] for row in staffing_figures(2019, site)["consultations"]] == [site.name]


def test_query_count_is_bounded(roster, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        staffing_figures(2019)


def test_page_for_a_coordinator(roster, client_for, coordinator, site):
    client = client_for(coordinator)
    response = client.get(reverse("evaluations:staffing", args=[2019]))
    assert response.status_code == 200
    assert response.context["site"] is None
    assert response.context["figures"]["coverage"]["phone"]["percent"] == 100.0
    chosen = client.get(reverse("evaluations:staffing", args=[2019]), {"site": site.code})
    assert chosen.context["site"] == site
    assert client.get(reverse("evaluations:staffing", args=[2011])).status_code == 404
    index = client.get(reverse("evaluations:staffing_index"))
    assert index.status_code == 302


def test_site_coordinator_sees_own_site_only(roster, client_for, site_coordinator, site):
    response = client_for(site_coordinator).get(
        reverse("evaluations:staffing", args=[2019]), {"site": "gent"}
    )
    assert response.status_code == 200
    assert response.context["site"] == site
    assert response.context["figures"]["coverage"]["phone"]["percent"] == 50.0


@pytest.mark.parametrize("user", ["responder", "outsider"])
def test_responders_and_outsiders_are_refused(request, client_for, user):
    client = client_for(request.getfixturevalue(user))
    assert client.get(reverse("evaluations:staffing", args=[2019])).status_code == 403
    assert client.get(reverse("evaluations:staffing_index")).status_code == 403
