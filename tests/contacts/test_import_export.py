"""The contact CSV: import_contacts, export_contacts and bench_import (DESIGN.md, "Contact CSV")."""

import csv
import io
import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from contacts.models import (
    CallAttempt,
    Case,
    Contact,
    ContactFlag,
    ReferenceCounter,
    Theme,
    Victim,
)
from contacts.services.imports import BASE_COLUMNS, COLUMNS, error_message
from meldpunt.channels import Channel
from tests.factories import CaseFactory, ContactFactory, SiteFactory, VictimFactory

pytestmark = pytest.mark.django_db

HEADER = ",".join(COLUMNS)
BASE_HEADER = ",".join(BASE_COLUMNS)


def line(**values) -> str:
    """One CSV record with every column; a good phone contact unless overridden."""
    row = {
        "external_id": "ext-1",
        "channel": "phone",
        "started_at": "2018-03-05T10:15:00+01:00",
        "duration_seconds": "300",
        "site": "",
        "theme": "child_abuse",
        "caller_gender": "female",
        "caller_age_group": "adult",
        "caller_role": "victim_environment",
        "region": "antwerpen",
        "victims": "age_6_11",
        "notes": "",
        "forms_of_violence": "",
        "context": "",
        "awareness_source": "",
        "referral": "",
        "follow_up_needed": "",
        "case": "",
        "contact_type": "",
    }
    row.update(values)
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow(row[name] for name in COLUMNS)
    return out.getvalue()


def csv_text(*lines: str, header: str = HEADER) -> str:
    return header + "\r\n" + "".join(lines)


@pytest.fixture
def write_csv(tmp_path):
    def write(text: str | bytes, name: str = "contacts.csv"):
        path = tmp_path / name
        path.write_bytes(text.encode() if isinstance(text, str) else text)
        return str(path)

    return write


def import_ok(path: str, *args) -> str:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_contacts", path, *args, stdout=out, stderr=err)
    assert err.getvalue() == ""
    return out.getvalue()


def import_failing(path: str, *args) -> str:
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_contacts", path, *args, stdout=out, stderr=err)
    return err.getvalue()


def export(*args) -> str:
    out = io.StringIO()
    call_command("export_contacts", *args, stdout=out)
    return out.getvalue()


def where(line_number: int, column: str) -> str:
    """The start of an error message as the command prints it, in the site's language."""
    with translation.override(settings.LANGUAGE_CODE):
        return error_message(line_number, column, "")


# --- importing ---------------------------------------------------------------------------


def test_file_with_only_the_base_columns_goes_to_the_default_site(write_csv, default_site):
    text = csv_text(
        "ext-1,chat,2018-03-05T10:15:00+01:00,600,,partner_violence,male,age_12_17,victim,"
        "limburg,age_12_17,\r\n",
        header=BASE_HEADER,
    )
    output = import_ok(write_csv(text))

    contact = Contact.objects.get()
    assert contact.site == default_site
    assert contact.external_id == "ext-1"
    assert contact.reference == "2018-000001"
    assert contact.channel == Channel.CHAT
    assert contact.started_at == datetime(2018, 3, 5, 9, 15, tzinfo=UTC)
    assert contact.ended_at == contact.started_at + timedelta(minutes=10)
    assert contact.theme_id == "partner_violence"
    assert contact.caller_age_group_id == "age_12_17"
    assert contact.case is None
    assert contact.follow_up_needed is False
    assert contact.notes == ""
    assert list(contact.victims.values_list("age_group_id", flat=True)) == ["age_12_17"]
    assert "1" in output and "rows/s" in output


def test_every_column_is_imported(write_csv, site):
    text = csv_text(
        line(
            site="antwerpen",
            forms_of_violence="sexual;physical;sexual",
            context="school",
            awareness_source="campaign",
            referral="caw",
            follow_up_needed="1",
            case="D2018-00042",
            duration_seconds="",
        )
    )
    import_ok(write_csv(text))

    contact = Contact.objects.get()
    assert contact.site == site
    assert contact.ended_at is None
    assert sorted(f.code for f in contact.forms_of_violence.all()) == ["physical", "sexual"]
    assert contact.context_id == "school"
    assert contact.awareness_source_id == "campaign"
    assert contact.referral_id == "caw"
    assert contact.follow_up_needed is True
    assert contact.case.reference == "D2018-00042"
    assert contact.case.site == site
    # The case counter will never hand out D2018-00042 again.
    counter = ReferenceCounter.objects.get(kind=ReferenceCounter.Kind.CASE, year=2018)
    assert counter.last_value == 42


