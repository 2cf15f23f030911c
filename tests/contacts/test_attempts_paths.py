"""The attempt-log import's two PostgreSQL paths give the same result on the same file.

The set-based path lets a row through as written when one pattern says the checks would
accept it (and PostgreSQL's casts read it as the checks do); every other row goes through the
checks. `row_by_row=True` sends every row through the checks. Both must agree on counts,
messages (text and order) and stored rows, for valid files and every kind of invalid one.
"""

import csv
import io

import pytest
from django.db import connection
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contacts.models import CallAttempt
from contacts.services.attempts import (
    _caller_hasher,
    attempts_import,
    caller_hash,
    caller_identifier_normalise,
)

pytestmark = pytest.mark.django_db
postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the two paths are PostgreSQL's"
)

HEADER = "external_id,channel,started_at,wait_seconds,talk_seconds,answered,caller\r\n"
STORED = [
    {
        "external_id": "stored-1",
        "channel": "phone",
        "started_at": "2019-01-01T10:00:00+01:00",
        "wait_seconds": 3,
        "talk_seconds": 0,
        "answered": False,
    }
]
FIELDS = ("external_id", "channel", "started_at", "wait_seconds", "talk_seconds", "answered")


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def _stored_before() -> None:
    CallAttempt.objects.all().delete()
    for values in STORED:
        CallAttempt.objects.create(**values)


def _outcome(data: bytes | str, **kwargs) -> dict:
    """Import `data` on a database holding STORED; counts, messages and stored rows."""
    _stored_before()
    if isinstance(data, str):
        stream = io.StringIO(data, newline="")
    else:
        stream = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8-sig", newline="")
    result = attempts_import(stream, **kwargs)
    stored = sorted(CallAttempt.objects.values_list(*FIELDS, "caller_hash"), key=lambda row: row[0])
    return {
        "counts": (result.ok, result.rows_read, result.imported, result.skipped),
        "problem_count": result.problem_count,
        "problems": [str(problem) for problem in result.problems],
        "stored": stored,
    }


def assert_same(data: bytes | str, **kwargs) -> dict:
    set_based = _outcome(data, **kwargs)
    row_by_row = _outcome(data, row_by_row=True, **kwargs)
    assert set_based == row_by_row
    return set_based


def only_the_row_stored_before(outcome: dict) -> bool:
    return [row[0] for row in outcome["stored"]] == ["stored-1"]


def rows(*lines: str, header: str = HEADER) -> str:
    return header + "".join(f"{line}\r\n" for line in lines)


VALID = rows(
    "a1,phone,2019-03-05T10:15:00+01:00,12,300,1,+32 470 12 34 56",
    "a2,chat,2019-03-05T18:00:00Z,40,0,0,",
    "a3,phone,2019-03-05T18:00Z,40,0,0,0470/12.34.56",
    "a4,phone,2019-03-05T18:00:00.5-05:30,1,000,0,0032470123456",
    "a5,phone,2019-03-05T18:00:00.123456+14:59,1,0,0,(0)2 123",
    "a6,chat,2020-02-29T23:59:59+01:00,7,20,1,Handle.Met-Hoofdletters",
    "a7,chat,2019-03-05 18:00:00+01:00,7,20,1,José@Example.be",
    " a8 , chat , 2019-03-05T18:00:00Z , 007 , 0 , 0 , 0 ",
    '"a9,with comma",phone,2019-03-05T18:00:00Z,1,0,0,"+32\t470"',
    '"a10\nover two lines",phone,2019-03-05T18:00:00Z,1,0,0,00',
    "a11\\back,phone,2019-03-05T18:00:00Z,1,0,0,0",
    "\u00e912,phone,0999-03-05T18:00:00+01:00,1,0,0,\u0663\u0664",
    "a13,phone,2019-03-05T18:00:00Z,999999999,2147483647,1,\u00a0+32 470\u00a0",
    "a14,phone,1000-01-01T00:00:00+14:00,0,0,0,+++32",
    "stored-1,phone,2019-03-05T18:00:00Z,1,0,0,x",
    "",
    "a15,phone,2019-03-05T18:00:00Z,1,0,0,a\x00b",
    "x" * 100 + ",phone,2019-03-05T18:00:00Z,1,0,0,",
)


