"""Generated input (Hypothesis) against the ways data gets in: the intake form, the contact
CSV import and the contact list's filters. Whatever comes in, no server error and no half
write: a contact is saved whole, or the input is refused and nothing is written."""

import csv
import io
import string
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from contacts.forms.contact import MAX_VICTIMS
from contacts.models import Case, Contact, Victim
from contacts.services.imports import COLUMNS, ContactImportError, contacts_import, error_message
from tests.contacts.test_views import intake_data

# Every example is one request or one import in the test's own transaction; counting rows
# before and after tells whether it wrote exactly what it should.
FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
)

# Text a browser, a script or a broken file could send: any printable or control character
# (NUL included), no lone surrogates (they cannot be encoded to send).
any_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)
huge_text = st.sampled_from(["x" * 100_000, "9" * 5000, "é" * 30_000, "\x00" * 100])
bad_dates = st.sampled_from(
    [
        "0001-01-01T00:00",
        "0001-01-01T00:00:00",
        "9999-12-31T23:59",
        "1900-01-01T00:00",
        "2025-02-30T10:00",
        "2025-13-01T10:00",
        "2025-03-30T02:30",  # does not exist in Brussels (DST)
        "2025-10-26T02:30",  # exists twice in Brussels
        "-1",
        "99999999999999999999",
        "2025-03-10",
        "",
    ]
)
TERM_CODES = {
    "channel": ["phone", "chat", "email"],
    "theme": ["child_abuse", "partner_violence", "other"],
    "forms_of_violence": ["physical", "psychological", "sexual"],
    "context": ["family", "school"],
    "caller_role": ["victim", "professional", "victim_environment"],
    "caller_age_group": ["under_12", "age_12_17", "adult"],
    "caller_gender": ["female", "male"],
    "region": ["antwerpen", "brussel"],
    "awareness_source": ["internet"],
    "referral": ["vk", "none"],
}


def _value(field: str):
    junk = st.one_of(any_text, huge_text, st.integers().map(str))
    if field in ("started_at", "ended_at"):
        recent = st.integers(min_value=-60 * 24 * 400, max_value=60 * 24).map(
            lambda minutes: (timezone.localtime() + timedelta(minutes=minutes)).strftime(
                "%Y-%m-%dT%H:%M"
            )
        )
        anywhen = st.datetimes().map(lambda moment: moment.strftime("%Y-%m-%dT%H:%M"))
        return st.one_of(recent, anywhen, bad_dates, junk)
    if field in ("open_case", "follow_up_needed"):
        return st.one_of(st.sampled_from(["on", "", "off", "1"]), junk)
    if field == "case":
        return st.one_of(st.just(""), st.sampled_from(["D2026-00001", "d2026-00001"]), junk)
    if field == "forms_of_violence":
        return st.lists(st.one_of(st.sampled_from(TERM_CODES[field]), junk), max_size=4)
    return st.one_of(st.sampled_from(TERM_CODES.get(field, [""])), junk)


def _victim_fields():
    term = st.one_of(
        st.sampled_from(["", "age_0_2", "age_65_plus", "male", "female", "child", "self"]),
        any_text,
    )
    return st.dictionaries(
        st.tuples(
            st.integers(min_value=0, max_value=25),
            st.sampled_from(["age_group", "gender", "relation", "DELETE"]),
        ).map(lambda key: f"victims-{key[0]}-{key[1]}"),
        term,
        max_size=12,
    )


management_value = st.one_of(
    st.integers(min_value=-5, max_value=30).map(str),
    st.sampled_from(["", "1000000", "1e3", "２", "-0"]),
    any_text,
)


@st.composite
def intake_posts(draw) -> dict:
    data = intake_data(**{"victims-TOTAL_FORMS": "0"})
    for key in [k for k in data if k.startswith("victims-") and k[8].isdigit()]:
        del data[key]
    fields = (
        "channel",
        "started_at",
        "ended_at",
        "theme",
        "forms_of_violence",
        "context",
        "caller_role",
        "caller_age_group",
        "caller_gender",
        "region",
        "awareness_source",
        "referral",
        "case",
        "open_case",
        "follow_up_needed",
        "notes",
        "after",
    )
    # Mostly a few fields changed: a post that is good but for one field reaches the service
    # and the database, where a post that is bad everywhere stops at the form.
    for field in draw(st.lists(st.sampled_from(fields), max_size=len(fields), unique=True)):
        if draw(st.integers(0, 4)):
            data[field] = draw(_value(field))
        else:
            data.pop(field, None)
    for name in ("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS"):
        if draw(st.booleans()):
            data[f"victims-{name}"] = draw(management_value)
    data.update(draw(_victim_fields()))
    return data