def test_bulk_create_fills_created_at_and_updated_at(write_csv, default_site):
    before = timezone.now()
    import_ok(write_csv(csv_text(line())))
    contact = Contact.objects.get()
    assert before <= contact.created_at <= timezone.now()
    assert before <= contact.updated_at <= timezone.now()


def test_notes_keep_quotes_commas_and_newlines(write_csv, default_site):
    notes = 'Moeder belt, zegt "hij slaat"\r\nTweede regel\nDerde, laatste'
    path = write_csv(csv_text(line(notes=notes), line(external_id="ext-2", notes=",")))
    import_ok(path)
    assert Contact.objects.get(external_id="ext-1").notes == notes
    assert Contact.objects.get(external_id="ext-2").notes == ","


def test_a_byte_order_mark_is_ignored(write_csv, default_site):
    import_ok(write_csv(b"\xef\xbb\xbf" + csv_text(line()).encode()))
    assert Contact.objects.count() == 1


@pytest.mark.parametrize(
    ("started_at", "utc"),
    [
        ("2018-03-05T10:15:00+01:00", datetime(2018, 3, 5, 9, 15, tzinfo=UTC)),
        ("2018-03-05T09:15:00Z", datetime(2018, 3, 5, 9, 15, tzinfo=UTC)),
        ("2018-07-05T10:15:00+02:00", datetime(2018, 7, 5, 8, 15, tzinfo=UTC)),
        ("2018-07-05T10:15:00-05:00", datetime(2018, 7, 5, 15, 15, tzinfo=UTC)),
    ],
)
def test_instants_with_offset_or_z_are_stored_in_utc(write_csv, default_site, started_at, utc):
    import_ok(write_csv(csv_text(line(started_at=started_at))))
    assert Contact.objects.get().started_at == utc


def test_the_repeated_hour_at_the_end_of_summer_time_gives_two_instants(
    write_csv, default_site, monkeypatch
):
    # Not in the future, whatever the clock of the machine running the tests says.
    monkeypatch.setattr(timezone, "now", lambda: datetime(2027, 1, 1, tzinfo=UTC))
    # On 2026-10-25 Brussels goes from 03:00 summer time back to 02:00: 02:30 happens twice.
    path = write_csv(
        csv_text(
            line(external_id="summer", started_at="2026-10-25T02:30:00+02:00"),
            line(external_id="winter", started_at="2026-10-25T02:30:00+01:00"),
        )
    )
    import_ok(path)
    summer = Contact.objects.get(external_id="summer").started_at
    winter = Contact.objects.get(external_id="winter").started_at
    assert summer == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert winter - summer == timedelta(hours=1)

    text = export("--year", "2026")
    assert ",2026-10-25T02:30:00+02:00," in text
    assert ",2026-10-25T02:30:00+01:00," in text
    assert text.index("summer,") < text.index("winter,")


def test_contact_just_before_new_year_utc_belongs_to_the_next_local_year(write_csv, default_site):
    import_ok(write_csv(csv_text(line(started_at="2018-12-31T23:30:00Z"))))
    assert Contact.objects.get().reference == "2019-000001"

    in_2019 = export("--year", "2019")
    assert "ext-1,phone,2019-01-01T00:30:00+01:00,300," in in_2019
    assert "ext-1" not in export("--year", "2018")


