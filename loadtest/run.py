"""`python -m loadtest.run`: the pages under load (`make bench-load`).

Against the bench database (BENCH_DATABASE_URL, name containing "bench"; `make bench`
fills it with a million contacts): creates the load users, starts gunicorn on 127.0.0.1
(sync workers sized for the machine's cores), runs locust headless for --run-time with
22 users (loadtest/locustfile.py), stops gunicorn, removes the contacts the load test
registered, and prints p50/p95/p99 and errors per endpoint; the LAST line is one JSON
object with each endpoint's p95 as a ratio to the minimal signed-in page /ping/ measured
in the same run.

The server runs with production settings (DEBUG off), except what loopback http needs:
no redirect to https and cookies not marked Secure. Nothing is switched off for logging
in: the load users pass the second step with recovery codes (loadtest/users.py).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/meldpunt_bench"
PORT = 8120
SERVER_ENV = {
    "DEBUG": "off",
    "SECRET_KEY": "load-test-only-not-secret-but-long-enough-for-the-key-check-1712",
    "CALLER_HASH_KEY": "load-test-only-caller-key",
    "ALLOWED_HOSTS": "127.0.0.1",
    "LOG_LEVEL": "WARNING",
    # Loopback http only: the load test's own environment, not a production setting.
    "SECURE_SSL_REDIRECT": "off",
    "SESSION_COOKIE_SECURE": "off",
    "CSRF_COOKIE_SECURE": "off",
}
REFERENCE = "ping (reference)"
# name in the locustfile -> (key of the JSON, largest p95 as a multiple of /ping/'s)
TARGETS = {
    "intake (GET)": ("intake_get", 3),
    "intake (POST)": ("intake_post", 3),
    "contact list (page 1)": ("list_page1", 3),
    "annual report": ("report", 5),
    "week roster": ("roster", 3),
}
INTAKE_P95_MS = 300


def say(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S', time.gmtime())}Z] {text}", flush=True)


def _load() -> str:
    one, five, _fifteen = os.getloadavg()
    return f"load {one:.2f}/{five:.2f} on {os.cpu_count()} CPUs"


def _django_setup(url: str) -> None:
    for key, value in SERVER_ENV.items():
        os.environ.setdefault(key, value)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "meldpunt.settings")
    import django

    django.setup()


def _wait_until_up(base: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            # Our own server on loopback.
            with urllib.request.urlopen(f"{base}/login/", timeout=5) as reply:  # noqa: S310  # nosec B310
                if reply.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"gunicorn did not answer on {base} within {seconds} s")


def _deep_cursor(page: int) -> str:
    """The cursor of the list's `page` for the load responders, as its "older" links reach
    it: that of the last row of the page before (keyset pages; contacts/views/contacts.py)."""
    from django.contrib.auth import get_user_model

    from contacts.selectors import contacts_filter
    from contacts.views.contacts import PAGE_SIZE, cursor_of
    from loadtest.accounts import usernames

    user = get_user_model().objects.get(username=usernames()["responder"][0])
    if page < 2:
        return ""
    rows = contacts_filter(user, {}).select_related(None).only("pk", "started_at")
    row = rows[(page - 1) * PAGE_SIZE - 1 : (page - 1) * PAGE_SIZE].first()
    return cursor_of(row) if row is not None else ""


def _stats(prefix: str) -> dict[str, dict]:
    rows = {}
    with open(f"{prefix}_stats.csv", newline="") as stats:
        for row in csv.DictReader(stats):
            # Rows reset once every user has logged in and never sent again: N/A.
            if row["Name"] == "Aggregated" or int(row["Request Count"]) == 0:
                continue
            rows[row["Name"]] = {
                "requests": int(row["Request Count"]),
                "errors": int(row["Failure Count"]),
                "p50": float(row["50%"]),
                "p95": float(row["95%"]),
                "p99": float(row["99%"]),
            }
    return rows


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m loadtest.run", description=__doc__)
    parser.add_argument("--run-time", default="90s", help="locust --run-time (default 90s)")
    parser.add_argument("--port", type=int, default=PORT)
    parser.add_argument(
        "--workers", type=int, default=2 * (os.cpu_count() or 1) + 1, help="gunicorn workers"
    )
    args = parser.parse_args(argv)
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    if "bench" not in urlparse(url).path:
        sys.exit(f"BENCH_DATABASE_URL must name a scratch database *bench*: {url}")
    _django_setup(url)
    from contacts.models import Contact
    from loadtest.users import load_users_ensure

    say(f"database {urlparse(url).path.lstrip('/')}: {Contact.objects.count()} contacts; {_load()}")
    load_users_ensure()
    deep_page = int(os.environ.get("LOADTEST_DEEP_PAGE", "300"))
    deep_cursor = _deep_cursor(deep_page)
    say(f"contact list page {deep_page}: cursor {deep_cursor or '(too few contacts: page 1)'}")
    first_new_id = (Contact.objects.order_by("-id").values_list("id", flat=True).first()) or 0

    env = {
        **os.environ,
        **SERVER_ENV,
        "DATABASE_URL": url,
        "PYTHONPATH": str(ROOT),
        "LOADTEST_DEEP_PAGE": str(deep_page),
        "LOADTEST_DEEP_CURSOR": deep_cursor,
    }
    base = f"http://127.0.0.1:{args.port}"
    # Explicit options: gunicorn.conf.py (production) is read if present; these override.
    server = subprocess.Popen(  # noqa: S603  # nosec B603 - our own fixed command
        [
            sys.executable,
            "-m",
            "gunicorn",
            "meldpunt.wsgi:application",
            "--bind",
            f"127.0.0.1:{args.port}",
            "--workers",
            str(args.workers),
            "--worker-class",
            "sync",
            "--timeout",
            "120",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    try:
        _wait_until_up(base)
        say(f"gunicorn: {args.workers} sync workers on {base}; {_load()}")
        with tempfile.TemporaryDirectory(prefix="meldpunt-load-") as directory:
            prefix = str(Path(directory) / "load")
            users = 22
            subprocess.run(  # noqa: S603  # nosec B603 - our own fixed command
                [
                    sys.executable,
                    "-m",
                    "locust",
                    "-f",
                    str(ROOT / "loadtest" / "locustfile.py"),
                    "--headless",
                    "--users",
                    str(users),
                    "--spawn-rate",
                    "11",
                    "--run-time",
                    args.run_time,
                    "--host",
                    base,
                    "--csv",
                    prefix,
                    "--only-summary",
                    # Statistics from the moment every user has started; the locustfile
                    # resets them again once every user has logged in.
                    "--reset-stats",
                    "--loglevel",
                    "WARNING",
                ],
                cwd=ROOT,
                env=env,
                check=False,
            )
            stats = _stats(prefix)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    load_end = _load()
    removed = Contact.objects.filter(
        id__gt=first_new_id, notes__startswith="Belastingstest"
    ).delete()[0]
    say(f"removed what the load test registered ({removed} rows); {load_end}")
    _report(stats, users, args, load_end)


def _report(stats: dict[str, dict], users: int, args, load_end: str) -> None:
    print(f"{'endpoint':32} {'requests':>8} {'errors':>6} {'p50':>7} {'p95':>7} {'p99':>7}  ms")
    for name, row in sorted(stats.items()):
        print(
            f"{name:32} {row['requests']:8} {row['errors']:6} "
            f"{row['p50']:7.0f} {row['p95']:7.0f} {row['p99']:7.0f}"
        )
    reference = stats.get(REFERENCE, {}).get("p95") or None
    result: dict = {
        "users": users,
        "run_time": args.run_time,
        "gunicorn_workers": args.workers,
        "requests": sum(row["requests"] for row in stats.values()),
        "errors": sum(row["errors"] for row in stats.values()),
        "ping_p95_ms": reference,
        "load_end": load_end,
    }
    met = {"errors": result["errors"] == 0}
    lists = {name: row for name, row in stats.items() if name.startswith("contact list")}
    for name, (key, limit) in TARGETS.items():
        if name not in stats:
            continue
        p95 = stats[name]["p95"]
        result[f"{key}_p95_ms"] = p95
        result[f"{key}_vs_ping"] = round(p95 / reference, 2) if reference else None
        met[key] = bool(reference) and p95 <= limit * reference
        if key.startswith("intake"):
            met[key] = met[key] and p95 <= INTAKE_P95_MS
    for name, row in lists.items():
        if name in TARGETS:
            continue
        key = "list_deep"
        result[f"{key}_p95_ms"] = row["p95"]
        result[f"{key}_vs_ping"] = round(row["p95"] / reference, 2) if reference else None
        met[key] = bool(reference) and row["p95"] <= 3 * reference
    result["targets_met"] = met
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
