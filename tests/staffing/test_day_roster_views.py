"""The pages of day-to-day rostering: who may do what, and what they show."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from meldpunt.models import AuditEntry
from meldpunt.roles import Role
from staffing.models import (
    Absence,
    Assignment,
    CaseConsultation,
    NotificationPreferences,
    RosterPublication,
    ShiftOffer,
)
from staffing.services.absences import absence_record
from staffing.services.assignments import assignment_create
from staffing.services.time import day_start, local_date
from tests.factories import UserFactory, staff_user

from .conftest import utc
from .factories import RosterMemberFactory, ShiftFactory

MONDAY = utc(2030, 1, 7, 8)
JANUARY = date(2030, 1, 1)

SELF_SERVICE_URLS = [
    ("staffing:open_shifts", [], "get"),
    ("staffing:open_shift_take", [1], "post"),
    ("staffing:time_off_request", [], "post"),
    ("staffing:offer_create", [1], "post"),
    ("staffing:offer_withdraw", [1], "post"),
    ("staffing:offer_accept", [1], "post"),
    ("staffing:notification_settings", [], "get"),
]
PLANNER_URLS = [
    ("staffing:publish", [], "post"),
    ("staffing:swaps", [], "get"),
    ("staffing:swap_decide", [1], "post"),
    ("staffing:absence_detail", [1], "get"),
    ("staffing:absence_decide", [1], "post"),
]


@pytest.fixture
def member(responder):
    member = responder.staff_member
    member.channels, member.contract_hours = ["phone", "chat"], 38
    member.save()
    responder.email = "beantwoorder@meldpunt.test"
    responder.save()
    return member


@pytest.fixture
def shift(site):
    return ShiftFactory(site=site, starts_at=MONDAY)


@pytest.mark.parametrize(("name", "args", "method"), SELF_SERVICE_URLS + PLANNER_URLS)
def test_outsider_is_refused(client_for, outsider, name, args, method):
    response = getattr(client_for(outsider), method)(reverse(name, args=args))
    assert response.status_code == 403


@pytest.mark.parametrize(("name", "args", "method"), PLANNER_URLS)
def test_responder_cannot_plan(client_for, responder, name, args, method):
    response = getattr(client_for(responder), method)(reverse(name, args=args))
    assert response.status_code == 403


def test_responder_sees_only_published_shifts(client, client_for, responder, member, site):
    soon = timezone.localdate() + timedelta(days=3)
    shift = ShiftFactory(site=site, starts_at=day_start(soon) + timedelta(hours=9))
    assignment_create(shift=shift, staff_member=member)
    page = client_for(responder).get(reverse("staffing:my_shifts"))
    assert f'id="assignment-{Assignment.objects.get().pk}"' not in page.content.decode()
    feed = client.get(reverse("staffing:ical", kwargs={"token": member.ical_token}))
    assert b"BEGIN:VEVENT" not in feed.content
    RosterPublication.objects.create(site=site, month=soon.replace(day=1))
    page = client_for(responder).get(reverse("staffing:my_shifts"))
    assert f'id="assignment-{Assignment.objects.get().pk}"' in page.content.decode()
    feed = client.get(reverse("staffing:ical", kwargs={"token": member.ical_token}))
    assert b"BEGIN:VEVENT" in feed.content


def test_site_coordinator_publishes_own_site_only(
    client_for, site_coordinator, site, other_site, django_capture_on_commit_callbacks
):
    client = client_for(site_coordinator)
    response = client.post(
        reverse("staffing:publish"), {"site": other_site.pk, "month": "2030-01-01"}
    )
    assert response.status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("staffing:publish"), {"site": site.pk, "month": "2030-01-01"}
        )
    assert response.status_code == 302
    assert RosterPublication.objects.get().site == site
    for bad in ["9999-12-31", "0001-01-01", "x\x00", ""]:
        response = client.post(reverse("staffing:publish"), {"site": site.pk, "month": bad})
        assert response.status_code == 404


def test_the_roster_shows_draft_and_publish_button(client_for, site_coordinator, site):
    html = (
        client_for(site_coordinator)
        .get(reverse("staffing:roster"), {"site": site.pk, "week": "2030-01-07"})
        .content.decode()
    )
    assert reverse("staffing:publish") in html
    RosterPublication.objects.create(site=site, month=JANUARY)
    html = (
        client_for(site_coordinator)
        .get(reverse("staffing:roster"), {"site": site.pk, "week": "2030-01-07"})
        .content.decode()
    )
    assert reverse("staffing:publish") not in html


def test_take_an_open_shift_from_the_board(client_for, responder, member, shift, site):
    RosterPublication.objects.create(site=site, month=JANUARY)
    client = client_for(responder)
    page = client.get(reverse("staffing:open_shifts"))
    take_url = reverse("staffing:open_shift_take", args=[shift.pk])
    assert take_url in page.content.decode()
    assert client.post(take_url).status_code == 302
    assert Assignment.objects.get().staff_member == member


def test_another_sites_shift_cannot_be_taken(client_for, responder, member, other_site):
    foreign = ShiftFactory(site=other_site, starts_at=MONDAY)
    RosterPublication.objects.create(site=other_site, month=JANUARY)
    response = client_for(responder).post(reverse("staffing:open_shift_take", args=[foreign.pk]))
    assert response.status_code == 404
    assert not Assignment.objects.exists()


def test_offer_and_accept_through_the_pages(client_for, responder, member, shift, site):
    RosterPublication.objects.create(site=site, month=JANUARY)
    assignment = assignment_create(shift=shift, staff_member=member)
    colleague = staff_user(Role.RESPONDER, site, username="collega")
    colleague.staff_member.channels = ["phone"]
    colleague.staff_member.contract_hours = 38
    colleague.staff_member.save()
    response = client_for(responder).post(reverse("staffing:offer_create", args=[assignment.pk]))
    assert response.status_code == 302
    offer = ShiftOffer.objects.get()
    # Someone else's assignment cannot be offered.
    other = client_for(colleague).post(reverse("staffing:offer_create", args=[assignment.pk]))
    assert other.status_code == 404
    board = client_for(colleague).get(reverse("staffing:open_shifts")).content.decode()
    assert reverse("staffing:offer_accept", args=[offer.pk]) in board
    # Someone who may not work it sees the offer with the reason, and no button.
    chat_only = staff_user(Role.RESPONDER, site, username="alleenchat")
    chat_only.staff_member.channels, chat_only.staff_member.contract_hours = ["chat"], 38
    chat_only.staff_member.save()
    board = client_for(chat_only).get(reverse("staffing:open_shifts")).content.decode()
    assert "does not serve the channel" in board
    assert reverse("staffing:offer_accept", args=[offer.pk]) not in board
    client_for(colleague).post(reverse("staffing:offer_accept", args=[offer.pk]))
    offer.refresh_from_db()
    assert offer.status == ShiftOffer.Status.ACCEPTED and offer.taken_by == colleague.staff_member


def test_an_exchange_through_the_pages(
    client_for, responder, member, shift, site, site_coordinator
):
    RosterPublication.objects.create(site=site, month=JANUARY)
    assignment = assignment_create(shift=shift, staff_member=member)
    colleague = staff_user(Role.RESPONDER, site, username="collega")
    colleague.staff_member.channels, colleague.staff_member.contract_hours = ["phone"], 38
    colleague.staff_member.save()
    theirs = assignment_create(
        shift=ShiftFactory(site=site, starts_at=MONDAY + timedelta(days=1)),
        staff_member=colleague.staff_member,
    )
    client_for(responder).post(reverse("staffing:offer_create", args=[assignment.pk]))
    offer = ShiftOffer.objects.get()
    client = client_for(colleague)
    board = client.get(reverse("staffing:open_shifts")).content.decode()
    assert 'name="in_return"' in board and f'value="{theirs.pk}"' in board
    # Someone else's assignment, or no number at all, is not something to give: 404.
    url = reverse("staffing:offer_accept", args=[offer.pk])
    assert client.post(url, {"in_return": assignment.pk}).status_code == 404
    assert client.post(url, {"in_return": "x\x00"}).status_code in (400, 404)
    offer.refresh_from_db()
    assert offer.status == ShiftOffer.Status.OFFERED
    assert client.post(url, {"in_return": theirs.pk}).status_code == 302
    offer.refresh_from_db()
    assert (offer.status, offer.in_return) == (ShiftOffer.Status.ACCEPTED, theirs.shift)
    to_approve = client_for(site_coordinator).get(reverse("staffing:swaps")).content.decode()
    assert "in exchange, " in to_approve and "Tue 8 jan" in to_approve


def test_time_off_request_and_answer(
    client_for, responder, member, site_coordinator, django_capture_on_commit_callbacks
):
    site_coordinator.email = "coordinator@meldpunt.test"
    site_coordinator.save()
    first = timezone.localdate() + timedelta(days=10)
    with django_capture_on_commit_callbacks(execute=True):
        client_for(responder).post(
            reverse("staffing:time_off_request"),
            {"kind": "leave", "first_day": first, "last_day": first, "note": ""},
        )
    absence = Absence.objects.get()
    assert not absence.is_approved
    assert [m.to for m in mail.outbox] == [["coordinator@meldpunt.test"]]
    page = client_for(site_coordinator).get(reverse("staffing:absences"))
    assert reverse("staffing:absence_decide", args=[absence.pk]) in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client_for(site_coordinator).post(
            reverse("staffing:absence_decide", args=[absence.pk]), {"decision": "approve"}
        )
    absence.refresh_from_db()
    assert absence.is_approved and absence.approved_by == site_coordinator
    assert mail.outbox[-1].to == ["beantwoorder@meldpunt.test"]


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "2020-01-01"])
def test_time_off_refuses_days_out_of_reach(client_for, responder, member, day):
    response = client_for(responder).post(
        reverse("staffing:time_off_request"),
        {"kind": "leave", "first_day": day, "last_day": day},
        follow=True,
    )
    assert response.status_code == 200
    assert not Absence.objects.exists()


def test_absence_detail_offers_replacements(client_for, site_coordinator, site):
    soon = timezone.localdate() + timedelta(days=7)
    shift = ShiftFactory(site=site, starts_at=day_start(soon) + timedelta(hours=9))
    absent, stand_in = RosterMemberFactory(site=site), RosterMemberFactory(site=site)
    assignment_create(shift=shift, staff_member=absent)
    client = client_for(site_coordinator)
    client.post(
        reverse("staffing:absences"),
        {"staff_member": absent.pk, "kind": "sickness", "first_day": soon, "last_day": soon},
    )
    absence = Absence.objects.get()
    detail = reverse("staffing:absence_detail", args=[absence.pk])
    html = client.get(detail).content.decode()
    assert f'name="member" value="{stand_in.pk}"' in html
    assert f'name="member" value="{absent.pk}"' not in html
    response = client.post(
        reverse("staffing:assign"), {"shift": shift.pk, "member": stand_in.pk, "next": detail}
    )
    assert response.status_code == 302 and response.url == detail
    assert Assignment.objects.get().staff_member == stand_in
    # An open redirect is not followed.
    other = RosterMemberFactory(site=site)
    shift2 = ShiftFactory(site=site, starts_at=shift.starts_at + timedelta(days=1))
    response = client.post(
        reverse("staffing:assign"),
        {"shift": shift2.pk, "member": other.pk, "next": "https://evil.example/"},
    )
    assert response.url.startswith(reverse("staffing:roster"))


def test_other_sites_absence_detail_is_404(client_for, site_coordinator, other_site):
    stranger = RosterMemberFactory(site=other_site)
    absence = Absence.objects.create(
        staff_member=stranger, kind="leave", starts_at=MONDAY, ends_at=MONDAY + timedelta(days=1)
    )
    response = client_for(site_coordinator).get(
        reverse("staffing:absence_detail", args=[absence.pk])
    )
    assert response.status_code == 404


def test_past_days_are_read_only_unless_corrected_with_an_audit_entry(
    client_for, site_coordinator, site
):
    yesterday = timezone.localdate() - timedelta(days=1)
    past = ShiftFactory(site=site, starts_at=day_start(yesterday) + timedelta(hours=9))
    member = RosterMemberFactory(site=site)
    client = client_for(site_coordinator)
    html = client.get(
        reverse("staffing:roster"), {"site": site.pk, "week": f"{yesterday:%Y-%m-%d}"}
    ).content.decode()
    assert f'id="shift-cell-{member.pk}-{yesterday:%Y%m%d}"' not in html
    response = client.post(reverse("staffing:assign"), {"shift": past.pk, "member": member.pk})
    assert response.status_code == 302
    assert not Assignment.objects.exists()
    client.post(
        reverse("staffing:assign"), {"shift": past.pk, "member": member.pk, "correct_past": "1"}
    )
    assert Assignment.objects.get().shift == past
    entry = AuditEntry.objects.filter(object_type="assignment").get()
    assert "correction of the past" in entry.detail and entry.user == site_coordinator
    html = client.get(
        reverse("staffing:roster"),
        {"site": site.pk, "week": f"{yesterday:%Y-%m-%d}", "correct": "1"},
    ).content.decode()
    assert 'name="correct_past" value="1"' in html
    assert local_date(past.starts_at) == yesterday


def test_swaps_page_lists_accepted_offers_of_my_site(client_for, site_coordinator, site, shift):
    giver, taker = RosterMemberFactory(site=site), RosterMemberFactory(site=site)
    assignment_create(shift=shift, staff_member=giver)
    offer = ShiftOffer.objects.create(
        shift=shift, offered_by=giver, taken_by=taker, status=ShiftOffer.Status.ACCEPTED
    )
    client = client_for(site_coordinator)
    page = client.get(reverse("staffing:swaps"))
    assert reverse("staffing:swap_decide", args=[offer.pk]) in page.content.decode()
    client.post(reverse("staffing:swap_decide", args=[offer.pk]), {"decision": "approve"})
    assert Assignment.objects.get().staff_member == taker


def test_notification_settings_are_per_user(client_for, responder):
    client = client_for(responder)
    assert client.get(reverse("staffing:notification_settings")).status_code == 200
    client.post(reverse("staffing:notification_settings"), {"wanted": ["reminder"]})
    preferences = NotificationPreferences.objects.get(user=responder)
    assert preferences.wants("reminder") and not preferences.wants("open_shift")
    response = client.post(reverse("staffing:notification_settings"), {"wanted": ["nonsense"]})
    assert response.status_code == 200  # the form refuses it
    assert NotificationPreferences.objects.get(user=responder).muted == preferences.muted
    assert not NotificationPreferences.objects.filter(user=UserFactory()).exists()


def test_held_consultations_exclude_those_ahead(site, monkeypatch):
    from reports.services.staffing_figures import staffing_figures

    # A fixed "now" in mid-June: both meetings fall in the year whatever today's date is.
    now = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)
    monkeypatch.setattr(timezone, "now", lambda: now)
    CaseConsultation.objects.create(
        site=site, starts_at=now - timedelta(days=1), ends_at=now - timedelta(days=1, hours=-1)
    )
    CaseConsultation.objects.create(
        site=site, starts_at=now + timedelta(hours=1), ends_at=now + timedelta(hours=2)
    )
    held = staffing_figures(2026, site)["consultations_total"]["held"]
    assert held == 1


def test_day_roster_lists_eligible_people_first_with_reasons(
    client_for, site_coordinator, responder, site
):
    soon = timezone.localdate() + timedelta(days=7)
    shift = ShiftFactory(site=site, starts_at=day_start(soon) + timedelta(hours=9))
    able = RosterMemberFactory(site=site)
    chat_only = RosterMemberFactory(site=site, channels=["chat"])
    url = reverse("staffing:roster_day")
    html = client_for(site_coordinator).get(url, {"site": site.pk, "day": soon}).content.decode()
    assert f'name="member" value="{able.pk}"' in html
    assert f'name="member" value="{chat_only.pk}"' not in html  # listed, with the reason
    assert "does not serve the channel" in html
    assert html.index(str(able)) < html.index(str(chat_only))
    # A responder reads the day, without the picker.
    html = client_for(responder).get(url, {"day": soon}).content.decode()
    assert f"day-shift-{shift.pk}" in html and 'name="member"' not in html
    for bad in ["9999-12-31", "0001-01-01", "nope"]:
        assert client_for(responder).get(url, {"day": bad}).status_code == 404


def test_copy_week_through_the_roster(client_for, site_coordinator, responder, site, member):
    source_monday = timezone.localdate() + timedelta(days=7 - timezone.localdate().weekday())
    source = ShiftFactory(site=site, starts_at=day_start(source_monday) + timedelta(hours=9))
    target = ShiftFactory(site=site, starts_at=source.starts_at + timedelta(days=7))
    assignment_create(shift=source, staff_member=member)
    data = {
        "site": site.pk,
        "week": f"{source_monday + timedelta(days=7):%Y-%m-%d}",
        "source": f"{source_monday:%Y-%m-%d}",
    }
    assert client_for(responder).post(reverse("staffing:copy_week"), data).status_code == 403
    response = client_for(site_coordinator).post(reverse("staffing:copy_week"), data)
    assert response.status_code == 302
    assert Assignment.objects.filter(shift=target, staff_member=member).exists()
    data["week"] = "x"
    assert client_for(site_coordinator).post(reverse("staffing:copy_week"), data).status_code == 404


def test_responders_see_the_team_roster_only_once_published(
    client_for, responder, site_coordinator, site
):
    soon = timezone.localdate() + timedelta(days=7)
    shift = ShiftFactory(site=site, starts_at=day_start(soon) + timedelta(hours=9))
    colleague = RosterMemberFactory(site=site)
    assignment_create(shift=shift, staff_member=colleague)
    week = {"site": site.pk, "week": f"{soon:%Y-%m-%d}"}
    day = {"site": site.pk, "day": f"{soon:%Y-%m-%d}"}
    cell = f'id="cell-{colleague.pk}-{soon:%Y%m%d}"'

    def shows(client, url, query):
        html = client.get(reverse(url), query).content.decode()
        if url == "staffing:roster":
            start = html.index(cell)
            return "channel-phone" in html[start : html.index("</td>", start)]
        return escape(str(colleague)) in html

    assert not shows(client_for(responder), "staffing:roster", week)
    assert not shows(client_for(responder), "staffing:roster_day", day)
    assert shows(client_for(site_coordinator), "staffing:roster", week)
    assert shows(client_for(site_coordinator), "staffing:roster_day", day)
    RosterPublication.objects.create(site=site, month=soon.replace(day=1))
    assert shows(client_for(responder), "staffing:roster", week)
    assert shows(client_for(responder), "staffing:roster_day", day)


def test_save_and_apply_a_week_template_through_the_roster(
    client_for, site_coordinator, responder, site, member, other_site
):
    from staffing.models import WeekTemplate

    monday = timezone.localdate() + timedelta(days=7 - timezone.localdate().weekday())
    source = ShiftFactory(site=site, starts_at=day_start(monday) + timedelta(hours=9))
    target = ShiftFactory(site=site, starts_at=source.starts_at + timedelta(days=14))
    assignment_create(shift=source, staff_member=member)
    save = {"site": site.pk, "week": f"{monday:%Y-%m-%d}", "name": "Vaste week"}
    refused = client_for(responder).post(reverse("staffing:save_week_template"), save)
    assert refused.status_code == 403
    client = client_for(site_coordinator)
    assert client.post(reverse("staffing:save_week_template"), save).status_code == 302
    template = WeekTemplate.objects.get()
    html = client.get(
        reverse("staffing:roster"), {"site": site.pk, "week": target.starts_at.date()}
    )
    assert f'<option value="{template.pk}">Vaste week</option>' in html.content.decode()
    apply = {"site": site.pk, "week": f"{monday + timedelta(days=14):%Y-%m-%d}"}
    client.post(reverse("staffing:copy_week"), {**apply, "template": template.pk})
    assert Assignment.objects.filter(shift=target, staff_member=member).exists()
    # Another site's template is not found from this site.
    foreign = WeekTemplate.objects.create(site=other_site, name="Gent", entries=[])
    response = client.post(reverse("staffing:copy_week"), {**apply, "template": foreign.pk})
    assert response.status_code == 404


def test_admin_approval_releases_the_shifts_too(admin_client, site, shift):
    member = RosterMemberFactory(site=site)
    assignment_create(shift=shift, staff_member=member)
    request = Absence.objects.create(
        staff_member=member, kind="leave", starts_at=MONDAY, ends_at=MONDAY + timedelta(hours=1)
    )
    admin_client.post(
        reverse("admin:staffing_absence_changelist"),
        {"action": "approve", "_selected_action": [request.pk]},
    )
    request.refresh_from_db()
    assert request.is_approved
    assert not Assignment.objects.exists()


def test_my_shifts_lists_the_shifts_released_from_me(client_for, responder, member, site):
    soon = timezone.localdate() + timedelta(days=3)
    shift = ShiftFactory(site=site, starts_at=day_start(soon) + timedelta(hours=9))
    assignment_create(shift=shift, staff_member=member)
    RosterPublication.objects.create(site=site, month=soon.replace(day=1))
    absence_record(staff_member=member, kind="sickness", first_day=soon, last_day=soon)
    html = client_for(responder).get(reverse("staffing:my_shifts")).content.decode()
    assert 'id="released"' in html and "Released for absence" in html
    assert 'class="card card-body mb-2 my-shift"' not in html


BIG = "99999999999999999999"


@pytest.mark.parametrize(
    "url",
    [
        f"/staffing/open-shifts/{BIG}/take/",
        f"/staffing/offers/{BIG}/accept/",
        f"/staffing/absences/{BIG}/",
        f"/staffing/swaps/{BIG}/decide/",
        "/staffing/roster/day/?day=%00",
        "/staffing/roster/?week=9999-12-31",
        "/staffing/coverage/?week=9999-12-31",
        "/staffing/roster/?week=0001-01-01",
        "/staffing/consultations/?week=9999-12-31",
    ],
)
def test_bad_input_is_never_a_500(client_for, site_coordinator, responder, url):
    for user in (site_coordinator, responder):
        client = client_for(user)
        for method in ("get", "post"):
            # 400: a NUL byte is refused before any view (meldpunt/validation.py).
            assert getattr(client, method)(url).status_code in (400, 403, 404, 405), (url, method)
