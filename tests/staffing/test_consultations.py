from datetime import date, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.urls import reverse
from django.utils.html import escape

from meldpunt.roles import Role
from staffing.models import CaseConsultation, ConsultationAttendance
from staffing.services.consultations import (
    attendance_record,
    consultation_series_create,
    consultation_shortfalls,
)
from staffing.services.time import BRUSSELS
from tests.factories import staff_user

from .conftest import utc


def brussels(*args):
    return datetime(*args, tzinfo=BRUSSELS)


@pytest.fixture
def team(site):
    return [staff_user(Role.RESPONDER, site).staff_member for _ in range(2)]


def test_weekly_series_keeps_local_time_across_dst_and_skips_holidays(site, team):
    created = consultation_series_create(
        site=site,
        first_start=brussels(2026, 10, 15, 13, 0),
        duration=timedelta(minutes=90),
        until=date(2026, 11, 12),
        attendees=team,
    )
    # 15, 22, 29 Oct, 5 and 12 Nov; none is a holiday (11 Nov is a Wednesday).
    assert [c.starts_at for c in created] == [
        utc(2026, 10, 15, 11),
        utc(2026, 10, 22, 11),
        utc(2026, 10, 29, 12),  # after the clocks went back
        utc(2026, 11, 5, 12),
        utc(2026, 11, 12, 12),
    ]
    assert len({c.series_id for c in created}) == 1
    assert ConsultationAttendance.objects.count() == 10


def test_fortnightly_series_skips_a_public_holiday(site):
    created = consultation_series_create(
        site=site,
        first_start=brussels(2026, 12, 11, 10, 0),
        duration=timedelta(hours=1),
        until=date(2027, 1, 10),
        every_weeks=2,
    )
    # 11 Dec, (25 Dec is Christmas), 8 Jan
    assert [c.starts_at.date() for c in created] == [date(2026, 12, 11), date(2027, 1, 8)]


def test_series_refuses_bad_input(site):
    with pytest.raises(ValidationError):
        consultation_series_create(
            site=site,
            first_start=brussels(2026, 12, 8, 13),
            duration=timedelta(hours=1),
            until=date(2026, 12, 31),
            every_weeks=3,
        )
    with pytest.raises(ValidationError):
        consultation_series_create(
            site=site,
            first_start=brussels(2026, 12, 8, 13),
            duration=timedelta(0),
            until=date(2026, 12, 31),
        )


def test_shortfalls_count_only_attended_or_invited(site, team, other_site):
    first, second = team
    staff_user(Role.RESPONDER, other_site)  # another site's responder is not listed
    (consultation,) = consultation_series_create(
        site=site,
        first_start=brussels(2026, 12, 8, 13),
        duration=timedelta(hours=1),
        until=date(2026, 12, 8),
        attendees=team,
    )
    attendance_record(
        consultation=consultation,
        staff_member=second,
        attendance=ConsultationAttendance.Attendance.EXCUSED,
    )
    assert consultation_shortfalls(site, 2026, 12) == [(second, 0)]
    assert {m for m, _ in consultation_shortfalls(site, 2027, 1)} == {first, second}
    with override_settings(MIN_CONSULTATIONS_PER_MONTH=2):
        assert {m for m, _ in consultation_shortfalls(site, 2026, 12)} == {first, second}


def test_attendance_record_rejects_unknown_values(site, team):
    consultation = CaseConsultation.objects.create(
        site=site, starts_at=utc(2025, 12, 9, 12), ends_at=utc(2025, 12, 9, 13)
    )
    with pytest.raises(ValidationError):
        attendance_record(consultation=consultation, staff_member=team[0], attendance="maybe")
    record = attendance_record(
        consultation=consultation, staff_member=team[0], attendance="present"
    )
    assert record.attendance == "present"


def test_roster_warns_about_shortfalls_and_shows_consultations(
    client_for, site_coordinator, site, team
):
    (consultation,) = consultation_series_create(
        site=site,
        first_start=brussels(2026, 12, 8, 13),
        duration=timedelta(hours=1),
        until=date(2026, 12, 8),
        attendees=team[:1],
    )
    response = client_for(site_coordinator).get("/staffing/roster/", {"week": "2026-12-07"})
    html = response.content.decode()
    assert "Case consultation 13:00–14:00" in html
    assert "team case consultation" in html and escape(str(team[1])) in html


def test_consultations_page_records_attendance_and_minutes(
    client_for, site_coordinator, site, team
):
    # A meeting that has taken place: attendance is recorded from its start on.
    (consultation,) = consultation_series_create(
        site=site,
        first_start=brussels(2025, 12, 9, 13),
        duration=timedelta(hours=1),
        until=date(2025, 12, 9),
        attendees=team,
    )
    client = client_for(site_coordinator)
    page = client.get(reverse("staffing:consultations"), {"week": "2025-12-09"})
    assert page.status_code == 200
    assert f'name="attendance-{team[0].pk}"' in page.content.decode()
    response = client.post(
        reverse("staffing:consultation_record", args=[consultation.pk]),
        {
            f"attendance-{team[0].pk}": "present",
            f"attendance-{team[1].pk}": "excused",
            "minutes": "Casus A besproken.",
        },
    )
    assert response.status_code == 302
    consultation.refresh_from_db()
    assert consultation.minutes == "Casus A besproken."
    assert dict(consultation.attendances.values_list("staff_member", "attendance")) == {
        team[0].pk: "present",
        team[1].pk: "excused",
    }


def test_consultations_page_is_for_planners_only(
    client_for, responder, outsider, other_site, site_coordinator
):
    assert client_for(outsider).get(reverse("staffing:consultations")).status_code == 403
    assert client_for(responder).get(reverse("staffing:consultations")).status_code == 403
    elsewhere = CaseConsultation.objects.create(
        site=other_site, starts_at=utc(2026, 12, 8, 12), ends_at=utc(2026, 12, 8, 13)
    )
    url = reverse("staffing:consultation_record", args=[elsewhere.pk])
    assert client_for(site_coordinator).post(url, {"minutes": "x"}).status_code == 403
