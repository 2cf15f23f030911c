import random
import time as clock
from datetime import date, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError

from meldpunt.channels import Channel
from staffing.services import opening_hours
from staffing.services.time import BRUSSELS, day_start

from .conftest import utc
from .factories import ClosureFactory

PHONE, CHAT, EMAIL = Channel.PHONE, Channel.CHAT, Channel.EMAIL


def brussels(*args) -> datetime:
    return datetime(*args, tzinfo=BRUSSELS)


def test_phone_is_half_open_nine_to_five(schedule):
    assert not schedule.is_open(PHONE, brussels(2026, 12, 7, 8, 59, 59))
    assert schedule.is_open(PHONE, brussels(2026, 12, 7, 9, 0))
    assert schedule.is_open(PHONE, brussels(2026, 12, 7, 16, 59, 59))
    assert not schedule.is_open(PHONE, brussels(2026, 12, 7, 17, 0))


def test_weekend_is_closed(schedule):
    assert not schedule.is_open(PHONE, brussels(2026, 12, 5, 10, 0))
    assert not schedule.is_open(CHAT, brussels(2026, 12, 6, 18, 0))


def test_module_functions_read_the_seeded_hours(db):
    assert opening_hours.is_open(PHONE, utc(2026, 12, 7, 8, 0))  # 09:00 CET
    assert not opening_hours.is_open(PHONE, utc(2026, 12, 7, 16, 0))  # 17:00 CET
    assert opening_hours.is_outside_opening_hours(PHONE, utc(2026, 12, 7, 16, 0))


def test_email_is_never_open_and_never_outside(schedule):
    instant = brussels(2026, 12, 7, 10, 0)
    assert not schedule.is_open(EMAIL, instant)
    assert not schedule.is_outside_opening_hours(EMAIL, instant)
    assert not opening_hours.is_outside_opening_hours(EMAIL, brussels(2026, 12, 5, 3, 0))
    assert schedule.open_intervals(EMAIL, utc(2026, 12, 7), utc(2026, 12, 14)) == []


def test_naive_instant_is_refused(schedule):
    with pytest.raises(ValueError, match="naive"):
        schedule.is_open(PHONE, datetime(2026, 12, 7, 10, 0))  # noqa: DTZ001


def test_spring_forward_week(schedule):
    """2026-03-29 has 23 hours; the UTC times of 09:00 shift by an hour across it."""
    assert day_start(date(2026, 3, 30)) - day_start(date(2026, 3, 29)) == timedelta(hours=23)
    week = schedule.open_intervals(PHONE, day_start(date(2026, 3, 23)), day_start(date(2026, 4, 4)))
    assert week[4] == (utc(2026, 3, 27, 8, 0), utc(2026, 3, 27, 16, 0))  # Friday, CET
    assert week[5] == (utc(2026, 3, 30, 7, 0), utc(2026, 3, 30, 15, 0))  # Monday, CEST
    assert all(end - start == timedelta(hours=8) for start, end in week)
    assert schedule.is_open(PHONE, utc(2026, 3, 30, 7, 0))
    assert not schedule.is_open(PHONE, utc(2026, 3, 27, 7, 30))


def test_fall_back_week(schedule):
    """2026-10-25 has 25 hours; chat 17–22 is 15–20Z before and 16–21Z after."""
    assert day_start(date(2026, 10, 26)) - day_start(date(2026, 10, 25)) == timedelta(hours=25)
    week = schedule.open_intervals(
        CHAT, day_start(date(2026, 10, 19)), day_start(date(2026, 11, 2))
    )
    assert week[4] == (utc(2026, 10, 23, 15, 0), utc(2026, 10, 23, 20, 0))
    assert week[5] == (utc(2026, 10, 26, 16, 0), utc(2026, 10, 26, 21, 0))
    # The repeated hour on Sunday night is closed either way.
    assert not schedule.is_open(CHAT, utc(2026, 10, 25, 0, 30))
    assert not schedule.is_open(CHAT, utc(2026, 10, 25, 1, 30))


def test_trial_thursday_evening_with_ascension_day_closed(schedule):
    assert schedule.is_open(PHONE, brussels(2019, 5, 23, 18, 0))
    assert schedule.open_intervals(
        PHONE, day_start(date(2019, 5, 23)), day_start(date(2019, 5, 24))
    ) == [(utc(2019, 5, 23, 7, 0), utc(2019, 5, 23, 17, 0))]  # 09–17 and 17–19 merged
    # Ascension Day 2019 is a Thursday in the trial: a public holiday, closed all day.
    assert schedule.is_holiday(date(2019, 5, 30))
    assert not schedule.is_open(PHONE, brussels(2019, 5, 30, 10, 0))
    assert not schedule.is_open(PHONE, brussels(2019, 5, 30, 18, 0))


