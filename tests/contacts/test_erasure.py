"""Data-subject requests (contacts/services/erasure.py, contacts/views/erasure.py): an
administrator exports and erases a case's personal content; the figures stay the same."""

import json
from datetime import UTC, datetime

import pytest
from django.urls import reverse
from django.utils import translation

from contacts.models import Case, ConsultationItem, Contact, FollowUp, Victim
from contacts.services.erasure import case_access_export, case_content, case_erase
from meldpunt.models import AuditEntry
from reports.services.figures import annual_figures_direct
from tests.factories import CaseFactory, ContactFactory, FollowUpFactory, VictimFactory
from tests.staffing.factories import ConsultationFactory

pytestmark = pytest.mark.django_db

SECRET = "Mama slaat Lotte met de riem"
YEAR = 2025


@pytest.fixture
def case(site):
    case = CaseFactory(site=site, reference="D2025-00042", summary=f"{SECRET} (samenvatting)")
    for month in (3, 4):
        contact = ContactFactory(
            site=site,
            case=case,
            started_at=datetime(YEAR, month, 5, 10, tzinfo=UTC),
            notes=f"{SECRET} {month}",
        )
        VictimFactory(contact=contact, age_group_id="age_6_11", relation_id="child")
        FollowUpFactory(contact=contact, description=f"{SECRET}: terugbellen")
    consultation = ConsultationFactory(site=site, starts_at=datetime(YEAR, 4, 8, 12, tzinfo=UTC))
    ConsultationItem.objects.create(consultation=consultation, case=case, decision=SECRET)
    return case


@pytest.fixture
def other_case(site):
    other = CaseFactory(site=site, summary="Andere zaak")
    ContactFactory(site=site, case=other, started_at=datetime(YEAR, 5, 1, 9, tzinfo=UTC))
    return other


def test_erase_removes_all_personal_content_and_keeps_the_counts(case, other_case, administrator):
    contacts = list(Contact.objects.filter(case=case))
    before = annual_figures_direct(YEAR)
    updated = dict(Contact.objects.values_list("pk", "updated_at"))

    result = case_erase(case=case, user=administrator)

    assert not Case.objects.filter(reference="D2025-00042").exists()
    assert not ConsultationItem.objects.exists()
    for contact in contacts:
        contact.refresh_from_db()
        assert (contact.notes, contact.case_id) == ("", None)
        assert list(contact.victims.values_list("relation_id", "age_group_id")) == [
            (None, "age_6_11")
        ]
        assert not FollowUp.objects.filter(contact=contact).exists()
    assert Victim.objects.filter(contact__in=contacts).count() == 2
    assert annual_figures_direct(YEAR) == before
    # update(), not save(): the nightly rebuild sees no changed day.
    assert dict(Contact.objects.values_list("pk", "updated_at")) == updated
    # Another case is untouched.
    other_case.refresh_from_db()
    assert other_case.summary == "Andere zaak"
    assert result.counts() == {
        "contacts_unlinked": 2,
        "notes_blanked": 2,
        "victim_relations_removed": 2,
        "follow_ups_deleted": 2,
        "consultation_items_deleted": 1,
        "summary_removed": True,
        "caller_profiles_erased": 0,
    }


def test_erase_is_audited_with_counts_only(case, administrator):
    case_erase(case=case, user=administrator)
    entry = AuditEntry.objects.get(action=AuditEntry.Action.ERASE)
    assert (entry.user, entry.object_type, entry.object_ref, entry.site_code) == (
        administrator,
        "case",
        "D2025-00042",
        "antwerpen",
    )
    assert "notes_blanked=2" in entry.detail
    assert SECRET not in entry.detail
    assert SECRET not in json.dumps(entry.changes)


def test_content_counts(case):
    content = case_content(case)
    assert (content.contacts, content.contacts_with_notes, content.victims) == (2, 2, 2)
    assert (content.victims_with_relation, content.follow_ups) == (2, 2)
    assert (content.consultation_items, content.decisions, content.has_summary) == (1, 1, True)
    assert content.anything


