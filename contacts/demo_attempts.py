"""Demo data for the report pages: the phone switch's and chat platform's attempt log, one
awareness campaign (the aggregates are built last, by reports/demo.py).

Steps of `seed_demo` like those in contacts.demo: each takes the DemoPlan, is idempotent,
draws from its own random stream and returns one line for the log.
"""

import random
import time as clock
from datetime import date, datetime, timedelta

from django.conf import settings
from django.utils import timezone

from meldpunt.channels import Channel
from staffing.services.opening_hours import OpeningSchedule

from .demo import DemoPlan, _local
from .models import CallAttempt, CallerAgeGroup, Campaign, Contact
from .services.attempts import caller_hash

BATCH = 5000
# Unanswered attempts on top of the answered ones, as a share of the answered ones.
UNANSWERED_SHARE = 0.15
# Of the unanswered: the share that arrives outside the opening hours (the rest gave up
# waiting while the line was open), and of those the share that are likely misdials.
OUTSIDE_SHARE = 0.45
MISDIAL_SHARE = 0.5
# An outside attempt on a day drawn from the whole period (weekends and holidays included)
# rather than on a day somebody got through.
ANY_DAY_SHARE = 0.35
REPEAT_CALLER_SHARE = 0.10
ANSWER_WAIT = (5, 90)
GIVE_UP_WAIT = (30, 300)
# Outside the hours: mostly evenings and early mornings, some at night.
OUTSIDE_HOUR_WEIGHTS = {
    **dict.fromkeys(range(0, 6), 1),
    6: 2,
    7: 4,
    8: 5,
    **dict.fromkeys(range(9, 17), 3),
    17: 5,
    18: 6,
    19: 7,
    20: 7,
    21: 6,
    22: 5,
    23: 3,
}

CAMPAIGN_NAME = "Campagne #WatJijMeemaakt"
CAMPAIGN_WEEKS = 4


class _Callers:
    """Fake caller numbers and chat handles, hashed as the import would; about one attempt in
    ten comes from somebody seen before."""

    def __init__(self, rng: random.Random):
        self.rng, self.seen, self.hashes = rng, [], {}

    def next(self, channel: str) -> str:
        rng = self.rng
        if self.seen and rng.random() < REPEAT_CALLER_SHARE:
            caller = rng.choice(self.seen)
        else:
            if channel == Channel.PHONE:
                caller = f"+324{rng.randrange(10**8):08d}"
            else:
                caller = f"chat-{rng.randrange(16**10):010x}"
            self.seen.append(caller)
        if caller not in self.hashes:
            self.hashes[caller] = caller_hash(caller)
        return self.hashes[caller]


def _in_hours(rng: random.Random, intervals: list) -> datetime:
    total = sum((end - start).total_seconds() for start, end in intervals)
    offset = rng.random() * total
    for start, end in intervals:
        length = (end - start).total_seconds()
        if offset < length:
            return start + timedelta(seconds=int(offset))
        offset -= length
    return intervals[-1][0]


def _outside_hours(rng: random.Random, schedule, channel: str, day: date) -> datetime | None:
    hours, weights = list(OUTSIDE_HOUR_WEIGHTS), list(OUTSIDE_HOUR_WEIGHTS.values())
    for _try in range(50):
        hour = rng.choices(hours, weights)[0]
        instant = _local(day, hour * 3600 + rng.randrange(3600))
        if schedule.is_outside_opening_hours(channel, instant):
            return instant
    return None


def demo_attempts_generate(plan: DemoPlan) -> str:
    """An attempt log for the demo period: an answered attempt for every phone and chat
    contact, plus unanswered ones (given up during the hours, or outside them, about half of
    those likely misdials). Does nothing when the log already holds attempts."""
    if CallAttempt.objects.exists():
        return f"Er zijn al {CallAttempt.objects.count()} pogingen: geen nieuwe aangemaakt."
    began = clock.monotonic()
    rng, schedule = plan.rng("attempts"), OpeningSchedule.load()
    callers = _Callers(rng)
    contacts = list(
        Contact.objects.filter(channel__in=[Channel.PHONE, Channel.CHAT])
        .order_by("id")
        .values_list("id", "channel", "started_at", "ended_at")
    )
    attempts = [
        CallAttempt(
            external_id=f"demo-a-{contact_id}",
            channel=channel,
            started_at=started,
            wait_seconds=rng.randint(*ANSWER_WAIT),
            talk_seconds=int(((ended or started) - started).total_seconds()),
            answered=True,
            caller_hash=callers.next(channel),
        )
        for contact_id, channel, started, ended in contacts
    ]
    period_days = (plan.last_day - plan.first_day).days + 1
    outside = misdials = 0
    for n in range(round(len(contacts) * UNANSWERED_SHARE)):
        # The day and channel of a contact: unanswered demand follows the answered one.
        _id, channel, started, _ended = rng.choice(contacts)
        day = timezone.localdate(started)
        intervals = schedule.intervals_on(channel, day)
        instant = None
        if rng.random() >= OUTSIDE_SHARE and intervals:
            instant, wait = _in_hours(rng, intervals), rng.randint(*GIVE_UP_WAIT)
        else:
            if rng.random() < ANY_DAY_SHARE:
                day = plan.first_day + timedelta(days=rng.randrange(period_days))
            instant = _outside_hours(rng, schedule, channel, day)
            if instant is None:
                continue
            misdial = rng.random() < MISDIAL_SHARE
            wait = rng.randrange(1, settings.MISDIAL_SECONDS) if misdial else rng.randint(10, 240)
            outside, misdials = outside + 1, misdials + misdial
        if instant + timedelta(seconds=wait) > plan.now:
            continue
        attempts.append(
            CallAttempt(
                external_id=f"demo-u-{n + 1}",
                channel=channel,
                started_at=instant,
                wait_seconds=wait,
                talk_seconds=0,
                answered=False,
                caller_hash=callers.next(channel),
            )
        )
    CallAttempt.objects.bulk_create(attempts, batch_size=BATCH)
    unanswered = len(attempts) - len(contacts)
    return (
        f"{len(attempts)} pogingen ({len(contacts)} beantwoord, {unanswered} niet: {outside} "
        f"buiten de openingsuren, waarvan {misdials} wellicht verkeerd gekozen) aangemaakt in "
        f"{clock.monotonic() - began:.1f} s."
    )


def demo_campaign_ensure(plan: DemoPlan) -> str:
    """One awareness campaign aimed at teenagers, four weeks in the spring of the middle
    demo year; idempotent by name."""
    if Campaign.objects.filter(name=CAMPAIGN_NAME).exists():
        return f"Campagne {CAMPAIGN_NAME!r} bestaat al."
    year = (plan.first_day.year + plan.last_day.year) // 2
    start = date(year, 3, 10)
    start += timedelta(days=-start.weekday() % 7)  # a Monday
    campaign = Campaign.objects.create(
        name=CAMPAIGN_NAME,
        start_date=start,
        end_date=start + timedelta(weeks=CAMPAIGN_WEEKS, days=-1),
        target_age_group=CallerAgeGroup.objects.filter(code="age_12_17").first(),
        channels=[Channel.CHAT.value, Channel.PHONE.value],
        description=(
            "Sociale-mediacampagne voor jongeren van 12 tot 17 jaar: praat erover, via chat "
            "of telefoon."
        ),
    )
    return f"Campagne aangemaakt: {campaign}."
