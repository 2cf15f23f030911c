import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from contacts.models import CallAttempt
from contacts.services.attempts import attempts_import, caller_hash

pytestmark = pytest.mark.django_db

HEADER = "external_id,channel,started_at,wait_seconds,talk_seconds,answered\n"


@pytest.fixture(autouse=True)
def _english(settings):
    """Messages in their English msgids, whatever the Dutch catalogue says later."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def run(text: str, **kwargs):
    return attempts_import(io.StringIO(text, newline=""), **kwargs)


def problems(result) -> list[tuple[int, str | None]]:
    return [(p.line, p.column) for p in result.problems]


def rows(*lines: str, header: str = HEADER) -> str:
    return header + "".join(f"{line}\n" for line in lines)


def test_valid_import_stores_every_attempt():
    result = run(
        rows(
            "a1,phone,2019-03-05T10:15:00+01:00,12,300,1",
            "a2,chat,2019-03-05T18:00:00Z,40,0,0",
        )
    )
    assert result.ok, result.problems
    assert (result.rows_read, result.imported, result.skipped) == (2, 2, 0)
    a1 = CallAttempt.objects.get(external_id="a1")
    assert a1.channel == "phone"
    assert a1.started_at == datetime(2019, 3, 5, 9, 15, tzinfo=UTC)
    assert (a1.wait_seconds, a1.talk_seconds, a1.answered, a1.caller_hash) == (12, 300, True, "")
    a2 = CallAttempt.objects.get(external_id="a2")
    assert (a2.channel, a2.answered, a2.talk_seconds) == ("chat", False, 0)


def test_z_and_offsets_name_the_same_instant():
    result = run(
        rows(
            "z,phone,2018-12-31T23:30:00Z,1,0,0",
            "winter,phone,2019-01-01T00:30:00+01:00,1,0,0",
            "other,phone,2018-12-31T18:30:00-05:00,1,0,0",
        )
    )
    assert result.ok, result.problems
    instants = set(CallAttempt.objects.values_list("started_at", flat=True))
    assert instants == {datetime(2018, 12, 31, 23, 30, tzinfo=UTC)}


def test_dst_instants_are_kept_apart():
    # 27 October 2019, 02:30 happened twice in Brussels: first in summer time, then in winter.
    result = run(
        rows(
            "summer,phone,2019-10-27T02:30:00+02:00,1,0,0",
            "winter,phone,2019-10-27T02:30:00+01:00,1,0,0",
            "spring,chat,2019-03-31T03:30:00+02:00,1,0,0",
        )
    )
    assert result.ok, result.problems
    started = dict(CallAttempt.objects.values_list("external_id", "started_at"))
    assert started["summer"] == datetime(2019, 10, 27, 0, 30, tzinfo=UTC)
    assert started["winter"] == datetime(2019, 10, 27, 1, 30, tzinfo=UTC)
    assert started["spring"] == datetime(2019, 3, 31, 1, 30, tzinfo=UTC)


def test_queries_grow_with_batches_not_with_rows():
    text = rows(*(f"a{i},phone,2019-03-05T10:15:00Z,1,0,0" for i in range(100)))
    with CaptureQueriesContext(connection) as queries:
        result = run(text, batch_size=50)
    assert result.imported == 100
    # Lock (PostgreSQL), highest id, then per batch one look-up and one insert; savepoints.
    assert len(queries) <= 8


def test_reimport_imports_nothing_new_and_leaves_stored_rows_alone():
    text = rows("a1,phone,2019-03-05T10:15:00Z,12,300,1", "a2,chat,2019-03-05T18:00:00Z,4,0,0")
    assert run(text).imported == 2
    before = list(CallAttempt.objects.values("id", "updated_at"))

    again = run(text + "a3,chat,2019-03-06T18:00:00Z,4,0,0\n")

    assert again.ok, again.problems
    assert (again.rows_read, again.imported, again.skipped) == (3, 1, 2)
    stored = CallAttempt.objects.filter(external_id__in=["a1", "a2"])
    assert list(stored.values("id", "updated_at")) == before


@pytest.mark.parametrize("batch_size", [5000, 2, 1])
def test_duplicate_id_in_file_is_refused_on_the_later_line(batch_size):
    result = run(
        rows(
            "a1,phone,2019-03-05T10:15:00Z,1,0,0",  # line 2
            "a2,phone,2019-03-05T10:16:00Z,1,0,0",
            "a3,phone,2019-03-05T10:17:00Z,1,0,0",
            "a1,chat,2019-03-05T10:18:00Z,1,0,0",  # line 5
        ),
        batch_size=batch_size,
    )
    assert problems(result) == [(5, "external_id")]
    assert "appears earlier in this file" in str(result.problems[0])
    assert CallAttempt.objects.count() == 0


def test_reimport_of_a_file_with_an_already_stored_id_twice_skips_both():
    run(rows("a1,phone,2019-03-05T10:15:00Z,1,0,0"))
    result = run(
        rows("a1,phone,2019-03-05T10:15:00Z,1,0,0", "a1,phone,2019-03-05T10:15:00Z,1,0,0"),
        batch_size=1,
    )
    assert result.ok, result.problems
    assert (result.imported, result.skipped) == (0, 2)


def test_unknown_and_missing_columns_are_refused_on_the_header_line():
    result = run(rows("a1,phone,2019-03-05T10:15:00Z,1,0", header=HEADER.replace("answered", "ok")))
    assert sorted(problems(result)) == [(1, "answered"), (1, "ok")]
    assert str(result.problems[0]).startswith("line 1, column ")
    assert result.rows_read == 0


def test_columns_may_come_in_any_order():
    header = "answered,talk_seconds,wait_seconds,started_at,channel,external_id\n"
    result = run(rows("1,30,5,2019-03-05T10:15:00Z,chat,c1", header=header))
    assert result.ok, result.problems
    assert CallAttempt.objects.get(external_id="c1").talk_seconds == 30


@pytest.mark.parametrize(
    ("line", "column"),
    [
        ("a1,email,2019-03-05T10:15:00Z,1,0,0", "channel"),
        ("a1,fax,2019-03-05T10:15:00Z,1,0,0", "channel"),
        ("a1,phone,2019-03-05T10:15:00Z,1,30,0", "talk_seconds"),
        ("a1,phone,2019-03-05T10:15:00Z,-1,0,0", "wait_seconds"),
        ("a1,phone,2019-03-05T10:15:00Z,1.5,0,0", "wait_seconds"),
        ("a1,phone,2019-03-05T10:15:00Z,+3,0,0", "wait_seconds"),
        ("a1,phone,2019-03-05T10:15:00Z,,0,0", "wait_seconds"),
        ("a1,phone,2019-03-05T10:15:00Z,1,abc,1", "talk_seconds"),
        ("a1,phone,2019-03-05T10:15:00Z,1,99999999999,1", "talk_seconds"),
        ("a1,phone,2019-03-05T10:15:00,1,0,0", "started_at"),
        ("a1,phone,2019-03-05,1,0,0", "started_at"),
        ("a1,phone,05/03/2019 10:15,1,0,0", "started_at"),
        ("a1,phone,2019-03-05T10:15:00Z,1,0,yes", "answered"),
        (",phone,2019-03-05T10:15:00Z,1,0,0", "external_id"),
    ],
)
def test_bad_value_is_reported_with_line_and_column(line, column):
    result = run(rows("ok,chat,2019-03-05T10:00:00Z,1,0,0", line))
    assert problems(result) == [(3, column)]
    assert str(result.problems[0]).startswith(f"line 3, column {column}: ")
    assert CallAttempt.objects.count() == 0


def test_every_bad_field_of_a_row_is_reported():
    result = run(rows("a1,email,2019-03-05T10:15:00,-1,0,2"))
    assert problems(result) == [
        (2, "channel"),
        (2, "started_at"),
        (2, "wait_seconds"),
        (2, "answered"),
    ]


def test_wrong_number_of_fields_is_reported_for_the_line():
    result = run(rows("a1,phone,2019-03-05T10:15:00Z,1,0"))
    assert problems(result) == [(2, None)]


def test_every_bad_row_is_reported_and_nothing_is_imported():
    result = run(
        rows(
            "a1,phone,2019-03-05T10:15:00Z,1,0,0",
            "a2,email,2019-03-05T10:15:00Z,1,0,0",
            "a3,phone,2019-03-05T10:15:00Z,1,0,0",
            "a4,phone,2019-03-05T10:15:00,1,0,0",
        ),
        batch_size=1,
    )
    assert problems(result) == [(3, "channel"), (5, "started_at")]
    assert result.imported == 2  # would have been
    assert CallAttempt.objects.count() == 0


def test_quoted_newline_shifts_the_line_number_of_the_next_record():
    text = rows(
        '"a\n1",phone,2019-03-05T10:15:00Z,1,0,0',  # lines 2-3
        "a2,phone,2019-03-05T10:15:00Z,1,0,maybe",  # line 4
    )
    result = run(text)
    assert problems(result) == [(4, "answered")]


def test_malformed_quoting_is_reported_and_stops_the_import():
    result = run(rows("a1,phone,2019-03-05T10:15:00Z,1,0,0", '"a2"x,phone,2019,1,0,0'))
    assert problems(result) == [(3, None)]
    assert CallAttempt.objects.count() == 0


def test_blank_lines_are_ignored():
    result = run(rows("a1,phone,2019-03-05T10:15:00Z,1,0,0", "", "a2,chat,2019-03-05T19:00Z,1,0,0"))
    assert result.ok, result.problems
    assert (result.rows_read, result.imported) == (2, 2)


def test_empty_file_is_refused():
    assert problems(run("")) == [(1, None)]


def test_dry_run_checks_everything_and_stores_nothing():
    run(rows("a1,phone,2019-03-05T10:15:00Z,1,0,0"))
    result = run(
        rows("a1,phone,2019-03-05T10:15:00Z,1,0,0", "a2,chat,2019-03-05T18:00:00Z,4,0,0"),
        dry_run=True,
    )
    assert result.ok and result.dry_run
    assert (result.imported, result.skipped) == (1, 1)
    assert list(CallAttempt.objects.values_list("external_id", flat=True)) == ["a1"]


def test_caller_is_stored_only_as_a_keyed_hash(settings):
    settings.CALLER_HASH_KEY = "test-caller-key"
    number = "+32470123456"
    header = HEADER.replace("answered\n", "answered,caller\n")
    result = run(
        rows(
            f"a1,phone,2019-03-05T10:15:00Z,1,0,0,{number}",
            f"a2,phone,2019-03-05T11:15:00Z,1,0,0,{number}",
            "a3,phone,2019-03-05T12:15:00Z,1,0,0,+32470999999",
            "a4,phone,2019-03-05T13:15:00Z,1,0,0,",
            header=header,
        )
    )
    assert result.ok, result.problems
    for row in CallAttempt.objects.values():  # every column, as stored
        assert "470123456" not in str(row.values())
    stored = {a.external_id: a for a in CallAttempt.objects.all()}
    assert stored["a1"].caller_hash == stored["a2"].caller_hash == caller_hash(number)
    assert len(stored["a1"].caller_hash) == 64
    assert stored["a3"].caller_hash != stored["a1"].caller_hash
    assert stored["a4"].caller_hash == ""

    settings.CALLER_HASH_KEY = "another-key"
    assert caller_hash(number) != stored["a1"].caller_hash


def test_likely_misdial_candidates_are_unanswered_and_short(settings):
    settings.MISDIAL_SECONDS = 10
    run(
        rows(
            "short,phone,2019-03-05T22:00:00Z,9,0,0",
            "limit,phone,2019-03-05T22:00:00Z,10,0,0",
            "zero,chat,2019-03-05T22:00:00Z,0,0,0",
            "answered,phone,2019-03-05T22:00:00Z,2,60,1",
        )
    )
    candidates = CallAttempt.objects.likely_misdial_candidates()
    assert set(candidates.values_list("external_id", flat=True)) == {"short", "zero"}


@pytest.mark.parametrize(
    "values",
    [
        {"channel": "email"},
        {"answered": False, "talk_seconds": 5},
    ],
)
def test_database_refuses_what_the_import_refuses(values):
    attempt = {
        "external_id": "x",
        "channel": "phone",
        "started_at": datetime(2019, 3, 5, 10, tzinfo=UTC),
        "wait_seconds": 1,
        "talk_seconds": 0,
        "answered": True,
    }
    with pytest.raises(IntegrityError), transaction.atomic():
        CallAttempt.objects.create(**attempt | values)


def write(tmp_path: Path, text: str, *, bom: bool = False) -> Path:
    path = tmp_path / "attempts.csv"
    path.write_bytes(("\ufeff" if bom else "").encode() + text.encode())
    return path


def test_command_imports_a_file_with_bom_and_prints_a_summary(tmp_path):
    path = write(tmp_path, rows("a1,phone,2019-03-05T10:15:00Z,1,0,0"), bom=True)
    out = io.StringIO()
    call_command("import_attempts", str(path), stdout=out)
    assert "1 rows read, 1 imported, 0 skipped" in out.getvalue()
    assert "rows/s" in out.getvalue()
    assert CallAttempt.objects.count() == 1


def test_command_reports_problems_on_stderr_and_fails(tmp_path):
    path = write(tmp_path, rows("a1,phone,2019-03-05T10:15:00Z,1,0,0", "a2,email,2019,1,0,0"))
    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_attempts", str(path), stderr=err)
    assert "line 3, column channel: " in err.getvalue()
    assert CallAttempt.objects.count() == 0


def test_command_dry_run_stores_nothing(tmp_path):
    path = write(tmp_path, rows("a1,phone,2019-03-05T10:15:00Z,1,0,0"))
    out = io.StringIO()
    call_command("import_attempts", str(path), "--dry-run", stdout=out)
    assert "Dry run" in out.getvalue()
    assert CallAttempt.objects.count() == 0


def test_command_refuses_a_file_that_is_not_utf8(tmp_path):
    path = tmp_path / "attempts.csv"
    path.write_bytes(rows("a1,phone,2019-03-05T10:15:00Z,1,0,0").encode() + b"\xff\xfe,\n")
    with pytest.raises(CommandError):
        call_command("import_attempts", str(path), stderr=io.StringIO())
    assert CallAttempt.objects.count() == 0


def test_command_refuses_a_missing_file(tmp_path):
    with pytest.raises(CommandError):
        call_command("import_attempts", str(tmp_path / "nope.csv"))
