from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings

from meldpunt.channels import Channel
from staffing.models import Assignment, ConsultationAttendance, Qualification
from staffing.services.assignments import assignment_create, assignment_delete, week_hours

from .conftest import utc
from .factories import (
    AbsenceFactory,
    ConsultationFactory,
    QualificationFactory,
    RosterMemberFactory,
    ShiftFactory,
)

MONDAY_9 = utc(2026, 12, 7, 8)  # 09:00 Brussels


@pytest.fixture
def member(site):
    return RosterMemberFactory(site=site)


@pytest.fixture
def shift(site):
    return ShiftFactory(site=site, starts_at=MONDAY_9)


def refused(shift, member, match):
    with pytest.raises(ValidationError, match=match):
        assignment_create(shift=shift, staff_member=member)
    assert not Assignment.objects.filter(shift=shift, staff_member=member).exists()


def test_assign_copies_the_shift_times(shift, member, site_coordinator):
    assignment = assignment_create(shift=shift, staff_member=member, assigned_by=site_coordinator)
    assert (assignment.starts_at, assignment.ends_at) == (shift.starts_at, shift.ends_at)
    assert assignment.assigned_by == site_coordinator


def test_not_twice_on_the_same_shift(shift, member):
    assignment_create(shift=shift, staff_member=member)
    with pytest.raises(ValidationError, match="already on this shift"):
        assignment_create(shift=shift, staff_member=member)
    assert Assignment.objects.count() == 1


def test_no_overlapping_shifts(site, shift, member):
    assignment_create(shift=shift, staff_member=member)
    chat = ShiftFactory(site=site, channel=Channel.CHAT, starts_at=MONDAY_9 + timedelta(hours=7))
    refused(chat, member, "overlapping")


def test_back_to_back_shifts_on_one_day_are_allowed(site, shift, member):
    assignment_create(shift=shift, staff_member=member)
    evening = ShiftFactory(
        site=site,
        channel=Channel.CHAT,
        starts_at=shift.ends_at,
        ends_at=shift.ends_at + timedelta(hours=2),
    )
    assert assignment_create(shift=evening, staff_member=member)


def test_minimum_rest_between_working_days(site, member):
    late = ShiftFactory(
        site=site,
        channel=Channel.CHAT,
        starts_at=utc(2026, 12, 7, 16),
        ends_at=utc(2026, 12, 7, 21),
    )
    assignment_create(shift=late, staff_member=member)  # Monday until 22:00
    early = ShiftFactory(site=site, starts_at=utc(2026, 12, 8, 7), ends_at=utc(2026, 12, 8, 11))
    refused(early, member, "less than 11 hours of rest")  # Tuesday 08:00: 10 h
    on_time = ShiftFactory(site=site, starts_at=utc(2026, 12, 8, 8), ends_at=utc(2026, 12, 8, 12))
    assert assignment_create(shift=on_time, staff_member=member)  # 09:00: exactly 11 h


@override_settings(MIN_REST_HOURS=8)
def test_minimum_rest_is_a_setting(site, member):
    late = ShiftFactory(
        site=site,
        channel=Channel.CHAT,
        starts_at=utc(2026, 12, 7, 16),
        ends_at=utc(2026, 12, 7, 21),
    )
    assignment_create(shift=late, staff_member=member)
    early = ShiftFactory(site=site, starts_at=utc(2026, 12, 8, 7), ends_at=utc(2026, 12, 8, 11))
    assert assignment_create(shift=early, staff_member=member)


def test_weekly_hours_include_consultations(site):
    member = RosterMemberFactory(site=site, contract_hours=16)
    for day in (7, 8):
        assignment_create(
            shift=ShiftFactory(site=site, starts_at=utc(2026, 12, day, 8)), staff_member=member
        )
    consultation = ConsultationFactory(
        site=site, starts_at=utc(2026, 12, 9, 8), ends_at=utc(2026, 12, 9, 11)
    )
    ConsultationAttendance.objects.create(consultation=consultation, staff_member=member)
    assert week_hours(member, date(2026, 12, 10)) == 19
    # 19 + 2 = 21 > 16 + 4
    short = ShiftFactory(site=site, starts_at=utc(2026, 12, 10, 8), ends_at=utc(2026, 12, 10, 10))
    refused(short, member, "would work 21.0 hours in week 50; the limit is 20.0")
    # Excused: the consultation no longer counts.
    consultation.attendances.update(attendance=ConsultationAttendance.Attendance.EXCUSED)
    assert assignment_create(shift=short, staff_member=member)
    # The next ISO week starts from zero (Monday 14 December, local).
    assert week_hours(member, date(2026, 12, 14)) == 0