def _counts() -> tuple[int, int, int]:
    return Contact.objects.count(), Victim.objects.count(), Case.objects.count()


@pytest.mark.django_db
@FUZZ
@given(post=intake_posts())
@example(post=intake_data(started_at="0001-01-01T00:00", ended_at=""))
@example(post=intake_data(started_at="0001-01-01T00:00", ended_at="0001-01-01T00:05"))
@example(post=intake_data(notes="\x00"))
@example(post=intake_data(**{"victims-TOTAL_FORMS": "1000000"}))
def test_intake_never_fails_and_never_writes_half(client_for, responder, post):
    client = client_for(responder)
    contacts, victims, cases = _counts()
    response = client.post(reverse("contacts:create"), post)
    assert response.status_code in (200, 302)
    event("saved" if response.status_code == 302 else "refused")
    after = _counts()
    if response.status_code == 302:
        assert after[0] == contacts + 1
        contact = Contact.objects.order_by("-id").first()
        assert after[1] == victims + contact.victims.count()
        assert after[2] in (cases, cases + 1)
    else:
        assert after == (contacts, victims, cases)


# --- The contact CSV ----------------------------------------------------------------------

cell = st.one_of(
    st.sampled_from(
        [
            "",
            "phone",
            "chat",
            "fax",
            "child_abuse",
            "female",
            "adult",
            "victim",
            "antwerpen",
            "age_6_11;age_0_2",
            ";;",
            "300",
            "-5",
            "1",
            "0",
            "2018-03-05T10:15:00+01:00",
            "2018-03-05T10:15:00",
            "0001-01-01T00:00:00+14:00",
            "9999-12-31T23:59:59-12:00",
            "2018-03-05T10:15:00Z",
            "D2018-00001",
            "ext-1",
            "ext-2",
        ]
    ),
    any_text,
    st.text(string.digits, min_size=1, max_size=30),
    huge_text,
)


def _column_value(column: str):
    if column == "started_at":
        offsets = st.sampled_from(["Z", "+00:00", "+01:00", "+14:00", "-12:00", ""])
        instants = st.tuples(st.datetimes(), offsets).map(
            lambda pair: pair[0].isoformat(timespec="seconds") + pair[1]
        )
        return st.one_of(instants, cell)
    if column == "duration_seconds":
        return st.one_of(st.integers(min_value=-10, max_value=10**20).map(str), cell)
    if column in ("notes", "external_id", "case"):
        return st.one_of(any_text, cell)
    return cell


valid_row = {
    "external_id": "ext-ok",
    "channel": "phone",
    "started_at": "2018-03-05T10:15:00+01:00",
    "duration_seconds": "300",
    "theme": "child_abuse",
    "victims": "age_6_11",
    "notes": "Een goede rij",
}


@st.composite
def contact_csvs(draw) -> bytes:
    columns = list(COLUMNS)
    if draw(st.booleans()):
        columns = draw(st.permutations(columns))
    if draw(st.integers(0, 5)) == 0:
        columns = draw(st.lists(st.sampled_from([*COLUMNS, "unknown", ""]), max_size=20))
    rows = []
    for index in range(draw(st.integers(0, 5))):
        row = {column: valid_row.get(column, "") for column in columns}
        row["external_id"] = f"ext-{index}-{draw(st.integers(0, 3))}"
        for column in draw(st.lists(st.sampled_from(columns), max_size=4)) if columns else ():
            row[column] = draw(_column_value(column))
        values = [row[column] for column in columns]
        if draw(st.integers(0, 6)) == 0:
            values = values[: draw(st.integers(0, len(values)))] + draw(st.lists(cell, max_size=2))
        rows.append(values)
    out = io.StringIO()
    quoting = draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL, csv.QUOTE_NONNUMERIC]))
    writer = csv.writer(out, quoting=quoting, lineterminator=draw(st.sampled_from(["\r\n", "\n"])))
    writer.writerow(columns)
    writer.writerows(rows)
    text = out.getvalue()
    # Now and then a file that no CSV writer made: a stray quote, a cut, a bad byte.
    damage = draw(st.sampled_from(["none", "none", "none", "quote", "cut", "bytes", "bom"]))
    data = text.encode("utf-8")
    if damage == "quote" and text:
        at = draw(st.integers(0, len(text)))
        data = (text[:at] + '"' + text[at:]).encode("utf-8")
    elif damage == "cut":
        data = data[: draw(st.integers(0, len(data)))]
    elif damage == "bytes":
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.binary(min_size=1, max_size=4)) + data[at:]
    elif damage == "bom":
        data = b"\xef\xbb\xbf" + data
    return data


