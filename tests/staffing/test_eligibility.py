"""The batched rule check: the same answers as one pair at a time, and pages whose query
count does not grow with the number of people and shifts."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from staffing.models import Absence, ConsultationAttendance, Qualification
from staffing.services.absences import absence_record
from staffing.services.assignments import assignment_create, assignment_problems
from staffing.services.eligibility import assignment_problems_many
from staffing.services.time import day_start

from .factories import (
    AbsenceFactory,
    ConsultationFactory,
    QualificationFactory,
    RosterMemberFactory,
    ShiftFactory,
)

pytestmark = pytest.mark.django_db
DAY = date(2030, 1, 8)  # a Tuesday, ahead of any wall clock this suite meets


def _at(day: date, hour: int):
    return day_start(day) + timedelta(hours=hour)


def _team(site, count: int) -> list:
    return [RosterMemberFactory(site=site) for _ in range(count)]


def _shifts(site, day: date, count: int, first_hour: int = 8) -> list:
    """`count` one-hour shifts one after the other on `day`, phone and chat."""
    return [
        ShiftFactory(
            site=site,
            channel=("phone", "chat")[i % 2],
            starts_at=_at(day, first_hour + i),
            ends_at=_at(day, first_hour + i + 1),
        )
        for i in range(count)
    ]


def test_many_gives_the_answers_of_one_pair_at_a_time(site, other_site):
    shifts = _shifts(site, DAY, 4) + [
        ShiftFactory(site=site, channel="email", starts_at=_at(DAY + timedelta(days=1), 6))
    ]
    people = _team(site, 3)
    busy, tired, absent = people
    # On another shift that overlaps; a late shift the evening before (rest); absent.
    assignment_create(shift=ShiftFactory(site=other_site, starts_at=_at(DAY, 9)), staff_member=busy)
    assignment_create(
        shift=ShiftFactory(site=site, starts_at=_at(DAY - timedelta(days=1), 16)),
        staff_member=tired,
    )
    AbsenceFactory(staff_member=absent, starts_at=_at(DAY, 10), ends_at=_at(DAY, 23))
    # A part-timer near their weekly limit, with a consultation that counts.
    part_timer = RosterMemberFactory(site=site, contract_hours=8)
    consultation = ConsultationFactory(
        site=site,
        starts_at=_at(DAY - timedelta(days=1), 8),
        ends_at=_at(DAY - timedelta(days=1), 17),
    )
    ConsultationAttendance.objects.create(
        consultation=consultation, staff_member=part_timer, attendance="present"
    )
    # A trainee (alone is refused, next to a certified colleague is fine), a leaver, a chat-only.
    trainee = RosterMemberFactory(site=site, certified=False)
    QualificationFactory(staff_member=trainee, kind=Qualification.Kind.IN_TRAINING)
    assignment_create(shift=shifts[0], staff_member=people[2])
    leaver = RosterMemberFactory(site=site, active_to=DAY - timedelta(days=1))
    chat_only = RosterMemberFactory(site=site, channels=["chat"])
    members = [*people, part_timer, trainee, leaver, chat_only]
    many = assignment_problems_many(shifts, members)
    assert many == {(m.pk, s.pk): assignment_problems(s, m) for m in members for s in shifts}
    # Each rule is hit somewhere, so the comparison above compares something.
    messages = " ".join(" ".join(problems) for problems in many.values())
    for fragment in (
        "already on this shift",
        "overlapping shift",
        "hours of rest",
        "hours in week",
        "is absent",
        "in training",
        "not active",
        "does not serve",
    ):
        assert fragment in messages, fragment
    assert many[trainee.pk, shifts[0].pk] == []  # a certified colleague is on it
    assert any("in training" in p for p in many[trainee.pk, shifts[1].pk])


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries.captured_queries)


def _busy_team(site, day, people: int, shifts: int, first_hour: int) -> tuple[list, list]:
    team, planned = _team(site, people), _shifts(site, day, shifts, first_hour)
    for index, shift in enumerate(planned):
        assignment_create(shift=shift, staff_member=team[index % people])
    AbsenceFactory(staff_member=team[-1], starts_at=day_start(day), ends_at=_at(day, 7))
    return team, planned


def test_day_view_queries_do_not_grow_with_people_and_shifts(client_for, site_coordinator, site):
    client = client_for(site_coordinator)
    url = f"{reverse('staffing:roster_day')}?site={site.pk}&day={DAY:%Y-%m-%d}"
    _busy_team(site, DAY, people=6, shifts=2, first_hour=8)
    small = _queries(client, url)
    team, _planned = _busy_team(site, DAY, people=12, shifts=6, first_hour=10)
    large = _queries(client, url)
    assert large == small, (small, large)
    html = client.get(url).content.decode()
    assert all(escape(str(member)) in html for member in team)
    assert small <= 40  # it was 83 for 6 people × 2 shifts, one rule check per pair


def test_absence_page_queries_do_not_grow_with_released_shifts_and_colleagues(
    client_for, site_coordinator, site
):
    client = client_for(site_coordinator)

    def absence_with(released: int, colleagues: int, day: date) -> Absence:
        absent = RosterMemberFactory(site=site)
        for shift in _shifts(site, day, released):
            assignment_create(shift=shift, staff_member=absent)
        _team(site, colleagues)
        return absence_record(
            staff_member=absent, kind=Absence.Kind.SICKNESS, first_day=day, last_day=day
        )

    small = absence_with(released=1, colleagues=3, day=DAY)
    large = absence_with(released=4, colleagues=9, day=DAY + timedelta(days=7))
    assert large.released_assignments.count() == 4
    small_count = _queries(client, reverse("staffing:absence_detail", args=[small.pk]))
    large_count = _queries(client, reverse("staffing:absence_detail", args=[large.pk]))
    assert large_count == small_count, (small_count, large_count)
    html = client.get(reverse("staffing:absence_detail", args=[large.pk])).content.decode()
    assert html.count('class="btn btn-sm btn-outline-primary candidate"') >= 4
