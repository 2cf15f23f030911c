"""The annual figures (DESIGN.md "Annual figures as JSON"), from which the JSON, the report
page and the exports are made.

`annual_figures` reads the aggregates for the days up to `aggregated_through()` (the last
successful rebuild's "complete through", normally yesterday) — whole months from the monthly
rollup — and counts every later day of the year live from the raw rows: today, and any day a
failed or missing nightly run left behind. A report therefore never misses today's contacts;
a correction of an earlier day shows after the next nightly run.

`annual_figures_direct` computes the same dict naively from the raw rows with the ORM: the
oracle of the tests and the "naive" side of the benchmark.

Every code of every taxonomy table (active or not) is present, with 0 where nothing was
counted, plus "" for not recorded; every month "1".."12"; every channel. Attempts have no
site: with a site filter, `outside_opening_hours.attempts` and `likely_misdials` stay
line-wide (`attempts_scope` says so).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Sum
from django.db.models.functions import ExtractMonth
from django.utils import timezone

from contacts.forms.terms import TERM_MODELS, Terms
from contacts.models import (
    AwarenessSource,
    CallAttempt,
    CallerAgeGroup,
    CallerRole,
    Contact,
    ContactType,
    Gender,
    Referral,
    Region,
    Theme,
    Victim,
    VictimAgeGroup,
    ViolenceContext,
    ViolenceForm,
)
from meldpunt.channels import Channel
from reports.models import DailyAttemptCount, DailyCount, Dimension, MonthlyCount
from staffing.models import Site
from staffing.services.opening_hours import OpeningSchedule
from staffing.services.time import BRUSSELS, day_start, local_date

from .aggregates import aggregated_through
from .counting import SCALAR_DIMENSIONS, age_gender_value, range_count

MONTHS = [str(month) for month in range(1, 13)]

# The JSON's breakdowns by one taxonomy: key -> (dimension, taxonomy model).
_SIMPLE_BREAKDOWNS = {
    "by_theme": (Dimension.THEME, Theme),
    "caller_role": (Dimension.CALLER_ROLE, CallerRole),
    "region": (Dimension.REGION, Region),
    "awareness_source": (Dimension.AWARENESS_SOURCE, AwarenessSource),
    "context": (Dimension.CONTEXT, ViolenceContext),
    "referral": (Dimension.REFERRAL, Referral),
    "caller_gender": (Dimension.CALLER_GENDER, Gender),
    "caller_age_group": (Dimension.CALLER_AGE_GROUP, CallerAgeGroup),
    "forms_of_violence": (Dimension.FORMS_OF_VIOLENCE, ViolenceForm),
    "by_contact_type": (Dimension.CONTACT_TYPE, ContactType),
}

# by_counselling's keys: the contact type's is_counselling, "" for a contact without a type.
COUNSELLING, NON_COUNSELLING = "counselling", "non_counselling"


_CODE_LISTS: ContextVar[Terms | None] = ContextVar("report_code_lists", default=None)


@contextmanager
def code_lists_read_once():
    """Within: every code list the figures and their tables take comes from one query
    (contacts.forms.terms.Terms) instead of a query per breakdown and per table (some 50
    on the report page, which shows two years)."""
    token = _CODE_LISTS.set(Terms.load())
    try:
        yield
    finally:
        _CODE_LISTS.reset(token)


def code_list(model) -> list:
    """The terms of a code list in its own order (sort order, then code)."""
    terms = _CODE_LISTS.get()
    if terms is not None and model in TERM_MODELS:
        return terms.all(model)
    return list(model.objects.order_by("sort_order", "code"))


def _codes(model) -> list[str]:
    return [*(term.code for term in code_list(model)), ""]


class _Tally:
    """Contacts and victims per (month, channel, dimension, value), and attempts."""

    def __init__(self):
        self.cells: dict[tuple[int, str, str, str], list[int]] = defaultdict(lambda: [0, 0])
        self.attempts_outside = 0
        self.misdials = 0

    def add(self, month: int, channel: str, dimension: str, value: str, contacts, victims):
        cell = self.cells[(month, channel, dimension, value)]
        cell[0] += contacts
        cell[1] += victims


def _year_bounds(year: int) -> tuple[datetime, datetime]:
    return day_start(date(year, 1, 1)), day_start(date(year + 1, 1, 1))


def _site_filter(site: Site | None, prefix: str = "") -> dict:
    return {f"{prefix}site": site} if site is not None else {}


def annual_figures(year: int, site: Site | None = None, *, now: datetime | None = None) -> dict:
    """The annual figures of `year` (local), of one site or the whole line."""
    now = now or timezone.now()
    first, after = date(year, 1, 1), date(year + 1, 1, 1)
    through = aggregated_through()
    # Aggregated: first .. last_aggregated (inclusive); live: the rest of the year until now.
    last_aggregated = min(through, after - timedelta(days=1)) if through else first - timedelta(1)
    tally = _Tally()
    if last_aggregated >= first:
        _tally_aggregates(tally, first, last_aggregated, site)
    live_start = day_start(max(first, last_aggregated + timedelta(days=1)))
    live_end = min(day_start(after), day_start(local_date(now) + timedelta(days=1)))
    if live_start < live_end:
        _tally_live(tally, live_start, live_end, site)
    figures = _figures(year, tally, site)
    figures["callers"] = callers_count(year, site, total_contacts=figures["total_contacts"])
    return figures


def _callers(per_profile: list[int], total_contacts: int) -> dict:
    """The callers figures from the number of contacts of each profile in the year."""
    repeat = [n for n in per_profile if n >= 2]
    repeat_contacts = sum(repeat)
    return {
        "distinct": len(per_profile),
        "repeat": len(repeat),
        "repeat_contacts": repeat_contacts,
        "contacts_with_profile": sum(per_profile),
        "repeat_share": repeat_share(repeat_contacts, total_contacts),
    }


def repeat_share(repeat_contacts: int, total_contacts: int) -> float | None:
    """Percentage of all the year's contacts, one decimal; None without contacts."""
    return round(100 * repeat_contacts / total_contacts, 1) if total_contacts else None


