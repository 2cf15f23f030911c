"""One day of a site's roster: the shifts as cards (readable at 390 px), with a picker that
lists the people who may take each shift first, and why the others may not. And copying a
week onto a coming week."""

from datetime import date, timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from meldpunt.permissions import Action, permission_required
from staffing.models import Assignment, ReleasedAssignment, RosterPublication, Shift, Site
from staffing.selectors import RosterWeek, monday_of
from staffing.services.eligibility import assignment_problems_many
from staffing.services.time import day_start
from staffing.services.week_copy import week_copy, week_template_apply, week_template_save

from .access import chosen_site, may_plan, posted_id


def _day(request) -> date:
    raw = request.GET.get("day")
    if not raw:
        return timezone.localdate()
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        raise Http404 from None
    if not 2000 <= day.year <= 2100:
        raise Http404
    return day


@require_GET
@permission_required(Action.ROSTER_VIEW)
def roster_day(request):
    sites = Site.objects.viewable_by(request.user)
    site = chosen_site(request, sites)
    day = _day(request)
    can_plan = may_plan(request.user, site)
    is_past = day < timezone.localdate()
    correcting = can_plan and is_past and request.GET.get("correct") == "1"
    shifts = list(
        Shift.objects.filter(
            site=site,
            starts_at__gte=day_start(day),
            starts_at__lt=day_start(day + timedelta(days=1)),
        ).order_by("starts_at", "channel", "id")
    )
    assignments = Assignment.objects.filter(shift__in=shifts).select_related("staff_member__user")
    released = ReleasedAssignment.objects.filter(shift__in=shifts).select_related(
        "staff_member__user"
    )
    published = RosterPublication.objects.filter(site=site, month=day.replace(day=1)).exists()
    if not can_plan and not published:
        # Who works when stays with the planners until the month is published.
        assignments, released = assignments.none(), released.none()
    members = RosterWeek(site, day).members if can_plan and (not is_past or correcting) else []
    # Every rule for every person and shift of the day in a fixed number of queries.
    problems = assignment_problems_many(shifts, members)
    cards = []
    for shift in shifts:
        on_shift = [a for a in assignments if a.shift_id == shift.pk]
        taken = {a.staff_member_id for a in on_shift}
        choices = []
        for member in members:
            if member.pk in taken:
                continue
            choices.append((member, problems[member.pk, shift.pk]))
        # Who may take it first, then by name; the others with the rule they would break.
        choices.sort(key=lambda c: (bool(c[1]), str(c[0])))
        cards.append(
            {
                "shift": shift,
                "assignments": on_shift,
                "released": [r for r in released if r.shift_id == shift.pk],
                "choices": choices,
                "is_short": len(on_shift) < shift.required_headcount,
                "is_over": len(on_shift) > shift.required_headcount,
            }
        )
    base = f"{reverse('staffing:roster_day')}?site={site.pk}&day="
    return render(
        request,
        "staffing/roster_day.html",
        {
            "site": site,
            "sites": sites,
            "day": day,
            "cards": cards,
            "can_plan": can_plan,
            "is_past": is_past,
            "correcting": correcting,
            "published": published,
            "here": f"{base}{day:%Y-%m-%d}" + ("&correct=1" if correcting else ""),
            "previous_url": f"{base}{day - timedelta(days=1):%Y-%m-%d}",
            "next_url": f"{base}{day + timedelta(days=1):%Y-%m-%d}",
            "week_url": f"{reverse('staffing:roster')}?site={site.pk}&week={day:%Y-%m-%d}",
        },
    )


def _posted_monday(request, name: str) -> date:
    try:
        day = date.fromisoformat(request.POST.get(name, ""))
    except ValueError:
        raise Http404 from None
    if not 2000 <= day.year <= 2100:
        raise Http404
    return monday_of(day)


@require_POST
@permission_required(Action.ROSTER_PLAN)
def copy_week(request):
    """Fill a coming week from another week, or from a saved week template."""
    site = chosen_site(request, Site.objects.plannable_by(request.user))
    target = _posted_monday(request, "week")
    template = None
    if request.POST.get("template"):
        template = get_object_or_404(site.week_templates, pk=posted_id(request, "template"))
    try:
        if template is not None:
            result = week_template_apply(
                template=template, target_monday=target, applied_by=request.user
            )
        else:
            result = week_copy(
                site=site,
                source_monday=_posted_monday(request, "source"),
                target_monday=target,
                copied_by=request.user,
            )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            ngettext(
                "%(count)d assignment copied.", "%(count)d assignments copied.", len(result.created)
            )
            % {"count": len(result.created)},
        )
        if result.skipped:
            lines = [
                _("%(name)s, %(shift)s: %(reasons)s")
                % {"name": member, "shift": what, "reasons": " ".join(reasons)}
                for member, what, reasons in result.skipped[:30]
            ]
            messages.warning(
                request,
                ngettext(
                    "%(count)d assignment not copied: %(lines)s",
                    "%(count)d assignments not copied: %(lines)s",
                    len(result.skipped),
                )
                % {"count": len(result.skipped), "lines": " · ".join(lines)},
            )
    return redirect(f"{reverse('staffing:roster')}?site={site.pk}&week={target:%Y-%m-%d}")


@require_POST
@permission_required(Action.ROSTER_PLAN)
def save_week_template(request):
    site = chosen_site(request, Site.objects.plannable_by(request.user))
    monday = _posted_monday(request, "week")
    try:
        template = week_template_save(
            site=site,
            monday=monday,
            name=request.POST.get("name", "")[:80].replace("\x00", ""),
            created_by=request.user,
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request, _("Week saved as the template %(name)s.") % {"name": template.name}
        )
    return redirect(f"{reverse('staffing:roster')}?site={site.pk}&week={monday:%Y-%m-%d}")
