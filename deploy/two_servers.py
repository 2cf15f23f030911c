"""The two-server test (`make test-ops`, run by .ci/run): two gunicorn web servers on two
loopback ports, one Celery worker and one beat, all on the same PostgreSQL (a scratch
database of its own) and Redis, as on two web machines behind a proxy.

Signed-in responders send intake POSTs through both servers, the way a proxy spreads them;
halfway through, one server is stopped (SIGTERM, as systemd does on a restart or a machine
going down) and its traffic moves to the other. Checked at the end:
  - every contact a server accepted (302 after the POST) is in the database: 0 lost;
  - the nightly aggregation, scheduled once by beat, ran exactly once and succeeded;
  - beat's heartbeat arrived, and /health/ready of the surviving server is green.
Prints one JSON line with the numbers; exits 1 when a check fails. Traffic goes to
127.0.0.1 only. Environment: DATABASE_URL (server and user of PostgreSQL; its database is
not touched), REDIS_URL (a Redis database it may empty; default redis://127.0.0.1:6379/14),
OPS_TEST_PORTS (two ports, default 8111,8112).
"""

import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from datetime import timedelta
from http.cookiejar import CookieJar
from pathlib import Path
from urllib.error import HTTPError, URLError
from urllib.request import HTTPCookieProcessor, HTTPRedirectHandler, Request, build_opener

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
SCRATCH_DB = "meldpunt_ops_two_servers"
USERS = 6  # responders typing at once
SECONDS = 24  # of traffic; the first server stops halfway
PASSWORD = "twee-servers-wachtwoord-42"  # noqa: S105 - a scratch database's test user


def _database_urls() -> tuple[str, str]:
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/meldpunt")
    parts = urllib.parse.urlsplit(base)
    if not parts.scheme.startswith("postgres"):
        sys.exit("make test-ops needs DATABASE_URL of a PostgreSQL server")
    scratch = urllib.parse.urlunsplit(parts._replace(path=f"/{SCRATCH_DB}"))
    admin = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    return scratch, admin


SCRATCH_URL, ADMIN_URL = _database_urls()
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/14")
PORTS = [int(p) for p in os.environ.get("OPS_TEST_PORTS", "8111,8112").split(",")]
STATIC_ROOT = tempfile.mkdtemp(prefix="meldpunt-static-")
ENV = {
    **os.environ,
    "DJANGO_SETTINGS_MODULE": "meldpunt.settings",
    "DATABASE_URL": SCRATCH_URL,
    "CELERY_BROKER_URL": REDIS_URL,
    "STATIC_HASHED": "on",
    "STATIC_ROOT": STATIC_ROOT,
    "TWO_FACTOR_RESPONDERS": "off",
    "DEBUG": "off",
    # Plain http on the loopback (the proxy would speak TLS): cookies without `Secure`.
    "SECURE_SSL_REDIRECT": "off",
    "SESSION_COOKIE_SECURE": "off",
    "CSRF_COOKIE_SECURE": "off",
    "ALLOWED_HOSTS": "127.0.0.1",
}
ENV.pop("PROMETHEUS_MULTIPROC_DIR", None)


def manage(*args: str) -> None:
    subprocess.run(  # noqa: S603 - our interpreter, fixed arguments
        [PYTHON, "manage.py", *args], cwd=ROOT, env=ENV, check=True, stdout=subprocess.DEVNULL
    )


def psql_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(ADMIN_URL.replace("postgres://", "postgresql://"), autocommit=True) as c:
        c.execute(sql)


