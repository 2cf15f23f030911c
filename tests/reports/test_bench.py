"""The pieces of `python -m reports.bench` (the million-contact run itself is `make bench`,
never part of the tests): the generated year's shape, and DuckDB's figures over the Parquet
export equal to the naive ORM figures on a small generated year."""

import json
from collections import Counter
from datetime import UTC, date

import pytest

from reports.bench.generate import (
    ATTEMPT_COLUMNS,
    CONTACT_COLUMNS,
    FORM_COLUMNS,
    VICTIM_COLUMNS,
    GeneratedYear,
    rows_load,
    sites_ensure,
    year_generate,
)
from staffing.services.time import day_start


def _merged(chunks) -> GeneratedYear:
    year = GeneratedYear()
    for chunk in chunks:
        for name in ("contacts", "victims", "forms", "attempts"):
            getattr(year, name).extend(getattr(chunk, name))
    return year


@pytest.mark.django_db
def test_generated_year_has_the_asked_rows_in_the_local_year():
    chunks = list(year_generate(2025, 3000, [11, 12, 13, 14, 15]))
    year = _merged(chunks)

    assert len(chunks) == 12  # one per month
    assert len(year.contacts) == 3000
    assert len(year.attempts) == 4500
    assert {len(row) for row in year.contacts} == {len(CONTACT_COLUMNS)}
    assert {len(row) for row in year.victims} == {len(VICTIM_COLUMNS)}
    assert {len(row) for row in year.forms} == {len(FORM_COLUMNS)}
    assert {len(row) for row in year.attempts} == {len(ATTEMPT_COLUMNS)}
    contact = dict(zip(CONTACT_COLUMNS, year.contacts[0], strict=True))
    assert contact["reference"] == "2025-0000001"
    assert contact["external_id"] is None
    ids = [row[0] for row in year.contacts]
    assert ids == list(range(1, 3001))
    assert len({row[1] for row in year.contacts}) == 3000
    start, end = day_start(date(2025, 1, 1)), day_start(date(2026, 1, 1))
    assert all(start <= row[4] < end and row[5] >= row[4] for row in year.contacts)
    assert {row[6] for row in year.contacts} == {11, 12, 13, 14, 15}
    channels = Counter(row[3] for row in year.contacts)
    assert channels == {"phone": 2100, "chat": 600, "email": 300}
    themes = Counter(row[7] for row in year.contacts)
    assert themes.most_common(1)[0][0] == "child_abuse"
    assert themes[None] > 0  # some not recorded
    assert 1.1 < len(year.victims) / 3000 < 1.5
    assert {row[1] for row in year.victims} <= set(ids)
    assert len({(row[1], row[2]) for row in year.forms}) == len(year.forms)
    assert {row[2] for row in year.attempts} == {"phone", "chat"}
    assert all(row[5] == 0 for row in year.attempts if not row[6])
    # Mostly office hours: phone contacts mostly between 9 and 17 local time.
    phone_hours = [row[4].astimezone(UTC).hour for row in year.contacts if row[3] == "phone"]
    assert sum(7 <= hour < 16 for hour in phone_hours) / len(phone_hours) > 0.8


@pytest.mark.django_db
def test_duckdb_figures_equal_the_naive_figures_on_a_generated_year(tmp_path):
    pytest.importorskip("duckdb")
    from reports.bench.columnar import duckdb_figures, rows_export
    from reports.services.figures import annual_figures_direct
    from staffing.services.opening_hours import closure_create

    # A closure of the phone on a busy morning: both must take it out of the hours.
    closure_create(reason="bench", channel="phone", first_day=date(2025, 3, 3))
    loaded = rows_load(year_generate(2025, 1500, sites_ensure()))
    assert loaded["contacts"] == 1500

    paths = rows_export(tmp_path)
    columnar = json.loads(json.dumps(duckdb_figures(paths, 2025)))
    direct = json.loads(json.dumps(annual_figures_direct(2025)))

    assert columnar == direct
    assert columnar["total_contacts"] == 1500
    assert 0 < columnar["outside_opening_hours"]["contacts"] < 1500
    assert columnar["outside_opening_hours"]["likely_misdials"] > 0


@pytest.mark.django_db
def test_scaling_rebuilds_each_size_and_leaves_the_register_empty():
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the bench database is PostgreSQL (TRUNCATE)")
    from contacts.models import Contact
    from reports.bench import run
    from reports.models import DailyCount

    cold = {}
    times = run._scaling([40, 80], seed=3, runs=2, cold=cold)
    assert set(cold) == set(times)
    assert set(times) == {"40", "80"} and all(seconds > 0 for seconds in times.values())
    assert not Contact.objects.exists() and not DailyCount.objects.exists()
    assert {"rebuild_vs_duckdb", "day_vs_rebuild"} <= set(run.FINAL_KEYS)
