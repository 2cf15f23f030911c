"""A responder's registration during a long import of the same year waits at most a moment
(issue 11: the import held the year's reference counter for its whole run, 48 s for 25 MB,
and behind gunicorn's timeout the registration was lost).

PostgreSQL, real transactions: the import runs in a thread on its own connection."""

import csv
import io
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection

from contacts.models import Contact, ReferenceCounter
from contacts.services.contacts import ContactData, contact_register
from contacts.services.imports import COLUMNS, contacts_import
from meldpunt.channels import Channel

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks of PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]

ROWS = 6000
YEAR = 2025


def _csv(rows: int) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    start = datetime(YEAR, 3, 1, 9, tzinfo=UTC)
    for n in range(rows):
        row = dict.fromkeys(COLUMNS, "")
        row.update(
            external_id=f"bulk-{n}",
            channel="phone",
            started_at=(start + timedelta(minutes=n)).isoformat(),
            duration_seconds="60",
            notes="Imported note, long enough to take a little time. " * 3,
        )
        writer.writerow(row[name] for name in COLUMNS)
    return out.getvalue().encode()


def _counter_seen_from_outside() -> int:
    counter = ReferenceCounter.objects.filter(kind="contact", year=YEAR).first()
    return counter.last_value if counter else 0


def test_a_registration_during_an_import_of_its_year_waits_under_a_second(
    site, responder, default_site
):
    data = _csv(ROWS)
    outcome = {}

    def run_import():
        try:
            outcome["result"] = contacts_import(
                iter(data.splitlines(keepends=True)), batch_size=500
            )
        finally:
            connection.close()

    importer = threading.Thread(target=run_import)
    started = time.monotonic()
    importer.start()
    # The import has taken its first range of references and goes on (the counter shows it
    # only when taken in a transaction of its own: give the old way a second to get there).
    deadline = time.monotonic() + 1
    while _counter_seen_from_outside() == 0 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert importer.is_alive(), "the import ended before the registration: make it longer"

    before = time.monotonic()
    contact = contact_register(
        data=ContactData(channel=Channel.PHONE, started_at=datetime(YEAR, 6, 1, 10, tzinfo=UTC)),
        site=site,
        registered_by=responder,
        now=datetime(YEAR, 6, 1, 10, 5, tzinfo=UTC),
    )
    waited = time.monotonic() - before
    still_importing = importer.is_alive()
    importer.join(120)
    import_seconds = time.monotonic() - started
    print(f"registration waited {waited * 1000:.0f} ms during an import of {import_seconds:.1f} s")

    assert still_importing, "the import ended before the registration: make it longer"
    assert waited < 1.0
    assert outcome["result"].imported == ROWS
    references = list(Contact.objects.values_list("reference", flat=True))
    assert len(references) == len(set(references)) == ROWS + 1
    assert contact.reference.startswith(f"{YEAR}-")