@postgresql_only
def test_a_valid_file_with_every_way_of_writing_a_value():
    outcome = assert_same(VALID)
    assert outcome["counts"] == (True, 17, 16, 1)
    assert outcome["problems"] == []


@postgresql_only
def test_a_valid_file_with_columns_in_another_order_and_without_caller():
    header = "answered,talk_seconds,caller,wait_seconds,started_at,channel,external_id\n"
    outcome = assert_same(rows("1,30,0470,5,2019-03-05T10:15:00Z,chat,c1", header=header))
    assert outcome["counts"] == (True, 1, 1, 0)
    header = "answered,talk_seconds,wait_seconds,started_at,channel,external_id\n"
    outcome = assert_same(rows("1,30,5,2019-03-05T10:15:00Z,chat,c1", header=header))
    assert outcome["stored"][0][-1] == ""


@postgresql_only
def test_a_dry_run():
    outcome = assert_same(VALID, dry_run=True)
    assert outcome["counts"] == (True, 17, 16, 1)
    assert only_the_row_stored_before(outcome)


INVALID = {
    "every bad field": rows(
        "b1,email,2019-03-05T10:15:00,-1,0,2,",
        "b2,fax,2019-02-29T10:15:00Z,1.5,abc,1,",
        "b3,phone,2019-02-30T10:15:00Z,+3,0,yes,",
        "b4,phone,2019-03-05T24:00:00Z,,99999999999,1,",
        "b5,phone,2019-03-05T10:15:00+01,1,0,0,",
        ",phone,2019-03-05,1,0,0,",
        "   ,phone,05/03/2019 10:15,1,0,0,",
        "b7,phone,2019-03-05T10:15:00Z,1,30,0,",
        "b8,phone,2019-03-05T10:15:00Z,\u00b2,0,0,",
        "b9,phone,2019-03-05T10:15:00.1234567Z,1,0,0,",
        "b10,Phone,2019-03-05T10:15:00z,1,0,0,",
        "x" * 101 + ",phone,2019-03-05T10:15:00Z,1,0,0,",
        "b11,phone,0000-03-05T10:15:00Z,1,0,0,",
        "b12,phone,2019-03-05T10:15:60Z,1,0,0,",
        "b13,phone,2019-03-05T10:15:00+24:00,1,0,0,",
        "ok,phone,2019-03-05T10:15:00Z,1,0,0,",
    ),
    "wrong number of fields": rows(
        "c1,phone,2019-03-05T10:15:00Z,1,0,0,",
        "c2,phone,2019-03-05T10:15:00Z,1,0",
        "c3,phone,2019-03-05T10:15:00Z,1,0,0,,extra",
        "c4,fax,2019-03-05T10:15:00Z,1,0,0,",
    ),
    "repeated ids": rows(
        "d1,phone,2019-03-05T10:15:00Z,1,0,0,",
        "d2,phone,2019-03-05T10:15:00Z,1,0,0,",
        "d1,chat,2019-03-05T10:16:00Z,1,0,0,",
        " d2,chat,2019-03-05T10:16:00Z,1,0,0,",
        "stored-1,chat,2019-03-05T10:16:00Z,1,0,0,",
        "stored-1,chat,2019-03-05T10:16:00Z,1,0,0,",
        "d3,email,2019-03-05T10:16:00Z,1,0,0,",
        "d3,phone,2019-03-05T10:16:00Z,1,0,0,",
    ),
    "nul characters": rows(
        "e1,phone,2019-03-05T10:15:00Z,1,0,0,",
        "e\x002,phone,2019-03-05T10:15:00Z,1,0,0,",
        "e3,ph\x00one,2019-03-05T10:15:00Z,1\x00,0,0,",
        "e4,phone,2019-03-05T10:15:00Z,1,0,0,+32\x00470",
        "e5,phone,2019-03-05T10:15:00Z,1,0,x,",
    ),
    "malformed quoting": rows(
        "f1,phone,2019-03-05T10:15:00Z,1,0,0,",
        "f2,phone,2019-03-05T10:15:00Z,1,0,x,",
        '"f3"x,phone,2019,1,0,0,',
        "f4,phone,2019-03-05T10:15:00Z,1,0,x,",
    ),
    "unknown and missing columns": rows(
        "g1,phone,2019-03-05T10:15:00Z,1,0", header="external_id,channel,started_at,ok,caller\n"
    ),
    "empty": "",
}


