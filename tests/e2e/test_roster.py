"""A site coordinator plans next month: shifts, an assignment in place, coverage, consultations.

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
from staffing.forms import next_month_start
from staffing.models import Assignment, CaseConsultation, ConsultationAttendance, Shift
from staffing.selectors import monday_of
from staffing.services.opening_hours import OpeningSchedule
from staffing.services.time import dates_between, day_start, local_date
from tests.factories import staff_user
from tests.staffing.factories import QualificationFactory

from .login import authenticator_for, log_in_by_keyboard

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _reseed():
    """An earlier transactional test flushed the tables: put back what the migrations seed."""
    importlib.import_module("meldpunt.migrations.0001_seed_roles").seed_roles(apps, None)
    importlib.import_module("staffing.migrations.0004_opening_hours_seed").seed_opening_hours(
        apps, None
    )


def test_site_coordinator_plans_next_month(page, site):
    _reseed()
    planner = staff_user(Role.SITE_COORDINATOR, site, username="sofie.coordinator")
    responder = staff_user(Role.RESPONDER, site, username="ruben.beantwoorder")
    member = responder.staff_member
    member.contract_hours, member.channels = 19, [Channel.PHONE]
    member.save(update_fields=["contract_hours", "channels"])
    QualificationFactory(staff_member=member)
    first = next_month_start(timezone.localdate())
    last = next_month_start(first) - timedelta(days=1)

    # Log in by keyboard, password and app code, on the way to the "generate shifts" page.
    generate_url = reverse("staffing:generate_shifts")
    page.goto(generate_url)
    log_in_by_keyboard(page, planner, authenticator_for(planner))
    page.wait_for_url(re.compile(rf"{re.escape(generate_url)}$"))

    # 1. Generate next month's shifts, one person per shift (the month is preset to next month).
    assert page.input_value("#id_month") == f"{first:%Y-%m}"
    page.select_option("#id_site", str(site.pk))
    assert page.is_checked("#id_channels_0") and page.is_checked("#id_channels_1")
    page.fill("#id_headcount", "1")
    page.click("form:has(#id_month) button[type=submit]")
    page.wait_for_url(re.compile(rf"/staffing/coverage/\?site={site.pk}&week={first:%Y-%m-%d}$"))
    assert page.locator("main .alert-success").count() == 1

    schedule = OpeningSchedule.load()
    expected = {
        (channel, interval.start, interval.end)
        for day in dates_between(first, last)
        for channel in (Channel.PHONE, Channel.CHAT)
        for interval in schedule.slot_intervals(channel, day)
    }
    shifts = Shift.objects.filter(site=site)
    assert expected and set(shifts.values_list("channel", "starts_at", "ends_at")) == expected
    assert set(shifts.values_list("required_headcount", flat=True)) == {1}
    assert not Assignment.objects.exists()
    assert page.locator("td.coverage-ok").count() == 0  # nobody assigned yet: all gaps

    # 2. The week roster of the first full week of the month; a phone shift on its first
    #    open day (Belgian holidays have no shifts).
    monday = first + timedelta(days=(7 - first.weekday()) % 7)
    phone = shifts.filter(channel=Channel.PHONE, starts_at__gte=day_start(monday))
    shift = phone.order_by("starts_at").first()
    day = local_date(shift.starts_at)
    assert monday_of(day) == monday
    roster_url = f"{reverse('staffing:roster')}?site={site.pk}&week={day:%Y-%m-%d}"
    page.goto(roster_url)
    cell = f"#cell-{member.pk}-{day:%Y%m%d}"
    header = f"#shifts-{day:%Y%m%d}"
    # The responder serves phone only: the cell offers the day's phone shift, not chat.
    options = page.locator(f"{cell} select[name=shift] option")
    assert options.evaluate_all("os => os.map(o => o.value)") == [str(shift.pk)]
    assert "shift-short" in page.get_attribute(f"{header} .channel-phone", "class")
    # A consultation shortfall is reported while the responder has none this month.
    assert page.locator("main .alert-warning[role=status]").count() == 1

    # 3. Assign in place: htmx swaps the cell and the day's headcounts, no page load.
    page.evaluate("window.__sameDocument = true")
    with page.expect_response(re.compile(r"/staffing/roster/assign/$")) as posted:
        page.click(f"{cell} form.assign button[type=submit]")
    assert posted.value.ok and posted.value.request.headers.get("hx-request") == "true"
    page.wait_for_selector(f"{cell} .channel-phone form[action$='/unassign/']")
    assert page.evaluate("window.__sameDocument") is True
    assert page.url.endswith(roster_url)
    assert page.locator(f"{cell} [role=alert]").count() == 0
    assert page.locator(f"{cell} select[name=shift]").count() == 0  # nothing left to offer
    assert "shift-short" not in page.get_attribute(f"{header} .channel-phone", "class")
    assignment = Assignment.objects.get()
    assert (assignment.shift, assignment.staff_member) == (shift, member)
    assert assignment.assigned_by == planner
    assert (assignment.starts_at, assignment.ends_at) == (shift.starts_at, shift.ends_at)

    # 4. Coverage: that day's phone hours are covered (1/1), the other phone days are gaps.
    page.goto(f"{reverse('staffing:coverage')}?site={site.pk}&week={day:%Y-%m-%d}")
    rows = page.locator("h2:has(.channel-phone) + .table-responsive table tbody tr")
    hours = int(shift.duration_hours)
    assert rows.count() == hours
    for row in range(hours):
        covered = rows.nth(row).locator("td").nth(day.weekday())
        assert "coverage-ok" in covered.get_attribute("class")
        assert covered.inner_text().strip() == "1/1"
    other = phone.exclude(pk=shift.pk).filter(starts_at__lt=day_start(monday + timedelta(7)))
    other_day = local_date(other.first().starts_at)
    gap = rows.nth(0).locator("td").nth(other_day.weekday())
    assert "coverage-gap" in gap.get_attribute("class")
    assert gap.inner_text().strip().startswith("0/1")
    assert page.locator("td.coverage-gap").count() > page.locator("td.coverage-ok").count()

    # 5. A weekly consultation series over three weeks, the whole site team invited.
    page.goto(reverse("staffing:consultation_series"))
    page.select_option("#id_site", str(site.pk))
    page.fill("#id_first_start", f"{day:%Y-%m-%d}T12:00")
    page.fill("#id_duration_minutes", "60")
    page.fill("#id_until", f"{day + timedelta(weeks=2):%Y-%m-%d}")
    page.select_option("#id_every_weeks", "1")
    assert page.is_checked("#id_invite_site_team")
    page.click("form:has(#id_first_start) button[type=submit]")
    page.wait_for_url(re.compile(rf"/staffing/roster/\?site={site.pk}&week={day:%Y-%m-%d}$"))
    assert page.locator("main .alert-success").count() == 1

    meeting_days = [
        d for d in (day + timedelta(weeks=w) for w in range(3)) if not schedule.is_holiday(d)
    ]
    meetings = list(CaseConsultation.objects.filter(site=site).order_by("starts_at"))
    assert [local_date(m.starts_at) for m in meetings] == meeting_days
    assert len({m.series_id for m in meetings}) == 1 and meetings[0].series_id
    assert all(m.ends_at - m.starts_at == timedelta(minutes=60) for m in meetings)
    assert all(timezone.localtime(m.starts_at).hour == 12 for m in meetings)
    attendances = ConsultationAttendance.objects.filter(consultation__in=meetings)
    assert sorted(attendances.values_list("consultation_id", "staff_member_id", "attendance")) == (
        sorted(
            (m.pk, who.pk, "invited") for m in meetings for who in (member, planner.staff_member)
        )
    )
    assert page.locator(f"{cell} .consultation-badge").count() == 1
    assert page.locator(f"{cell} .channel-phone").count() == 1  # the assignment is still there
    assert page.locator("main .alert-warning[role=status]").count() == 0  # no shortfall now

    # 6. Ahead of the first meeting (next month): who is excused, and the minutes' agenda;
    #    present/absent can only be recorded once it has started.
    meeting = meetings[0]
    last_week = local_date(meetings[-1].starts_at)
    page.goto(f"{reverse('staffing:consultations')}?site={site.pk}&week={last_week:%Y-%m-%d}")
    record_url = reverse("staffing:consultation_record", args=[meeting.pk])
    form = page.locator(f"form[action='{record_url}']")
    form.locator(f"#att-{meeting.pk}-{member.pk}").select_option("invited")
    form.locator(f"#att-{meeting.pk}-{planner.staff_member.pk}").select_option("excused")
    form.locator(f"#minutes-{meeting.pk}").fill("Twee dossiers besproken.")
    form.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(rf"/staffing/consultations/\?site={site.pk}&week={day:%Y-%m-%d}$"))
    assert page.locator("main .alert-success").count() == 1
    assert page.input_value(f"#att-{meeting.pk}-{member.pk}") == "invited"
    assert page.input_value(f"#att-{meeting.pk}-{planner.staff_member.pk}") == "excused"
    assert page.input_value(f"#minutes-{meeting.pk}") == "Twee dossiers besproken."

    meeting.refresh_from_db()
    assert meeting.minutes == "Twee dossiers besproken."
    assert dict(meeting.attendances.values_list("staff_member_id", "attendance")) == {
        member.pk: "invited",
        planner.staff_member.pk: "excused",
    }
    later = attendances.exclude(consultation=meeting)
    assert set(later.values_list("attendance", flat=True)) == {"invited"}
