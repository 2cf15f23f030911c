"""A coordinator records a sickness, asks the solver to re-plan the released shifts, reviews
the repaired proposal and accepts it: the shifts are whole again, the rest of the roster
untouched.

Selectors are ids, names and URLs only: the UI text is being translated.
"""

import importlib
import re
from datetime import timedelta

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from meldpunt.channels import Channel
from meldpunt.roles import Role
from staffing.models import Assignment, ReleasedAssignment, RosterProposal
from staffing.services.assignments import assignment_create
from staffing.services.time import day_start
from tests.factories import staff_user
from tests.staffing.factories import QualificationFactory, ShiftFactory

from .login import authenticator_for, log_in_by_keyboard

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _reseed():
    importlib.import_module("meldpunt.migrations.0001_seed_roles").seed_roles(apps, None)


def _responder(site, username):
    user = staff_user(Role.RESPONDER, site, username=username)
    member = user.staff_member
    member.contract_hours, member.channels = 38, [Channel.PHONE]
    member.save(update_fields=["contract_hours", "channels"])
    QualificationFactory(staff_member=member)
    return member


def test_released_shifts_are_replanned_and_accepted(page, site):
    _reseed()
    planner = staff_user(Role.SITE_COORDINATOR, site, username="sofie.coordinator")
    absent, stays = _responder(site, "ann.ziek"), _responder(site, "bob.blijft")
    stand_in = _responder(site, "carl.invaller")
    day = timezone.localdate() + timedelta(days=7)
    shifts = [
        ShiftFactory(site=site, starts_at=day_start(day + timedelta(days=d)) + timedelta(hours=9))
        for d in range(2)
    ]
    for shift in shifts:
        assignment_create(shift=shift, staff_member=absent)
    # Another shift in those days that Bob has: the repair keeps it as it is.
    kept = ShiftFactory(
        site=site, channel=Channel.PHONE, starts_at=shifts[0].ends_at, required_headcount=1
    )
    assignment_create(shift=kept, staff_member=stays)

    page.goto(reverse("staffing:absences"))
    log_in_by_keyboard(page, planner, authenticator_for(planner))
    page.wait_for_url(re.compile(re.escape(reverse("staffing:absences")) + "$"))
    page.select_option("#id_staff_member", str(absent.pk))
    page.select_option("#id_kind", "sickness")
    page.fill("#id_first_day", f"{day:%Y-%m-%d}")
    page.fill("#id_last_day", f"{day + timedelta(days=1):%Y-%m-%d}")
    page.click("form:has(#id_staff_member) button[type=submit]")
    page.wait_for_url(re.compile(r"/staffing/absences/\d+/$"))
    assert ReleasedAssignment.objects.count() == 2

    # Re-plan: the repair runs (in-process Celery) and the review page shows the proposal.
    page.click("#replan")
    page.wait_for_url(re.compile(r"/staffing/proposals/\d+/"))
    proposal = RosterProposal.objects.get()
    assert proposal.mode == RosterProposal.Mode.REPAIR
    assert (proposal.first_day, proposal.last_day) == (day, day + timedelta(days=1))
    assert page.locator("#accept-all").is_enabled()
    page.click("#accept-all")
    page.wait_for_url(re.compile(r"/staffing/proposals/\d+/"))
    pairs = set(Assignment.objects.values_list("shift_id", "staff_member_id"))
    assert (kept.pk, stays.pk) in pairs and len(pairs) == 3
    for shift in shifts:
        [person] = [member for shift_id, member in pairs if shift_id == shift.pk]
        assert person in (stays.pk, stand_in.pk)
