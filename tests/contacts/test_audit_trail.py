"""What the register writes to the audit trail: views, changes, exports and imports."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone

from contacts.models import Theme
from contacts.services import ContactData, contact_register, contact_update
from contacts.services.consultations import consultation_item_save
from contacts.services.followups import followup_complete, followup_create
from contacts.services.imports import COLUMNS
from meldpunt.audit import MASK
from meldpunt.channels import Channel
from meldpunt.models import AuditEntry
from tests.factories import CaseFactory, ContactFactory
from tests.staffing.factories import ConsultationFactory

pytestmark = pytest.mark.django_db

Action = AuditEntry.Action
NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
SECRET = "Vader slaat de kinderen met de riem"


def data(**overrides) -> ContactData:
    values = {"channel": Channel.PHONE, "started_at": NOW - timedelta(minutes=10)}
    return ContactData(**{**values, **overrides})


def nowhere_in_the_log(text: str) -> bool:
    rows = json.dumps(list(AuditEntry.objects.values()), default=str)
    return text not in rows


def only(action: str) -> AuditEntry:
    return AuditEntry.objects.get(action=action)


def test_contact_page_writes_a_view_entry(client_for, responder, site):
    contact = ContactFactory(site=site)
    response = client_for(responder).get(reverse("contacts:detail", args=[contact.reference]))
    assert response.status_code == 200
    viewed = only(Action.VIEW)
    assert (viewed.user, viewed.object_type, viewed.object_ref, viewed.site_code) == (
        responder,
        "contact",
        contact.reference,
        "antwerpen",
    )
    assert viewed.ip == "127.0.0.1"


def test_case_page_writes_a_view_entry(client_for, coordinator, other_site):
    case = CaseFactory(site=other_site)
    response = client_for(coordinator).get(reverse("contacts:case_detail", args=[case.reference]))
    assert response.status_code == 200
    viewed = only(Action.VIEW)
    assert (viewed.user, viewed.object_type, viewed.object_ref, viewed.site_code) == (
        coordinator,
        "case",
        case.reference,
        "gent",
    )


def test_a_refused_page_writes_no_view_entry(client_for, other_responder, site):
    contact = ContactFactory(site=site)
    client = client_for(other_responder)
    assert client.get(reverse("contacts:detail", args=[contact.reference])).status_code == 404
    assert not AuditEntry.objects.filter(action=Action.VIEW).exists()


def test_register_writes_a_create_entry_with_masked_notes(site, responder):
    theme = Theme.objects.get(code="child_abuse")
    contact = contact_register(
        data=data(notes=SECRET, theme=theme), site=site, registered_by=responder, now=NOW
    )
    created = only(Action.CREATE)
    assert (created.user, created.object_ref, created.site_code) == (
        responder,
        contact.reference,
        "antwerpen",
    )
    assert created.changes["theme"] == [None, "child_abuse"]
    assert created.changes["channel"] == [None, "phone"]
    assert created.changes["notes"] == [None, MASK]
    assert nowhere_in_the_log(SECRET)


def test_update_writes_the_changed_fields_only_with_masked_notes(site, responder):
    contact = contact_register(data=data(notes=SECRET), site=site, registered_by=responder, now=NOW)
    theme = Theme.objects.get(code="partner_violence")
    contact_update(
        contact=contact,
        data=data(notes=SECRET + " en de moeder", theme=theme, ended_at=contact.ended_at),
        updated_by=responder,
        now=NOW,
    )
    updated = only(Action.UPDATE)
    assert updated.user == responder
    assert updated.changes == {"theme": [None, "partner_violence"], "notes": [MASK, MASK]}
    assert nowhere_in_the_log(SECRET)


def test_update_refused_by_validation_writes_nothing(site, responder):
    contact = contact_register(data=data(), site=site, registered_by=responder, now=NOW)
    with pytest.raises(ValidationError):
        contact_update(
            contact=contact,
            data=data(ended_at=NOW - timedelta(hours=1)),
            updated_by=responder,
            now=NOW,
        )
    assert not AuditEntry.objects.filter(action=Action.UPDATE).exists()


def test_edit_page_writes_a_view_entry(client_for, responder, site):
    contact = ContactFactory(site=site, notes=SECRET)
    client = client_for(responder)
    url = reverse("contacts:edit", args=[contact.reference])
    assert client.get(url).status_code == 200
    assert only(Action.VIEW).object_ref == contact.reference
    assert nowhere_in_the_log(SECRET)


def test_follow_ups_are_recorded_under_the_contact(site, responder):
    contact = ContactFactory(site=site)
    follow_up = followup_create(contact=contact, description=SECRET, created_by=responder)
    followup_complete(follow_up=follow_up, done_by=responder)
    followup_complete(follow_up=follow_up, done_by=responder)  # the second one changes nothing
    created, done = AuditEntry.objects.filter(object_type="follow_up").order_by("id")
    assert (created.action, created.object_ref, created.site_code) == (
        Action.CREATE,
        contact.reference,
        "antwerpen",
    )
    assert created.changes["description"] == [None, MASK]
    assert done.action == Action.UPDATE
    assert done.changes["done_by"] == [None, responder.pk]
    assert nowhere_in_the_log(SECRET)


def test_consultation_items_are_recorded_with_masked_decisions(site, responder):
    case = CaseFactory(site=site)
    starts = timezone.now() + timedelta(days=2)
    consultation = ConsultationFactory(
        site=site, starts_at=starts, ends_at=starts + timedelta(hours=1)
    )
    consultation_item_save(case=case, consultation=consultation, user=responder)
    consultation_item_save(case=case, consultation=consultation, decision=SECRET, user=responder)
    consultation_item_save(case=case, consultation=consultation, decision=SECRET, user=responder)
    created, updated = AuditEntry.objects.filter(object_type="consultation_item").order_by("id")
    assert (created.action, created.object_ref) == (Action.CREATE, case.reference)
    assert (updated.action, updated.changes) == (Action.UPDATE, {"decision": ["", MASK]})
    assert nowhere_in_the_log(SECRET)


# --- command-line exports and imports ----------------------------------------------------


def test_export_command_writes_an_export_entry(site):
    ContactFactory.create_batch(2, site=site, notes=SECRET)
    call_command("export_contacts", "--site", "antwerpen", stdout=_Sink())
    exported = only(Action.EXPORT)
    assert exported.user is None
    assert exported.username.startswith("cli:")
    assert exported.site_code == "antwerpen"
    assert "site=antwerpen" in exported.detail and "rows=2" in exported.detail
    assert nowhere_in_the_log(SECRET)


def _contacts_csv(tmp_path, notes=SECRET, channel="phone"):
    row = dict.fromkeys(COLUMNS, "")
    row.update(
        external_id="ext-1",
        channel=channel,
        started_at="2018-03-05T10:15:00+01:00",
        notes=notes,
    )
    path = tmp_path / "contacts.csv"
    path.write_text(",".join(COLUMNS) + "\r\n" + ",".join(row.values()) + "\r\n", "utf-8")
    return path


def test_import_command_writes_an_import_entry(tmp_path, default_site):
    call_command("import_contacts", str(_contacts_csv(tmp_path)), stdout=_Sink())
    imported = only(Action.IMPORT)
    assert imported.username.startswith("cli:")
    assert "file=contacts.csv" in imported.detail and "imported=1" in imported.detail
    assert nowhere_in_the_log(SECRET)


def test_failed_import_is_recorded_too(tmp_path, default_site):
    with pytest.raises(CommandError):
        call_command(
            "import_contacts",
            str(_contacts_csv(tmp_path, channel="fax")),
            stdout=_Sink(),
            stderr=_Sink(),
        )
    assert "errors=1" in only(Action.IMPORT).detail


def test_attempts_import_writes_an_import_entry(tmp_path):
    path = tmp_path / "attempts.csv"
    path.write_text(
        "external_id,channel,started_at,wait_seconds,talk_seconds,answered\r\n"
        "a-1,phone,2026-03-05T10:15:00+01:00,5,0,0\r\n",
        "utf-8",
    )
    call_command("import_attempts", path, stdout=_Sink())
    imported = only(Action.IMPORT)
    assert imported.object_type == "call_attempt"
    assert "imported=1" in imported.detail and "dry_run=0" in imported.detail


class _Sink:
    def write(self, text):
        pass

    def flush(self):
        pass
