"""Demo data for `make run`: sites, one user per role, and years of fictional contacts.

Everything is drawn from `random.Random` streams derived from one seed, so a seed always
gives the same data for the same days. The contacts of one local day come from that day's
own stream: cutting off today at "now" or covering fewer years leaves the other days alone.
All people and notes are fictional; the mix only resembles the published 1712 figures.
"""

import math
import random
import time as clock
from bisect import bisect, bisect_left
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import accumulate
from typing import NamedTuple

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.utils import timezone

from meldpunt.channels import Channel
from meldpunt.roles import Role
from staffing.models import Site, StaffMember
from staffing.services.opening_hours import OpeningSchedule

from .models import CallerProfile, Case, CloseReason, Contact, FollowUp, Referral, Victim
from .services import reference_allocate
from .services.callers import caller_identifier_hash
from .services.references import Kind

DEFAULT_SEED = 1712
CONTACTS_PER_YEAR = 7000
# Public on purpose: the same for every demo user and printed in the login table.
DEMO_PASSWORD = "Meldpunt-demo-2026"  # noqa: S105  # nosec B105
DEMO_URL = "http://127.0.0.1:8000/"
BATCH = 2000

# (key, code, name, responders); the first is the default site created by migration.
SITES = [
    ("centraal", "centraal", "1712 Centraal", 6),
    ("antwerpen", "antwerpen", "CAW Antwerpen", 5),
    ("gent", "gent", "CAW Oost-Vlaanderen", 4),
    ("leuven", "leuven", "CAW Oost-Brabant", 3),
    ("brugge", "brugge", "CAW Noord-West-Vlaanderen", 4),
]


class W:
    """A weighted code table, written `"code:weight code:weight -:weight"`; `-` is a blank
    (*not recorded*) value, drawn as None. Numeric codes (counts) become ints."""

    def __init__(self, spec: str):
        pairs = [item.rsplit(":", 1) for item in spec.split()]
        self.keys = [None if k == "-" else int(k) if k.isdigit() else k for k, _w in pairs]
        self.cum = list(accumulate(float(w) for _k, w in pairs))

    def pick(self, rng: random.Random):
        # What rng.choices does, without its overhead: this runs ~300 000 times.
        return self.keys[bisect(self.cum, rng.random() * self.cum[-1])]


def by_theme(**tables: str) -> dict:
    """Tables per theme code; the one named `default` serves every other theme (and blank)."""
    return {None if k == "default" else k: W(v) for k, v in tables.items()}


# --- When: channels, opening hours, seasons -------------------------------------------------
# Share of each channel in a year's contacts (1712: mostly phone, then chat, then e-mail).
CHANNEL_SHARE = {Channel.PHONE: 0.70, Channel.CHAT: 0.20, Channel.EMAIL: 0.10}
# Share of an open day's phone/chat contacts that responders still took outside the hours,
# and the volume of a closed day (weekend, public holiday) relative to an open one.
OUTSIDE_HOURS_SHARE = {Channel.PHONE: 0.03, Channel.CHAT: 0.04}
CLOSED_DAY_FACTOR = {Channel.PHONE: 0.03, Channel.CHAT: 0.03, Channel.EMAIL: 0.5}
OUTSIDE_HOURS = (7, 23)  # a contact outside the hours starts between 7:00 and 23:00
# Fewer contacts in the summer holidays and around Christmas, more on Mondays; slow growth.
MONTH_FACTOR = [None, 1.05, 1.05, 1.1, 1.0, 1.05, 1.0, 0.75, 0.75, 1.05, 1.1, 1.1, 0.9]
WEEKDAY_FACTOR = [1.3, 1.1, 1.0, 1.0, 0.85, 0.5, 0.5]
CHRISTMAS_FACTOR = 0.5  # 24 December to 1 January
GROWTH_PER_YEAR = 1.05
# Relative load per local hour within the opening hours; hours not listed weigh 1.
HOUR_SHAPE = {
    Channel.PHONE: {9: 0.7, 10: 1.2, 11: 1.2, 12: 0.8, 13: 1.0, 14: 1.2, 15: 1.1, 16: 0.9},
    Channel.CHAT: {17: 0.8, 18: 1.0, 19: 1.2, 20: 1.2, 21: 0.9},
}
# E-mail arrives at any hour, mostly during the day.
EMAIL_HOUR = W(" ".join(f"{h}:{0.2 if h < 7 else 1.5 if 9 <= h < 17 else 0.8}" for h in range(24)))
# Lognormal durations in minutes: (median, sigma, min, max).
DURATION = {
    Channel.PHONE: (12, 0.6, 3, 40),
    Channel.CHAT: (28, 0.4, 10, 60),
    Channel.EMAIL: (12, 0.5, 5, 30),
}

