"""`make backup` and `make restore-check` on PostgreSQL: a dump restores into a scratch
database with the same row counts and annual figures; a difference is reported."""

import io
import os
import shutil
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command
from django.db import connection

from tests.factories import ContactFactory

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_dump of PostgreSQL"),
    pytest.mark.skipif(not shutil.which("pg_dump"), reason="needs pg_dump and pg_restore"),
    pytest.mark.django_db(transaction=True),
]


def test_a_dump_restores_with_equal_counts_and_figures(site, settings, tmp_path):
    settings.BACKUP_DIR = tmp_path
    for month in (1, 6, 11):
        ContactFactory(site=site, started_at=datetime(2024, month, 3, 10, tzinfo=UTC))
    out = io.StringIO()
    call_command("backup", "dump", stdout=out)
    (dump,) = tmp_path.glob("meldpunt-*.dump")
    assert oct(dump.stat().st_mode & 0o777) == "0o600"

    out = io.StringIO()
    call_command("backup", "restore-check", stdout=out)
    assert "row counts and annual figures equal" in out.getvalue()
    assert "[2024]" in out.getvalue()


def test_a_difference_is_reported(site, settings, tmp_path):
    settings.BACKUP_DIR = tmp_path
    call_command("backup", "dump", stdout=io.StringIO())
    ContactFactory(site=site, started_at=datetime(2024, 2, 3, 10, tzinfo=UTC))  # after it
    err = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("backup", "restore-check", stdout=io.StringIO(), stderr=err)
    assert "contacts_contact" in err.getvalue()
    assert "annual figures 2024" in err.getvalue()


def test_old_dumps_go_after_the_retention_but_never_the_newest(settings, tmp_path):
    settings.BACKUP_DIR = tmp_path
    settings.BACKUP_RETENTION_DAYS = 35
    old = tmp_path / "meldpunt-20200101T000000Z.dump"
    old.write_bytes(b"x")
    long_ago = (datetime.now(tz=UTC) - timedelta(days=40)).timestamp()
    os.utime(old, (long_ago, long_ago))
    call_command("backup", "dump", stdout=io.StringIO())
    assert not old.exists()
    assert len(list(tmp_path.glob("meldpunt-*.dump"))) == 1