def callers_count(year: int, site: Site | None, *, total_contacts: int) -> dict:
    """Distinct and repeat callers of the year: caller profiles with at least one (two)
    contacts starting in the year (at the site), counted from the raw rows at report time —
    not additive over days, so not in the aggregates.

    One grouped query: the contacts of the year with a profile, grouped by profile, and
    the groups counted by the database; only four numbers come back. PostgreSQL reads the
    rows with a profile through the foreign-key index on caller_profile_id (a bitmap scan;
    the year and site are filters) and groups them in a hash aggregate: 0.3 s for a year of
    a million contacts, 400k of them with a profile (README "Figures")."""
    start, end = _year_bounds(year)
    per_profile = (
        Contact.objects.filter(
            started_at__gte=start,
            started_at__lt=end,
            caller_profile__isnull=False,
            **_site_filter(site),
        )
        .order_by()
        .values("caller_profile_id")
        .annotate(n=Count("id"))
    )
    quote = connection.ops.quote_name
    sql, params = per_profile.query.sql_with_params()
    n = quote("n")
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A year's profiles fit in memory: the hash aggregate does not spill to disk
            # (a third faster at 180k profiles). Until the end of this transaction.
            cursor.execute("SET LOCAL work_mem = '64MB'")
        # The inner query is the ORM's (values are parameters); only aggregates around it.
        cursor.execute(
            f"SELECT COUNT(*), COUNT(*) FILTER (WHERE {n} >= 2), "  # noqa: S608  # nosec B608
            f"COALESCE(SUM({n}) FILTER (WHERE {n} >= 2), 0), COALESCE(SUM({n}), 0) "
            f"FROM ({sql}) per_profile",
            params,
        )
        distinct, repeat, repeat_contacts, with_profile = cursor.fetchone()
    return {
        "distinct": distinct,
        "repeat": repeat,
        "repeat_contacts": int(repeat_contacts),
        "contacts_with_profile": int(with_profile),
        "repeat_share": repeat_share(int(repeat_contacts), total_contacts),
    }


