"""The arrivals provider contacts implements for staffing (named in the settings)."""

from datetime import UTC, date, datetime, timedelta

import pytest

from contacts.models import CallAttempt
from meldpunt.channels import Channel
from staffing.services.demand import arrivals_provider, history_load
from staffing.services.opening_hours import OpeningSchedule
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db


def _attempt(n, instant, answered, talk=0):
    return CallAttempt.objects.create(
        external_id=f"a{n}", channel=Channel.PHONE, started_at=instant, wait_seconds=5,
        talk_seconds=talk, answered=answered, caller_hash="",
    )  # fmt: skip


def test_answered_and_unanswered_attempts_and_mail_are_arrivals(site):
    monday = datetime(2027, 2, 1, 9, 10, tzinfo=UTC)  # 10:10 Brussels
    _attempt(1, monday, True, 300)
    _attempt(2, monday + timedelta(minutes=5), False)
    _attempt(3, monday + timedelta(minutes=40), True, 500)
    ContactFactory(channel=Channel.EMAIL, started_at=monday, site=site)
    provider = arrivals_provider()
    start, end = monday - timedelta(hours=2), monday + timedelta(hours=2)
    assert len(provider.arrivals(Channel.PHONE, start, end)) == 3
    assert len(provider.arrivals(Channel.EMAIL, start, end)) == 1
    assert provider.talk_seconds(Channel.PHONE, start, end) == 400
    assert provider.talk_seconds(Channel.EMAIL, start, end) is None
    history = history_load(
        provider, OpeningSchedule.load(), Channel.PHONE, date(2027, 2, 1), date(2027, 2, 1)
    )
    # 10:00–10:30 local is half-hour 20; 10:30–11:00 is 21; open half-hours count zeros.
    assert history[date(2027, 2, 1), 20] == 2
    assert history[date(2027, 2, 1), 21] == 1
    assert history[date(2027, 2, 1), 18] == 0
    assert (date(2027, 2, 1), 40) not in history  # phone closed at 20:00
