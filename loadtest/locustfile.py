"""The load test (run by loadtest/run.py; `make bench-load`).

20 responders register contacts (the intake form, then a POST with two victims) and open
the contact list (first page and a deep one); 2 coordinators open the annual report and the
week roster. Everyone also calls /ping/, the minimal signed-in page every endpoint is
compared with. Each user logs in through the real two steps (password, then one of its
recovery codes; loadtest/users.py) and stops after MAX_TASKS requests: the run is bounded
in time (run.py's --run-time) and in requests.
"""

from __future__ import annotations

import os
import re
from datetime import datetime
from itertools import count
from zoneinfo import ZoneInfo

from locust import HttpUser, between, task
from locust.exception import StopUser

from loadtest.accounts import (
    CODES_PER_USER,
    COORDINATORS,
    PASSWORD,
    RESPONDERS,
    recovery_code,
    usernames,
)
from loadtest.forms import csrf_token, form_values

MAX_TASKS = int(os.environ.get("LOADTEST_MAX_TASKS", "200"))
REPORT_YEAR = int(os.environ.get("LOADTEST_REPORT_YEAR", "2025"))
DEEP_PAGE = int(os.environ.get("LOADTEST_DEEP_PAGE", "300"))
# The list pages by cursor (keyset): run.py finds the cursor that opens page DEEP_PAGE as
# the "older" links would, after DEEP_PAGE - 1 clicks. Without one, the first page.
DEEP_CURSOR = os.environ.get("LOADTEST_DEEP_CURSOR", "")
_RESPONDERS = iter(usernames()["responder"])
_COORDINATORS = iter(usernames()["coordinator"])
_CODE_NUMBER = count()
_LOGINS_DONE = count(1)
BRUSSELS = ZoneInfo("Europe/Brussels")


class _SignedIn(HttpUser):
    abstract = True
    wait_time = between(1, 2)

    def username(self) -> str:
        raise NotImplementedError

    def on_start(self):
        self.tasks_done = 0
        name = self.username()
        page = self.client.get("/login/", name="login (GET)")
        values = form_values(page.text, having="username")
        values.update(username=name, password=PASSWORD)
        reply = self.client.post("/login/", data=values, name="login (POST)")
        # The second step: one of this user's recovery codes (each works once).
        values = form_values(reply.text, having="token")
        values["token"] = recovery_code(name, next(_CODE_NUMBER) % CODES_PER_USER)
        reply = self.client.post(reply.url, data=values, name="login (second step)")
        if next(_LOGINS_DONE) == RESPONDERS + COORDINATORS:
            # Statistics from the moment every user has logged in: the logins' password
            # hashing must not weigh on the pages measured.
            self.environment.stats.reset_all()
        if "/account/two-factor/" in reply.url:
            raise StopUser(f"{name} could not log in")

    def count_task(self):
        self.tasks_done += 1
        if self.tasks_done > MAX_TASKS:
            raise StopUser()

    @task(1)
    def ping(self):
        self.count_task()
        with self.client.get("/ping/", name="ping (reference)", catch_response=True) as reply:
            if reply.status_code != 204:
                reply.failure(f"status {reply.status_code}")


class Responder(_SignedIn):
    weight = 10

    # The intake's blank form, read from the first page (the same every time but for its
    # CSRF token): parsing 30 kB of HTML in Python costs the load generator ~20 ms, on the
    # server's own cores, where a responder's browser would not.
    blank_intake: dict[str, str] | None = None

    def username(self) -> str:
        return next(_RESPONDERS)

    @task(3)
    def intake(self):
        self.count_task()
        page = self.client.get("/contacts/new/", name="intake (GET)")
        if self.blank_intake is None:
            self.blank_intake = form_values(page.text, having="victims-TOTAL_FORMS")
        values = {**self.blank_intake, "csrfmiddlewaretoken": csrf_token(page.text)}
        # What intake.js fills in on the page: the channel and the start (now, local).
        values.setdefault("channel", "phone")
        if not values.get("started_at"):
            values["started_at"] = datetime.now(BRUSSELS).strftime("%Y-%m-%dT%H:%M")
        values.update(
            contact_type="about_other",
            theme="child_abuse",
            caller_role="victim_environment",
            caller_age_group="adult",
            caller_gender="female",
            region="antwerpen",
            notes="Belastingstest: geen echte melding.",
        )
        values["victims-TOTAL_FORMS"] = "2"
        values.update({"victims-0-age_group": "age_6_11", "victims-1-age_group": "age_12_17"})
        with self.client.post(
            "/contacts/new/",
            data=values,
            name="intake (POST)",
            allow_redirects=False,
            catch_response=True,
        ) as reply:
            if reply.status_code != 302:
                errors = re.findall(r"invalid-feedback[^>]*>([^<]+)", reply.text)[:3]
                reply.failure(f"status {reply.status_code}: {errors}")

    @task(2)
    def contact_list(self):
        self.count_task()
        self.client.get("/contacts/", name="contact list (page 1)")

    @task(1)
    def contact_list_deep(self):
        self.count_task()
        self.client.get(
            "/contacts/",
            params={"after": DEEP_CURSOR} if DEEP_CURSOR else None,
            name=f"contact list (page {DEEP_PAGE})",
        )


class Coordinator(_SignedIn):
    weight = 1
    fixed_count = 2

    def username(self) -> str:
        return next(_COORDINATORS)

    @task(2)
    def annual_report(self):
        self.count_task()
        self.client.get(f"/reports/{REPORT_YEAR}/", name="annual report")

    @task(2)
    def week_roster(self):
        self.count_task()
        self.client.get("/staffing/roster/", name="week roster")
