"""What callers tell the line never reaches the logs: not at DEBUG level, not through the
audit logger, not in the report of a server error."""

import io
import logging

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.views.debug import ExceptionReporter, SafeExceptionReporterFilter

from contacts.models import Contact
from contacts.services.imports import contacts_import
from contacts.views import intake
from tests.contacts.test_import_export import csv_text, line
from tests.contacts.test_views import edit_data, intake_data
from tests.factories import CaseFactory, ContactFactory

NOTE = "Zeer-herkenbare-notitie-7f3a over de buurman en zijn dochter"
NOTE_EDITED = "Gecorrigeerde-notitie-91c2 na het tweede gesprek"
SAFE = SafeExceptionReporterFilter.cleansed_substitute
NOTE_IMPORTED = 'Geimporteerde-notitie-4b8e, met komma en "aanhalingstekens"'


@pytest.fixture
def every_log_record(caplog):
    """Every record of every logger, DEBUG included; loggers with a level of their own too."""
    caplog.set_level(logging.DEBUG)
    for name in list(logging.root.manager.loggerDict):
        caplog.set_level(logging.DEBUG, logger=name)
    return caplog


def _logged_text(caplog) -> str:
    parts = []
    for record in caplog.records:
        parts.append(record.getMessage())
        parts.append(repr(record.args))
        parts.append(repr(vars(record)))
    return "\n".join(parts)


def _assert_not_logged(caplog, *secrets):
    assert caplog.records, "nothing was logged at all: the capture is not working"
    text = _logged_text(caplog)
    for secret in secrets:
        assert secret not in text
        # Also not a fragment that a formatter could have cut it into.
        assert secret.split()[0] not in text


def test_notes_typed_in_the_intake_are_never_logged(client_for, responder, every_log_record):
    client = client_for(responder)
    logging.getLogger("tests.security").debug("capture check")
    response = client.post(reverse("contacts:create"), intake_data(notes=NOTE))
    assert response.status_code == 302
    contact = Contact.objects.get()
    assert contact.notes == NOTE
    client.get(reverse("contacts:detail", args=[contact.reference]))
    client.get(reverse("contacts:list"))
    response = client.post(
        reverse("contacts:edit", args=[contact.reference]), edit_data(contact, notes=NOTE_EDITED)
    )
    assert response.status_code == 302
    # A refused registration re-shows the form, with the notes, and logs nothing of them.
    client.post(reverse("contacts:create"), intake_data(notes=NOTE, started_at="not a date"))
    _assert_not_logged(every_log_record, NOTE, NOTE_EDITED)


def test_notes_in_an_imported_file_are_never_logged(tmp_path, db, every_log_record):
    logging.getLogger("tests.security").debug("capture check")
    good, bad = tmp_path / "good.csv", tmp_path / "bad.csv"
    good.write_text(csv_text(line(external_id="ext-1", notes=NOTE_IMPORTED)))
    call_command("import_contacts", str(good), stdout=io.StringIO(), stderr=io.StringIO())
    assert Contact.objects.get().notes == NOTE_IMPORTED
    # A bad file: the good row's notes are not in the log either.
    bad.write_text(
        csv_text(
            line(external_id="ext-2", notes=NOTE),
            line(external_id="ext-3", channel="fax", notes=NOTE_EDITED),
        )
    )
    with pytest.raises(CommandError):
        call_command("import_contacts", str(bad), stdout=io.StringIO(), stderr=io.StringIO())
    _assert_not_logged(every_log_record, NOTE, NOTE_EDITED, NOTE_IMPORTED)


def _allocation_fails(*args, **kwargs):
    raise RuntimeError("the database went away")


def _error_report(request, excinfo) -> str:
    """What Django's error e-mail (AdminEmailHandler) and DEBUG page would show."""
    reporter = ExceptionReporter(request, excinfo.type, excinfo.value, excinfo.tb)
    return reporter.get_traceback_text() + reporter.get_traceback_html()


def test_error_report_of_a_failed_registration_leaves_out_the_notes(rf, responder, monkeypatch):
    monkeypatch.setattr("contacts.services.contacts.reference_allocate", _allocation_fails)
    request = rf.post(reverse("contacts:create"), intake_data(notes=NOTE))
    request.user = responder
    request.session = {}
    with pytest.raises(RuntimeError) as excinfo:
        intake.contact_create(request)
    report = _error_report(request, excinfo)
    assert "the database went away" in report
    assert "contact_register" in report  # the service's frame is in the report...
    assert SAFE in report  # ...with the notes in POST data and in its variables hidden
    assert NOTE.split()[0] not in report


def test_error_report_of_a_failed_import_leaves_out_the_notes(db, monkeypatch):
    monkeypatch.setattr("contacts.services.imports.reference_allocate", _allocation_fails)
    stream = io.BytesIO(csv_text(line(external_id="ext-1", notes=NOTE_IMPORTED)).encode())
    with pytest.raises(RuntimeError) as excinfo:
        contacts_import(stream)
    report = _error_report(None, excinfo)
    assert "_insert" in report
    assert NOTE_IMPORTED.split(",")[0] not in report


def test_views_taking_free_text_mark_it_sensitive(client_for, responder, site):
    """Django's error reports (e-mail to the admins, the 500 log) then show stars instead."""
    case = CaseFactory(site=site)
    contact = ContactFactory(site=site, case=case)
    client = client_for(responder)
    for url, field in (
        (reverse("contacts:create"), "notes"),
        (reverse("contacts:edit", args=[contact.reference]), "notes"),
        (reverse("contacts:case_consultation_add", args=[case.reference]), "decision"),
    ):
        response = client.post(url, {field: NOTE})
        assert response.status_code in (200, 400), url
        assert field in response.wsgi_request.sensitive_post_parameters, url
        cleansed = SafeExceptionReporterFilter().get_post_parameters(response.wsgi_request)
        assert cleansed[field] == SAFE, url