def prepare() -> None:
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    psql_admin(f"DROP DATABASE IF EXISTS {SCRATCH_DB} WITH (FORCE)")
    psql_admin(f"CREATE DATABASE {SCRATCH_DB}")
    manage("migrate", "--noinput", "-v0")
    manage("collectstatic", "--noinput", "-v0")
    os.environ.update(ENV)  # this process reads the scratch database too
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.contrib.auth.models import Group, User
    from django.utils import timezone
    from django_celery_beat.models import ClockedSchedule, PeriodicTask

    from staffing.models import Site, StaffMember

    site = Site.objects.default()
    for n in range(USERS):
        user = User.objects.create_user(f"responder{n}", password=PASSWORD)
        user.groups.add(Group.objects.get(name="responder"))
        StaffMember.objects.create(user=user, site=site)
    # The nightly task, due once, 20 s after the servers start (instead of at 02:30).
    clocked = ClockedSchedule.objects.create(clocked_time=timezone.now() + timedelta(seconds=40))
    PeriodicTask.objects.filter(task="reports.tasks.aggregates_rebuild_nightly").update(
        crontab=None, clocked=clocked, one_off=True, enabled=True
    )


class _NoRedirect(HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Responder(threading.Thread):
    """Logs in and registers contacts, each with a unique marker in its notes; on a refused
    connection (a stopped server) it goes to the other one, as the proxy would."""

    def __init__(self, number: int, stop: threading.Event, server_down: threading.Event):
        super().__init__(daemon=True)
        self.number = number
        self.stop_event = stop
        self.server_down = server_down
        self.jar = CookieJar()
        self.opener = build_opener(HTTPCookieProcessor(self.jar), _NoRedirect)
        self.accepted: list[str] = []
        self.failed = 0
        self.moved = 0
        self.statuses: dict[int, int] = {}

    def port(self) -> int:
        if self.server_down.is_set():
            return PORTS[0]
        return PORTS[self.number % 2]

    def request(self, path: str, data: dict | None = None) -> tuple[int, str]:
        url = f"http://127.0.0.1:{self.port()}{path}"
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        req = Request(url, data=body, headers={"Referer": url})  # noqa: S310 - loopback http
        try:
            with self.opener.open(req, timeout=30) as response:
                return response.status, response.read().decode()
        except HTTPError as error:
            return error.code, error.read().decode(errors="replace")

    def csrf(self, path: str) -> str:
        status, page = self.request(path)
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if status != 200 or not match:
            raise RuntimeError(f"no form at {path}: {status}")
        return match.group(1)

    def login(self) -> None:
        token = self.csrf("/login/")
        status, _ = self.request(
            "/login/",
            {
                "csrfmiddlewaretoken": token,
                "username": f"responder{self.number}",
                "password": PASSWORD,
            },
        )
        if status != 302:
            raise RuntimeError(f"login refused: {status}")

    def run(self) -> None:
        sent = 0
        while not self.stop_event.is_set():
            try:
                if sent == 0:
                    self.login()
                token = self.csrf("/contacts/new/")
                marker = f"twee-servers-{self.number}-{sent}"
                now = time.strftime("%Y-%m-%dT%H:%M", time.localtime(time.time() - 600))
                status, _ = self.request(
                    "/contacts/new/",
                    {
                        "csrfmiddlewaretoken": token,
                        "channel": "phone",
                        "started_at": now,
                        "contact_type": "about_other",
                        "theme": "child_abuse",
                        "caller_age_group": "adult",
                        "notes": marker,
                        "victims-TOTAL_FORMS": "0",
                        "victims-INITIAL_FORMS": "0",
                        "victims-MIN_NUM_FORMS": "0",
                        "victims-MAX_NUM_FORMS": "20",
                    },
                )
                self.statuses[status] = self.statuses.get(status, 0) + 1
                if status == 302:
                    self.accepted.append(marker)
                else:
                    self.failed += 1
                sent += 1
            except (URLError, ConnectionError, TimeoutError, RuntimeError):
                # The server went away between two requests: the proxy sends the next one
                # to the other server (the session is in the database, shared by both).
                self.moved += 1
                time.sleep(0.2)


def start(args: list[str], log: Path) -> subprocess.Popen:
    return subprocess.Popen(  # noqa: S603 - our own programs, fixed arguments
        args, cwd=ROOT, env=ENV, stdout=log.open("w"), stderr=subprocess.STDOUT
    )


def wait_until_up(port: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with build_opener().open(f"http://127.0.0.1:{port}/health/live", timeout=10):
                return
        except (URLError, OSError):
            time.sleep(0.3)
    raise RuntimeError(f"gunicorn on {port} did not start")


def main() -> int:
    started = time.monotonic()
    prepare()
    logs = Path(tempfile.mkdtemp(prefix="meldpunt-ops-test-"))
    processes = {}
    try:
        for port in PORTS:
            processes[f"web{port}"] = start(
                [
                    GUNICORN,
                    "-c",
                    "gunicorn.conf.py",
                    "--bind",
                    f"127.0.0.1:{port}",
                    "--workers",
                    "2",
                    "--threads",
                    "4",
                ],
                logs / f"web{port}.log",
            )
        processes["worker"] = start(
            [
                PYTHON,
                "-m",
                "celery",
                "-A",
                "meldpunt",
                "worker",
                "--concurrency",
                "2",
                "--loglevel",
                "INFO",
            ],
            logs / "worker.log",
        )
        processes["beat"] = start(
            [
                PYTHON,
                "-m",
                "celery",
                "-A",
                "meldpunt",
                "beat",
                "--loglevel",
                "INFO",
                "--schedule",
                str(logs / "beat-schedule"),
            ],
            logs / "beat.log",
        )
        for port in PORTS:
            wait_until_up(port)

        stop, server_down = threading.Event(), threading.Event()
        responders = [Responder(n, stop, server_down) for n in range(USERS)]
        for responder in responders:
            responder.start()
        time.sleep(SECONDS / 2)
        processes[f"web{PORTS[1]}"].send_signal(signal.SIGTERM)  # the machine goes away
        stopped_at = time.monotonic()
        # The proxy notices within a health check or two; until then requests may be refused.
        time.sleep(1)
        server_down.set()
        time.sleep(SECONDS / 2)
        stop.set()
        for responder in responders:
            responder.join(60)

        from django.contrib.auth.models import User  # noqa: F401 - django is set up

        from contacts.models import Contact
        from meldpunt.models import Heartbeat
        from reports.models import AggregateRun

        accepted = [m for r in responders for m in r.accepted]
        stored = set(
            Contact.objects.filter(notes__startswith="twee-servers-").values_list(
                "notes", flat=True
            )
        )
        lost = [m for m in accepted if m not in stored]
        # The nightly run: due 40 s after preparing; give it time to finish.
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and not (
            AggregateRun.objects.filter(kind="changed", finished_at__isnull=False).exists()
            and Heartbeat.objects.filter(name="beat").exists()
        ):
            time.sleep(1)
        time.sleep(3)  # a second run, if there were one, would show by now
        runs = list(AggregateRun.objects.filter(kind="changed").values_list("status", flat=True))
        try:
            with build_opener().open(f"http://127.0.0.1:{PORTS[0]}/health/ready", timeout=10) as r:
                ready = json.loads(r.read())
        except HTTPError as error:
            ready = json.loads(error.read())
        numbers = {
            "accepted": len(accepted),
            "stored": len(stored),
            "lost": len(lost),
            "refused_or_failed": sum(r.failed for r in responders),
            "moved_to_other_server": sum(r.moved for r in responders),
            "statuses": {
                str(k): sum(r.statuses.get(k, 0) for r in responders)
                for k in sorted({k for r in responders for k in r.statuses})
            },
            "nightly_runs": runs,
            "heartbeat": Heartbeat.objects.filter(name="beat").exists(),
            "ready": ready,
            "second_server_stopped_after_s": round(stopped_at - started, 1),
            "seconds": round(time.monotonic() - started, 1),
        }
        print(json.dumps(numbers))
        ok = (
            accepted
            and not lost
            and runs == ["succeeded"]
            and numbers["heartbeat"]
            and ready["status"] == "ok"
        )
        if not ok:
            print(f"two-server test FAILED; logs in {logs}", file=sys.stderr)
        return 0 if ok else 1
    finally:
        for process in processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in processes.values():
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        from django.db import connections

        connections.close_all()
        psql_admin(f"DROP DATABASE IF EXISTS {SCRATCH_DB} WITH (FORCE)")


if __name__ == "__main__":
    sys.exit(main())
