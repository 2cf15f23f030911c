"""The roster's hours per person: shifts plus case consultations, overlap counted once, red
above contract + margin, and nothing of a draft month for readers who do not plan."""

from datetime import date, timedelta

import pytest

from staffing.models import CaseConsultation, ConsultationAttendance, RosterPublication
from staffing.selectors import RosterWeek
from staffing.services.assignments import assignment_create

from .conftest import utc
from .factories import RosterMemberFactory, ShiftFactory

# Monday 7 January 2030, 09:00 Brussels.
MONDAY = utc(2030, 1, 7, 8)
pytestmark = pytest.mark.django_db


@pytest.fixture
def member(site):
    return RosterMemberFactory(site=site, contract_hours=16)


def attend(site, member, start, hours):
    consultation = CaseConsultation.objects.create(
        site=site, starts_at=start, ends_at=start + timedelta(hours=hours)
    )
    ConsultationAttendance.objects.create(
        consultation=consultation,
        staff_member=member,
        attendance=ConsultationAttendance.Attendance.PRESENT,
    )


def hours(site, member, *, hide_drafts=False):
    week = RosterWeek(site, date(2030, 1, 7))
    if hide_drafts:
        week.hide_drafts()
    return week.planned_hours()[member.pk]


def test_consultations_count_and_overlap_counts_once(site, member):
    assignment_create(shift=ShiftFactory(site=site, starts_at=MONDAY), staff_member=member)
    attend(site, member, MONDAY + timedelta(hours=7), 2)  # 16:00-18:00: one hour overlaps
    attend(site, member, MONDAY + timedelta(days=1), 1.5)
    planned = hours(site, member)
    assert planned.week == pytest.approx(8 + 1 + 1.5)
    assert planned.month == pytest.approx(10.5)
    assert not planned.week_over and not planned.week_above_contract


def test_above_contract_within_the_margin_is_a_warning_beyond_it_red(site, member, settings):
    settings.WEEKLY_HOURS_MARGIN = 4
    for day in (0, 1):
        assignment_create(
            shift=ShiftFactory(site=site, starts_at=MONDAY + timedelta(days=day)),
            staff_member=member,
        )
    attend(site, member, MONDAY + timedelta(days=2), 2)  # 18 h: contract 16, limit 20
    planned = hours(site, member)
    assert (planned.week, planned.week_limit) == (18, 20)
    assert planned.week_above_contract and not planned.week_over
    attend(site, member, MONDAY + timedelta(days=3), 3)  # 21 h
    planned = hours(site, member)
    assert planned.week_over and not planned.week_above_contract


def test_a_draft_month_shows_no_shift_hours_to_readers_who_do_not_plan(site, member):
    assignment_create(shift=ShiftFactory(site=site, starts_at=MONDAY), staff_member=member)
    attend(site, member, MONDAY + timedelta(days=1), 1)
    hidden = hours(site, member, hide_drafts=True)
    assert (hidden.week, hidden.month) == (1, 1)
    RosterPublication.objects.create(site=site, month=date(2030, 1, 1))
    published = hours(site, member, hide_drafts=True)
    assert (published.week, published.month) == (9, 9)