def _one_line(**values) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerow([{**valid_row, **values}.get(column, "") for column in COLUMNS])
    return out.getvalue().encode()


@pytest.mark.django_db
@FUZZ
@given(data=contact_csvs())
@example(data=_one_line(started_at="0001-01-01T00:00:00+14:00"))
@example(data=_one_line(notes="NUL \x00 in the notes"))
@example(data=_one_line(external_id="ext-\x00"))
@example(data=_one_line(case="D\x00"))
def test_import_never_fails_unexpectedly_and_is_all_or_nothing(data):
    before = _counts()
    try:
        result = contacts_import(io.BytesIO(data))
    except ContactImportError as error:
        event("refused")
        assert error.errors
        assert _counts() == before
    else:
        event("imported" if result.imported else "nothing to import")
        assert result.error_count == 0
        assert result.imported + result.already_present == result.rows_read
        assert _counts()[0] == before[0] + result.imported


@pytest.mark.django_db
@FUZZ
@given(data=contact_csvs())
@example(data=_one_line(started_at="0001-01-01T00:00:00+14:00"))
@example(data=_one_line(notes="NUL \x00 in the notes"))
def test_import_command_fails_only_with_a_command_error(data, tmp_path):
    path = tmp_path / "contacts.csv"
    path.write_bytes(data)
    before = _counts()
    try:
        call_command("import_contacts", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    except CommandError:
        assert _counts() == before


# --- The contact list's filters -----------------------------------------------------------

FILTERS = ["q", "date_from", "date_to", "channel", "theme", "site", "case", "follow_up_open"]
filter_value = st.one_of(
    any_text,
    huge_text,
    st.integers().map(str),
    st.sampled_from(
        [
            "0001-01-01",
            "9999-12-31",
            "1-1-1",
            "2025-02-30",
            "2025-03-30",
            "none",
            "phone",
            "child_abuse",
            "on",
            "D2026-00001",
        ]
    ),
)


@pytest.mark.django_db
@FUZZ
@given(
    params=st.fixed_dictionaries(
        {},
        optional={
            name: st.one_of(st.dates().map(str), filter_value)
            if name.startswith("date_")
            else filter_value
            for name in [*FILTERS, "page", "x"]
        },
    )
)
@example(params={"date_from": "0001-01-01"})
@example(params={"date_to": "9999-12-31"})
@example(params={"date_from": "9999-12-31"})
@example(params={"date_to": "0001-01-01"})
@example(params={"page": "99999999999999999999"})
def test_contact_list_filters_never_fail(client_for, coordinator, params):
    response = client_for(coordinator).get(reverse("contacts:list"), params)
    # A NUL byte, which no browser's form sends, is refused for every page alike
    # (meldpunt/validation.py); everything else gets the list or the form's message.
    nul = any("\x00" in key or "\x00" in str(value) for key, value in params.items())
    assert response.status_code == (400 if nul else 200)


@pytest.mark.django_db
def test_import_reports_a_nul_character_with_its_line_and_column():
    with pytest.raises(ContactImportError) as excinfo:
        contacts_import(io.BytesIO(_one_line(notes="a\x00b")))
    assert excinfo.value.errors[0].startswith(error_message(2, "notes", "").rstrip())
    assert _counts() == (0, 0, 0)


def test_a_post_claiming_a_million_victims_is_refused_cheaply(
    client_for, responder, django_assert_max_num_queries
):
    client = client_for(responder)
    with django_assert_max_num_queries(150):
        response = client.post(
            reverse("contacts:create"), intake_data(**{"victims-TOTAL_FORMS": "1000000"})
        )
    assert response.status_code == 200
    assert len(response.context["formset"].forms) <= MAX_VICTIMS
    assert response.context["formset"].non_form_errors()
    assert not Contact.objects.exists()
