"""Draft and published rosters: a site's month is a draft until a planner publishes it."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from staffing.models import Assignment, RosterPublication, Shift, Site

from .notifications import Kind, mail_language, notify, page_url
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
    mailed (unless not `announce`: the demo data, published "before" anyone could read
    it). From now on every change to its shifts is mailed to the people concerned."""
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
        counts: dict[int, int] = {}
        if not announce:
            return publication
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
    return publication
