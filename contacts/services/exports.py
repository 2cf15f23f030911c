"""Export of contacts in the contact CSV of DESIGN.md, the format the import reads.

Export → import → export gives the same bytes: instants are written in Brussels local time
with their offset at second precision, durations in whole seconds, lists in a fixed order.
"""

import csv
from collections.abc import Iterator
from datetime import datetime
from typing import TextIO

from django.db.models import Prefetch, QuerySet

from meldpunt.channels import Channel
from staffing.models import Site

from ..models import Contact, Victim, VictimAgeGroup, ViolenceForm
from .imports import BRUSSELS, CODE_COLUMNS, COLUMNS, LIST_SEPARATOR

CHUNK_SIZE = 2000


def contacts_for_export(*, year: int | None = None, site: Site | None = None) -> QuerySet:
    """The contacts of a (Brussels local) year and/or site, in a stable order."""
    contacts = (
        Contact.objects.select_related("site", "case")
        .prefetch_related(
            Prefetch("victims", queryset=Victim.objects.order_by("id")),
            "forms_of_violence",
        )
        .order_by("started_at", "id")
    )
    if year is not None:
        contacts = contacts.filter(
            started_at__gte=datetime(year, 1, 1, tzinfo=BRUSSELS),
            started_at__lt=datetime(year + 1, 1, 1, tzinfo=BRUSSELS),
        )
    if site is not None:
        contacts = contacts.filter(site=site)
    return contacts


def _local_iso(instant: datetime) -> str:
    return instant.astimezone(BRUSSELS).isoformat(timespec="seconds")


def _row(contact: Contact) -> list[str]:
    duration = contact.duration_seconds
    return [
        contact.external_id or contact.reference,
        contact.channel,
        _local_iso(contact.started_at),
        "" if duration is None else str(duration),
        contact.site.code,
        # Taxonomy terms have their code as primary key: the *_id attributes are the codes.
        contact.theme_id or "",
        contact.caller_gender_id or "",
        contact.caller_age_group_id or "",
        contact.caller_role_id or "",
        contact.region_id or "",
        LIST_SEPARATOR.join(v.age_group_id or "" for v in contact.victims.all()),
        contact.notes,
        LIST_SEPARATOR.join(sorted(f.code for f in contact.forms_of_violence.all())),
        contact.context_id or "",
        contact.awareness_source_id or "",
        contact.referral_id or "",
        "1" if contact.follow_up_needed else "0",
        contact.case.reference if contact.case_id else "",
        contact.contact_type_id,
    ]


def contacts_export_rows(contacts: QuerySet) -> Iterator[list[str]]:
    """The header and one row per contact, streamed in chunks from the database."""
    yield list(COLUMNS)
    for contact in contacts.iterator(chunk_size=CHUNK_SIZE):
        yield _row(contact)


def _label_maps() -> dict[str, dict[str, str]]:
    """Per column, code → label in the active language (a few hundred terms, one query each)."""
    maps = {
        column: {t.pk: str(t) for t in model.objects.all()}
        for column, model in CODE_COLUMNS.items()
    }
    maps["channel"] = {code: str(label) for code, label in Channel.choices}
    maps["victims"] = {t.pk: str(t) for t in VictimAgeGroup.objects.all()}
    maps["forms_of_violence"] = {t.pk: str(t) for t in ViolenceForm.objects.all()}
    return maps


def _labelled(row: list[str], maps: dict) -> list[str]:
    labelled = []
    for column, value in zip(COLUMNS, row, strict=True):
        mapping = maps.get(column)
        if mapping is None or not value:
            labelled.append(value)
        elif column in ("victims", "forms_of_violence"):
            entries = value.split(LIST_SEPARATOR)
            labelled.append(LIST_SEPARATOR.join(mapping.get(e, e) for e in entries))
        else:
            labelled.append(mapping.get(value, value))
    return labelled


def contacts_export(
    out: TextIO, *, year: int | None = None, site: Site | None = None, labels: bool = False
) -> int:
    """Write the contact CSV to a text stream; returns the number of contacts written.

    Rows end in CRLF (RFC 4180); `out` must not translate line endings. The CSV is a data
    format and holds codes; `labels=True` writes the labels of the active language instead
    (for reading in a spreadsheet; such a file is not for re-import).
    """
    writer = csv.writer(out, lineterminator="\r\n")
    rows = contacts_export_rows(contacts_for_export(year=year, site=site))
    writer.writerow(next(rows))
    maps = _label_maps() if labels else None
    count = 0
    for row in rows:
        writer.writerow(_labelled(row, maps) if maps else row)
        count += 1
    return count
