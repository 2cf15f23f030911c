"""Contact types, counselling or not, and known and repeat callers in the annual figures
(issue 10): equal to counts of the raw rows, on both counting paths, in every export, and
suppressed in the public version."""

import csv
import io
import json
from collections import Counter
from datetime import date

import pytest
from django.db import connection
from django.urls import reverse
from openpyxl import load_workbook

from contacts.models import CallerProfile, Contact, ContactType
from reports.models import DailyCount, Dimension
from reports.services import counting
from reports.services.aggregates import aggregates_rebuild_range
from reports.services.export_pdf import pdf_html
from reports.services.exports import HIDDEN, annual_report, publish, report_tables, sheet_names
from reports.services.figures import annual_figures, annual_figures_direct
from reports.services.suppression import table_lines
from staffing.services.opening_hours import OpeningSchedule
from staffing.services.time import day_start

from .conftest import contact, utc

pytestmark = pytest.mark.django_db

AFTER_2026 = utc(2027, 1, 10, 3)


def raw_2026(site=None):
    contacts = Contact.objects.filter(
        started_at__gte=day_start(date(2026, 1, 1)), started_at__lt=day_start(date(2027, 1, 1))
    )
    return contacts.filter(site=site) if site else contacts


def expected(site=None) -> dict:
    """The new keys counted from the raw rows, independently of both engines."""
    rows = list(raw_2026(site).values_list("contact_type_id", "caller_profile_id"))
    counselling = dict(ContactType.objects.values_list("code", "is_counselling"))
    by_type = dict.fromkeys([*counselling, ""], 0)
    by_kind = {"counselling": 0, "non_counselling": 0, "": 0}
    for code, _profile in rows:
        by_type[code or ""] += 1
        by_kind["counselling" if counselling[code] else "non_counselling"] += 1
    per_profile = Counter(profile for _code, profile in rows if profile is not None)
    repeat = {profile: n for profile, n in per_profile.items() if n >= 2}
    return {
        "by_contact_type": by_type,
        "by_counselling": by_kind,
        "callers": {
            "distinct": len(per_profile),
            "repeat": len(repeat),
            "repeat_contacts": sum(repeat.values()),
            "contacts_with_profile": sum(per_profile.values()),
            "repeat_share": round(100 * sum(repeat.values()) / len(rows), 1),
        },
    }


def test_new_keys_equal_the_raw_rows_and_the_oracle(register, site, other_site):
    aggregates_rebuild_range(date(2025, 12, 1), date(2027, 1, 9), now=AFTER_2026)
    assert DailyCount.objects.filter(dimension=Dimension.CONTACT_TYPE).exists()
    for which in (None, site, other_site):
        figures = annual_figures(2026, which, now=AFTER_2026)
        assert figures == annual_figures_direct(2026, which)
        for key, value in expected(which).items():
            assert figures[key] == value, key
    whole = annual_figures(2026, now=AFTER_2026)
    # The data have every case: several types of both kinds, single and repeat callers.
    assert whole["by_counselling"]["counselling"] and whole["by_counselling"]["non_counselling"]
    assert whole["by_contact_type"]["unspecified"] > 0
    assert sum(whole["by_contact_type"].values()) == whole["total_contacts"]
    callers = whole["callers"]
    assert 0 < callers["repeat"] < callers["distinct"]
    assert callers["repeat_contacts"] < callers["contacts_with_profile"] < whole["total_contacts"]


def test_a_profile_is_counted_in_the_year_and_site_of_its_contacts(site, other_site):
    profile = CallerProfile.objects.create(identifier_hash="a" * 64, site=site)
    once = CallerProfile.objects.create(identifier_hash="b" * 64, site=site)
    contact(utc(2026, 3, 1, 10), site=site, caller_profile=profile)
    contact(utc(2026, 5, 1, 10), site=other_site, caller_profile=profile)
    contact(utc(2025, 5, 1, 10), site=site, caller_profile=once)  # another year
    contact(utc(2026, 5, 2, 10), site=site, caller_profile=once)
    contact(utc(2026, 5, 3, 10), site=site)  # no known caller
    line = annual_figures(2026, now=AFTER_2026)["callers"]
    assert line == {
        "distinct": 2,
        "repeat": 1,
        "repeat_contacts": 2,
        "contacts_with_profile": 3,
        "repeat_share": 50.0,
    }
    # At one site the profile has one contact: not a repeat caller there.
    assert annual_figures(2026, site, now=AFTER_2026)["callers"]["repeat"] == 0
    assert annual_figures(2025, now=AFTER_2026)["callers"]["distinct"] == 1
    empty = annual_figures(2024, now=AFTER_2026)["callers"]
    assert empty["distinct"] == 0 and empty["repeat_share"] is None
    assert annual_figures_direct(2026)["callers"] == line


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the tally is PostgreSQL's")
def test_numpy_tally_counts_contact_types_as_the_python_pass(register):
    from reports.services.tally import everything_tally

    start, end = day_start(date(2026, 1, 1)), day_start(date(2026, 4, 1))
    schedule = OpeningSchedule.load()
    python = counting.everything_count(start, end, schedule).contacts
    tallied = everything_tally(start, end, schedule).contacts
    assert tallied == python
    types = Counter()
    for (_day, _site, _channel, dimension, value), (n, _v) in tallied.items():
        if dimension == Dimension.CONTACT_TYPE:
            types[value] += n
    raw = Counter(
        Contact.objects.filter(started_at__gte=start, started_at__lt=end).values_list(
            "contact_type_id", flat=True
        )
    )
    assert types == raw and len(raw) > 2


def download(client, fmt, **query):
    return client.get(reverse("reports:export", args=[2026]), {"format": fmt, **query})


