import random
from datetime import UTC, datetime, timedelta
from itertools import count

import pytest

from contacts.models import CallAttempt, CallerProfile, Contact
from meldpunt.channels import Channel
from reports.models import DailyAttemptCount, DailyCount, MonthlyCount
from staffing.services.time import BRUSSELS
from tests.factories import ContactFactory, VictimFactory

_attempt_ids = count(1)


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def brussels(*args) -> datetime:
    return datetime(*args, tzinfo=BRUSSELS).astimezone(UTC)


def attempt(started_at, *, channel=Channel.PHONE, answered=False, wait=5) -> CallAttempt:
    return CallAttempt.objects.create(
        external_id=f"attempt-{next(_attempt_ids)}",
        channel=channel,
        started_at=started_at,
        wait_seconds=wait,
        talk_seconds=60 if answered else 0,
        answered=answered,
    )


def contact(started_at, *, site, victims=(), forms=(), **fields) -> Contact:
    made = ContactFactory(started_at=started_at, site=site, **fields)
    for age_group in victims:
        VictimFactory(contact=made, age_group_id=age_group)
    if forms:
        made.forms_of_violence.set(forms)
    return made


def aggregate_rows() -> dict:
    """Every aggregate row without its id: equal after two rebuilds means idempotent."""
    return {
        model.__name__: sorted(
            tuple(row)
            for row in model.objects.order_by().values_list(
                *[f.attname for f in model._meta.fields if f.name != "id"]
            )
        )
        for model in (DailyCount, MonthlyCount, DailyAttemptCount)
    }


CODES = {
    "theme_id": ["child_abuse", "partner_violence", "elder_abuse", "other", None],
    "caller_gender_id": ["female", "male", "unknown", None],
    "caller_age_group_id": ["under_12", "age_12_17", "adult", None],
    "caller_role_id": ["victim", "professional", None],
    "region_id": ["antwerpen", "limburg", "brussel", None],
    "context_id": ["family", "school", None],
    "awareness_source_id": [None],
    "referral_id": [None],
}
# Counselling and other types, and the default of older rows.
CONTACT_TYPES = ["about_self", "follow_up", "silent", "hang_up", "unspecified"]
VICTIM_AGES = ["age_0_2", "age_6_11", "age_12_17", "age_65_plus", None]
FORMS = ["physical", "psychological", "sexual"]

# Local days that test the bucketing: the two DST changes of 2026, New Year, a Monday.
SPECIAL_INSTANTS = [
    utc(2026, 3, 29, 0, 30),  # 01:30 CET, before the jump
    utc(2026, 3, 29, 1, 30),  # 03:30 CEST, after it
    utc(2026, 3, 29, 21, 59),  # 23:59 CEST: still 29 March
    utc(2026, 3, 29, 22, 0),  # 00:00 CEST: 30 March
    utc(2026, 10, 25, 0, 30),  # 02:30 CEST, first pass
    utc(2026, 10, 25, 1, 30),  # 02:30 CET, second pass
    utc(2026, 10, 25, 22, 59),  # 23:59 CET: still 25 October
    utc(2026, 10, 25, 23, 0),  # 00:00 CET: 26 October
    utc(2025, 12, 31, 23, 30),  # New Year's Day 2026, local
    utc(2026, 12, 31, 23, 30),  # 2027 local: not in 2026
]


@pytest.fixture
def register(site, other_site):
    """Ten months of 2026 (all past) of varied contacts at two sites, with victims, forms
    and attempts, and some deleted contacts."""
    rng = random.Random(1712)
    # Contact types and caller profiles from their own generator: the rest of the register
    # stays as it was before they existed.
    known = random.Random(1013)
    profiles = [
        CallerProfile.objects.create(identifier_hash=f"{n:064x}", site=site) for n in range(8)
    ]
    made = []
    instants = list(SPECIAL_INSTANTS)
    start = utc(2026, 1, 1)
    for _ in range(160):
        instants.append(start + timedelta(minutes=rng.randrange(300 * 24 * 60)))
    for i, instant in enumerate(instants):
        fields = {name: rng.choice(values) for name, values in CODES.items()}
        made.append(
            contact(
                instant,
                site=site if i % 3 else other_site,
                channel=rng.choice(list(Channel.values)),
                victims=[rng.choice(VICTIM_AGES) for _ in range(rng.randrange(3))],
                forms=rng.sample(FORMS, rng.randrange(3)),
                contact_type_id=known.choice(CONTACT_TYPES),
                # Most contacts without a known caller; profiles with 0, 1 or more contacts.
                caller_profile=profiles[7]  # a caller known from one contact
                if i == 20
                else known.choice([None] * 6 + profiles[:6] + profiles[:3]),
                **fields,
            )
        )
    for instant in instants[::2]:
        attempt(
            instant,
            channel=rng.choice([Channel.PHONE, Channel.CHAT]),
            answered=rng.random() < 0.5,
            wait=rng.randrange(30),
        )
    # Some deleted contacts: they must not count.
    for gone in made[-5:]:
        gone.delete()
    return made[:-5]