# --- Who contacted the line, about what -----------------------------------------------------
# Caller age per channel: minors reach the line mostly by chat (≈ 1 % under 12, 4 % 12-17).
CALLER_AGE = {
    Channel.PHONE: W("adult:93 age_12_17:2 under_12:0.7 unclear:2.5 -:1.8"),
    Channel.CHAT: W("adult:78 age_12_17:12 under_12:2 unclear:5 -:3"),
    Channel.EMAIL: W("adult:92 age_12_17:3 under_12:0.3 unclear:3 -:1.7"),
}
MINORS = {"under_12", "age_12_17"}
CALLER_GENDER = W("female:75 male:20 other:1 unknown:2 -:2")
THEME = W(
    "child_abuse:35 partner_violence:20 violence_against_adults:8 divorce_conflict:7 "
    "elder_abuse:5 trauma_processing:5 violence_between_children:4 parent_abuse:3 "
    "historical_abuse:3 honour_related_violence:1 ritual_violence:0.3 forced_adoption:0.3 "
    "other:5 -:3"
)
# Minors call about themselves or friends: child themes, never partner violence.
MINOR_THEME = W(
    "child_abuse:55 violence_between_children:20 divorce_conflict:8 trauma_processing:4 other:9 -:4"
)
CHILD_THEMES = {"child_abuse", "violence_between_children", "divorce_conflict"}
# Adults calling about a child are its environment or a professional, not the victim;
# together ≈ 45 % victim's environment, 30 % victim, 12 % professional.
ROLE_ADULT_CHILD_THEME = W(
    "victim_environment:62 professional:18 perpetrator:4 perpetrator_environment:6 other:6 -:4"
)
ROLE_ADULT = W(
    "victim:50 victim_environment:27 professional:10 perpetrator:5 perpetrator_environment:3 "
    "other:2 -:3"
)
# Never professional: the register refuses a minor professional.
ROLE_MINOR = W("victim:60 victim_environment:30 perpetrator:3 other:4 -:3")
# Regions by population (thousands, 2024), plus the callers who did not say.
REGION = W(
    "antwerpen:1926 oost_vlaanderen:1562 west_vlaanderen:1222 vlaams_brabant:1182 "
    "limburg:893 brussel:250 wallonie:60 abroad:40 unknown:700 -:300"
)
AWARENESS = W(
    "internet:33 social_media:10 campaign:5 media:5 school:6 professional:12 police:3 "
    "family_friends:8 flyer:3 earlier_contact:8 other:3 -:7"
)
# Referral: children's themes go to the child abuse confidential centre (VK) or a JAC.
REFERRAL = {
    True: W("none:28 vk:30 caw:12 jac:7 police:4 mental_health:5 other:4 gp:3 justice:2 -:5"),
    False: W(
        "none:32 caw:26 police:9 mental_health:7 family_justice_center:5 gp:5 justice:3 other:8 -:5"
    ),
}
FOLLOW_UP_SHARE = 0.10
FOLLOW_UP_DONE_SHARE = 0.85