@postgresql_only
@pytest.mark.parametrize("name", INVALID)
def test_an_invalid_file(name):
    outcome = assert_same(INVALID[name])
    assert not outcome["counts"][0]
    assert only_the_row_stored_before(outcome)


@postgresql_only
def test_a_file_that_is_not_utf8_after_some_lines():
    data = VALID.encode() + b"h1,phone,2019-03-05T10:15:00Z,1,0,x,\r\n\xff\xfe,\r\n"
    outcome = assert_same(b"\xef\xbb\xbf" + data)
    assert "not UTF-8" in outcome["problems"][-1]
    assert only_the_row_stored_before(outcome)


@postgresql_only
def test_more_problems_than_are_kept():
    lines = [f"m{n},phone,2019-03-05T10:15:00Z,1,0,{'x' if n % 3 else '0'}," for n in range(1600)]
    lines += ["m3,phone,2019-03-05T10:15:00Z,1,0,0,"] * 300
    outcome = assert_same(rows(*lines))
    assert outcome["problem_count"] == 1066 + 299 + 1
    assert len(outcome["problems"]) == 1000
    assert outcome["problems"][0].startswith("line 3, column answered: ")


# Values that differ in one way from a plain one: valid or not, written oddly or not.
ODD_VALUES = {
    "external_id": [
        "",
        " ",
        " s",
        "s ",
        "s\t",
        "\u00e9",
        "s\u00a0",
        "x" * 100,
        "x" * 101,
        " " + "x" * 100,
        "\\N",
        "a\x00b",
        "\u0663",
    ],
    "channel": ["email", "fax", "Phone", " phone", "phone ", "chat\u00a0", "", "phone\x00"],
    "started_at": [
        "2019-02-28T10:15:00Z",
        "2019-02-29T10:15:00Z",
        "2020-02-29T10:15:00Z",
        "2019-02-30T10:15:00Z",
        "2019-04-31T10:15:00Z",
        "2019-04-30T10:15:00Z",
        "2019-12-31T23:59:59.999999-14:59",
        "2019-03-05T24:00:00Z",
        "2019-03-05T23:60:00Z",
        "2019-03-05T10:15:60Z",
        "2019-03-05T10:15:00.1234567Z",
        "2019-03-05T10:15:00.Z",
        "2019-03-05T10:15:00+01",
        "2019-03-05T10:15:00+0100",
        "2019-03-05T10:15:00+15:00",
        "2019-03-05T10:15:00+14:60",
        "2019-03-05T10:15:00-00:00",
        "2019-03-05T10:15:00z",
        "2019-03-05 10:15:00Z",
        "2019-03-05t10:15:00Z",
        " 2019-03-05T10:15:00Z",
        "2019-03-05T10:15:00Z ",
        "2019-03-05T10Z",
        "2019-03-05T10:15:00",
        "2019-03-05",
        "0000-03-05T10:15:00Z",
        "0999-03-05T10:15:00Z",
        "1000-01-01T00:00:00+14:59",
        "8999-12-31T23:59:59-14:59",
        "9000-01-01T00:00:00Z",
        "2019-3-05T10:15:00Z",
        "\u0662019-03-05T10:15:00Z",
        "2019-03-05T10:15:00\u00a0",
    ],
    "wait_seconds": [
        "",
        "-1",
        "1.5",
        "+3",
        "\u00b2",
        "\u0663",
        " 1",
        "1 ",
        "000000000",
        "0000000000",
        "999999999",
        "1000000000",
        "2147483647",
        "2147483648",
        "1_0",
        "0x1",
    ],
    "talk_seconds": ["00", "000000000000", "1", " 0", "0 ", "2147483648"],
    "answered": ["", "yes", "2", " 0", "0 ", "00", "true", "\u0660"],
    "caller": [
        "+32 470",
        "0470/12.34.56",
        "00",
        "0",
        "()",
        " ",
        "\t",
        "José",
        "ÉCOLE",
        "\u0663\u0664",
        "+\u0663",
        "a\x00b",
        "0\u00a0470",
        "İ",
        "Straße",
        "+32\n470",
    ],
}
BASE_ROW = {
    "external_id": "s",
    "channel": "phone",
    "started_at": "2019-03-05T10:15:00Z",
    "wait_seconds": "1",
    "talk_seconds": "0",
    "answered": "0",
    "caller": "",
}


