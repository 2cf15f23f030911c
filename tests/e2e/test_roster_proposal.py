"""A volunteer says when they cannot work; a site coordinator has next month proposed,
follows it, reviews the diff, accepts one week, and the coverage page shows it closed.

Selectors are ids, names, classes and URLs only: the UI text is being translated.
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
from staffing.forms_proposal import next_month_start
from staffing.models import Assignment, AvailabilityException, RosterProposal, StaffMember
from staffing.services.shifts import shifts_generate
from staffing.services.time import local_date
from tests.factories import staff_user
from tests.staffing.factories import QualificationFactory

from .login import authenticator_for, log_in_by_keyboard

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _reseed():
    importlib.import_module("meldpunt.migrations.0001_seed_roles").seed_roles(apps, None)
    importlib.import_module("staffing.migrations.0004_opening_hours_seed").seed_opening_hours(
        apps, None
    )


def _team(site):
    for n in range(3):
        user = staff_user(Role.RESPONDER, site, username=f"vast{n}")
        member = user.staff_member
        member.contract_hours, member.channels = 38, [Channel.PHONE, Channel.CHAT]
        member.save(update_fields=["contract_hours", "channels"])
        QualificationFactory(staff_member=member)
    volunteer = staff_user(Role.RESPONDER, site, username="vera.vrijwilliger")
    member = volunteer.staff_member
    member.kind, member.contract_hours = StaffMember.Kind.VOLUNTEER, 16
    member.channels = [Channel.PHONE, Channel.CHAT]
    member.save(update_fields=["kind", "contract_hours", "channels"])
    QualificationFactory(staff_member=member)
    return volunteer


def test_coordinator_accepts_a_proposed_week(page, site):
    _reseed()
    planner = staff_user(Role.SITE_COORDINATOR, site, username="sofie.coordinator")
    planner.staff_member.channels = []
    planner.staff_member.save(update_fields=["channels"])
    volunteer = _team(site)
    first = next_month_start(timezone.localdate())
    last = next_month_start(first) - timedelta(days=1)
    shifts_generate(
        site=site, start_date=first, end_date=last, channels=[Channel.PHONE, Channel.CHAT]
    )
    monday = first + timedelta(days=(7 - first.weekday()) % 7 or 7)
    tuesday = monday + timedelta(days=1)

    # The volunteer: "not on that Tuesday", from "my availability".
    page.goto(reverse("staffing:my_availability"))
    log_in_by_keyboard(page, volunteer, authenticator_for(volunteer))
    page.wait_for_url(re.compile(re.escape(reverse("staffing:my_availability")) + "$"))
    page.fill("#id_exception-day", f"{tuesday:%Y-%m-%d}")
    page.select_option("#id_exception-available", "0")
    page.click("form:has(#id_exception-day) button[type=submit]")
    page.wait_for_selector("#exception-list li form")
    assert AvailabilityException.objects.filter(staff_member__user=volunteer).count() == 1
    page.context.clear_cookies()

    # The coordinator runs the proposal for next month (preset), without demand history.
    url = reverse("staffing:proposals")
    page.goto(url)
    log_in_by_keyboard(page, planner, authenticator_for(planner))
    page.wait_for_url(re.compile(re.escape(url) + "$"))
    assert page.input_value("#id_month") == f"{first:%Y-%m}"
    page.uncheck("#id_from_demand")
    page.click("#proposal-form button[type=submit]")
    page.wait_for_url(re.compile(r"/staffing/proposals/\d+/$"))
    page.wait_for_selector("#proposal-summary", timeout=60_000)  # htmx progress, then the diff
    proposal = RosterProposal.objects.get()
    assert proposal.status == RosterProposal.Status.DONE
    assert not Assignment.objects.exists()  # nothing before accepting

    # The week of that Monday: new assignments marked; accept the week.
    page.goto(f"{reverse('staffing:proposal', args=[proposal.pk])}?week={monday:%Y-%m-%d}")
    assert page.locator(".proposal-new").count() >= 10
    page.click("#accept-week")
    page.wait_for_selector("main .alert-success")
    assert page.locator(".proposal-new").count() == 0
    days = {local_date(a.starts_at) for a in Assignment.objects.all()}
    assert days and min(days) >= monday and max(days) <= monday + timedelta(days=6)
    assert not Assignment.objects.filter(
        staff_member__user=volunteer, starts_at__date=tuesday
    ).exists()

    # Coverage of that week: no gap left.
    page.goto(f"{reverse('staffing:coverage')}?site={site.pk}&week={monday:%Y-%m-%d}")
    assert page.locator("td.coverage-ok").count() > 0
    assert page.locator("td.coverage-gap").count() == 0