def test_exports_agree_on_the_new_tables(client_for, coordinator, register):
    aggregates_rebuild_range(date(2025, 12, 1), date(2026, 11, 28))
    figures = annual_figures(2026)
    client = client_for(coordinator)
    data = json.loads(download(client, "json").content)
    assert data["by_contact_type"] == figures["by_contact_type"]
    assert data["by_counselling"] == figures["by_counselling"]
    assert data["callers"] == figures["callers"]

    rows = list(csv.reader(io.StringIO(download(client, "csv").content.decode())))
    by_key = {(t, r, c): v for t, r, c, v in rows[1:]}
    for code, n in figures["by_contact_type"].items():
        assert by_key[("by_contact_type", code, "")] == str(n)
    for kind, n in figures["by_counselling"].items():
        assert by_key[("by_counselling", kind, "")] == str(n)
    for key, n in figures["callers"].items():
        assert by_key[("callers", key, "")] == str(n)

    book = load_workbook(io.BytesIO(download(client, "xlsx").content))
    names = sheet_names(annual_report(figures))
    sheet = list(book[names["by_contact_type"]].iter_rows(values_only=True))
    assert sheet[0][2:] == ("Counselling", "No counselling", "Not recorded", "Total")
    for row in sheet[1:-1]:
        assert row[-1] == figures["by_contact_type"][row[0] or ""]
    assert sheet[-1][2:] == (
        figures["by_counselling"]["counselling"],
        figures["by_counselling"]["non_counselling"],
        figures["by_counselling"][""],
        figures["total_contacts"],
    )
    callers = list(book[names["callers"]].iter_rows(values_only=True))
    assert [row[2] for row in callers[1:5]] == [
        figures["callers"][key]
        for key in ("distinct", "repeat", "repeat_contacts", "contacts_with_profile")
    ]
    assert "% of the year’s contacts" in callers[-1][1]

    html = pdf_html(annual_report(figures, public=True))
    assert "Contacts per contact type" in html and "Known and repeat callers" in html
    assert "a repeat caller one with two or more" in html  # the definition
    assert "% of the year’s contacts" in html or f"{HIDDEN} (hidden)" in html


def small_figures(**callers) -> dict:
    """Figures with a few contacts of one rare type and few repeat callers."""
    figures = annual_figures(2026)
    figures["by_contact_type"].update(about_self=40, follow_up=30, silent=12, prank=2)
    figures["total_contacts"] = 84
    figures["callers"] = {
        "distinct": 30,
        "repeat": 3,
        "repeat_contacts": 9,
        "contacts_with_profile": 36,
        "repeat_share": 10.7,
        **callers,
    }
    return figures


def test_public_version_hides_small_cells_of_the_new_tables(db):
    report = annual_report(small_figures(), public=True)
    data = report.data
    # A prank count of 2 is hidden, and so is the silent count: the non-counselling total
    # (14) with the silent count would give the pranks away.
    assert data["by_contact_type"]["prank"] == HIDDEN
    assert data["by_contact_type"]["silent"] == HIDDEN
    assert data["by_counselling"] == {"counselling": 70, "non_counselling": 14, "": 0}
    table = report.table("by_contact_type")
    for parts, total in table_lines(len(table.rows), len(table.columns)):
        assert sum(cell in table.hidden for cell in (*parts, total)) != 1
    # 3 repeat callers are hidden and so is a second count of the identity
    # distinct - repeat = contacts_with_profile - repeat_contacts.
    callers = data["callers"]
    assert callers["repeat"] == HIDDEN
    assert sum(value == HIDDEN for value in callers.values()) >= 2
    published = [v for k, v in callers.items() if k != "repeat_share" and v != HIDDEN]
    assert len(published) <= 2
    if callers["repeat_contacts"] == HIDDEN:
        assert callers["repeat_share"] == HIDDEN
    text = report.table("callers").summary
    assert str(callers["repeat_share"]).replace(".", ",") in text or HIDDEN in text


def test_public_callers_all_large_are_published(db):
    figures = small_figures(distinct=300, repeat=40, repeat_contacts=100, contacts_with_profile=360)
    tables = publish(report_tables(figures), 5)
    assert next(t for t in tables if t.key == "callers").hidden == set()
    data = annual_report(figures, public=True).data
    assert data["callers"]["repeat"] == 40
    assert data["callers"]["repeat_share"] == 10.7


def test_report_page_shows_the_tables_with_the_definition(client_for, coordinator, register):
    response = client_for(coordinator).get(reverse("reports:annual", args=[2026]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Contacts per contact type" in html and "No counselling" in html
    assert "a repeat caller one with two or more" in html
    assert 'data-table="by_contact_type"' in html
    assert 'data-table="callers"' in html
    assert 'data-summary="callers"' in html


def test_outsider_cannot_see_the_report(client_for, responder, outsider):
    for user in (responder, outsider):
        response = client_for(user).get(reverse("reports:annual", args=[2026]))
        assert response.status_code in (403, 404)
        assert "by_contact_type" not in response.content.decode()


def test_the_migration_marks_every_aggregated_day_for_the_nightly_rebuild(register):
    import importlib

    from django.apps import apps

    from reports.models import DirtyDay

    aggregates_rebuild_range(date(2026, 1, 1), date(2026, 2, 28), now=AFTER_2026)
    migration = importlib.import_module("reports.migrations.0004_dimension_contact_type")
    migration.aggregated_days_dirty(apps, None)
    days = set(DailyCount.objects.values_list("day", flat=True))
    marked = DirtyDay.objects.filter(reason=DirtyDay.Reason.DIMENSION)
    assert days and set(marked.values_list("day", flat=True)) == days
    assert marked.count() == len(days)