def test_victims_one_entry_per_victim(write_csv, default_site):
    path = write_csv(
        csv_text(
            line(external_id="a", victims="age_3_5;age_3_5;age_12_17"),
            line(external_id="b", victims=""),
            line(external_id="c", victims="age_0_2;;unknown"),
        )
    )
    output = import_ok(path)
    groups = Victim.objects.filter(contact__external_id="a").order_by("id")
    assert list(groups.values_list("age_group_id", flat=True)) == [
        "age_3_5",
        "age_3_5",
        "age_12_17",
    ]
    assert not Victim.objects.filter(contact__external_id="b").exists()
    # An empty entry is a victim whose age group was not recorded.
    assert list(
        Victim.objects.filter(contact__external_id="c")
        .order_by("id")
        .values_list("age_group_id", flat=True)
    ) == ["age_0_2", None, "unknown"]
    assert "6" in output  # victims in the summary


def test_inactive_codes_are_still_accepted(write_csv, default_site):
    Theme.objects.filter(code="ritual_violence").update(is_active=False)
    import_ok(write_csv(csv_text(line(theme="ritual_violence"))))
    assert Contact.objects.get().theme_id == "ritual_violence"


# --- refusing ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("channel", "fax"),
        ("theme", "burglary"),
        ("caller_gender", "f"),
        ("caller_age_group", "teen"),
        ("caller_role", "neighbour"),
        ("region", "gent"),
        ("victims", "age_3_5;baby"),
        ("forms_of_violence", "physical;verbal"),
        ("context", "church"),
        ("awareness_source", "tv"),
        ("referral", "doctor"),
    ],
)
def test_unknown_code_is_reported_with_line_column_and_code(write_csv, default_site, column, value):
    err = import_failing(write_csv(csv_text(line(external_id="ok"), line(**{column: value}))))
    (message,) = err.strip().splitlines()[:1]
    assert message.startswith(where(3, column))
    assert value.split(";")[-1] in message
    assert Contact.objects.count() == 0


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("started_at", "2018-02-30T10:00:00+01:00"),
        ("started_at", "5 maart 2018"),
        ("started_at", ""),
        ("started_at", "2018-03-05T10:15:00"),  # naive: no offset
        ("started_at", "2999-01-01T10:00:00Z"),  # in the future
        ("duration_seconds", "-5"),
        ("duration_seconds", "12.5"),
        ("duration_seconds", "abc"),
        ("site", "nergens"),
        ("follow_up_needed", "ja"),
        ("external_id", ""),
        ("external_id", "x" * 101),
        ("channel", ""),
    ],
)
def test_bad_value_is_reported_with_line_and_column(write_csv, default_site, column, value):
    err = import_failing(write_csv(csv_text(line(**{column: value}))))
    assert err.startswith(where(2, column))
    assert Contact.objects.count() == 0


def test_naive_time_error_names_the_missing_offset(write_csv, default_site):
    err = import_failing(write_csv(csv_text(line(started_at="2018-03-05T10:15:00"))))
    assert "2018-03-05T10:15:00" in err
    assert "+01:00" in err


def test_impossible_rows_are_still_refused(write_csv, default_site):
    path = write_csv(csv_text(line(started_at="2999-03-05T10:15:00+01:00")))
    err = import_failing(path)
    assert err.startswith(where(2, "started_at"))


def test_unusual_rows_are_imported_flagged_and_listed(write_csv, default_site, tmp_path):
    path = write_csv(
        csv_text(
            line(external_id="a"),
            line(external_id="b", caller_age_group="age_12_17", caller_role="professional"),
            line(external_id="c", duration_seconds="36000"),  # a phone call of ten hours
        )
    )
    report = tmp_path / "report.csv"
    out = import_ok(path, "--report", str(report))
    assert Contact.objects.count() == 3
    flags = dict(ContactFlag.objects.values_list("contact__external_id", "reason"))
    assert flags == {"b": "minor_professional", "c": "long_conversation"}
    # `regel N: …` in Dutch (LANGUAGE_CODE); the tests run in English.
    assert "line 3: " in out and "line 4: " in out and "line 2:" not in out
    rows = list(csv.reader(report.open(encoding="utf-8")))
    assert rows[0] == ["line", "external_id", "reason", "reason_label"]
    assert [row[:3] for row in rows[1:]] == [
        ["3", "b", "minor_professional"],
        ["4", "c", "long_conversation"],
    ]


