from dataclasses import replace
from datetime import timedelta

from django.db.models import Case as When_
from django.db.models import Count, IntegerField, Q, Value, When
from django.shortcuts import render
from django.utils import timezone

from meldpunt.channels import Channel
from meldpunt.permissions import PLANNERS, Action, permission_required
from meldpunt.roles import roles_of
from staffing.models import Site
from staffing.selectors import coverage_weeks
from staffing.services.opening_hours import OpeningSchedule
from staffing.services.time import day_start

from ..models import CallAttempt, Contact, ContactFlag, FollowUp


def follow_ups_overdue_first(queryset, today):
    """Open follow-ups, overdue first, then by due date (none last), then oldest."""
    return queryset.annotate(
        is_overdue=When_(
            When(due_date__lt=today, then=Value(1)), default=Value(0), output_field=IntegerField()
        )
    ).order_by("-is_overdue", "due_date", "id")


def coordinator_today(user, today):
    """Today at a glance for a (site) coordinator; every number links to its page."""
    start, end = day_start(today), day_start(today + timedelta(days=1))
    contacts = Contact.objects.viewable_by(user).filter(started_at__gte=start, started_at__lt=end)
    per_channel = dict(contacts.values_list("channel").annotate(n=Count("pk")))
    attempts = list(
        CallAttempt.objects.filter(started_at__gte=start, started_at__lt=end).values_list(
            "channel", "started_at", "answered"
        )
    )
    schedule = OpeningSchedule.load()
    unanswered = sum(1 for _channel, _at, answered in attempts if not answered)
    outside = sum(
        1 for channel, at, _answered in attempts if schedule.is_outside_opening_hours(channel, at)
    )
    # The sites whose roster the user sees (their own, or every site for a line-wide
    # coordinator), through staffing's own coverage code: two queries for all of them.
    sites = list(Site.objects.viewable_by(user))
    index = today.weekday()
    coverage = coverage_weeks(sites, today, schedule)
    gaps = []
    for each in sites:
        for channel, rows in coverage[each.pk]:
            for _label, cells in rows:
                block = cells[index]
                if block is None or not block.is_gap:
                    continue
                # Consecutive hours with the same shortage make one line (09:00–17:00: 0/1).
                if gaps and gaps[-1][:2] == (each, channel):
                    last = gaps[-1][2]
                    if (last.end, last.assigned, last.required) == (
                        block.start,
                        block.assigned,
                        block.required,
                    ):
                        gaps[-1] = (each, channel, replace(last, end=block.end))
                        continue
                gaps.append((each, channel, block))
    team_follow_ups = FollowUp.objects.viewable_by(user).open()
    flags = ContactFlag.objects.filter(
        contact__in=Contact.objects.viewable_by(user), checked_at__isnull=True
    )
    return {
        "date": today,
        "per_channel": [(Channel(c), per_channel.get(c, 0)) for c in Channel.values],
        "contacts_total": sum(per_channel.values()),
        "attempts_unanswered": unanswered,
        "attempts_outside": outside,
        "gaps": gaps,
        "overdue_count": team_follow_ups.filter(due_date__lt=today).count(),
        "flags_to_check": flags.count(),
        "year": today.year,
    }


@permission_required(Action.HOME)
def home(request):
    """The start page: register a contact in one click, and what is waiting for me;
    for coordinators also today at a glance."""
    today = timezone.localdate()
    mine = FollowUp.objects.viewable_by(request.user).open().filter(assignee=request.user)
    counts = mine.aggregate(
        due_today=Count("pk", filter=Q(due_date=today)),
        overdue=Count("pk", filter=Q(due_date__lt=today)),
    )
    my_follow_ups = follow_ups_overdue_first(mine.select_related("contact"), today)[:20]
    my_recent = (
        Contact.objects.viewable_by(request.user)
        .filter(registered_by=request.user)
        .select_related("theme", "case", "contact_type")
        .order_by("-started_at", "-id")[:10]
    )
    coordinator = bool(roles_of(request.user) & PLANNERS)
    return render(
        request,
        "contacts/home.html",
        {
            "channels": Channel.choices,
            "my_follow_ups": my_follow_ups,
            "my_recent": my_recent,
            "due_today": counts["due_today"],
            "overdue": counts["overdue"],
            "today": today,
            "dashboard": coordinator_today(request.user, today) if coordinator else None,
        },
    )
