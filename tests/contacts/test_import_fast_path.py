"""The contact import's fast path (COPY and set-based SQL, PostgreSQL) against the row-by-row
path: the same files give the same result, the same messages in the same order, the same
`on_flag` calls and the same stored rows (contacts/services/imports_pg.py)."""

import io
from datetime import UTC, datetime

import pytest
from django.db import connection

from contacts.models import Case, Contact, ContactFlag, ReferenceCounter, Victim
from contacts.services import imports, imports_pg
from contacts.services.imports import ContactImportError, contacts_import
from tests.contacts.test_import_export import HEADER, csv_text, line
from tests.factories import CaseFactory, ContactFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the fast path needs COPY"),
]

NOW = datetime(2027, 1, 1, 12, 0, tzinfo=UTC)
CRLF_NOTES = 'Eerste regel, "citaat"\r\ntweede regel\r\nderde'

# (name, file, whether the fast path imports it itself)
GOOD = [
    ("one row", csv_text(line()), True),
    (
        "every column",
        csv_text(
            line(
                site="antwerpen",
                forms_of_violence="sexual;physical;sexual",
                context="school",
                awareness_source="campaign",
                referral="caw",
                follow_up_needed="1",
                case="D2018-00042",
                duration_seconds="",
                contact_type="hang_up",
                theme="",
            )
        ),
        True,
    ),
    (
        "notes over lines, then flags",
        csv_text(
            line(external_id="a", notes=CRLF_NOTES),
            line(external_id="b", caller_age_group="age_12_17", caller_role="professional"),
            line(external_id="c", notes="x\ny", duration_seconds="36000"),
            line(
                external_id="d",
                caller_age_group="age_12_17",
                caller_role="professional",
                channel="chat",
                duration_seconds="7201",
            ),
            line(external_id="e", channel="email", duration_seconds="36000"),
        ),
        True,
    ),
    (
        "victims, forms and times",
        csv_text(
            line(external_id="a", victims="age_3_5;age_3_5;age_12_17"),
            line(external_id="b", victims="age_0_2;;unknown", forms_of_violence="physical;;"),
            line(external_id="c", victims=";", started_at="2018-12-31T23:30:00Z"),
            line(external_id="d", started_at="2026-10-25T02:30:00+02:00"),
            line(external_id="e", started_at="2026-10-25T02:30:00+01:00"),
            line(external_id="f", started_at="2019-03-31T01:30:00.5+01:00"),
            line(
                external_id="g", started_at="2018-07-05T10:15:00-05:00", victims="age_6_11; age_3_5"
            ),
        ),
        True,
    ),
    (
        "cases: new, shared, existing, foreign",
        csv_text(
            line(external_id="a", site="antwerpen", case="D2018-00007"),
            line(external_id="b", site="antwerpen", case="D2018-00003"),
            line(external_id="c", site="antwerpen", case="D2018-00007"),
            line(external_id="d", site="gent", case="EXT-1"),
            line(external_id="e", site="antwerpen", case="D2017-00001"),
            line(external_id="f", site="antwerpen", case="D2019-1234567"),
            line(external_id="g", site="antwerpen", case="D2019-00000"),
            line(external_id="h", site="antwerpen", case="D2020-00000"),
            line(external_id="i", site="antwerpen", case="D２０２１-00003"),
        ),
        True,
    ),
    ("already present rows are skipped", csv_text(line(external_id="old-1"), line()), True),
    ("a UI contact found by reference", csv_text(line(external_id="2026-000042")), True),
    ("a byte order mark", "\ufeff" + csv_text(line()), True),
    ("line feeds only", csv_text(line(), line(external_id="b")).replace("\r\n", "\n"), True),
    ("no line break at the end", csv_text(line()).rstrip("\r\n"), True),
    ("only a header", csv_text(), True),
    (
        "columns in another order, only the base ones",
        "notes,external_id,channel,started_at,duration_seconds,site,theme,caller_gender,"
        "caller_age_group,caller_role,region,victims\r\n"
        '"a, b",x1,chat,2018-03-05T10:15:00+01:00,600,,,,,,,\r\n',
        True,
    ),
    # Well formed, but read by the row-by-row path: values with white space around them,
    # a quote inside an unquoted field (csv keeps it, COPY would not).
    ("padded values", csv_text(line(channel=" phone", theme="child_abuse ")), False),
    ("a blank list", csv_text(line(victims=" ", forms_of_violence="; ")), False),
    ("a quote inside a field", csv_text(line(notes="x")).replace(",x,", ',ab"c"d,'), False),
    ("an empty line", csv_text(line(), "\r\n", line(external_id="b")), False),
    ("mixed line endings", csv_text(line(), line(external_id="b").replace("\r\n", "\n")), False),
    ("a start without seconds", csv_text(line(started_at="2018-03-05T10:15+01:00")), False),
]

