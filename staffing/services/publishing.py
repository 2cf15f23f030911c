"""Draft and published rosters: a site's month is a draft until a planner publishes it."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, F
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from staffing.models import Assignment, RosterPublication, Shift, Site, StaffMember

from .eligibility import assignment_problems_many
from .notifications import Kind, mail_language, notify, page_url, shift_label
from .time import local_date, month_bounds


def month_start(day: date) -> date:
    return day.replace(day=1)


def shift_month(shift: Shift) -> date:
    return month_start(local_date(shift.starts_at))


def published_months(site_ids=None) -> set[tuple[int, date]]:
    """(site id, first day of month) of every published month."""
    publications = RosterPublication.objects.all()
    if site_ids is not None:
        publications = publications.filter(site__in=site_ids)
    return set(publications.values_list("site_id", "month"))


def only_published(assignments, published=None) -> list:
    """The assignments whose shift's month is published (assignments with shift loaded)."""
    assignments = list(assignments)
    if published is None:
        published = published_months({a.shift.site_id for a in assignments})
    return [a for a in assignments if (a.shift.site_id, shift_month(a.shift)) in published]


def roster_publish(
    *, site: Site, month: date, published_by=None, announce: bool = True
) -> RosterPublication:
    """Publish `site`'s roster of the month of `month`; everyone on a shift that month is
    mailed, and so is every colleague who may take one of its places still open (unless not
    `announce`: the demo data, published "before" anyone could read it). From now on every
    change to its shifts is mailed to the people concerned."""
    first = month_start(month)
    start, end = month_bounds(first.year, first.month)
    with transaction.atomic():
        try:
            with transaction.atomic():
                publication = RosterPublication.objects.create(
                    site=site, month=first, published_by=published_by
                )
        except IntegrityError as error:
            raise ValidationError(_("This month is already published.")) from error
        if not announce:
            return publication
        counts: dict[int, int] = {}
        for member_id in Assignment.objects.filter(
            shift__site=site, starts_at__gte=start, starts_at__lt=end
        ).values_list("staff_member__user_id", flat=True):
            counts[member_id] = counts.get(member_id, 0) + 1
        with mail_language():
            month_name = date_format(first, "F Y")
            for user_id, count in sorted(counts.items()):
                notify(
                    user_ids=[user_id],
                    kind=Kind.ROSTER_PUBLISHED,
                    subject=_("roster of %(month)s published") % {"month": month_name},
                    lines=[
                        ngettext(
                            "The roster of %(site)s for %(month)s is published. "
                            "You have %(count)d shift.",
                            "The roster of %(site)s for %(month)s is published. "
                            "You have %(count)d shifts.",
                            count,
                        )
                        % {"site": site, "month": month_name, "count": count}
                    ],
                    link=page_url("staffing:my_shifts"),
                )
            _open_places_announce(site, start, end, month_name)
    return publication


def _open_places_announce(site: Site, start, end, month_name: str) -> None:
    """One mail per colleague of the site listing the month's short shifts ahead that they
    may take without breaking a rule (the open shifts board has them too)."""
    shifts = list(
        Shift.objects.filter(
            site=site, starts_at__gte=max(start, timezone.now()), starts_at__lt=end
        )
        .annotate(assigned=Count("assignments"))
        .filter(assigned__lt=F("required_headcount"))
        .select_related("site")
        .order_by("starts_at", "channel", "id")
    )
    if not shifts:
        return
    members = list(
        StaffMember.objects.filter(site=site, user__is_active=True).select_related("user")
    )
    problems = assignment_problems_many(shifts, members)
    for member in members:
        theirs = [shift for shift in shifts if not problems[member.pk, shift.pk]]
        if not theirs:
            continue
        lines = [
            ngettext(
                "The roster of %(site)s for %(month)s has %(count)d open place you may take:",
                "The roster of %(site)s for %(month)s has %(count)d open places you may take:",
                len(theirs),
            )
            % {"site": site, "month": month_name, "count": len(theirs)},
            *(shift_label(shift) for shift in theirs[:10]),
        ]
        if len(theirs) > 10:
            lines.append(_("… and %(count)d more.") % {"count": len(theirs) - 10})
        notify(
            user_ids=[member.user_id],
            kind=Kind.OPEN_SHIFT,
            subject=_("open shifts in %(month)s") % {"month": month_name},
            lines=lines,
            link=page_url("staffing:open_shifts"),
        )