def test_a_malformed_row_refuses_a_file_with_unusual_rows(write_csv, default_site):
    path = write_csv(
        csv_text(
            line(external_id="b", caller_age_group="age_12_17", caller_role="professional"),
            line(external_id="c", theme="nope"),
        )
    )
    err = import_failing(path)
    assert err.startswith(where(3, "theme"))
    assert Contact.objects.count() == 0 and ContactFlag.objects.count() == 0


def test_contact_type_column_and_its_documented_default(write_csv, default_site):
    path = write_csv(
        csv_text(line(external_id="a", contact_type="hang_up", theme=""), line(external_id="b"))
    )
    import_ok(path)
    types = dict(Contact.objects.values_list("external_id", "contact_type"))
    assert types == {"a": "hang_up", "b": "unspecified"}
    err = import_failing(write_csv(csv_text(line(external_id="c", contact_type="nope"))))
    assert err.startswith(where(2, "contact_type"))


def test_every_bad_row_is_reported_in_file_order(write_csv, default_site):
    path = write_csv(
        csv_text(
            line(external_id="a", theme="nope"),
            line(external_id="b"),
            line(external_id="c", started_at="gisteren", region="mars"),
            line(external_id="b"),
        )
    )
    err = import_failing(path, "--batch-size", "3")
    messages = err.strip().splitlines()
    assert [m.split(":")[0] for m in messages] == [
        where(2, "theme").split(":")[0],
        where(4, "started_at").split(":")[0],
        where(4, "region").split(":")[0],
        where(5, "external_id").split(":")[0],
    ]


def test_line_numbers_count_physical_lines_of_records_with_newlines(write_csv, default_site):
    path = write_csv(
        csv_text(
            line(external_id="a", notes="eerste regel\r\ntweede regel\r\nderde regel"),
            line(external_id="b", theme="nope"),
        )
    )
    # Header on line 1, record "a" on lines 2–4, record "b" on line 5.
    err = import_failing(path)
    assert err.startswith(where(5, "theme"))


def test_wrong_number_of_fields(write_csv, default_site):
    text = csv_text(line(), "ext-2,phone,2018-03-05T10:15:00+01:00\r\n")
    err = import_failing(write_csv(text))
    assert err.startswith(where(3, "duration_seconds"))
    err = import_failing(write_csv(csv_text(line().rstrip("\r\n") + ",extra\r\n")))
    assert err.startswith(where(2, str(len(COLUMNS) + 1)))


def test_unknown_column_is_an_error(write_csv, default_site):
    err = import_failing(
        write_csv(csv_text(line().rstrip("\r\n") + ",x\r\n", header=HEADER + ",mood"))
    )
    assert err.startswith(where(1, "mood"))


def test_missing_required_column_is_an_error(write_csv, default_site):
    header = BASE_HEADER.replace(",region", "")
    err = import_failing(write_csv(header + "\r\n"))
    assert err.startswith(where(1, "region"))


def test_header_names_are_exact(write_csv, default_site):
    err = import_failing(write_csv(BASE_HEADER.replace("theme", "Theme") + "\r\n"))
    assert where(1, "Theme") in err
    assert where(1, "theme") in err


def test_invalid_utf8_is_reported_with_its_line(write_csv, default_site):
    text = csv_text(line(external_id="a"), line(external_id="b", notes="caf\u00e9")).encode()
    err = import_failing(write_csv(text.replace("café".encode(), b"caf\xe9")))
    assert err.startswith(with_line(3))


def with_line(line_number: int) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return error_message(line_number, None, "")


def test_empty_file_is_an_error(write_csv, default_site):
    assert import_failing(write_csv("")).startswith(with_line(1))


def test_duplicate_external_id_in_one_batch(write_csv, default_site):
    path = write_csv(csv_text(line(external_id="a"), line(external_id="b"), line(external_id="a")))
    err = import_failing(path)
    assert err.strip().splitlines() == [err.strip()]
    assert err.startswith(where(4, "external_id"))


def test_duplicate_external_id_in_an_earlier_batch(write_csv, default_site):
    path = write_csv(
        csv_text(*(line(external_id=f"id-{n}") for n in range(5)), line(external_id="id-1"))
    )
    err = import_failing(path, "--batch-size", "2")
    assert err.startswith(where(7, "external_id"))
    assert "id-1" in err
    assert Contact.objects.count() == 0