# --- Per theme: victims, forms of violence, context -----------------------------------------
CHILD_AGES = "unborn:1 age_0_2:12 age_3_5:18 age_6_11:35 age_12_17:28"
VICTIM_AGE = by_theme(
    child_abuse=f"{CHILD_AGES} unknown:4 -:2",
    divorce_conflict="age_0_2:12 age_3_5:18 age_6_11:35 age_12_17:28 unknown:3 -:2",
    violence_between_children="age_6_11:40 age_12_17:55 unknown:3 -:2",
    partner_violence="age_18_64:94 unknown:4 -:2",
    elder_abuse="age_65_plus:95 unknown:3 -:2",
    historical_abuse="age_18_64:85 age_65_plus:10 unknown:3 -:2",
    parent_abuse="age_18_64:70 age_65_plus:25 unknown:3 -:2",
    default="age_18_64:85 age_65_plus:8 age_12_17:4 unknown:6 -:3",
)
# The age of a caller who is the victim follows the caller's age group.
SELF_AGE = {"under_12": "age_6_11", "age_12_17": "age_12_17", "unclear": "unknown"}
SELF_ADULT_AGE = by_theme(
    elder_abuse="age_65_plus:1",
    partner_violence="age_18_64:1",
    default="age_18_64:90 age_65_plus:10",
)
# Victims per contact (≈ 1.3 on average): mostly one, more in families, sometimes none.
VICTIM_COUNT = by_theme(
    child_abuse="0:3 1:58 2:24 3:11 4:4",
    divorce_conflict="0:3 1:50 2:32 3:12 4:3",
    violence_between_children="0:3 1:75 2:17 3:5",
    other="0:40 1:55 2:5",
    default="0:5 1:81 2:11 3:3",
)
VICTIM_GENDER = by_theme(
    partner_violence="female:80 male:17 unknown:1 -:2",
    elder_abuse="female:65 male:32 -:3",
    default="female:52 male:42 other:1 unknown:3 -:2",
)
# Relation of a victim to the caller: by caller role, else by theme.
# A minor's other victims are siblings or friends, never their own children.
RELATION_MINOR = W("sibling:45 friend:40 other_family:10 -:5")
RELATION_BY_ROLE = {
    "professional": W("pupil_client:75 other:15 unknown:6 -:4"),
    "victim": W("child:60 sibling:20 other_family:16 -:4"),
}
RELATION_BY_THEME = by_theme(
    child_abuse="child:36 grandchild:12 other_family:18 neighbour:10 friend:6 other:10 "
    "unknown:5 -:3",
    violence_between_children="child:60 friend:15 other_family:10 other:9 unknown:3 -:3",
    divorce_conflict="child:70 grandchild:15 other_family:10 -:5",
    partner_violence="friend:28 other_family:22 sibling:15 parent:10 child:12 neighbour:9 -:4",
    elder_abuse="parent:50 other_family:20 neighbour:15 other:11 -:4",
    default="friend:25 other_family:20 partner:10 sibling:10 neighbour:10 other:12 unknown:9 -:4",
)
# Forms of violence: how many (0 = not recorded), then which, by theme.
FORM_COUNT = W("0:5 1:58 2:32 3:5")
FORMS = by_theme(
    child_abuse="physical:30 psychological:25 sexual:25 neglect:20",
    partner_violence="physical:40 psychological:45 sexual:6 economic:9",
    violence_against_adults="physical:50 psychological:30 sexual:15 other:5",
    divorce_conflict="psychological:70 physical:15 other:15",
    elder_abuse="psychological:30 physical:20 economic:30 neglect:20",
    violence_between_children="physical:40 psychological:35 online:15 sexual:10",
    parent_abuse="physical:45 psychological:40 economic:15",
    historical_abuse="sexual:60 physical:25 psychological:15",
    trauma_processing="psychological:40 sexual:35 physical:25",
    default="psychological:35 physical:25 sexual:10 online:10 other:20",
)
CONTEXT = by_theme(
    child_abuse="family:60 separated_family:12 school:8 sport:4 culture_youth:4 "
    "care_institution:4 online:3 other:2 -:3",
    violence_between_children="school:55 online:20 sport:7 culture_youth:7 public_space:5 -:6",
    partner_violence="family:82 separated_family:10 other:4 -:4",
    divorce_conflict="separated_family:90 family:6 -:4",
    elder_abuse="family:60 care_institution:33 other:3 -:4",
    historical_abuse="family:45 care_institution:18 school:10 culture_youth:10 sport:8 other:5 -:4",
    violence_against_adults="work:25 public_space:25 family:25 online:10 other:11 -:4",
    default="family:50 other:18 online:10 public_space:9 work:8 -:5",
)

# --- Cases ----------------------------------------------------------------------------------
# What a later contact of a case shares with the first one.
SITUATION_FIELDS = ("theme", "context", "caller_gender", "caller_age_group", "caller_role")
SITUATION_FIELDS += ("region", "forms", "victims")
# A contact opens a case with this chance; the case then gets this many contacts in all,
# a few days to three weeks apart, at the same site (≈ 15 % of contacts end up in a case).
CASE_OPEN_SHARE = 0.07
CASE_SIZE = W("1:40 2:30 3:15 4:10 5:5")
CASE_GAP_DAYS = (2, 21)
CASE_CLOSE_AFTER = timedelta(days=45)

# --- Notes (fictional and neutral; never names) ---------------------------------------------
NOTE_SUBJECT = {
    "child_abuse": "zorgen om een kind in de omgeving",
    "partner_violence": "spanningen en geweld binnen de relatie",
    "violence_against_adults": "geweld tegen een volwassene",
    "divorce_conflict": "een conflictueuze scheiding en de gevolgen voor de kinderen",
    "elder_abuse": "de behandeling van een oudere persoon",
    "violence_between_children": "pesten en geweld tussen kinderen",
    "trauma_processing": "de verwerking van eerdere ervaringen",
    "parent_abuse": "geweld van een kind tegen een ouder",
    "historical_abuse": "misbruik dat lang geleden gebeurde",
    None: "een situatie van geweld of misbruik",
}
NOTE_MIDDLE = [
    "Situatie samen verkend en de veiligheid besproken.",
    "Melder wil voorlopig anoniem blijven.",
    "Informatie gegeven over de mogelijke stappen en over de hulpverlening in de regio.",
    "Melder kon het verhaal kwijt en voelde zich gehoord.",
    "Afgesproken dat melder zelf opnieuw contact opneemt indien nodig.",
    "Samen een veiligheidsplan overlopen.",
    "Melder twijfelt nog over een volgende stap.",
]
NOTES_BLANK_SHARE = 0.05
FOLLOW_UP_TASKS = [
    "Terugbellen op het afgesproken moment",
    "Informatie over de regionale hulpverlening doormailen",
    "Bespreken op het casusoverleg",
    "Nagaan of de doorverwijzing gelukt is",
]