BAD = [
    ("unknown code", csv_text(line(external_id="a"), line(external_id="b", theme="nope"))),
    ("unknown victim", csv_text(line(victims="age_3_5;baby"))),
    ("unknown form", csv_text(line(forms_of_violence="physical;verbal"))),
    ("unknown site", csv_text(line(site="nergens"))),
    ("bad date", csv_text(line(started_at="2018-02-30T10:00:00+01:00"))),
    ("naive time", csv_text(line(started_at="2018-03-05T10:15:00"))),
    ("in the future", csv_text(line(started_at="2027-01-02T10:00:00+01:00"))),
    (
        "ends in the future",
        csv_text(line(started_at="2027-01-01T12:00:00+01:00", duration_seconds="7200")),
    ),
    ("before 2000", csv_text(line(started_at="1999-12-31T23:59:00Z"))),
    ("bad duration", csv_text(line(duration_seconds="12.5"), line(external_id="b"))),
    ("huge duration", csv_text(line(duration_seconds="9" * 12))),
    ("bad follow-up", csv_text(line(follow_up_needed="ja"))),
    ("blank external id", csv_text(line(external_id=""))),
    ("long external id", csv_text(line(external_id="x" * 101))),
    ("long case", csv_text(line(case="x" * 21))),
    ("long notes", csv_text(line(notes="n" * 20_001))),
    ("duplicate", csv_text(line(external_id="a"), line(external_id="b"), line(external_id="a"))),
    ("case of another site", csv_text(line(site="antwerpen", case="D2018-00099"))),
    (
        "one case at two sites",
        csv_text(
            line(external_id="a", site="antwerpen", case="X-1"),
            line(external_id="b", site="gent", case="X-1"),
        ),
    ),
    ("too few fields", csv_text(line(), "ext-2,phone,2018-03-05T10:15:00+01:00\r\n")),
    ("too many fields", csv_text(line().rstrip("\r\n") + ",extra\r\n")),
    ("broken quoting", csv_text(line(), 'b,phone,"2018\r\n')),
    ("text after a closing quote", csv_text(line(notes="x")).replace(",x,", ',"ab"c,')),
    ("a NUL character", csv_text(line(notes="a\x00b"))),
    ("end-of-data marker", csv_text(line(), "\\.\r\n", line(external_id="b"))),
    ("empty file", ""),
    ("unknown column", csv_text(line().rstrip("\r\n") + ",x\r\n", header=HEADER + ",mood")),
    ("missing column", HEADER.replace(",region", "") + "\r\n"),
    (
        "errors everywhere, in order",
        csv_text(
            line(external_id="a", theme="nope", notes=CRLF_NOTES),
            line(external_id="b"),
            line(external_id="c", started_at="gisteren", region="mars"),
            line(external_id="b"),
        ),
    ),
]


@pytest.fixture
def register(default_site, site, other_site):
    """What the files refer to: sites, an old contact, a UI contact, a case at Gent."""
    ContactFactory(site=site, external_id="old-1", reference="2018-000500")
    ContactFactory(site=site, external_id=None, reference="2026-000042")
    CaseFactory(reference="D2018-00099", site=other_site)


def _run(raw: bytes, *, fast: bool, monkeypatch) -> dict:
    """Import `raw` through one path; what it reported and stored. Then undo it."""
    contacts_before = set(Contact.objects.values_list("pk", flat=True))
    cases_before = set(Case.objects.values_list("pk", flat=True))
    counters_before = {(c.kind, c.year): c.last_value for c in ReferenceCounter.objects.all()}
    used = []
    real = imports._Importer

    class Spy(real):
        def run(self, stream):
            used.append("row by row")
            return super().run(stream)

    monkeypatch.setattr(imports, "_Importer", Spy)
    monkeypatch.setattr(imports, "_fast_path_possible", lambda: fast)
    errors, flags = [], []
    try:
        result = contacts_import(
            io.BytesIO(raw),
            batch_size=2,
            now=NOW,
            on_error=errors.append,
            on_flag=lambda *args: flags.append(args),
        )
        failed = False
    except ContactImportError as error:
        result, failed = error.result, True
        assert error.errors == errors
    new = Contact.objects.exclude(pk__in=contacts_before).order_by("pk")
    outcome = {
        "failed": failed,
        "counts": (
            result.rows_read,
            result.imported,
            result.already_present,
            result.victims,
            result.flagged,
            result.error_count,
        ),
        "errors": errors,
        "flags": flags,
        "contacts": [_stored(contact) for contact in new],
        "cases": sorted(
            Case.objects.exclude(pk__in=cases_before).values_list(
                "reference", "site__code", "summary", "close_reason", "closed_at", "opened_by"
            )
        ),
        "counters": {(c.kind, c.year): c.last_value for c in ReferenceCounter.objects.all()},
        "row_by_row": bool(used),
    }
    # Undo, so that the other path starts from the same register.
    Contact.objects.exclude(pk__in=contacts_before).delete()
    Case.objects.exclude(pk__in=cases_before).delete()
    ReferenceCounter.objects.exclude(
        pk__in=[c.pk for c in ReferenceCounter.objects.all() if (c.kind, c.year) in counters_before]
    ).delete()
    for (kind, year), value in counters_before.items():
        ReferenceCounter.objects.filter(kind=kind, year=year).update(last_value=value)
    return outcome