def _tally_aggregates(tally: _Tally, first: date, last: date, site: Site | None) -> None:
    """Whole months from the monthly rollup, the days of a partial month from the daily rows."""
    whole_until = last + timedelta(days=1)
    if whole_until.day != 1:
        whole_until = whole_until.replace(day=1)  # the partial last month comes from the days
    fields = ("channel", "dimension", "value")
    months = (
        MonthlyCount.objects.filter(month__gte=first, month__lt=whole_until, **_site_filter(site))
        .order_by()
        .values("month", *fields)
        .annotate(n=Sum("contacts"), v=Sum("victims"))
        .values_list("month", *fields, "n", "v")
    )
    days = (
        DailyCount.objects.filter(day__gte=whole_until, day__lte=last, **_site_filter(site))
        .annotate(month=ExtractMonth("day"))
        .order_by()
        .values("month", *fields)
        .annotate(n=Sum("contacts"), v=Sum("victims"))
        .values_list("month", *fields, "n", "v")
    )
    for month, channel, dimension, value, contacts, victims in months:
        tally.add(month.month, channel, dimension, value, contacts, victims)
    for month, channel, dimension, value, contacts, victims in days:
        tally.add(month, channel, dimension, value, contacts, victims)
    attempts = DailyAttemptCount.objects.filter(day__gte=first, day__lte=last, outside_hours=True)
    tally.attempts_outside += attempts.aggregate(n=Sum("attempts"))["n"] or 0
    tally.misdials += attempts.filter(likely_misdial=True).aggregate(n=Sum("attempts"))["n"] or 0