@dataclass
class DemoPlan:
    """What to generate: the seed and the local days covered (from 1 January, `years` calendar
    years back, up to and including `last_day`); nothing later than `now`."""

    seed: int
    first_day: date
    last_day: date
    now: datetime
    contacts_per_year: int = CONTACTS_PER_YEAR

    @classmethod
    def build(cls, *, seed, years, contacts_per_year, until=None, now=None):
        now = now or timezone.now()
        last_day = min(until or timezone.localdate(now), timezone.localdate(now))
        return cls(seed, date(last_day.year - years + 1, 1, 1), last_day, now, contacts_per_year)

    def rng(self, *parts) -> random.Random:
        # A string seed is hashed with SHA-512: stable across runs and Python processes.
        return random.Random(":".join(map(str, (self.seed, *parts))))  # noqa: S311  # nosec B311


class DemoLogin(NamedTuple):
    username: str
    role: str
    site_key: str
    first_name: str
    last_name: str


def demo_logins() -> list[DemoLogin]:
    """The demo users: per site responders and a site coordinator, plus the two central roles."""
    logins = []
    for key, _code, name, responders in SITES:
        town = name.removeprefix("CAW ")
        logins += [
            DemoLogin(f"beantwoorder.{key}{n}", Role.RESPONDER, key, "Beantwoorder", f"{town} {n}")
            for n in range(1, responders + 1)
        ]
        logins.append(
            DemoLogin(f"coordinator.{key}", Role.SITE_COORDINATOR, key, "Coördinator", town)
        )
    return [
        *logins,
        DemoLogin("vlaams.coordinator", Role.COORDINATOR, "centraal", "Vlaams", "Coördinator"),
        DemoLogin("beheerder", Role.ADMINISTRATOR, "centraal", "Beheerder", "Meldpunt"),
    ]


def _sites_ensure() -> dict[str, Site]:
    """The demo sites by key; `centraal` is the default site the migration created."""
    sites = {}
    for key, code, name, _responders in SITES:
        existing = Site.objects.filter(is_default=True).first() if key == "centraal" else None
        sites[key] = existing or Site.objects.get_or_create(code=code, defaults={"name": name})[0]
    return sites


def demo_users_ensure(plan: DemoPlan) -> str:
    """Create the demo sites and users, or repair them: role, site and the demo password."""
    sites = _sites_ensure()
    groups = {group.name: group for group in Group.objects.filter(name__in=Role.values)}
    users = []
    for login in demo_logins():
        admin = login.role == Role.ADMINISTRATOR
        user, _created = get_user_model().objects.update_or_create(
            username=login.username,
            defaults={"first_name": login.first_name, "last_name": login.last_name}
            | {"is_active": True, "is_staff": admin, "is_superuser": admin},
        )
        validate_password(DEMO_PASSWORD, user)
        user.groups.set([groups[login.role]])
        StaffMember.objects.update_or_create(user=user, defaults={"site": sites[login.site_key]})
        users.append(user)
    # Hashing takes ~0.3 s, so the demo users share one hash of their one password, and a
    # repeated run checks it once instead of once per user.
    hashes = {user.password for user in users}
    if len(hashes) != 1 or not check_password(DEMO_PASSWORD, hashes.pop()):
        get_user_model().objects.filter(pk__in=[u.pk for u in users]).update(
            password=make_password(DEMO_PASSWORD)
        )
    return f"{len(sites)} sites en {len(users)} demogebruikers in orde."


