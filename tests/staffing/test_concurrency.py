"""PostgreSQL only: row locks and the exclusion constraint against double booking."""

import threading
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from meldpunt.channels import Channel
from staffing.models import Assignment
from staffing.services.assignments import assignment_create

from .conftest import utc
from .factories import RosterMemberFactory, ShiftFactory

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks and exclusion constraints: PostgreSQL"
)


@pytest.mark.django_db(transaction=True)
def test_two_planners_booking_one_person_at_once_yield_one_assignment(site, other_site):
    member = RosterMemberFactory(site=site)
    # Two overlapping shifts at two sites, planned at the same moment.
    shifts = [
        ShiftFactory(site=site, starts_at=utc(2026, 12, 7, 8)),
        ShiftFactory(site=other_site, channel=Channel.CHAT, starts_at=utc(2026, 12, 7, 12)),
    ]
    barrier = threading.Barrier(2)
    outcomes = []

    def plan(shift):
        try:
            barrier.wait(timeout=10)
            assignment_create(shift=shift, staff_member=member)
            outcomes.append("created")
        except ValidationError as error:
            outcomes.append(error.messages[0])
        finally:
            connection.close()

    threads = [threading.Thread(target=plan, args=(shift,)) for shift in shifts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert Assignment.objects.filter(staff_member=member).count() == 1
    assert sorted(outcomes)[1] == "created"
    assert "overlapping" in sorted(outcomes)[0]


@pytest.mark.django_db
def test_the_database_refuses_overlap_that_bypasses_the_service(site):
    member = RosterMemberFactory(site=site)
    first = ShiftFactory(site=site, starts_at=utc(2026, 12, 7, 8))
    second = ShiftFactory(site=site, channel=Channel.CHAT, starts_at=utc(2026, 12, 7, 15))
    Assignment.objects.create(
        shift=first, staff_member=member, starts_at=first.starts_at, ends_at=first.ends_at
    )
    # Touching is fine: the ranges are half-open.
    touching = ShiftFactory(
        site=site,
        channel=Channel.CHAT,
        starts_at=first.ends_at,
        ends_at=first.ends_at + timedelta(hours=1),
    )
    Assignment.objects.create(
        shift=touching, staff_member=member, starts_at=touching.starts_at, ends_at=touching.ends_at
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Assignment.objects.create(
            shift=second, staff_member=member, starts_at=second.starts_at, ends_at=second.ends_at
        )


@pytest.mark.django_db(transaction=True)
def test_two_people_one_open_place_one_gets_it(site):
    """The open shifts board: two colleagues take the last place at the same moment."""
    from datetime import date

    from staffing.models import RosterPublication
    from staffing.services.open_shifts import open_shift_take

    shift = ShiftFactory(site=site, starts_at=utc(2030, 1, 7, 8), required_headcount=1)
    RosterPublication.objects.create(site=site, month=date(2030, 1, 1))
    takers = [RosterMemberFactory(site=site) for _ in range(2)]
    barrier = threading.Barrier(2)
    outcomes = []

    def take(member):
        try:
            barrier.wait(timeout=10)
            open_shift_take(shift=shift, member=member, user=member.user)
            outcomes.append("taken")
        except ValidationError as error:
            outcomes.append(error.messages[0])
        finally:
            connection.close()

    threads = [threading.Thread(target=take, args=(member,)) for member in takers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert Assignment.objects.filter(shift=shift).count() == 1
    assert sorted(outcomes) == ["Someone else just took the last place on this shift.", "taken"]