def _stored(contact: Contact) -> dict:
    fields = {
        field.attname: getattr(contact, field.attname)
        for field in Contact._meta.concrete_fields
        if field.attname not in {"id", "created_at", "updated_at", "case_id"}
    }
    fields["case"] = contact.case.reference if contact.case_id else None
    fields["victims"] = list(
        Victim.objects.filter(contact=contact)
        .order_by("pk")
        .values_list("age_group_id", "gender_id", "relation_id")
    )
    fields["forms"] = sorted(contact.forms_of_violence.values_list("code", flat=True))
    fields["flags"] = list(
        ContactFlag.objects.filter(contact=contact)
        .order_by("pk")
        .values_list("reason", "checked_at", "checked_by")
    )
    return fields


def _both(text: str, monkeypatch) -> tuple[dict, dict]:
    raw = text.encode("utf-8")
    return _run(raw, fast=True, monkeypatch=monkeypatch), _run(
        raw, fast=False, monkeypatch=monkeypatch
    )


@pytest.mark.parametrize(("name", "text", "fast"), GOOD, ids=[case[0] for case in GOOD])
def test_good_files_give_the_same_rows_both_ways(register, monkeypatch, name, text, fast):
    quick, slow = _both(text, monkeypatch)
    assert not quick["failed"], quick["errors"]
    assert quick.pop("row_by_row") is not fast
    assert slow.pop("row_by_row") is True
    assert quick == slow


@pytest.mark.parametrize(("name", "text"), BAD, ids=[case[0] for case in BAD])
def test_bad_files_give_the_same_messages_both_ways(register, monkeypatch, name, text):
    quick, slow = _both(text, monkeypatch)
    assert quick["failed"] and quick["errors"]
    assert quick.pop("row_by_row") is True  # the fast path never words an error itself
    slow.pop("row_by_row")
    assert quick == slow
    assert quick["contacts"] == [] and quick["cases"] == []


def test_invalid_utf8_and_a_bare_carriage_return(register, monkeypatch):
    text = csv_text(line(external_id="a"), line(external_id="b", notes="café")).encode()
    raw = text.replace("café".encode(), b"caf\xe9")
    quick = _run(raw, fast=True, monkeypatch=monkeypatch)
    slow = _run(raw, fast=False, monkeypatch=monkeypatch)
    assert quick["failed"] and quick == slow
    # In quotes a carriage return is data, for COPY as for csv.
    raw = csv_text(line(external_id="a\rb")).encode()
    quick = _run(raw, fast=True, monkeypatch=monkeypatch)
    slow = _run(raw, fast=False, monkeypatch=monkeypatch)
    assert quick.pop("row_by_row") is False and slow.pop("row_by_row") is True
    assert quick == slow and quick["contacts"][0]["external_id"] == "a\rb"
    # Outside quotes it is not (COPY refuses it): the row-by-row path words the error.
    raw = csv_text(line(external_id="a")).replace("\r\na,", "\r\na\rb,").encode()
    quick = _run(raw, fast=True, monkeypatch=monkeypatch)
    slow = _run(raw, fast=False, monkeypatch=monkeypatch)
    assert quick["failed"] and quick == slow


def test_a_quoted_field_across_chunks(register, monkeypatch):
    """The scan for stray quotes follows a quoted field into the next chunk."""
    monkeypatch.setattr(imports_pg, "CHUNK_BYTES", 64)
    rows = [line(external_id=f"id-{n}", notes=f'lang "{n}",\r\n' * 5) for n in range(30)]
    quick, slow = _both(csv_text(*rows), monkeypatch)
    assert quick.pop("row_by_row") is False
    slow.pop("row_by_row")
    assert quick == slow and len(quick["contacts"]) == 30


def test_dry_run_on_the_fast_path_writes_nothing(register, monkeypatch):
    before = Contact.objects.count()
    result = contacts_import(
        io.BytesIO(csv_text(line(), line(external_id="b", case="D2018-00001")).encode()),
        dry_run=True,
        now=NOW,
    )
    assert (result.rows_read, result.imported, result.dry_run) == (2, 2, True)
    assert Contact.objects.count() == before
    assert not Case.objects.filter(reference="D2018-00001").exists()
