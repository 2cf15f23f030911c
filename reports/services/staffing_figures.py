"""Staffing figures of a year for the annual report: hours scheduled, coverage of the
opening hours, case consultations and their attendance.

Definitions (local year, Europe/Brussels):
- scheduled hours: the hours of every assignment (one person on one shift), clipped to the
  year, per site and channel;
- coverage: the share of the channel's open hours (`OpeningSchedule`, holidays and closures
  closed) in which the headcount assigned to the overlapping shifts is at least the headcount
  they require, both summed over the shifts (and over the sites, for the whole line), as on
  the coverage page; a moment with no shift at all is not covered. Computed exactly by a
  sweep over the shifts' start and end instants, not per hour block;
- consultations: held in the year (by their start, up to now: a planned meeting ahead has
  not been held) per site; attendance as recorded,
  "present %" over the recorded answers (present, excused, absent). Invitations nobody
  recorded an answer for are counted apart.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime

from django.db.models import Count
from django.utils import timezone

from meldpunt.channels import Channel
from staffing.models import Assignment, CaseConsultation, ConsultationAttendance, Shift, Site
from staffing.services.opening_hours import OpeningSchedule
from staffing.services.time import day_start

STAFFED_CHANNELS = (Channel.PHONE, Channel.CHAT)
Attendance = ConsultationAttendance.Attendance


def _year_bounds(year: int) -> tuple[datetime, datetime]:
    return day_start(date(year, 1, 1)), day_start(date(year + 1, 1, 1))


def _seconds(start: datetime, end: datetime) -> float:
    return (end - start).total_seconds()


def covered_seconds(open_intervals, shifts) -> float:
    """Seconds of the open intervals in which assigned ≥ required > 0.

    `shifts`: (start, end, required, assigned) tuples. A sweep: between consecutive shift
    boundaries the sums are constant, so each stretch is either wholly covered or not.
    """
    events: dict[datetime, list[int]] = defaultdict(lambda: [0, 0])
    for start, end, required, assigned in shifts:
        events[start][0] += required
        events[start][1] += assigned
        events[end][0] -= required
        events[end][1] -= assigned
    covered_stretches = []
    required = assigned = 0
    moments = sorted(events)
    for moment, following in zip(moments, moments[1:], strict=False):
        required += events[moment][0]
        assigned += events[moment][1]
        if required > 0 and assigned >= required:
            covered_stretches.append((moment, following))
    # Both lists are sorted and disjoint: walk them together (a year has thousands of each).
    total = 0.0
    i = j = 0
    opens = sorted(open_intervals)
    while i < len(opens) and j < len(covered_stretches):
        (open_start, open_end), (start, end) = opens[i], covered_stretches[j]
        overlap_start, overlap_end = max(start, open_start), min(end, open_end)
        if overlap_end > overlap_start:
            total += _seconds(overlap_start, overlap_end)
        if open_end <= end:
            i += 1
        else:
            j += 1
    return total


def staffing_figures(
    year: int, site: Site | None = None, *, schedule: OpeningSchedule | None = None
) -> dict:
    """Hours scheduled per site and channel, coverage % per channel, consultations per site
    and their attendance, for one local year; `site` restricts everything to that site."""
    schedule = schedule or OpeningSchedule.load()
    start, end = _year_bounds(year)
    sites = Site.objects.all() if site is None else Site.objects.filter(pk=site.pk)
    site_names = {s.pk: s.name for s in sites}

    # Hours: assignments carry the shift's times, so no join is needed for the clipping.
    assignments = Assignment.objects.overlapping(start, end).filter(shift__site__in=sites)
    hours: dict[int, dict[str, float]] = {
        pk: dict.fromkeys(Channel.values, 0.0) for pk in site_names
    }
    for site_id, channel, a_start, a_end in assignments.values_list(
        "shift__site_id", "shift__channel", "starts_at", "ends_at"
    ):
        hours[site_id][channel] += _seconds(max(a_start, start), min(a_end, end)) / 3600
    hour_rows = [
        {
            "site": name,
            "by_channel": hours[pk],
            "total": sum(hours[pk].values()),
        }
        for pk, name in site_names.items()
    ]
    hours_by_channel = {c: sum(row["by_channel"][c] for row in hour_rows) for c in Channel.values}

    # Coverage per channel.
    shifts = (
        Shift.objects.overlapping(start, end)
        .filter(site__in=sites)
        .annotate(assigned=Count("assignments"))
        .values_list("channel", "starts_at", "ends_at", "required_headcount", "assigned")
    )
    per_channel = defaultdict(list)
    for channel, s_start, s_end, required, assigned in shifts:
        per_channel[channel].append((s_start, s_end, required, assigned))
    coverage = {}
    for channel in STAFFED_CHANNELS:
        intervals = schedule.open_intervals(channel, start, end)
        open_hours = sum(_seconds(a, b) for a, b in intervals) / 3600
        covered = covered_seconds(intervals, per_channel[channel]) / 3600
        coverage[channel] = {
            "open_hours": open_hours,
            "covered_hours": covered,
            "uncovered_hours": open_hours - covered,
            "percent": 100 * covered / open_hours if open_hours else None,
        }

    # Consultations and attendance.
    consultations = CaseConsultation.objects.filter(
        starts_at__gte=start, starts_at__lt=min(end, timezone.now()), site__in=sites
    )
    held = dict.fromkeys(site_names, 0)
    for site_id, n in consultations.order_by().values_list("site_id").annotate(n=Count("id")):
        held[site_id] = n
    attendance = {pk: dict.fromkeys(Attendance.values, 0) for pk in site_names}
    for site_id, value, n in (
        ConsultationAttendance.objects.filter(consultation__in=consultations)
        .order_by()
        .values_list("consultation__site_id", "attendance")
        .annotate(n=Count("id"))
    ):
        attendance[site_id][value] += n

    def _attendance_row(name, counts, held_count):
        answered = (
            counts[Attendance.PRESENT] + counts[Attendance.EXCUSED] + counts[Attendance.ABSENT]
        )
        return {
            "site": name,
            "held": held_count,
            "present": counts[Attendance.PRESENT],
            "excused": counts[Attendance.EXCUSED],
            "absent": counts[Attendance.ABSENT],
            "not_recorded": counts[Attendance.INVITED],
            "present_percent": (100 * counts[Attendance.PRESENT] / answered if answered else None),
        }

    consultation_rows = [
        _attendance_row(name, attendance[pk], held[pk]) for pk, name in site_names.items()
    ]
    all_counts = {
        value: sum(attendance[pk][value] for pk in site_names) for value in Attendance.values
    }
    return {
        "year": year,
        "site": site,
        "hours": hour_rows,
        "hours_by_channel": hours_by_channel,
        "hours_total": sum(hours_by_channel.values()),
        "coverage": coverage,
        "consultations": consultation_rows,
        "consultations_total": _attendance_row("", all_counts, sum(held.values())),
    }