@postgresql_only
@pytest.mark.parametrize(
    ("column", "value"),
    [(column, value) for column, values in ODD_VALUES.items() for value in values],
)
def test_one_odd_value_in_a_plain_row(column, value):
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(BASE_ROW.keys())
    writer.writerow(BASE_ROW.values())
    writer.writerow((BASE_ROW | {"external_id": "t"} | {column: value}).values())
    outcome = assert_same(out.getvalue())
    assert outcome["counts"][1] == 2
    assert outcome["counts"][0] == (outcome["problems"] == [])


# Any text a field may hold: plausible values, their near misses, and anything at all.
_plausible = st.sampled_from(
    [
        "a1",
        " a1",
        "phone",
        "chat",
        "email",
        "0",
        "1",
        "00",
        "007",
        "12",
        "999999999",
        "2147483647",
        "2147483648",
        "2019-03-05T10:15:00Z",
        "2019-03-05T10:15Z",
        "2019-03-05T10:15:00.5+01:00",
        "2019-03-05T10:15:00.1234567Z",
        "2020-02-29T10:15:00Z",
        "2019-02-29T10:15:00Z",
        "2019-04-31T10:15:00Z",
        "2019-03-05 10:15:00Z",
        "2019-03-05T10:15:00+15:00",
        "2019-03-05T10:15:00-14:59",
        "1000-01-01T00:00:00+14:00",
        "8999-12-31T23:59:59-14:59",
        "+32 470 12 34 56",
        "0470/12.34.56",
        "0032470123456",
        "Handle",
        "",
        " ",
    ]
)
_field = st.one_of(
    _plausible, st.text(max_size=12), st.text(alphabet="0123456789:-+TZ. ", max_size=30)
)


@postgresql_only
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["a1", "a2", " a1", "stored-1"]) | _field,
            st.sampled_from(["phone", "chat"]) | _field,
            st.sampled_from(["2019-03-05T10:15:00+01:00"]) | _field,
            st.sampled_from(["0", "12"]) | _field,
            st.sampled_from(["0", "30"]) | _field,
            st.sampled_from(["0", "1"]) | _field,
            _field,
        ),
        min_size=1,
        max_size=4,
    )
)
def test_any_field_values_give_the_same_outcome_on_both_paths(records):
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER.strip().split(","))
    writer.writerows(records)
    assert_same(out.getvalue())


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        _plausible, st.text(max_size=20), st.text(alphabet=" +0123456789.-/()\t", max_size=16)
    )
)
def test_the_import_hashes_callers_as_caller_hash(caller):
    assert _caller_hasher()(caller) == caller_hash(caller)


def _normalise_as_written_before(identifier: str) -> str:
    text = (identifier or "").strip()
    compact = "".join(ch for ch in text if ch not in " .-/()\t")
    if compact.startswith("00"):
        compact = "+" + compact[2:]
    elif compact.startswith("0") and compact.isdigit():
        compact = "+32" + compact[1:]
    if compact.lstrip("+").isdigit():
        return compact
    return text.lower()


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        _plausible, st.text(max_size=20), st.text(alphabet=" +0123456789.-/()\t", max_size=16)
    )
)
def test_normalising_is_unchanged(identifier):
    assert caller_identifier_normalise(identifier) == _normalise_as_written_before(identifier)


@postgresql_only
def test_only_rows_not_written_plainly_are_checked_one_by_one(monkeypatch):
    from contacts.services import attempts

    checked = []
    make_parser = attempts._row_parser

    def counting_parser(columns):
        parse = make_parser(columns)

        def counted(line, row, problems):
            checked.append(line)
            return parse(line, row, problems)

        return counted

    monkeypatch.setattr(attempts, "_row_parser", counting_parser)
    _outcome(VALID)
    # 29 February, a space for T, spaces to strip, a newline and a backslash in the id, an
    # id starting with é, ten digits; the others go as written (a caller with a tab or a
    # NUL too: it is hashed first).
    assert checked == [7, 8, 9, 11, 13, 14, 15]