def test_access_export_holds_the_content_and_is_audited(case, administrator):
    data = case_access_export(case=case, user=administrator)
    assert data["case"] == "D2025-00042"
    assert data["summary"].startswith(SECRET)
    assert [c["notes"] for c in data["contacts"]] == [f"{SECRET} 3", f"{SECRET} 4"]
    assert data["contacts"][0]["victims"][0]["relation"]
    assert data["consultation_items"][0]["decision"] == SECRET
    entry = AuditEntry.objects.get(action=AuditEntry.Action.EXPORT)
    assert entry.object_ref == "D2025-00042"
    assert SECRET not in entry.detail


# --- the pages ---------------------------------------------------------------------------


def test_page_finds_a_case_and_shows_counts_not_content(client_for, administrator, case):
    response = client_for(administrator).get(
        reverse("contacts:erasure"), {"reference": "D2025-00042"}
    )
    assert response.status_code == 200
    assert response.context["content"].contacts == 2
    assert SECRET not in response.content.decode()


def test_unknown_reference_gives_a_clear_message(client_for, administrator):
    response = client_for(administrator).get(reverse("contacts:erasure"), {"reference": "D1-1"})
    assert response.status_code == 200
    assert "No case with this reference." in response.content.decode()


def test_download_is_json_and_audited(client_for, administrator, case):
    response = client_for(administrator).get(
        reverse("contacts:erasure_export", args=[case.reference])
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert "attachment" in response["Content-Disposition"]
    assert json.loads(response.content)["contacts"][1]["notes"] == f"{SECRET} 4"
    assert AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT).count() == 1


def test_erase_needs_the_reference_typed_again(client_for, administrator, case):
    client = client_for(administrator)
    url = reverse("contacts:erasure_confirm", args=[case.reference])
    assert client.get(url).status_code == 200
    response = client.post(url, {"confirm": "D2025-00043"})
    assert response.status_code == 400
    assert Case.objects.filter(pk=case.pk).exists()

    response = client.post(url, {"confirm": "D2025-00042"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("contacts:erasure")
    assert "is erased" in response.content.decode()
    assert not Case.objects.filter(pk=case.pk).exists()
    # Erased: the case is gone, a second attempt is a 404, not a 500.
    assert client.post(url, {"confirm": "D2025-00042"}).status_code == 404


@pytest.mark.parametrize("role", ["responder", "site_coordinator", "coordinator", "outsider"])
def test_only_administrators(request, client_for, role, case):
    client = client_for(request.getfixturevalue(role))
    for url in (
        reverse("contacts:erasure"),
        reverse("contacts:erasure_export", args=[case.reference]),
        reverse("contacts:erasure_confirm", args=[case.reference]),
    ):
        assert client.get(url).status_code == 403
    assert (
        client.post(
            reverse("contacts:erasure_confirm", args=[case.reference]), {"confirm": case.reference}
        ).status_code
        == 403
    )
    assert Case.objects.filter(pk=case.pk).exists()
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT).exists()


def test_anonymous_is_sent_to_login(client, case):
    for url in (
        reverse("contacts:erasure"),
        reverse("contacts:erasure_export", args=[case.reference]),
        reverse("contacts:erasure_confirm", args=[case.reference]),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith("/login/")


def test_pages_are_dutch(client_for, administrator, case, settings):
    settings.LANGUAGE_CODE = "nl-be"
    client = client_for(administrator)
    with translation.override("nl-be"):
        search = client.get(reverse("contacts:erasure"), {"reference": "D1-1"})
        confirm = client.get(reverse("contacts:erasure_confirm", args=[case.reference]))
    assert "Verzoeken van betrokkenen" in search.content.decode()
    assert "Geen dossier met dit nummer." in search.content.decode()
    assert "kan niet ongedaan worden gemaakt" in confirm.content.decode()


def test_menu_links_the_page_for_administrators_only(client_for, administrator, coordinator):
    url = reverse("contacts:erasure")
    assert url in client_for(administrator).get(reverse("home")).content.decode()
    assert url not in client_for(coordinator).get(reverse("home")).content.decode()
