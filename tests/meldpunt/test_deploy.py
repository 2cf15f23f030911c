"""The example systemd units in deploy/ are valid units and start what the Makefile starts
(the two-server test, deploy/two_servers.py, runs those same commands)."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
UNITS = sorted((ROOT / "deploy" / "systemd").glob("meldpunt-*.*"))


def test_there_are_units_for_web_worker_beat_and_backup():
    names = {unit.name for unit in UNITS}
    assert {
        "meldpunt-web.service",
        "meldpunt-worker.service",
        "meldpunt-beat.service",
        "meldpunt-backup.service",
        "meldpunt-backup.timer",
    } <= names


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="needs systemd-analyze")
def test_units_pass_systemd_analyze_verify(tmp_path):
    """Verified with /srv/meldpunt replaced by this checkout, so the programs exist."""
    for unit in UNITS:
        text = unit.read_text().replace("/srv/meldpunt", str(ROOT))
        text = re.sub(r"^(User|Group)=meldpunt$", r"\1=root", text, flags=re.MULTILINE)
        text = text.replace("EnvironmentFile=/etc/meldpunt/env", "EnvironmentFile=-/nonexistent")
        copy = tmp_path / unit.name
        copy.write_text(text)
    for unit in sorted(tmp_path.iterdir()):
        result = subprocess.run(  # noqa: S603 - a fixed program on our own files
            ["systemd-analyze", "verify", "--man=no", str(unit)],  # noqa: S607
            capture_output=True,
            text=True,
            check=False,
            cwd=tmp_path,
        )
        problems = [
            line
            for line in result.stderr.splitlines()
            # This machine may have no PostgreSQL/Redis units or no running systemd.
            if "postgresql.service" not in line
            and "redis-server.service" not in line
            and "System has not been booted with systemd" not in line
            and line.strip()
        ]
        assert not problems, (unit.name, problems)


def test_units_run_the_makefiles_commands():
    makefile = (ROOT / "Makefile").read_text()
    web = (ROOT / "deploy/systemd/meldpunt-web.service").read_text()
    assert "gunicorn -c gunicorn.conf.py" in web and "gunicorn -c gunicorn.conf.py" in makefile
    worker = (ROOT / "deploy/systemd/meldpunt-worker.service").read_text()
    assert "celery -A meldpunt worker" in worker and "celery -A meldpunt worker" in makefile
    beat = (ROOT / "deploy/systemd/meldpunt-beat.service").read_text()
    assert "celery -A meldpunt beat" in beat and "celery -A meldpunt beat" in makefile