def _tally_live(tally: _Tally, start: datetime, end: datetime, site: Site | None) -> None:
    """Count [start, end) from the raw rows, a local month at a time (bounded memory)."""
    schedule = OpeningSchedule.load()
    site_id = site.pk if site is not None else None
    while start < end:
        month = local_date(start).replace(day=1)
        piece_end = min(
            end, day_start(date(month.year + month.month // 12, month.month % 12 + 1, 1))
        )
        counts = range_count(start, piece_end, schedule, site_id=site_id)
        for (day, _site, channel, dimension, value), cell in counts.contacts.items():
            tally.add(day.month, channel, dimension, value, cell[0], cell[1])
        for (_day, _channel, _hour, _answered, outside, misdial), cell in counts.attempts.items():
            tally.attempts_outside += cell[0] if outside else 0
            tally.misdials += cell[0] if misdial else 0
        start = piece_end


def _figures(year: int, tally: _Tally, site: Site | None) -> dict:
    channels = list(Channel.values)

    per: dict[str, dict] = defaultdict(lambda: defaultdict(int))
    victims_per: dict[str, int] = defaultdict(int)
    total_victims = 0
    by_month: dict[str, int] = dict.fromkeys(MONTHS, 0)
    by_channel: dict[str, int] = dict.fromkeys(channels, 0)
    by_month_channel = {m: dict.fromkeys(channels, 0) for m in MONTHS}
    theme_codes = _codes(Theme)
    by_month_theme = {m: dict.fromkeys(theme_codes, 0) for m in MONTHS}
    minor_codes = set(CallerAgeGroup.objects.filter(is_minor=True).values_list("code", flat=True))
    minors = dict.fromkeys(channels, 0)
    for (month, channel, dimension, value), (n, v) in tally.cells.items():
        m = str(month)
        per[dimension][value] += n
        if dimension == Dimension.TOTAL:
            total_victims += v
            by_month[m] += n
            by_channel[channel] = by_channel.get(channel, 0) + n
            by_month_channel[m][channel] = by_month_channel[m].get(channel, 0) + n
        elif dimension == Dimension.THEME:
            by_month_theme[m][value] = by_month_theme[m].get(value, 0) + n
        elif dimension == Dimension.CALLER_AGE_GROUP and value in minor_codes:
            minors[channel] = minors.get(channel, 0) + n
        elif dimension == Dimension.VICTIM_AGE_GROUP:
            victims_per[value] += v

    def breakdown(dimension: str, model) -> dict[str, int]:
        result = dict.fromkeys(_codes(model), 0)
        for value, n in per[dimension].items():
            result[value] = result.get(value, 0) + n
        return result

    age_codes, gender_codes = _codes(CallerAgeGroup), _codes(Gender)
    caller_age_gender = {age: dict.fromkeys(gender_codes, 0) for age in age_codes}
    for value, n in per[Dimension.AGE_GENDER].items():
        age, _bar, gender = value.partition("|")
        caller_age_gender.setdefault(age, dict.fromkeys(gender_codes, 0))
        caller_age_gender[age][gender] = caller_age_gender[age].get(gender, 0) + n
    victims_by_age_group = dict.fromkeys(_codes(VictimAgeGroup), 0)
    for value, v in victims_per.items():
        victims_by_age_group[value] = victims_by_age_group.get(value, 0) + v

    figures = {
        "year": year,
        "site": site.code if site is not None else None,
        "total_contacts": sum(by_month.values()),
        "total_victims": total_victims,
        "by_month": by_month,
        "by_channel": by_channel,
        "by_month_channel": by_month_channel,
        "by_month_theme": by_month_theme,
        "caller_age_gender": caller_age_gender,
        "minors_by_channel": minors,
        "victims_by_age_group": victims_by_age_group,
        "outside_opening_hours": {
            "contacts": per[Dimension.OUTSIDE_HOURS]["1"],
            "attempts": tally.attempts_outside,
            "likely_misdials": tally.misdials,
            "attempts_scope": "line",
        },
    }
    for key, (dimension, model) in _SIMPLE_BREAKDOWNS.items():
        figures[key] = breakdown(dimension, model)
    figures["by_counselling"] = by_counselling(figures["by_contact_type"])
    return figures


def counselling_kind():
    """A function giving each contact type code its by_counselling key ("" for none)."""
    counselling = {term.code: term.is_counselling for term in code_list(ContactType)}

    def kind(code: str) -> str:
        if not code:
            return ""
        return COUNSELLING if counselling.get(code) else NON_COUNSELLING

    return kind


def by_counselling(by_contact_type: dict) -> dict:
    """by_counselling from by_contact_type: each type counted under its kind."""
    kind = counselling_kind()
    result = {COUNSELLING: 0, NON_COUNSELLING: 0, "": 0}
    for code, n in by_contact_type.items():
        result[kind(code)] += n
    return result


# --- the oracle -------------------------------------------------------------------------


def annual_figures_direct(year: int, site: Site | None = None) -> dict:
    """The same figures computed naively from the raw rows (no aggregates), for checking
    `annual_figures` and as the benchmark's baseline. Slow on big years."""
    start, end = _year_bounds(year)
    contacts = Contact.objects.filter(
        started_at__gte=start, started_at__lt=end, **_site_filter(site)
    )
    month = ExtractMonth("started_at", tzinfo=BRUSSELS)
    tally = _Tally()

    def add_grouped(dimension: str, queryset, value_of) -> None:
        for row in queryset:
            tally.add(row["m"], row["channel"], dimension, value_of(row), row["n"], 0)

    with_month = contacts.annotate(m=month).order_by()
    add_grouped(
        Dimension.TOTAL,
        with_month.values("m", "channel").annotate(n=Count("id")),
        lambda row: "",
    )
    for dimension, column in SCALAR_DIMENSIONS:
        add_grouped(
            dimension,
            with_month.values("m", "channel", column).annotate(n=Count("id")),
            lambda row, column=column: row[column] or "",
        )
    add_grouped(
        Dimension.AGE_GENDER,
        with_month.values("m", "channel", "caller_age_group_id", "caller_gender_id").annotate(
            n=Count("id")
        ),
        lambda row: age_gender_value(row["caller_age_group_id"], row["caller_gender_id"]),
    )
    through = Contact.forms_of_violence.through
    for row in (
        through.objects.filter(contact__in=contacts)
        .values("violenceform_id")
        .annotate(n=Count("id"))
    ):
        tally.add(1, "", Dimension.FORMS_OF_VIOLENCE, row["violenceform_id"], row["n"], 0)
    without = contacts.filter(forms_of_violence__isnull=True).count()
    tally.add(1, "", Dimension.FORMS_OF_VIOLENCE, "", without, 0)

    victims = Victim.objects.filter(contact__in=contacts)
    for row in victims.values("age_group_id").annotate(n=Count("id")):
        tally.add(1, "", Dimension.VICTIM_AGE_GROUP, row["age_group_id"] or "", 0, row["n"])

    schedule = OpeningSchedule.load()
    outside = sum(
        schedule.is_outside_opening_hours(channel, started_at)
        for channel, started_at in contacts.values_list("channel", "started_at")
    )
    tally.add(1, "", Dimension.OUTSIDE_HOURS, "1", outside, 0)
    for channel, started_at, answered, wait in CallAttempt.objects.filter(
        started_at__gte=start, started_at__lt=end
    ).values_list("channel", "started_at", "answered", "wait_seconds"):
        if schedule.is_outside_opening_hours(channel, started_at):
            tally.attempts_outside += 1
            tally.misdials += not answered and wait < settings.MISDIAL_SECONDS

    figures = _figures(year, tally, site)
    figures["total_victims"] = victims.count()
    # Callers naively: every contact's profile, counted in Python.
    per_profile = Counter(
        contacts.filter(caller_profile__isnull=False).values_list("caller_profile_id", flat=True)
    )
    figures["callers"] = _callers(list(per_profile.values()), figures["total_contacts"])
    return figures