def logins_table() -> str:
    """The demo logins as a plain-text table, for the end of `seed_demo`."""
    sites = {key: site.name for key, site in _sites_ensure().items()}
    rows = [("Gebruikersnaam", "Rol", "Site", "Wachtwoord")]
    rows += [
        (u.username, str(Role(u.role).label), sites[u.site_key], DEMO_PASSWORD)
        for u in demo_logins()
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = [
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(["", "Demo-logins:", *lines, "", f"Meldpunt draait op {DEMO_URL}", ""])


# --- Drawing contacts -----------------------------------------------------------------------
# Draft fields that become the `<name>_id` of a taxonomy foreign key on Contact.
CODE_FIELDS = ("theme", "context", "caller_gender", "caller_age_group", "caller_role", "region")
CODE_FIELDS += ("awareness_source", "referral")


@dataclass(slots=True)
class Draft:
    """A contact before it is saved; taxonomy values are codes, None is *not recorded*."""

    started_at: datetime
    ended_at: datetime
    channel: str
    site: str
    registered_by: int  # user id of a responder of the site
    theme: str | None = None
    context: str | None = None
    caller_gender: str | None = None
    caller_age_group: str | None = None
    caller_role: str | None = None
    region: str | None = None
    awareness_source: str | None = None
    referral: str | None = None
    follow_up_needed: bool = False
    forms: tuple = ()
    victims: tuple = ()  # (age group, gender, relation) per victim
    case: int | None = None  # index into the list of cases
    repeat: bool = False  # a later contact of a case


class CaseDraft(NamedTuple):
    site: str
    opened_by: int
    contacts: list


def _poisson(rng: random.Random, mu: float) -> int:
    if mu > 30:
        return max(0, round(rng.gauss(mu, math.sqrt(mu))))
    limit, n, p = math.exp(-mu), 0, rng.random()
    while p > limit:
        n, p = n + 1, p * rng.random()
    return n


class _Calendar:
    """When contacts happen: the opening hours in force on each day, from staffing's schedule
    (the rules the figures judge contacts by), and the seasonal weights."""

    def __init__(self, schedule: OpeningSchedule):
        self.schedule = schedule
        # Before its first opening hours a channel did not exist: no contacts at all.
        self.first_day = {
            channel: min(
                (s.valid_from for s in schedule.slots if s.channel == channel), default=None
            )
            for channel in (Channel.PHONE, Channel.CHAT)
        }
        self._year_weights: dict[tuple[str, int], float] = {}

    def is_open_day(self, channel: str, day: date) -> bool:
        if channel == Channel.EMAIL:
            return day.weekday() < 5 and not self.schedule.is_holiday(day)
        return bool(self.schedule.intervals_on(channel, day))

    def day_weight(self, channel: str, day: date) -> float:
        first_day = self.first_day.get(channel)
        if first_day and day < first_day:
            return 0.0
        weight = MONTH_FACTOR[day.month] * WEEKDAY_FACTOR[day.weekday()]
        if (day.month, day.day) >= (12, 24) or (day.month, day.day) == (1, 1):
            weight *= CHRISTMAS_FACTOR
        return weight if self.is_open_day(channel, day) else weight * CLOSED_DAY_FACTOR[channel]

    def year_weight(self, channel: str, year: int) -> float:
        if (channel, year) not in self._year_weights:
            first, days = date(year, 1, 1), (date(year + 1, 1, 1) - date(year, 1, 1)).days
            weights = (self.day_weight(channel, first + timedelta(n)) for n in range(days))
            self._year_weights[channel, year] = sum(weights)
        return self._year_weights[channel, year]

    def start(self, rng: random.Random, channel: str, day: date) -> datetime:
        """A start on `day`: e-mail at any hour; phone and chat mostly within the hours."""
        if channel == Channel.EMAIL:
            return _local(day, EMAIL_HOUR.pick(rng) * 3600 + rng.randrange(3600))
        intervals = self.schedule.intervals_on(channel, day)
        if intervals and rng.random() >= OUTSIDE_HOURS_SHARE[channel]:
            return _within(rng, intervals, HOUR_SHAPE[channel])
        for _attempt in range(100):
            instant = _local(day, rng.randrange(OUTSIDE_HOURS[0] * 3600, OUTSIDE_HOURS[1] * 3600))
            if not any(start <= instant < end for start, end in intervals):
                break
        return instant


def _local(day: date, seconds: int) -> datetime:
    midnight = datetime.combine(day, time(0), tzinfo=timezone.get_default_timezone())
    return (midnight + timedelta(seconds=seconds)).astimezone(UTC)


def _within(rng: random.Random, intervals: list, shape: dict) -> datetime:
    """A random instant within the intervals, busier in the hours `shape` weighs more."""
    total, peak = (
        sum((end - start).total_seconds() for start, end in intervals),
        max(shape.values()),
    )
    while True:
        offset = rng.random() * total
        for start, end in intervals:
            if offset < (end - start).total_seconds():
                instant = start + timedelta(seconds=int(offset))
                break
            offset -= (end - start).total_seconds()
        else:
            instant = intervals[-1][0]  # float rounding left the offset past the end
        if rng.random() * peak < shape.get(timezone.localtime(instant).hour, 1):
            return instant


def _duration(rng: random.Random, channel: str) -> timedelta:
    median, sigma, low, high = DURATION[channel]
    minutes = min(high, max(low, rng.lognormvariate(math.log(median), sigma)))
    return timedelta(seconds=round(minutes * 60))


def _for_theme(tables: dict, theme: str | None) -> W:
    return tables.get(theme, tables[None])


def _victims(rng: random.Random, d: Draft) -> tuple:
    """Victims consistent with the theme; a caller who is the victim is exactly one of them."""
    count = _for_theme(VICTIM_COUNT, d.theme).pick(rng)
    caller_is_victim = d.caller_role == "victim"
    relations = RELATION_MINOR if d.caller_age_group in MINORS else None
    relations = relations or RELATION_BY_ROLE.get(d.caller_role)
    relations = relations or _for_theme(RELATION_BY_THEME, d.theme)
    victims = []
    for n in range(max(count, 1) if caller_is_victim else count):
        age = _for_theme(VICTIM_AGE, d.theme).pick(rng)
        if n == 0 and caller_is_victim:
            if d.caller_age_group == "adult":
                age = _for_theme(SELF_ADULT_AGE, d.theme).pick(rng)
            victims.append((SELF_AGE.get(d.caller_age_group, age), d.caller_gender, "self"))
        else:
            gender = _for_theme(VICTIM_GENDER, d.theme).pick(rng)
            victims.append((age, gender, relations.pick(rng)))
    return tuple(victims)


def _describe(rng: random.Random, d: Draft) -> None:
    """Draw who contacted the line and about what, within the register's rules."""
    d.caller_age_group = CALLER_AGE[d.channel].pick(rng)
    minor = d.caller_age_group in MINORS
    d.caller_gender = CALLER_GENDER.pick(rng)
    d.theme = (MINOR_THEME if minor else THEME).pick(rng)
    roles = ROLE_ADULT_CHILD_THEME if d.theme in CHILD_THEMES else ROLE_ADULT
    d.caller_role = (ROLE_MINOR if minor else roles).pick(rng)
    d.context = _for_theme(CONTEXT, d.theme).pick(rng)
    d.region = REGION.pick(rng)
    d.awareness_source = AWARENESS.pick(rng)
    d.referral = REFERRAL[d.theme in CHILD_THEMES].pick(rng)
    d.follow_up_needed = rng.random() < FOLLOW_UP_SHARE
    forms = _for_theme(FORMS, d.theme)
    d.forms = tuple(sorted({forms.pick(rng) for _ in range(FORM_COUNT.pick(rng))}))
    d.victims = _victims(rng, d)


def _day_drafts(
    plan: DemoPlan, calendar: _Calendar, day: date, staff: dict[str, list[int]]
) -> list[Draft]:
    """The contacts of one local day, from that day's own random stream."""
    rng = plan.rng("day", day.isoformat())
    growth = GROWTH_PER_YEAR ** (day.year - plan.last_day.year)
    site_keys = list(staff)
    site_weights = list(accumulate(len(staff[key]) for key in site_keys))
    drafts = []
    for channel, share in CHANNEL_SHARE.items():
        if not (weight := calendar.day_weight(channel, day)):
            continue
        per_year = plan.contacts_per_year * growth * share
        mu = per_year * weight / calendar.year_weight(channel, day.year)
        for _ in range(_poisson(rng, mu)):
            started = calendar.start(rng, channel, day)
            site = rng.choices(site_keys, cum_weights=site_weights)[0]
            d = Draft(
                started, started + _duration(rng, channel), channel, site, rng.choice(staff[site])
            )
            _describe(rng, d)
            drafts.append(d)
    drafts.sort(key=lambda d: d.started_at)
    return [d for d in drafts if d.ended_at <= plan.now]


def _cases_group(plan: DemoPlan, drafts: list[Draft]) -> list[CaseDraft]:
    """Link some contacts into cases: a later contact of the same site takes over the first
    contact's situation (theme, caller, victims) and heard of the line by that contact."""
    rng = plan.rng("cases")
    by_site: dict[str, list[int]] = {}
    for i, d in enumerate(drafts):
        by_site.setdefault(d.site, []).append(i)
    starts = {site: [drafts[i].started_at for i in idx] for site, idx in by_site.items()}
    cases = []
    for head in drafts:
        if head.case is not None or rng.random() >= CASE_OPEN_SHARE:
            continue
        head.case, case = len(cases), CaseDraft(head.site, head.registered_by, [head])
        cases.append(case)
        size, at, indexes = CASE_SIZE.pick(rng), head.started_at, by_site[head.site]
        while len(case.contacts) < size:
            at += timedelta(days=rng.randint(*CASE_GAP_DAYS))
            pos = bisect_left(starts[head.site], at)
            later = next(
                (drafts[j] for j in indexes[pos : pos + 20] if drafts[j].case is None), None
            )
            if later is None:
                break
            for name in SITUATION_FIELDS:
                setattr(later, name, getattr(head, name))
            later.awareness_source, later.case, later.repeat = "earlier_contact", head.case, True
            case.contacts.append(later)
            at = later.started_at
    return cases


def demo_drafts(plan: DemoPlan, staff: dict[str, list[int]]) -> tuple[list[Draft], list[CaseDraft]]:
    """All demo contacts of the plan in time order, and the cases that link some of them.
    `staff` maps each site key to the user ids of its responders."""
    drafts, day, calendar = [], plan.first_day, _Calendar(OpeningSchedule.load())
    while day <= plan.last_day:
        drafts += _day_drafts(plan, calendar, day, staff)
        day += timedelta(days=1)
    return drafts, _cases_group(plan, drafts)


def _notes(rng: random.Random, d: Draft, referral_labels: dict) -> str:
    if rng.random() < NOTES_BLANK_SHARE:
        return ""
    subject = _for_theme(NOTE_SUBJECT, d.theme)
    first = (
        f"Vervolgcontact in hetzelfde dossier, over {subject}."
        if d.repeat
        else f"Contact over {subject}."
    )
    sentences = [first, *rng.sample(NOTE_MIDDLE, k=rng.randint(1, 2))]
    if d.referral and d.referral != "none":
        sentences.append(f"Doorverwezen naar: {referral_labels[d.referral]}.")
    return " ".join(sentences)


# --- Saving ---------------------------------------------------------------------------------
def _references(kind: str, instants: list[datetime]) -> list[str]:
    """References for items in time order: one block per local year of their instant."""
    years = [timezone.localtime(instant).year for instant in instants]
    refs = []
    for year in sorted(set(years)):
        refs += reference_allocate(kind=kind, year=year, count=years.count(year))
    return refs


def demo_contacts_generate(plan: DemoPlan) -> str:
    """Generate the demo contacts with their victims, cases and follow-ups, in bulk; does
    nothing when the register already holds contacts."""
    if Contact.objects.exists():
        return f"Er zijn al {Contact.objects.count()} contacten: geen nieuwe aangemaakt."
    began = clock.monotonic()
    logins = {login.username: login for login in demo_logins()}
    sites, staff = _sites_ensure(), {key: [] for key, *_ in SITES}
    for user_id, username in StaffMember.objects.filter(user__username__in=logins).values_list(
        "user_id", "user__username"
    ):
        if logins[username].role == Role.RESPONDER:
            staff[logins[username].site_key].append(user_id)
    drafts, cases = demo_drafts(plan, staff)
    with _timestamps_as_given():
        _contacts_create(plan, drafts, _cases_create(plan, cases, sites), sites)
    return (
        f"{len(drafts)} contacten ({sum(len(c.contacts) for c in cases)} in {len(cases)} "
        f"dossiers) aangemaakt in {clock.monotonic() - began:.1f} s."
    )


NON_COUNSELLING = ("silent", "hang_up", "wrong_number", "prank", "abusive", "thanks", "information")


def _contact_type(d: Draft) -> str:
    """A contact type that fits the draft, without a random draw of its own (the other
    streams stay as they were): "other problems" without victims is mostly not a
    conversation about violence."""
    if d.theme == "other" and not d.victims:
        return NON_COUNSELLING[d.started_at.minute % len(NON_COUNSELLING)]
    if d.repeat:
        return "follow_up"
    if d.caller_role == "professional":
        return "professional_consultation"
    if d.caller_role == "victim":
        return "about_self"
    return "about_other"


def _contacts_create(plan: DemoPlan, drafts: list[Draft], case_rows: list[Case], sites) -> None:
    rng, labels = plan.rng("notes"), dict(Referral.objects.values_list("code", "label"))
    refs = _references(Kind.CONTACT, [d.started_at for d in drafts])
    contacts = [
        Contact(
            reference=ref,
            channel=d.channel,
            started_at=d.started_at,
            ended_at=d.ended_at,
            created_at=d.ended_at,
            site=sites[d.site],
            registered_by_id=d.registered_by,
            case=None if d.case is None else case_rows[d.case],
            follow_up_needed=d.follow_up_needed,
            notes=_notes(rng, d, labels),
            contact_type_id=_contact_type(d),
            **{f"{name}_id": getattr(d, name) for name in CODE_FIELDS},
        )
        for ref, d in zip(refs, drafts, strict=True)
    ]
    Contact.objects.bulk_create(contacts, batch_size=BATCH)
    _details_create(plan, drafts, contacts)
    _repeat_callers_link(drafts, contacts, case_rows)


def demo_caller_number(case_index: int) -> str:
    """The (fictional) number of the caller of every third demo case: typed at intake, it
    shows that caller's earlier contacts. The first is +32 470 00 00 00."""
    return f"+32470{case_index:06d}"


def _repeat_callers_link(drafts: list[Draft], contacts: list[Contact], case_rows) -> None:
    """Every third case has a caller known by number: a profile (keyed hash only) that links
    the case's contacts, kept by the case's site."""
    keys: dict[int, str] = {}
    linked = []
    for draft, contact in zip(drafts, contacts, strict=True):
        if draft.case is None or draft.case % 3:
            continue
        if draft.case not in keys:
            keys[draft.case] = caller_identifier_hash(demo_caller_number(draft.case))
        linked.append((contact, draft.case))
    # A profile may be there already (seeding again after removing the contacts).
    existing = {
        p.identifier_hash: p
        for p in CallerProfile.objects.filter(identifier_hash__in=set(keys.values()))
    }
    fresh = [
        CallerProfile(identifier_hash=key, site_id=case_rows[case].site_id)
        for case, key in keys.items()
        if key not in existing
    ]
    CallerProfile.objects.bulk_create(fresh, batch_size=BATCH)
    existing.update({p.identifier_hash: p for p in fresh})
    for contact, case in linked:
        contact.caller_profile_id = existing[keys[case]].pk
    Contact.objects.bulk_update([c for c, _case in linked], ["caller_profile"], batch_size=BATCH)


def _cases_create(plan: DemoPlan, cases: list[CaseDraft], sites: dict[str, Site]) -> list[Case]:
    refs = _references(Kind.CASE, [case.contacts[0].started_at for case in cases])
    rows = []
    for ref, case in zip(refs, cases, strict=True):
        closed = case.contacts[-1].ended_at + CASE_CLOSE_AFTER
        summary = f"Dossier over {_for_theme(NOTE_SUBJECT, case.contacts[0].theme)}."
        rows.append(
            Case(
                reference=ref,
                site=sites[case.site],
                opened_by_id=case.opened_by,
                opened_at=case.contacts[0].started_at,
                summary=summary,
                closed_at=closed if closed <= plan.now else None,
                close_reason=CloseReason.RESOLVED if closed <= plan.now else "",
            )
        )
    return Case.objects.bulk_create(rows, batch_size=BATCH)


def _details_create(plan: DemoPlan, drafts: list[Draft], contacts: list[Contact]) -> None:
    """Victims, forms of violence and follow-ups of the contacts just created."""
    through = Contact.forms_of_violence.through
    victims, forms, follow_ups = [], [], []
    rng, tz = plan.rng("follow-ups"), timezone.get_default_timezone()
    for d, contact in zip(drafts, contacts, strict=True):
        victims += (
            Victim(contact_id=contact.pk, age_group_id=age, gender_id=gender, relation_id=rel)
            for age, gender, rel in d.victims
        )
        forms += (through(contact_id=contact.pk, violenceform_id=code) for code in d.forms)
        if not d.follow_up_needed:
            continue
        due = timezone.localdate(d.started_at) + timedelta(days=rng.randint(1, 7))
        done_at = datetime.combine(due, time(rng.randint(9, 16)), tzinfo=tz)
        done = done_at <= plan.now and rng.random() < FOLLOW_UP_DONE_SHARE
        follow_ups.append(
            FollowUp(
                contact_id=contact.pk,
                description=rng.choice(FOLLOW_UP_TASKS),
                due_date=due,
                assignee_id=d.registered_by,
                created_by_id=d.registered_by,
                created_at=d.ended_at,
                done_at=done_at if done else None,
                done_by_id=d.registered_by if done else None,
            )
        )
    Victim.objects.bulk_create(victims, batch_size=BATCH)
    through.objects.bulk_create(forms, batch_size=BATCH)
    FollowUp.objects.bulk_create(follow_ups, batch_size=BATCH)


@contextmanager
def _timestamps_as_given():
    """Let bulk_create keep the creation times the demo sets (auto_now_add would stamp every
    row with the moment of seeding): a contact is registered when it ends, a case opened
    with its first contact, a follow-up created with its contact. Setting them on insert
    spares an UPDATE of every row. updated_at keeps its stamp: to the nightly rebuild the
    rows are new."""
    fields = [Contact._meta.get_field("created_at"), Case._meta.get_field("opened_at")]
    fields.append(FollowUp._meta.get_field("created_at"))
    for field in fields:
        field.auto_now_add = False
    try:
        yield
    finally:
        for field in fields:
            field.auto_now_add = True
