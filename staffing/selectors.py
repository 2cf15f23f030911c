"""Reads for the roster pages: a site's week loaded in a few queries."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from meldpunt.channels import Channel
from staffing.models import (
    Absence,
    Assignment,
    CaseConsultation,
    ConsultationAttendance,
    ReleasedAssignment,
    RosterPublication,
    Shift,
    Site,
    StaffMember,
)

from .services.opening_hours import OpeningSchedule
from .services.time import day_start, local, local_date, month_bounds, union_seconds

ROSTERED_CHANNELS = (Channel.PHONE, Channel.CHAT, Channel.EMAIL)


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


@dataclass
class RosterCell:
    member: StaffMember
    day: date
    assignments: list = field(default_factory=list)
    released: list = field(default_factory=list)
    consultations: list = field(default_factory=list)
    absences: list = field(default_factory=list)
    options: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    is_past: bool = False

    @property
    def dom_id(self) -> str:
        return f"cell-{self.member.pk}-{self.day:%Y%m%d}"


@dataclass
class ShiftSummary:
    shift: Shift
    assigned: int

    @property
    def is_short(self) -> bool:
        return self.assigned < self.shift.required_headcount

    @property
    def is_over(self) -> bool:
        return self.assigned > self.shift.required_headcount


@dataclass
class PlannedHours:
    """A person's planned hours against their contract, for a week and for the month of that
    week's Thursday: shifts plus the case consultations they attend, time where these
    overlap counted once (as assignment_create counts the weekly limit)."""

    week: float
    week_contract: float
    month: float
    month_contract: float
    # The most a week may hold: contract + WEEKLY_HOURS_MARGIN (assignment_create's rule).
    week_limit: float

    @property
    def week_over(self) -> bool:
        """Above the limit: a rule is broken (red)."""
        return self.week > self.week_limit

    @property
    def week_above_contract(self) -> bool:
        """Above the contract but within the margin: allowed, worth a look."""
        return self.week_contract < self.week <= self.week_limit


class RosterWeek:
    """The shifts, assignments, consultations and absences of one site in one local week."""

    def __init__(self, site: Site, any_day: date):
        self.site = site
        self.monday = monday_of(any_day)
        self.days = [self.monday + timedelta(days=i) for i in range(7)]
        self.start, self.end = day_start(self.monday), day_start(self.monday + timedelta(days=7))
        self.members = list(
            StaffMember.objects.filter(site=site, user__is_active=True)
            .filter(Q(active_from__isnull=True) | Q(active_from__lte=self.days[-1]))
            .filter(Q(active_to__isnull=True) | Q(active_to__gte=self.monday))
            .select_related("user")
        )
        self.shifts = list(
            Shift.objects.filter(site=site, starts_at__gte=self.start, starts_at__lt=self.end)
        )
        self.assignments = list(
            Assignment.objects.filter(shift__in=[s.pk for s in self.shifts]).select_related(
                "shift", "staff_member__user"
            )
        )
        self.attendances = list(
            ConsultationAttendance.objects.filter(
                consultation__site=site,
                consultation__starts_at__gte=self.start,
                consultation__starts_at__lt=self.end,
            ).select_related("consultation")
        )
        self.consultations = list(
            CaseConsultation.objects.filter(
                site=site, starts_at__gte=self.start, starts_at__lt=self.end
            )
        )
        self.absences = list(
            Absence.objects.approved()
            .overlapping(self.start, self.end)
            .filter(staff_member__in=[m.pk for m in self.members])
        )
        self.released = list(
            ReleasedAssignment.objects.filter(shift__in=[s.pk for s in self.shifts]).select_related(
                "shift", "absence"
            )
        )
        self._by_member_day = defaultdict(list)
        for a in self.assignments:
            self._by_member_day[(a.staff_member_id, local_date(a.starts_at))].append(a)
        self._released_by_member_day = defaultdict(list)
        for r in self.released:
            self._released_by_member_day[(r.staff_member_id, local_date(r.starts_at))].append(r)
        self.today = local_date(timezone.now())
        # The month the week mostly lies in (its Thursday, as ISO weeks do).
        thursday = self.monday + timedelta(days=3)
        self.month = thursday.replace(day=1)
        self.published_months = set(
            RosterPublication.objects.filter(
                site=site, month__in={d.replace(day=1) for d in self.days}
            ).values_list("month", flat=True)
        )
        self._count = defaultdict(int)
        for a in self.assignments:
            self._count[a.shift_id] += 1
        self.drafts_hidden = False

    def shifts_on(self, day: date) -> list[ShiftSummary]:
        return [
            ShiftSummary(s, self._count[s.pk])
            for s in sorted(self.shifts, key=lambda s: (s.starts_at, s.channel))
            if local_date(s.starts_at) == day
        ]

    def cell(self, member: StaffMember, day: date) -> RosterCell:
        assignments = sorted(self._by_member_day[(member.pk, day)], key=lambda a: a.starts_at)
        taken = {a.shift_id for a in assignments}
        day_start_utc, day_end_utc = day_start(day), day_start(day + timedelta(days=1))
        return RosterCell(
            member=member,
            day=day,
            is_past=day < self.today,
            assignments=assignments,
            released=self._released_by_member_day[(member.pk, day)],
            consultations=[
                a.consultation
                for a in self.attendances
                if a.staff_member_id == member.pk
                and a.attendance in ConsultationAttendance.COUNTING
                and local_date(a.consultation.starts_at) == day
            ],
            absences=[
                a
                for a in self.absences
                if a.staff_member_id == member.pk
                and a.starts_at < day_end_utc
                and a.ends_at > day_start_utc
            ],
            options=[
                summary
                for summary in self.shifts_on(day)
                if summary.shift.pk not in taken and member.may_serve(summary.shift.channel)
            ],
        )

    def is_published(self, day: date) -> bool:
        return day.replace(day=1) in self.published_months

    def hide_drafts(self) -> None:
        """For readers who do not plan: who works when stays hidden until published."""
        self.drafts_hidden = True
        self.assignments = [
            a for a in self.assignments if self.is_published(local_date(a.starts_at))
        ]
        self.released = [r for r in self.released if self.is_published(local_date(r.starts_at))]
        self._by_member_day.clear()
        for a in self.assignments:
            self._by_member_day[(a.staff_member_id, local_date(a.starts_at))].append(a)
        self._released_by_member_day.clear()
        for r in self.released:
            self._released_by_member_day[(r.staff_member_id, local_date(r.starts_at))].append(r)
        self._count.clear()
        for a in self.assignments:
            self._count[a.shift_id] += 1

    def planned_hours(self) -> dict[int, PlannedHours]:
        """Planned hours per member id for this week and the month of its Thursday."""
        start, end = month_bounds(self.month.year, self.month.month)
        member_ids = [m.pk for m in self.members]
        month_periods = defaultdict(list)
        # Who works when stays hidden from readers who do not plan until the month is
        # published (hide_drafts): then neither do the month's hours.
        if not self.drafts_hidden or self.month in self.published_months:
            for member_id, a_start, a_end in Assignment.objects.filter(
                staff_member__in=member_ids, starts_at__gte=start, starts_at__lt=end
            ).values_list("staff_member_id", "starts_at", "ends_at"):
                month_periods[member_id].append((a_start, a_end))
        for member_id, c_start, c_end in ConsultationAttendance.objects.filter(
            staff_member__in=member_ids,
            attendance__in=ConsultationAttendance.COUNTING,
            consultation__starts_at__gte=start,
            consultation__starts_at__lt=end,
        ).values_list("staff_member_id", "consultation__starts_at", "consultation__ends_at"):
            month_periods[member_id].append((c_start, c_end))
        week_periods = defaultdict(list)
        for a in self.assignments:
            week_periods[a.staff_member_id].append((a.starts_at, a.ends_at))
        for a in self.attendances:
            if a.attendance in ConsultationAttendance.COUNTING:
                week_periods[a.staff_member_id].append(
                    (a.consultation.starts_at, a.consultation.ends_at)
                )
        # The contract per month: weekly hours × the month's days / 7.
        month_days = (local_date(end) - local_date(start)).days
        margin = float(settings.WEEKLY_HOURS_MARGIN)
        return {
            m.pk: PlannedHours(
                week=union_seconds(week_periods[m.pk]) / 3600,
                week_contract=float(m.contract_hours),
                month=union_seconds(month_periods[m.pk]) / 3600,
                month_contract=float(m.contract_hours) * month_days / 7,
                week_limit=float(m.contract_hours) + margin,
            )
            for m in self.members
        }

    def rows(self):
        hours = self.planned_hours()
        return [(m, hours[m.pk], [self.cell(m, d) for d in self.days]) for m in self.members]


@dataclass
class CoverageBlock:
    start: object
    end: object
    required: int
    assigned: int

    @property
    def is_gap(self) -> bool:
        return self.required == 0 or self.assigned < self.required

    @property
    def state(self) -> str:
        """none: open, but no shift planned (grey); short (red); over-staffed (amber); ok."""
        if self.required == 0:
            return "none"
        if self.assigned < self.required:
            return "short"
        if self.assigned > self.required:
            return "over"
        return "ok"

    @property
    def label(self) -> str:
        return f"{local(self.start):%H:%M}–{local(self.end):%H:%M}"


def coverage_week(site: Site, any_day: date, schedule: OpeningSchedule | None = None):
    """Per channel and local day, each opening hour with required and assigned headcount.

    Returns, for the channels open that week, (channel, rows): one row per local hour label
    with a CoverageBlock, or None when closed, for each of the seven days."""
    return coverage_weeks([site], any_day, schedule)[site.pk]


def coverage_weeks(sites, any_day: date, schedule: OpeningSchedule | None = None) -> dict:
    """coverage_week of several sites, {site pk: channels}, in two queries for all of them."""
    schedule = schedule or OpeningSchedule.load()
    monday = monday_of(any_day)
    days = [monday + timedelta(days=i) for i in range(7)]
    start, end = day_start(monday), day_start(monday + timedelta(days=7))
    site_ids = [site.pk for site in sites]
    shifts = list(Shift.objects.filter(site__in=site_ids, starts_at__lt=end, ends_at__gt=start))
    counts = defaultdict(int)
    for shift_id in Assignment.objects.filter(shift__in=[s.pk for s in shifts]).values_list(
        "shift_id", flat=True
    ):
        counts[shift_id] += 1
    per_site = defaultdict(list)
    for shift in shifts:
        per_site[shift.site_id].append(shift)
    return {
        site_id: _coverage_channels(per_site[site_id], counts, days, schedule)
        for site_id in site_ids
    }


def _coverage_channels(shifts, counts, days, schedule):
    result = []
    for channel in (Channel.PHONE, Channel.CHAT):
        per_day, labels = {}, set()
        for day in days:
            blocks = {}
            for open_start, open_end in schedule.intervals_on(channel, day):
                block_start = open_start
                while block_start < open_end:
                    block_end = min(block_start + timedelta(hours=1), open_end)
                    covering = [
                        s
                        for s in shifts
                        if s.channel == channel
                        and s.starts_at < block_end
                        and s.ends_at > block_start
                    ]
                    block = CoverageBlock(
                        block_start,
                        block_end,
                        required=sum(s.required_headcount for s in covering),
                        assigned=sum(counts[s.pk] for s in covering),
                    )
                    blocks[block.label] = block
                    labels.add(block.label)
                    block_start = block_end
            per_day[day] = blocks
        if labels:
            rows = [(label, [per_day[d].get(label) for d in days]) for label in sorted(labels)]
            result.append((Channel(channel), rows))
    return result
