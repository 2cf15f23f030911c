"""One notes limit (contacts.models.NOTES_MAX_LENGTH) for the form, the CSV import, the
database and so the export: the longest notes go out and come back in unchanged."""

import io

import pytest
from django.db import IntegrityError, transaction

from contacts.forms.contact import ContactForm
from contacts.models import NOTES_MAX_LENGTH, CallAttempt, Contact
from contacts.services.attempts import attempts_import
from tests.factories import ContactFactory

from .test_import_export import csv_text, export, import_failing, import_ok, line

pytestmark = pytest.mark.django_db


@pytest.fixture
def write_csv(tmp_path):
    def write(text: str, name: str = "contacts.csv"):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8", newline="")
        return str(path)

    return write


def test_the_longest_notes_survive_export_and_import(write_csv, default_site):
    notes = ('Lange notitie, met "quotes" en\r\nregels. ' * 1000)[:NOTES_MAX_LENGTH]
    import_ok(write_csv(csv_text(line(notes=notes))))
    exported = export()
    Contact.objects.all().delete()
    import_ok(write_csv(exported, name="again.csv"))
    assert Contact.objects.get().notes == notes
    assert export() == exported


def test_the_import_refuses_longer_notes(write_csv, default_site):
    errors = import_failing(write_csv(csv_text(line(notes="x" * (NOTES_MAX_LENGTH + 1)))))
    assert "notes" in errors
    assert not Contact.objects.exists()


def test_the_database_refuses_longer_notes(default_site):
    contact = ContactFactory(site=default_site)
    contact.notes = "x" * (NOTES_MAX_LENGTH + 1)
    with pytest.raises(IntegrityError), transaction.atomic():
        contact.save(update_fields=["notes"])


def test_the_form_refuses_longer_notes(responder):
    form = ContactForm(data={"notes": "x" * (NOTES_MAX_LENGTH + 1)}, user=responder)
    assert not form.is_valid()
    assert "notes" in form.errors


def test_a_nul_in_an_attempts_external_id_is_reported_not_a_500():
    text = "external_id,channel,started_at,wait_seconds,talk_seconds,answered\n"
    text += "a\x00b,phone,2026-03-02T10:00:00+01:00,5,60,1\n"
    result = attempts_import(io.StringIO(text, newline=""))
    assert [(p.line, p.column) for p in result.problems] == [(2, "external_id")]
    assert not CallAttempt.objects.exists()