def test_not_during_an_approved_absence(shift, member):
    AbsenceFactory(staff_member=member, approved_at=None)
    assert assignment_create(shift=shift, staff_member=member)  # a request does not block
    other = RosterMemberFactory(site=shift.site)
    AbsenceFactory(staff_member=other, kind="sickness")
    refused(shift, other, "absent")


def test_only_channels_they_serve(site, shift):
    member = RosterMemberFactory(site=site, channels=[Channel.CHAT])
    refused(shift, member, "does not serve")


def test_only_in_the_active_period(site, shift):
    refused(shift, RosterMemberFactory(site=site, active_to=date(2026, 12, 6)), "not active")
    refused(shift, RosterMemberFactory(site=site, active_from=date(2026, 12, 8)), "not active")
    assert assignment_create(
        shift=shift, staff_member=RosterMemberFactory(site=site, active_to=date(2026, 12, 7))
    )


def test_trainee_needs_a_certified_colleague(site, shift, member):
    trainee = RosterMemberFactory(site=site, certified=False)
    QualificationFactory(staff_member=trainee, kind=Qualification.Kind.IN_TRAINING)
    refused(shift, trainee, "in training")
    certified = assignment_create(shift=shift, staff_member=member)
    trainee_assignment = assignment_create(shift=shift, staff_member=trainee)
    # The certified colleague cannot leave the trainee alone; the trainee can leave.
    with pytest.raises(ValidationError, match="without a certified colleague"):
        assignment_delete(assignment=certified)
    assignment_delete(assignment=trainee_assignment)
    assignment_delete(assignment=certified)
    assert not Assignment.objects.exists()


def test_certification_ends_training(site, shift):
    graduate = RosterMemberFactory(site=site, certified=False)
    QualificationFactory(staff_member=graduate, kind=Qualification.Kind.IN_TRAINING)
    QualificationFactory(staff_member=graduate, valid_from=date(2026, 12, 1))
    assert assignment_create(shift=shift, staff_member=graduate)


def test_all_problems_are_reported_at_once(site, shift):
    member = RosterMemberFactory(site=site, channels=[], active_to=date(2026, 1, 1))
    with pytest.raises(ValidationError) as caught:
        assignment_create(shift=shift, staff_member=member)
    assert len(caught.value.messages) == 2


def test_a_consultation_during_a_shift_counts_once(site):
    member = RosterMemberFactory(site=site, contract_hours=6)
    consultation = ConsultationFactory(
        site=site, starts_at=utc(2026, 12, 7, 12), ends_at=utc(2026, 12, 7, 14)
    )
    ConsultationAttendance.objects.create(consultation=consultation, staff_member=member)
    # 8 hours of shift including the 2 hours of consultation: 8 <= 6 + 4
    assert assignment_create(shift=ShiftFactory(site=site, starts_at=MONDAY_9), staff_member=member)
    assert week_hours(member, date(2026, 12, 7)) == 8


def test_a_refused_assignment_names_the_person_without_a_query_for_their_user(site):
    from django.contrib.auth import get_user_model
    from django.core.exceptions import ValidationError
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    member = RosterMemberFactory(site=site)
    first = ShiftFactory(site=site, starts_at=utc(2030, 1, 7, 8))
    assignment_create(shift=first, staff_member=member)
    overlapping = ShiftFactory(site=site, starts_at=first.starts_at + timedelta(hours=1))
    users = f'FROM "{get_user_model()._meta.db_table}"'
    with CaptureQueriesContext(connection) as queries, pytest.raises(ValidationError) as refused:
        assignment_create(shift=overlapping, staff_member=member)
    assert str(member) in str(refused.value)
    assert not [q for q in queries.captured_queries if users in q["sql"]]
