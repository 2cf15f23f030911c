from datetime import date

import pytest
from django.urls import reverse
from django.utils.html import escape

from meldpunt.channels import Channel
from meldpunt.roles import Role
from staffing.models import Assignment, CaseConsultation, RosterPublication, Shift
from tests.factories import staff_user

from .conftest import utc
from .factories import RosterMemberFactory, ShiftFactory

WEEK = "2026-12-07"

PLANNING_URLS = [
    ("staffing:generate_shifts", "get"),
    ("staffing:absences", "get"),
    ("staffing:consultation_series", "get"),
    ("staffing:assign", "post"),
]
ROLE_URLS = [
    ("staffing:roster", "get"),
    ("staffing:coverage", "get"),
    ("staffing:my_shifts", "get"),
    *PLANNING_URLS,
]


@pytest.fixture
def shift(site):
    return ShiftFactory(site=site, starts_at=utc(2026, 12, 7, 8), required_headcount=2)


@pytest.fixture
def member(site):
    return RosterMemberFactory(site=site)


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("staffing:roster"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


@pytest.mark.parametrize(("name", "method"), ROLE_URLS)
def test_outsider_is_refused(client_for, outsider, name, method):
    response = getattr(client_for(outsider), method)(reverse(name))
    assert response.status_code == 403


@pytest.mark.parametrize(("name", "method"), PLANNING_URLS)
def test_responder_cannot_plan(client_for, responder, shift, member, name, method):
    response = getattr(client_for(responder), method)(
        reverse(name), {"shift": shift.pk, "member": member.pk} if method == "post" else {}
    )
    assert response.status_code == 403
    assert not Assignment.objects.exists()


def test_responder_cannot_unassign(client_for, responder, shift, member):
    assignment = Assignment.objects.create(
        shift=shift, staff_member=member, starts_at=shift.starts_at, ends_at=shift.ends_at
    )
    response = client_for(responder).post(reverse("staffing:unassign", args=[assignment.pk]))
    assert response.status_code == 403
    assert Assignment.objects.exists()


def test_responder_sees_own_site_roster_read_only(client_for, responder, shift, member):
    response = client_for(responder).get(reverse("staffing:roster"), {"week": WEEK})
    assert response.status_code == 200
    assert escape(str(member)) in response.content.decode()
    assert reverse("staffing:assign") not in response.content.decode()


def test_responder_cannot_see_other_site(client_for, responder, other_site):
    response = client_for(responder).get(reverse("staffing:roster"), {"site": other_site.pk})
    assert response.status_code == 403


def test_site_coordinator_plans_only_own_site(client_for, site_coordinator, other_site):
    other_shift = ShiftFactory(site=other_site, starts_at=utc(2026, 12, 7, 8))
    other_member = RosterMemberFactory(site=other_site)
    client = client_for(site_coordinator)
    response = client.post(
        reverse("staffing:assign"), {"shift": other_shift.pk, "member": other_member.pk}
    )
    assert response.status_code == 403
    assert client.get(reverse("staffing:roster"), {"site": other_site.pk}).status_code == 403


def test_roster_shows_assign_forms_to_a_planner(
    client_for, site_coordinator, shift, member, django_assert_max_num_queries
):
    client = client_for(site_coordinator)
    with django_assert_max_num_queries(25):
        response = client.get(reverse("staffing:roster"), {"week": WEEK})
    html = response.content.decode()
    assert response.status_code == 200
    assert f'name="member" value="{member.pk}"' in html
    assert "0/2" in html


def test_assign_in_place_returns_the_cell(client_for, site_coordinator, shift, member):
    response = client_for(site_coordinator).post(
        reverse("staffing:assign"), {"shift": shift.pk, "member": member.pk}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.startswith(f'<td id="cell-{member.pk}-20261207"')
    assert "09:00–17:00" in html
    assignment = Assignment.objects.get()
    assert assignment.assigned_by == site_coordinator


def test_assign_error_is_shown_in_the_cell(client_for, site_coordinator, shift, site):
    chat_only = RosterMemberFactory(site=site, channels=[Channel.CHAT])
    response = client_for(site_coordinator).post(
        reverse("staffing:assign"),
        {"shift": shift.pk, "member": chat_only.pk},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "does not serve the channel" in response.content.decode()
    assert not Assignment.objects.exists()


def test_assign_without_htmx_redirects_with_a_message(client_for, coordinator, shift, site):
    chat_only = RosterMemberFactory(site=site, channels=[Channel.CHAT])
    response = client_for(coordinator).post(
        reverse("staffing:assign"), {"shift": shift.pk, "member": chat_only.pk}, follow=True
    )
    assert response.status_code == 200
    assert "does not serve the channel" in response.content.decode()


def test_unassign_in_place(client_for, coordinator, shift, member):
    assignment = Assignment.objects.create(
        shift=shift, staff_member=member, starts_at=shift.starts_at, ends_at=shift.ends_at
    )
    response = client_for(coordinator).post(
        reverse("staffing:unassign", args=[assignment.pk]), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert not Assignment.objects.exists()


def test_coverage_marks_gaps(client_for, coordinator, site, shift, member):
    Assignment.objects.create(
        shift=shift, staff_member=member, starts_at=shift.starts_at, ends_at=shift.ends_at
    )
    response = client_for(coordinator).get(
        reverse("staffing:coverage"), {"site": site.pk, "week": WEEK}
    )
    html = response.content.decode()
    assert response.status_code == 200
    # Monday phone 09–17: 1 of 2 every hour (red); chat 17–22 has no shift at all (grey,
    # with a link to generate them), not "0/0".
    assert html.count("1/2") == 8
    assert "0/0" not in html
    assert html.count('class="coverage-gap table-danger"') == 8
    assert 'class="coverage-none table-secondary"' in html
    assert f"{reverse('staffing:generate_shifts')}?site={site.pk}" in html
    # A gap leads the planner to the day view, where the picker lists who may fill it.
    assert f"{reverse('staffing:roster_day')}?site={site.pk}&amp;day=2026-12-07" in html


def test_generate_shifts_for_a_month(client_for, site_coordinator, site):
    client = client_for(site_coordinator)
    assert client.get(reverse("staffing:generate_shifts")).status_code == 200
    data = {"site": site.pk, "month": "2027-02", "channels": ["phone"], "headcount": 2}
    response = client.post(reverse("staffing:generate_shifts"), data, follow=True)
    assert response.status_code == 200
    assert Shift.objects.filter(site=site).count() == 20  # February 2027: 20 weekdays
    client.post(reverse("staffing:generate_shifts"), data)
    assert Shift.objects.filter(site=site).count() == 20


def test_site_coordinator_cannot_generate_for_other_site(client_for, site_coordinator, other_site):
    data = {"site": other_site.pk, "month": "2027-02", "channels": ["phone"], "headcount": 1}
    response = client_for(site_coordinator).post(reverse("staffing:generate_shifts"), data)
    assert response.status_code == 200  # the form refuses the choice
    assert not Shift.objects.exists()


def test_plan_a_consultation_series(client_for, site_coordinator, site, member):
    data = {
        "site": site.pk,
        "first_start": "2026-12-08T13:00",
        "duration_minutes": 90,
        "until": "2027-01-05",
        "every_weeks": 1,
        "invite_site_team": "on",
    }
    response = client_for(site_coordinator).post(reverse("staffing:consultation_series"), data)
    assert response.status_code == 302
    # 8, 15, 22, 29 December and 5 January
    assert CaseConsultation.objects.filter(site=site).count() == 5
    assert member.consultations.count() == 5


def test_my_shifts_and_the_calendar_feed(client, client_for, site):
    user = staff_user(Role.RESPONDER, site)
    member = user.staff_member
    member.channels = ["phone"]
    member.contract_hours = 38
    member.save()
    shift = ShiftFactory(site=site, starts_at=utc(2030, 1, 7, 8))
    Assignment.objects.create(
        shift=shift, staff_member=member, starts_at=shift.starts_at, ends_at=shift.ends_at
    )
    RosterPublication.objects.create(site=site, month=date(2030, 1, 1))
    response = client_for(user).get(reverse("staffing:my_shifts"))
    assert response.status_code == 200
    assert member.ical_token in response.content.decode()
    client.logout()
    feed = client.get(reverse("staffing:ical", kwargs={"token": member.ical_token}))
    assert feed.status_code == 200
    assert feed["Content-Type"].startswith("text/calendar")
    assert b"BEGIN:VCALENDAR" in feed.content
    assert f"assignment-{Assignment.objects.get().pk}@meldpunt".encode() in feed.content


def test_unknown_calendar_token_is_404(client, db):
    assert client.get(reverse("staffing:ical", kwargs={"token": "nope"})).status_code == 404


def test_calendar_tokens_differ(site):
    tokens = {RosterMemberFactory(site=site).ical_token for _ in range(3)}
    assert len(tokens) == 3 and all(len(t) >= 40 for t in tokens)


def test_record_an_absence_warns_about_its_shifts(client_for, site_coordinator, shift, member):
    Assignment.objects.create(
        shift=shift, staff_member=member, starts_at=shift.starts_at, ends_at=shift.ends_at
    )
    client = client_for(site_coordinator)
    data = {
        "staff_member": member.pk,
        "kind": "sickness",
        "first_day": "2026-12-07",
        "last_day": "2026-12-08",
        "note": "",
    }
    response = client.post(reverse("staffing:absences"), data, follow=True)
    html = response.content.decode()
    assert "Absence recorded." in html
    assert "was released from 1 shift" in html
    absence = member.absences.get()
    # The shift is released (kept as history) and the page offers the replacements.
    assert not Assignment.objects.exists()
    assert absence.released_assignments.get().shift == shift
    assert response.redirect_chain[-1][0] == reverse("staffing:absence_detail", args=[absence.pk])
    assert absence.approved_by == site_coordinator
    assert absence.ends_at == utc(2026, 12, 8, 23)  # Wednesday 00:00 Brussels


def test_site_coordinator_cannot_record_absence_at_other_site(
    client_for, site_coordinator, other_site
):
    stranger = RosterMemberFactory(site=other_site)
    data = {"staff_member": stranger.pk, "kind": "leave", "first_day": "2026-12-07"}
    data["last_day"] = "2026-12-07"
    response = client_for(site_coordinator).post(reverse("staffing:absences"), data)
    assert response.status_code == 200  # the form refuses the choice
    assert not stranger.absences.exists()


def test_assign_with_garbage_is_404(client_for, coordinator, shift):
    response = client_for(coordinator).post(
        reverse("staffing:assign"), {"shift": "x", "member": ""}
    )
    assert response.status_code == 404


def test_bad_week_is_404(client_for, coordinator):
    response = client_for(coordinator).get(reverse("staffing:roster"), {"week": "gisteren"})
    assert response.status_code == 404


def test_coverage_and_feed_query_counts_do_not_grow_with_data(
    client, client_for, coordinator, site, django_assert_max_num_queries
):
    members = [RosterMemberFactory(site=site) for _ in range(3)]
    for day in range(7, 12):
        shift = ShiftFactory(site=site, starts_at=utc(2026, 12, day, 8), required_headcount=3)
        for member in members:
            Assignment.objects.create(
                shift=shift, staff_member=member, starts_at=shift.starts_at, ends_at=shift.ends_at
            )
    RosterPublication.objects.create(site=site, month=date(2026, 12, 1))
    logged_in = client_for(coordinator)
    with django_assert_max_num_queries(14):
        response = logged_in.get(reverse("staffing:coverage"), {"week": WEEK})
    assert response.content.decode().count("3/3") == 5 * 8
    client.logout()
    with django_assert_max_num_queries(4):  # + the published months
        feed = client.get(reverse("staffing:ical", kwargs={"token": members[0].ical_token}))
    assert b"DTSTART:20261207T080000Z" in feed.content


@pytest.mark.parametrize("name", ["staffing:generate_shifts", "staffing:consultation_series"])
def test_planning_forms_preselect_the_planners_site(client_for, site_coordinator, site, name):
    response = client_for(site_coordinator).get(reverse(name))
    assert response.context["form"]["site"].value() == site.pk