def test_case_of_another_site_is_an_error(write_csv, site, other_site):
    CaseFactory(reference="D2018-00001", site=other_site)
    err = import_failing(write_csv(csv_text(line(site="antwerpen", case="D2018-00001"))))
    assert err.startswith(where(2, "case"))


def test_rows_share_a_case_created_by_the_import(write_csv, site):
    path = write_csv(
        csv_text(
            line(external_id="a", site="antwerpen", case="EXT-7"),
            line(external_id="b", site="antwerpen", case="EXT-7"),
            line(external_id="c", site="antwerpen", case="EXT-7"),
        )
    )
    import_ok(path, "--batch-size", "2")
    case = Case.objects.get()
    assert case.reference == "EXT-7"
    assert case.contacts.count() == 3
    # A reference in a foreign format does not touch the counters.
    assert not ReferenceCounter.objects.filter(kind=ReferenceCounter.Kind.CASE).exists()


# --- all or nothing, dry run, re-import ----------------------------------------------------


def test_one_bad_row_at_the_end_imports_nothing(write_csv, default_site):
    rows = [line(external_id=f"id-{n}", case=f"D2018-{n + 1:05d}") for n in range(7)]
    path = write_csv(csv_text(*rows, line(external_id="last", channel="fax")))
    err = import_failing(path, "--batch-size", "3")
    assert err.startswith(where(9, "channel"))
    assert Contact.objects.count() == 0
    assert Victim.objects.count() == 0
    assert Case.objects.count() == 0
    assert ReferenceCounter.objects.count() == 0


def test_dry_run_checks_everything_and_writes_nothing(write_csv, default_site):
    path = write_csv(csv_text(line(external_id="a"), line(external_id="b", case="D2018-00003")))
    output = import_ok(path, "--dry-run")
    assert "2" in output
    assert Contact.objects.count() == 0
    assert Case.objects.count() == 0
    assert ReferenceCounter.objects.count() == 0

    bad = write_csv(csv_text(line(external_id="a"), line(external_id="a")), name="bad.csv")
    assert import_failing(bad, "--dry-run").startswith(where(3, "external_id"))


def test_reimporting_the_same_file_creates_nothing_new(write_csv, default_site):
    path = write_csv(
        csv_text(*(line(external_id=f"id-{n}", victims="age_3_5;age_6_11") for n in range(5)))
    )
    import_ok(path, "--batch-size", "2")
    first = set(Contact.objects.values_list("pk", "reference"))

    output = import_ok(path, "--batch-size", "2")
    assert set(Contact.objects.values_list("pk", "reference")) == first
    assert Victim.objects.count() == 10
    # rows read, imported, already present, victims
    assert re.findall(r"\d+", output)[:4] == ["5", "0", "5", "0"]


def test_new_rows_of_a_grown_file_are_imported(write_csv, default_site):
    import_ok(write_csv(csv_text(line(external_id="a"))))
    import_ok(write_csv(csv_text(line(external_id="a"), line(external_id="b"))))
    assert sorted(Contact.objects.values_list("external_id", flat=True)) == ["a", "b"]


def test_queries_do_not_grow_with_the_rows_of_a_batch(write_csv, default_site):
    def queries(rows: int) -> int:
        path = write_csv(
            csv_text(
                *(
                    line(external_id=f"q{rows}-{n}", forms_of_violence="physical", case=f"C{n}")
                    for n in range(rows)
                )
            ),
            name=f"q{rows}.csv",
        )
        with CaptureQueriesContext(connection) as captured:
            import_ok(path)
        return len(captured)

    queries(1)  # creates the reference counter of 2018
    assert queries(3) == queries(40)


# --- exporting ---------------------------------------------------------------------------


