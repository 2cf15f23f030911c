from datetime import date, time

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.urls import reverse

from meldpunt.roles import Role
from staffing.models import AvailabilityException, ShiftLimit, WeeklyAvailability, Wish
from staffing.services.availability import (
    availability_exception_add,
    person_windows,
    shift_limit_set,
    weekly_availability_add,
    wish_add,
)
from tests.factories import staff_user

from .conftest import utc
from .factories import RosterMemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(site):
    return RosterMemberFactory(site=site)


def test_weekly_window_must_end_after_start(member):
    with pytest.raises(ValidationError):
        weekly_availability_add(
            staff_member=member, weekday=0, start_time=time(17), end_time=time(9)
        )
    with pytest.raises(IntegrityError):
        WeeklyAvailability.objects.create(
            staff_member=member, weekday=0, start_time=time(17), end_time=time(9)
        )


def test_wish_needs_a_weekday_or_a_time(member):
    with pytest.raises(ValidationError):
        wish_add(staff_member=member, kind=Wish.Kind.AVOID)
    with pytest.raises(IntegrityError):
        Wish.objects.create(staff_member=member, kind=Wish.Kind.AVOID)


def test_shift_limit_set_and_removed(member):
    shift_limit_set(staff_member=member, max_shifts=4)
    shift_limit_set(staff_member=member, max_shifts=6)
    assert ShiftLimit.objects.get(staff_member=member).max_shifts_per_month == 6
    shift_limit_set(staff_member=member, max_shifts=None)
    assert not ShiftLimit.objects.filter(staff_member=member).exists()
    with pytest.raises(ValidationError):
        shift_limit_set(staff_member=member, max_shifts=100)


def test_windows_outside_weekly_pattern_and_exceptions_are_unavailable(member):
    # Monday 7 Dec 2026 09:00–13:00 available; Tuesday not at all; an exception frees Tuesday
    # 8 Dec afternoon; another blocks Monday 14 Dec.
    weekly_availability_add(staff_member=member, weekday=0, start_time=time(9), end_time=time(13))
    availability_exception_add(
        staff_member=member,
        day=date(2026, 12, 8),
        available=True,
        start_time=time(13),
        end_time=time(17),
    )
    availability_exception_add(staff_member=member, day=date(2026, 12, 14))
    wish_add(staff_member=member, kind=Wish.Kind.AVOID, start_time=time(17), end_time=time(22))
    windows = person_windows(
        member,
        date(2026, 12, 7),
        date(2026, 12, 14),
        weekly=list(member.weekly_availability.all()),
        exceptions=list(member.availability_exceptions.all()),
        wishes=list(member.wishes.all()),
    )
    # CET: local 09:00 = 08:00 UTC.
    assert (utc(2026, 12, 6, 23), utc(2026, 12, 7, 8)) in windows.unavailable
    assert (utc(2026, 12, 7, 12), utc(2026, 12, 8, 12)) in windows.unavailable
    # Wednesday to Sunday have no window, Monday 14 is blocked: one long period.
    assert (utc(2026, 12, 8, 16), utc(2026, 12, 14, 23)) in windows.unavailable
    # Monday 14 Dec blocked all day despite the window.
    assert any(s <= utc(2026, 12, 14, 9) < e for s, e in windows.unavailable)
    assert (utc(2026, 12, 7, 16), utc(2026, 12, 7, 21)) in windows.avoid
    assert windows.prefer == []


def test_responder_enters_own_availability(client_for, responder):
    client = client_for(responder)
    url = reverse("staffing:my_availability")
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {"form": "exception", "exception-day": "2026-12-14", "exception-available": "0"},
    )
    assert response.status_code == 302
    assert AvailabilityException.objects.filter(staff_member__user=responder).count() == 1
    response = client.post(
        url,
        {
            "form": "weekly",
            "weekly-weekday": "2",
            "weekly-start_time": "13:00",
            "weekly-end_time": "09:00",
        },
    )
    assert response.status_code == 200
    assert "end time must come after" in response.content.decode()
    response = client.post(url, {"form": "exception", "exception-day": "0001-01-01"})
    assert response.status_code == 200
    response = client.post(url, {"form": "limit", "limit-max_shifts": "4"})
    assert ShiftLimit.objects.get(staff_member__user=responder).max_shifts_per_month == 4


def test_responder_cannot_delete_someone_elses_entry(client_for, responder, site):
    other = RosterMemberFactory(site=site)
    wish = wish_add(staff_member=other, kind=Wish.Kind.PREFER, weekday=1)
    response = client_for(responder).post(
        reverse("staffing:my_availability"), {"form": "delete", "entry": "wish", "pk": wish.pk}
    )
    assert response.status_code == 404
    assert Wish.objects.filter(pk=wish.pk).exists()


def test_bad_form_name_and_nul_bytes(client_for, responder):
    client = client_for(responder)
    url = reverse("staffing:my_availability")
    assert client.post(url, {"form": "nope"}).status_code == 404
    assert client.post(url, {"form": "delete", "entry": "wish", "pk": "\x00"}).status_code == 404
    response = client.post(
        url, {"form": "exception", "exception-day": "2026-12-14", "exception-note": "a\x00b"}
    )
    assert response.status_code == 200


def test_site_coordinator_edits_own_site_only(client_for, site_coordinator, site, other_site):
    mine = RosterMemberFactory(site=site)
    theirs = RosterMemberFactory(site=other_site)
    client = client_for(site_coordinator)
    assert client.get(reverse("staffing:team_availability")).status_code == 200
    url = reverse("staffing:member_availability", args=[mine.pk])
    response = client.post(url, {"form": "wish", "wish-kind": "avoid", "wish-weekday": "4"})
    assert response.status_code == 302
    assert mine.wishes.count() == 1
    other_url = reverse("staffing:member_availability", args=[theirs.pk])
    assert client.get(other_url).status_code == 404
    assert (
        client.post(
            other_url, {"form": "wish", "wish-kind": "avoid", "wish-weekday": "4"}
        ).status_code
        == 404
    )
    assert theirs.wishes.count() == 0


def test_responder_may_not_see_team_availability(client_for, responder, site):
    client = client_for(responder)
    assert client.get(reverse("staffing:team_availability")).status_code == 403
    member = RosterMemberFactory(site=site)
    url = reverse("staffing:member_availability", args=[member.pk])
    assert client.get(url).status_code == 403


def test_outsider_is_refused(client_for, outsider):
    client = client_for(outsider)
    for name in ("staffing:my_availability", "staffing:team_availability"):
        assert client.get(reverse(name)).status_code == 403


def test_user_without_profile_sees_explanation(client_for, site):
    user = staff_user(Role.COORDINATOR, site)
    user.staff_member.delete()
    user.refresh_from_db()
    response = client_for(user).get(reverse("staffing:my_availability"))
    assert response.status_code == 200
    assert "no staff profile" in response.content.decode()
