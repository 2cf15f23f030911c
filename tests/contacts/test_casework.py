"""Case work (issue 10): contact types, unusual contacts, repeat callers, follow-ups and
cases, finding things, the coordinators' home, the data-quality page."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from contacts.models import (
    CallerProfile,
    Case,
    Contact,
    ContactFlag,
    FollowUp,
)
from contacts.services import follow_up_due_default
from contacts.services.callers import (
    caller_identifier_hash,
    caller_profile_note_update,
)
from contacts.services.cases import case_close, cases_auto_close
from contacts.services.erasure import case_erase
from contacts.views.home import coordinator_today
from meldpunt.models import AuditEntry
from meldpunt.roles import Role
from tests.factories import CaseFactory, ContactFactory, FollowUpFactory, staff_user
from tests.staffing.factories import ShiftFactory

from .test_views import intake_data

pytestmark = pytest.mark.django_db

NUMBER = "0470 12 34 56"


def post_intake(client, **overrides):
    return client.post(reverse("contacts:create"), intake_data(**overrides))


# --- Contact types -------------------------------------------------------------------------


def test_a_blank_form_never_saves(client_for, responder):
    blank = {
        "channel": "phone",
        "started_at": "2025-03-10T09:00",
        "victims-TOTAL_FORMS": "0",
        "victims-INITIAL_FORMS": "0",
    }
    response = client_for(responder).post(reverse("contacts:create"), blank)
    assert response.status_code == 200
    assert "contact_type" in response.context["form"].errors
    assert Contact.objects.count() == 0


def test_counselling_contact_needs_the_theme(client_for, responder):
    response = post_intake(client_for(responder), theme="")
    assert response.context["form"].errors["theme"] == [
        "A counselling contact needs at least the main theme."
    ]
    assert Contact.objects.count() == 0


def test_non_counselling_contact_needs_only_channel_start_and_type(client_for, responder):
    data = {
        "channel": "phone",
        "started_at": "2025-03-10T09:00",
        "contact_type": "hang_up",
        "victims-TOTAL_FORMS": "1",
        "victims-INITIAL_FORMS": "0",
    }
    response = client_for(responder).post(reverse("contacts:create"), data)
    assert response.status_code == 302
    contact = Contact.objects.get()
    assert contact.contact_type_id == "hang_up" and contact.theme is None
    assert not contact.contact_type.is_counselling


def test_existing_contacts_have_the_documented_default_type(site):
    contact = ContactFactory(site=site)
    assert contact.contact_type_id == "unspecified"
    assert contact.contact_type.is_counselling and not contact.contact_type.is_active


# --- Unusual contacts ----------------------------------------------------------------------


def test_unusual_contact_asks_for_one_confirmation_then_is_flagged(client_for, responder):
    client = client_for(responder)
    unusual = {"caller_age_group": "age_12_17", "caller_role": "professional"}
    response = post_intake(client, **unusual)
    assert response.status_code == 200
    assert response.context["warnings"] == ["A minor caller in a professional role"]
    assert 'name="confirm_warnings"' in response.content.decode()
    assert Contact.objects.count() == 0
    response = post_intake(client, confirm_warnings="1", **unusual)
    assert response.status_code == 302
    flag = ContactFlag.objects.get()
    assert flag.reason == "minor_professional" and flag.checked_at is None


def test_data_quality_page_lists_flags_of_own_site_and_marks_them_checked(
    client_for, site_coordinator, site, other_site
):
    own = ContactFactory(site=site)
    other = ContactFactory(site=other_site)
    own_flag = ContactFlag.objects.create(contact=own, reason="long_conversation")
    other_flag = ContactFlag.objects.create(contact=other, reason="long_conversation")
    client = client_for(site_coordinator)
    year = timezone.localtime(own.started_at).year
    page = client.get(reverse("contacts:data_quality"), {"year": year})
    assert list(page.context["flags"]) == [own_flag]
    assert client.post(reverse("contacts:flag_check", args=[other_flag.pk])).status_code == 404
    response = client.post(reverse("contacts:flag_check", args=[own_flag.pk]))
    assert response.status_code == 302
    own_flag.refresh_from_db()
    assert own_flag.checked_by == site_coordinator
    assert AuditEntry.objects.filter(object_type="contactflag", object_ref=own.reference).exists()


@pytest.mark.parametrize("year", ["1", "9999", "abc", ""])
def test_data_quality_page_takes_any_year_without_error(client_for, site_coordinator, year):
    response = client_for(site_coordinator).get(reverse("contacts:data_quality"), {"year": year})
    assert response.status_code == 200


def test_data_quality_page_refuses_a_nul_byte(client_for, site_coordinator):
    # Refused before any view (meldpunt/validation.py), with the Dutch 400 page.
    response = client_for(site_coordinator).get(reverse("contacts:data_quality"), {"year": "\x00"})
    assert response.status_code == 400


def test_responders_have_no_data_quality_page(client_for, responder):
    assert client_for(responder).get(reverse("contacts:data_quality")).status_code == 403


# --- Repeat callers ------------------------------------------------------------------------


def test_caller_number_is_never_stored_and_links_the_contacts(client_for, responder, site):
    client = client_for(responder)
    post_intake(client, caller_identifier=NUMBER)
    profile = CallerProfile.objects.get()
    assert profile.identifier_hash == caller_identifier_hash("+32470123456")
    assert "470" not in profile.identifier_hash
    assert not Contact.objects.filter(notes__contains="470").exists()
    assert not AuditEntry.objects.filter(changes__icontains="470 12").exists()
    response = client.post(reverse("contacts:caller_lookup"), {"caller_identifier": "0470123456"})
    assert response.context["history"].contacts == 1
    assert "1 earlier contact, 0 cases" in response.content.decode()


def test_another_sites_team_sees_no_history_and_no_profile(client_for, responder, other_responder):
    post_intake(client_for(responder), caller_identifier=NUMBER)
    profile = CallerProfile.objects.get()
    client = client_for(other_responder)
    response = client.post(reverse("contacts:caller_lookup"), {"caller_identifier": NUMBER})
    assert response.context["history"] is None
    assert client.get(reverse("contacts:caller_profile", args=[profile.pk])).status_code == 404


def test_profile_note_is_for_the_site_team_only_and_audited_masked(
    client_for, responder, site, coordinator, other_site
):
    post_intake(client_for(responder), caller_identifier=NUMBER)
    profile = CallerProfile.objects.get()
    outsider = staff_user(Role.COORDINATOR, other_site, username="coord_elders")
    denied = client_for(outsider).post(
        reverse("contacts:caller_profile_note", args=[profile.pk]), {"note": "x"}
    )
    assert denied.status_code == 403
    client = client_for(responder)
    response = client.post(
        reverse("contacts:caller_profile_note", args=[profile.pk]),
        {"note": "Belt elke dinsdag, afspraak: 10 minuten"},
    )
    assert response.status_code == 302
    entry = AuditEntry.objects.filter(object_type="callerprofile").latest("at")
    assert "dinsdag" not in str(entry.changes)
    page = client.get(reverse("contacts:caller_profile", args=[profile.pk]))
    assert "dinsdag" in page.content.decode()
    assert (
        "dinsdag"
        not in client_for(outsider)
        .get(reverse("contacts:caller_profile", args=[profile.pk]))
        .content.decode()
    )


def test_profile_flag_with_expiry_shows_at_intake(client_for, responder):
    client = client_for(responder)
    post_intake(client, caller_identifier=NUMBER)
    profile = CallerProfile.objects.get()
    until = timezone.localdate() + timedelta(days=30)
    client.post(
        reverse("contacts:caller_profile_flag", args=[profile.pk]),
        {"kind": "frequent_caller", "expires_on": until.isoformat()},
    )
    response = client.post(reverse("contacts:caller_lookup"), {"caller_identifier": NUMBER})
    assert "Frequent caller: agreed call moments" in response.content.decode()


def test_erasure_removes_the_profiles_of_the_case(administrator, site, responder):
    case = CaseFactory(site=site)
    profile = CallerProfile.objects.create(identifier_hash="a" * 64, site=site)
    caller_profile_note_update(profile=profile, note="Belt vaak", user=responder)
    ContactFactory(site=site, case=case, caller_profile=profile)
    result = case_erase(case=case, user=administrator)
    assert result.caller_profiles_erased == 1
    assert not CallerProfile.objects.exists()


# --- Follow-ups and cases ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "due"),
    [
        (date(2025, 12, 24), date(2025, 12, 26)),  # Christmas is a public holiday
        (date(2026, 1, 2), date(2026, 1, 5)),  # Friday → Monday
        (date(2025, 4, 18), date(2025, 4, 22)),  # Good Friday → Easter Monday off
    ],
)
def test_follow_up_is_due_the_next_working_day(today, due):
    assert follow_up_due_default(today) == due


def test_ticking_follow_up_needed_creates_a_follow_up_for_the_responder(client_for, responder):
    post_intake(client_for(responder), follow_up_needed="on")
    follow_up = FollowUp.objects.get()
    assert follow_up.assignee == responder and follow_up.due_date is not None


def test_home_counts_and_sorts_overdue_first(client_for, responder, site):
    today = timezone.localdate()
    later = FollowUpFactory(
        contact=ContactFactory(site=site), assignee=responder, due_date=today + timedelta(days=2)
    )
    overdue = FollowUpFactory(
        contact=ContactFactory(site=site), assignee=responder, due_date=today - timedelta(days=9)
    )
    FollowUpFactory(contact=ContactFactory(site=site), assignee=responder, due_date=today)
    response = client_for(responder).get(reverse("home"))
    assert (response.context["overdue"], response.context["due_today"]) == (1, 1)
    assert list(response.context["my_follow_ups"])[0] == overdue
    assert list(response.context["my_follow_ups"])[-1] == later
    assert response.context["dashboard"] is None


def test_team_follow_ups_are_for_coordinators_of_their_site(
    client_for, responder, site_coordinator, site, other_site
):
    own = FollowUpFactory(contact=ContactFactory(site=site))
    FollowUpFactory(contact=ContactFactory(site=other_site))
    assert client_for(responder).get(reverse("contacts:followup_team")).status_code == 403
    response = client_for(site_coordinator).get(reverse("contacts:followup_team"))
    assert list(response.context["follow_ups"]) == [own]


def test_case_close_asks_first_with_open_follow_ups_then_reopens(client_for, responder, site):
    case = CaseFactory(site=site)
    FollowUpFactory(contact=ContactFactory(site=site, case=case))
    client = client_for(responder)
    url = reverse("contacts:case_close", args=[case.reference])
    response = client.post(url, {"reason": "resolved"})
    assert response.status_code == 400
    assert "1 open follow-up." in response.context["close_question"]
    case.refresh_from_db()
    assert case.closed_at is None
    client.post(url, {"reason": "resolved", "confirm": "1"})
    case.refresh_from_db()
    assert case.close_reason == "resolved" and case.closed_by == responder
    client.post(reverse("contacts:case_reopen", args=[case.reference]))
    case.refresh_from_db()
    assert case.closed_at is None and case.close_reason == ""
    assert AuditEntry.objects.filter(object_ref=case.reference, detail="reopened").exists()


def test_case_of_another_site_cannot_be_closed(client_for, other_responder, site):
    case = CaseFactory(site=site)
    url = reverse("contacts:case_close", args=[case.reference])
    assert client_for(other_responder).post(url, {"reason": "resolved"}).status_code == 404


def test_summary_is_edited_by_the_site_team_only(client_for, responder, coordinator, site):
    case = CaseFactory(site=site)
    other = staff_user(Role.COORDINATOR, None, username="coord_elders")
    url = reverse("contacts:case_summary", args=[case.reference])
    assert client_for(other).post(url, {"summary": "x"}).status_code == 403
    client_for(responder).post(url, {"summary": "Moeder en twee kinderen"})
    case.refresh_from_db()
    assert case.summary == "Moeder en twee kinderen"
    entry = AuditEntry.objects.filter(object_ref=case.reference).latest("at")
    assert "Moeder" not in str(entry.changes)


def test_auto_close_closes_quiet_cases_once(site):
    now = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)
    quiet = CaseFactory(site=site)
    busy = CaseFactory(site=site)
    Case.objects.update(opened_at=now - timedelta(days=400))
    ContactFactory(site=site, case=quiet, started_at=now - timedelta(days=200))
    ContactFactory(site=site, case=busy, started_at=now - timedelta(days=20))
    assert cases_auto_close(months=0, now=now) == 0
    assert cases_auto_close(months=6, now=now) == 1
    assert cases_auto_close(months=6, now=now) == 0
    quiet.refresh_from_db()
    assert quiet.close_reason == "inactive"
    with pytest.raises(Exception, match="already closed"):
        case_close(case=quiet, reason="other", user=None)


# --- Finding things ------------------------------------------------------------------------


def test_list_filters_on_type_mine_flagged_and_external_id(client_for, responder, site):
    mine = ContactFactory(site=site, registered_by=responder, contact_type_id="prank")
    flagged = ContactFactory(site=site, external_id="oud-17")
    ContactFlag.objects.create(contact=flagged, reason="long_conversation")
    client = client_for(responder)

    def listed(**params):
        return [c.pk for c in client.get(reverse("contacts:list"), params).context["page"]]

    assert listed(contact_type="prank") == [mine.pk]
    assert listed(mine="on") == [mine.pk]
    assert listed(flagged="on") == [flagged.pk]
    assert listed(q="oud-17") == [flagged.pk]


def test_notes_search_is_own_site_only_and_audited_masked(
    client_for, responder, coordinator, site, other_site
):
    own = ContactFactory(site=site, notes="De vader slaat de kinderen met een riem")
    ContactFactory(site=other_site, notes="Ook hier slaat een vader")
    response = client_for(coordinator).get(reverse("contacts:list"), {"notes": "slaat vader"})
    assert [c.pk for c in response.context["page"]] == [own.pk]
    entry = AuditEntry.objects.get(object_type="contact_notes_search")
    assert "slaat" not in str(entry.changes) and "vader" not in entry.detail
    other = staff_user(Role.COORDINATOR, None, username="coord_elders")
    response = client_for(other).get(reverse("contacts:list"), {"notes": "vader"})
    assert list(response.context["page"]) == []


# --- Coordinators' home --------------------------------------------------------------------


def test_coordinator_home_shows_today_at_a_glance(client_for, site_coordinator, site):
    ContactFactory(site=site, started_at=timezone.now() - timedelta(minutes=5))
    ContactFlag.objects.create(contact=ContactFactory(site=site), reason="long_conversation")
    response = client_for(site_coordinator).get(reverse("home"))
    dashboard = response.context["dashboard"]
    assert dashboard["contacts_total"] >= 1 and dashboard["flags_to_check"] == 1
    assert reverse("contacts:data_quality") in response.content.decode()


def test_coordinator_home_gaps_cover_the_sites_the_coordinator_sees(
    django_assert_max_num_queries, site_coordinator, coordinator, site, other_site
):
    # Monday 7 January 2030, 09:00 local: one phone shift per site, nobody assigned.
    monday = datetime(2030, 1, 7, 8, tzinfo=UTC)
    for each in (site, other_site):
        ShiftFactory(site=each, starts_at=monday, required_headcount=1)
    day = date(2030, 1, 7)
    line_wide = staff_user(Role.COORDINATOR, None, username="coord_lijn")
    with django_assert_max_num_queries(12):
        gaps = coordinator_today(line_wide, day)["gaps"]
    # A run of hours with the same shortage is one line: 09:00-17:00, 0 of 1.
    short = [(gap_site, block.label, block.assigned) for gap_site, _c, block in gaps]
    assert (site, "09:00–17:00", 0) in short and (other_site, "09:00–17:00", 0) in short
    own = {gap_site for gap_site, *_rest in coordinator_today(site_coordinator, day)["gaps"]}
    assert own == {site}


# --- Language ------------------------------------------------------------------------------


def test_audit_page_shows_labels_names_and_local_times(client_for, responder, coordinator, site):
    case = CaseFactory(site=site)
    case_close(
        case=case, reason="referred", user=responder, now=datetime(2026, 7, 1, 22, 30, tzinfo=UTC)
    )
    page = client_for(coordinator).get(reverse("audit:list"), {"object_ref": case.reference})
    text = page.content.decode()
    assert "Reason for closing" in text and "— → Referred" in text
    assert "02/07/2026 00:30" in text  # 22:30 UTC is after midnight in Brussels (summer)
    assert "2026-07-01T22:30" not in text


def test_csv_export_keeps_codes_with_an_optional_label_export(site, settings):
    import io

    from django.core.management import call_command

    ContactFactory(site=site, contact_type_id="hang_up", theme_id="partner_violence")
    codes = io.StringIO()
    call_command("export_contacts", stdout=codes)
    assert ",partner_violence," in codes.getvalue() and codes.getvalue().endswith(",hang_up\r\n")
    settings.LANGUAGE_CODE = "nl"
    labelled = io.StringIO()
    call_command("export_contacts", "--labels", stdout=labelled)
    text = labelled.getvalue()
    assert ",Partnergeweld," in text and ",Telefoon," in text and text.endswith(",Ingehaakt\r\n")
    assert AuditEntry.objects.filter(detail__endswith="labels=1").exists()


def test_campaign_channels_are_shown_as_labels():
    from contacts.models import Campaign

    campaign = Campaign(name="x", start_date=date(2025, 3, 1), end_date=date(2025, 3, 9))
    campaign.channels = ["phone", "email"]
    assert campaign.channel_labels == ["Phone", "E-mail"]


def test_admin_shows_groups_as_role_labels(admin_client):
    from django.contrib.auth.models import Group

    response = admin_client.get(reverse("admin:auth_group_changelist"))
    assert "Responder" in response.content.decode()
    group = Group.objects.get(name="responder")
    user_page = admin_client.get(
        reverse("admin:auth_user_change", args=[response.wsgi_request.user.pk])
    )
    assert f'<option value="{group.pk}">Responder</option>' in user_page.content.decode()


def test_auto_close_is_a_nightly_periodic_task(settings):
    from django_celery_beat.models import PeriodicTask

    from contacts.tasks import AUTO_CLOSE_TASK, cases_auto_close_nightly

    task = PeriodicTask.objects.get(task=AUTO_CLOSE_TASK)
    assert task.enabled and task.crontab.timezone.key == "Europe/Brussels"
    settings.CASE_AUTO_CLOSE_MONTHS = 0
    assert cases_auto_close_nightly() == {"closed": 0}


def test_retention_blanks_old_profile_notes_without_later_contacts(site, responder):
    from reports.services.retention import _profile_notes_expire

    cutoff = datetime(2020, 1, 1, tzinfo=UTC)
    old = CallerProfile.objects.create(identifier_hash="a" * 64, site=site, note="Oud")
    called_again = CallerProfile.objects.create(identifier_hash="b" * 64, site=site, note="Nog")
    CallerProfile.objects.update(note_updated_at=cutoff - timedelta(days=1))
    ContactFactory(site=site, caller_profile=called_again, started_at=cutoff + timedelta(days=3))
    assert _profile_notes_expire(cutoff, dry_run=True) == 1
    assert _profile_notes_expire(cutoff, dry_run=False) == 1
    old.refresh_from_db()
    called_again.refresh_from_db()
    assert (old.note, called_again.note) == ("", "Nog")


def test_an_older_contact_without_type_or_theme_can_still_be_corrected(client_for, responder, site):
    from .test_views import edit_data

    contact = ContactFactory(site=site, theme_id=None, registered_by=responder)
    data = edit_data(contact, theme="", region="brussel")
    data["contact_type"] = "unspecified"
    response = client_for(responder).post(reverse("contacts:edit", args=[contact.reference]), data)
    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.region_id == "brussel" and contact.contact_type_id == "unspecified"


def test_new_pages_take_the_same_queries_with_more_rows(client_for, coordinator, site):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import SiteFactory

    profile = CallerProfile.objects.create(identifier_hash="c" * 64, site=site)

    def more():
        other = SiteFactory()
        for where in (site, other):
            contact = ContactFactory(site=where, caller_profile=profile)
            ContactFlag.objects.create(contact=contact, reason="long_conversation")
            FollowUpFactory(contact=contact, due_date=date(2020, 1, 1), assignee=coordinator)

    client = client_for(coordinator)
    urls = [
        reverse("home"),
        reverse("contacts:data_quality"),
        reverse("contacts:followup_team"),
        reverse("contacts:caller_profile", args=[profile.pk]),
    ]
    more()
    counts = []
    for _round in range(2):
        row = []
        for url in urls:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            row.append(len(queries))
        counts.append(row)
        for _ in range(6):
            more()
    assert counts[0] == counts[1]
