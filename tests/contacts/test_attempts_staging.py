"""The attempt-log import's PostgreSQL path (COPY into a staging table, set-based checks)."""

import io

import pytest
from django.db import connection

from contacts.models import CallAttempt
from contacts.services.attempts import attempts_import

pytestmark = pytest.mark.django_db

HEADER = "external_id,channel,started_at,wait_seconds,talk_seconds,answered\n"


def test_ids_with_tabs_backslashes_and_newlines_are_stored_as_written():
    ids = ["a\tb", "back\\slash", "two\nlines", "\\N"]
    text = HEADER + "".join(
        f'"{external_id}",phone,2019-03-05T10:1{i}:00Z,1,0,0\n' for i, external_id in enumerate(ids)
    )
    result = attempts_import(io.StringIO(text, newline=""))
    assert result.ok, result.problems
    assert sorted(CallAttempt.objects.values_list("external_id", flat=True)) == sorted(ids)


def test_repeats_beyond_the_kept_problems_are_all_counted(settings):
    rows = "".join("same,phone,2019-03-05T10:15:00Z,1,0,0\n" for _ in range(1_205))
    result = attempts_import(io.StringIO(HEADER + rows, newline=""))
    assert result.problem_count == 1_204
    assert len(result.problems) == 1_000
    assert [p.line for p in result.problems[:2]] == [3, 4]
    assert CallAttempt.objects.count() == 0


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the staging table is PostgreSQL's")
def test_the_staging_table_is_gone_after_an_import_and_after_a_refused_one():
    attempts_import(io.StringIO(HEADER + "a1,phone,2019-03-05T10:15:00Z,1,0,0\n", newline=""))
    attempts_import(io.StringIO(HEADER + "a2,fax,2019-03-05T10:15:00Z,1,0,0\n", newline=""))
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('pg_temp.attempt_import_rows')")
        assert cursor.fetchone()[0] is None