def test_export_writes_the_header_and_local_times(default_site):
    ContactFactory(
        reference="2018-000007",
        site=default_site,
        started_at=datetime(2018, 7, 1, 8, 0, tzinfo=UTC),
        ended_at=datetime(2018, 7, 1, 8, 4, 30, tzinfo=UTC),
        notes='Zei: "help", twee keer',
    )
    text = export()
    header, row = text.split("\r\n")[:2]
    assert header == HEADER
    assert row == (
        f"2018-000007,phone,2018-07-01T10:00:00+02:00,270,{default_site.code},child_abuse,"
        'female,adult,victim_environment,antwerpen,,"Zei: ""help"", twee keer",,,,,0,,unspecified'
    )


def test_export_by_site(site, other_site):
    ContactFactory(site=site, external_id="in-antwerpen")
    ContactFactory(site=other_site, external_id="in-gent")
    text = export("--site", "gent")
    assert "in-gent," in text
    assert "in-antwerpen" not in text
    with pytest.raises(CommandError):
        export("--site", "nergens")


def test_round_trip_export_import_export_is_identical(write_csv, site, other_site):
    case = CaseFactory(reference="D2019-00005", site=site)
    base = datetime(2019, 3, 31, 0, 30, tzinfo=UTC)  # the night summer time starts
    first = ContactFactory(
        site=site,
        case=case,
        started_at=base,
        ended_at=base + timedelta(seconds=3601),
        notes='Meerdere regels:\r\n"citaat", komma\r\nen een derde',
        follow_up_needed=True,
        context_id="family",
        awareness_source_id="school",
        referral_id="vk",
    )
    first.forms_of_violence.set(["sexual", "physical"])
    VictimFactory(contact=first, age_group_id="age_3_5")
    VictimFactory(contact=first, age_group_id=None)
    VictimFactory(contact=first, age_group_id="age_12_17")
    ContactFactory(
        site=site,
        case=case,
        started_at=base + timedelta(hours=2),
        ended_at=None,
        channel=Channel.EMAIL,
        theme_id=None,
        caller_gender_id=None,
        caller_age_group_id=None,
        caller_role_id=None,
        region_id=None,
        notes="",
    )
    ContactFactory(
        site=other_site,
        external_id="extern-9",
        started_at=datetime(2018, 12, 31, 23, 30, tzinfo=UTC),
        ended_at=datetime(2018, 12, 31, 23, 30, 40, 500000, tzinfo=UTC),
        channel=Channel.CHAT,
    )
    exported = export()
    assert exported.count("\r\n") > 4

    Contact.objects.all().delete()
    Case.objects.all().delete()
    import_ok(write_csv(exported))

    assert export() == exported
    assert Case.objects.get().site == site
    assert Contact.objects.get(external_id="extern-9").site == other_site


def test_bench_import_refuses_a_database_with_contacts(default_site):
    ContactFactory(site=default_site)
    with pytest.raises(CommandError):
        call_command("bench_import", "--rows", "10", stdout=io.StringIO())


def test_bench_import_imports_and_cleans_up(default_site, site):
    SiteFactory(code="gent")
    out = io.StringIO()
    call_command("bench_import", "--rows", "60", "--batch-size", "25", stdout=out)
    figures = json.loads(out.getvalue().strip().splitlines()[-1])
    assert figures["rows"] == 60
    assert figures["import_rows_s"] > 0 and figures["attempts_rows_s"] > 0
    if connection.vendor == "postgresql":
        assert figures["copy_rows_s"] > 0 and figures["import_vs_copy"] > 0
    assert figures["peak_rss_mb"] > 0
    assert Contact.objects.count() == 0
    assert CallAttempt.objects.count() == 0
    assert Case.objects.count() == 0
    assert not ReferenceCounter.objects.filter(last_value__gt=0).exists()


def test_bench_import_keep(default_site):
    call_command("bench_import", "--rows", "30", "--keep", stdout=io.StringIO())
    assert Contact.objects.count() == 30
    assert Contact.objects.exclude(notes="").exists()


def test_reimporting_an_export_of_ui_contacts_creates_no_copies(write_csv, site):
    ContactFactory(site=site, reference="2026-000042", external_id=None)
    out = io.StringIO()
    call_command("export_contacts", stdout=out)
    assert "2026-000042" in out.getvalue()

    output = import_ok(write_csv(out.getvalue()))
    assert Contact.objects.count() == 1
    assert re.findall(r"\d+", output)[:3] == ["1", "0", "1"]
