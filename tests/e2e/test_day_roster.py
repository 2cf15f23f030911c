"""A coordinator records an absence, sees the gap on the coverage page, a colleague takes
the open shift from the board, and the coverage is whole again.

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
from staffing.models import Assignment, ReleasedAssignment, RosterPublication
from staffing.services.assignments import assignment_create
from staffing.services.opening_hours import OpeningSchedule
from tests.factories import staff_user
from tests.staffing.factories import QualificationFactory, ShiftFactory

from .login import authenticator_for, log_in_by_keyboard

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _reseed():
    importlib.import_module("meldpunt.migrations.0001_seed_roles").seed_roles(apps, None)
    importlib.import_module("staffing.migrations.0004_opening_hours_seed").seed_opening_hours(
        apps, None
    )


def _responder(site, username):
    user = staff_user(Role.RESPONDER, site, username=username)
    member = user.staff_member
    member.contract_hours, member.channels = 38, [Channel.PHONE]
    member.save(update_fields=["contract_hours", "channels"])
    QualificationFactory(staff_member=member)
    return user


def test_absence_gap_is_filled_from_the_open_shifts_board(browser, live_server, page, site):
    _reseed()
    planner = staff_user(Role.SITE_COORDINATOR, site, username="sofie.coordinator")
    absent, colleague = _responder(site, "ann.ziek"), _responder(site, "bob.invaller")
    # The first phone slot from next week on (holidays have none), one person required.
    schedule = OpeningSchedule.load()
    day = timezone.localdate() + timedelta(days=7)
    while not schedule.slot_intervals(Channel.PHONE, day):
        day += timedelta(days=1)
    slot = schedule.slot_intervals(Channel.PHONE, day)[0]
    shift = ShiftFactory(site=site, starts_at=slot.start, ends_at=slot.end, required_headcount=1)
    assignment_create(shift=shift, staff_member=absent.staff_member)
    RosterPublication.objects.create(site=site, month=day.replace(day=1))
    coverage_url = f"{reverse('staffing:coverage')}?site={site.pk}&week={day:%Y-%m-%d}"
    first_row = "h2:has(.channel-phone) + .table-responsive table tbody tr"

    # 1. The coordinator records the sickness; the shift is released, replacements offered.
    page.goto(reverse("staffing:absences"))
    log_in_by_keyboard(page, planner, authenticator_for(planner))
    page.wait_for_url(re.compile(re.escape(reverse("staffing:absences")) + "$"))
    page.select_option("#id_staff_member", str(absent.staff_member.pk))
    page.select_option("#id_kind", "sickness")
    page.fill("#id_first_day", f"{day:%Y-%m-%d}")
    page.fill("#id_last_day", f"{day:%Y-%m-%d}")
    page.click("form:has(#id_staff_member) button[type=submit]")
    page.wait_for_url(re.compile(r"/staffing/absences/\d+/$"))
    released = ReleasedAssignment.objects.get()
    assert released.shift == shift and not Assignment.objects.exists()
    candidates = page.locator(f"#released-{released.pk} form input[name=member]")
    assert candidates.evaluate_all("els => els.map(e => e.value)") == [
        str(colleague.staff_member.pk)
    ]

    # 2. The coverage page shows the gap: 0/1 in red on that day.
    page.goto(coverage_url)
    cell = page.locator(first_row).nth(0).locator("td").nth(day.weekday())
    assert "coverage-gap" in cell.get_attribute("class")
    assert cell.inner_text().strip().startswith("0/1")

    # 3. A colleague takes it from the open shifts board, on a phone-sized screen.
    context = browser.new_context(
        base_url=live_server.url, locale="nl-BE", viewport={"width": 390, "height": 844}
    )
    phone = context.new_page()
    phone.goto(reverse("staffing:open_shifts"))
    log_in_by_keyboard(phone, colleague, authenticator_for(colleague))
    phone.wait_for_url(re.compile(re.escape(reverse("staffing:open_shifts")) + "$"))
    card = phone.locator(f"#open-shift-{shift.pk}")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    card.locator("button[type=submit]").click()
    phone.wait_for_url(re.compile(re.escape(reverse("staffing:my_shifts")) + "$"))
    taken = Assignment.objects.get()
    assert (taken.shift, taken.staff_member) == (shift, colleague.staff_member)
    assert phone.locator(f"#assignment-{taken.pk}").count() == 1
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    context.close()

    # 4. The coverage is whole again: every phone hour of that day 1/1.
    page.goto(coverage_url)
    rows = page.locator(first_row)
    assert rows.count() == int(shift.duration_hours)
    for row in range(rows.count()):
        block = rows.nth(row).locator("td").nth(day.weekday())
        assert "coverage-ok" in block.get_attribute("class")
        assert block.inner_text().strip() == "1/1"