def test_slot_history_judges_past_instants_by_the_slots_of_their_day(schedule):
    # The trial ended on 2019-06-30 (inclusive).
    assert not schedule.is_open(PHONE, brussels(2019, 7, 4, 18, 0))
    assert not schedule.is_open(PHONE, brussels(2018, 12, 27, 18, 0))
    # Chat went from 17–19 to 17–22 on 2021-09-01; the extra Wednesday slot ended.
    assert not schedule.is_open(CHAT, brussels(2021, 8, 31, 20, 0))
    assert schedule.is_open(CHAT, brussels(2021, 9, 1, 20, 0))
    assert schedule.is_open(CHAT, brussels(2021, 8, 25, 14, 0))
    assert not schedule.is_open(CHAT, brussels(2021, 9, 8, 14, 0))
    # Before chat existed, and before the line opened.
    assert not schedule.is_open(CHAT, brussels(2018, 12, 27, 18, 0))
    assert not schedule.is_open(PHONE, brussels(2012, 2, 29, 10, 0))
    assert schedule.is_open(PHONE, brussels(2012, 3, 1, 10, 0))


def test_local_day_decides_new_year(schedule):
    # 2018-12-31T23:30Z is New Year's Day in Brussels.
    assert not schedule.is_open(PHONE, utc(2018, 12, 31, 23, 30))
    assert schedule.is_outside_opening_hours(PHONE, utc(2018, 12, 31, 23, 30))


def test_public_holiday_is_closed(schedule):
    assert not schedule.is_open(PHONE, brussels(2026, 12, 25, 10, 0))  # Christmas, a Friday
    assert schedule.holiday_name(date(2026, 12, 25))


def test_closure_cuts_a_slot(db):
    ClosureFactory(
        channel=PHONE, starts_at=brussels(2026, 12, 7, 12, 0), ends_at=brussels(2026, 12, 7, 13, 0)
    )
    ClosureFactory(channel="", starts_at=brussels(2026, 12, 8, 0, 0), ends_at=brussels(2026, 12, 9))
    schedule = opening_hours.OpeningSchedule.load()
    assert schedule.open_intervals(PHONE, brussels(2026, 12, 7), brussels(2026, 12, 9)) == [
        (utc(2026, 12, 7, 8, 0), utc(2026, 12, 7, 11, 0)),
        (utc(2026, 12, 7, 12, 0), utc(2026, 12, 7, 16, 0)),
    ]
    assert not schedule.is_open(CHAT, brussels(2026, 12, 8, 18, 0))
    assert schedule.is_open(CHAT, brussels(2026, 12, 7, 18, 0))


def test_open_intervals_are_clipped(schedule):
    assert schedule.open_intervals(
        PHONE, brussels(2026, 12, 7, 10, 0), brussels(2026, 12, 7, 12, 0)
    ) == [(utc(2026, 12, 7, 9, 0), utc(2026, 12, 7, 11, 0))]
    assert (
        opening_hours.open_intervals(PHONE, brussels(2026, 12, 7, 12), brussels(2026, 12, 7, 12))
        == []
    )


def test_bulk_questions_need_no_queries(schedule, django_assert_num_queries):
    rng = random.Random(1712)
    base = utc(2019, 1, 1)
    instants = [base + timedelta(seconds=rng.randrange(8 * 365 * 86400)) for _ in range(100_000)]
    with django_assert_num_queries(0):
        started = clock.perf_counter()
        open_count = sum(schedule.is_open(PHONE, instant) for instant in instants)
        elapsed = clock.perf_counter() - started
    # About 40 of 168 weekly hours are open, minus holidays.
    assert 0.20 < open_count / len(instants) < 0.26
    assert elapsed < 5, f"100k is_open calls took {elapsed:.2f}s"


def test_closure_for_whole_local_days(db):
    closure = opening_hours.closure_create(
        reason="Staking", first_day=date(2026, 3, 27), last_day=date(2026, 3, 30)
    )
    # Friday 00:00 CET to Tuesday 00:00 CEST: the Sunday has 23 hours.
    assert (closure.starts_at, closure.ends_at) == (utc(2026, 3, 26, 23), utc(2026, 3, 30, 22))
    schedule = opening_hours.OpeningSchedule.load()
    assert not schedule.is_open(PHONE, brussels(2026, 3, 30, 16, 59))
    assert schedule.is_open(PHONE, brussels(2026, 3, 31, 9, 0))


def test_closure_must_end_after_start(db):
    with pytest.raises(ValidationError):
        opening_hours.closure_create(
            reason="x", starts_at=utc(2026, 12, 7, 9), ends_at=utc(2026, 12, 7, 9)
        )
