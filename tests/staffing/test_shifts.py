from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError

from meldpunt.channels import Channel
from staffing.models import Shift
from staffing.services.shifts import shift_create, shifts_generate

from .conftest import utc


def test_generate_a_week_from_the_opening_hours(site, schedule):
    created = shifts_generate(
        site=site,
        start_date=date(2026, 12, 7),
        end_date=date(2026, 12, 13),
        channels=[Channel.PHONE, Channel.CHAT],
        headcount=2,
        schedule=schedule,
    )
    assert len(created) == 10
    monday = Shift.objects.filter(site=site, starts_at__date=date(2026, 12, 7))
    assert {(s.channel, s.starts_at, s.ends_at) for s in monday} == {
        (Channel.PHONE, utc(2026, 12, 7, 8), utc(2026, 12, 7, 16)),
        (Channel.CHAT, utc(2026, 12, 7, 16), utc(2026, 12, 7, 21)),
    }
    assert {s.required_headcount for s in Shift.objects.all()} == {2}


def test_generate_is_idempotent(site, schedule):
    args = {"site": site, "start_date": date(2026, 12, 1), "end_date": date(2026, 12, 31)}
    first = shifts_generate(**args, channels=[Channel.PHONE], schedule=schedule)
    again = shifts_generate(**args, channels=[Channel.PHONE], schedule=schedule)
    assert again == []
    # Christmas (Friday 25th) is a public holiday: 23 weekdays minus one.
    assert len(first) == Shift.objects.count() == 22


def test_generate_across_dst_keeps_local_hours(site, schedule):
    shifts_generate(
        site=site,
        start_date=date(2026, 10, 23),
        end_date=date(2026, 10, 26),
        channels=[Channel.PHONE],
        schedule=schedule,
    )
    assert list(Shift.objects.values_list("starts_at", flat=True)) == [
        utc(2026, 10, 23, 7),  # 09:00 CEST
        utc(2026, 10, 26, 8),  # 09:00 CET
    ]


def test_generate_email_creates_nothing(site, schedule):
    assert (
        shifts_generate(
            site=site,
            start_date=date(2026, 12, 7),
            end_date=date(2026, 12, 8),
            channels=[Channel.EMAIL],
            schedule=schedule,
        )
        == []
    )


def test_generate_refuses_bad_input(site):
    with pytest.raises(ValidationError):
        shifts_generate(
            site=site, start_date=date(2026, 12, 8), end_date=date(2026, 12, 7), channels=["phone"]
        )
    with pytest.raises(ValidationError):
        shifts_generate(
            site=site,
            start_date=date(2026, 12, 7),
            end_date=date(2026, 12, 8),
            channels=["phone"],
            headcount=0,
        )


def test_shift_by_hand_must_end_after_start(site):
    start = utc(2026, 12, 7, 8)
    shift = shift_create(
        site=site, channel=Channel.EMAIL, starts_at=start, ends_at=start + timedelta(hours=4)
    )
    assert shift.pk
    with pytest.raises(ValidationError):
        shift_create(site=site, channel=Channel.EMAIL, starts_at=start, ends_at=start)
