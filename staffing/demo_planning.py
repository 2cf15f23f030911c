"""Demo data for the automatic planning: site shares, availability, wishes and volunteers'
monthly maximum, so the demand page and a roster proposal work in `make run` at once.
Called from staffing.demo after the profiles are filled."""

import random
from datetime import date, time, timedelta
from decimal import Decimal

from meldpunt.channels import Channel

from .models import ShiftLimit, Site, SiteShare, StaffMember, Wish
from .services.availability import (
    availability_exception_add,
    shift_limit_set,
    weekly_availability_add,
    wish_add,
)


def _shares_set() -> int:
    """Each site's share of a channel in proportion to the people who serve it there."""
    created = 0
    sites = list(Site.objects.order_by("code"))
    for channel in Channel.values:
        counts = {
            site.pk: sum(
                1
                for member in StaffMember.objects.filter(site=site, user__is_active=True)
                if channel in (member.channels or [])
            )
            for site in sites
        }
        total = sum(counts.values())
        if not total:
            continue
        for site_id, count in counts.items():
            SiteShare.objects.update_or_create(
                site_id=site_id,
                channel=channel,
                defaults={"share": (Decimal(count) / total).quantize(Decimal("0.001"))},
            )
            created += 1
    return created


def planning_demo_seed(*, rng: random.Random, today: date) -> str:
    shares = _shares_set()
    next_month = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
    windows = wishes = 0
    for member in StaffMember.objects.filter(user__is_active=True).order_by("pk"):
        if member.kind == StaffMember.Kind.VOLUNTEER:
            for weekday in sorted(rng.sample(range(5), 2)):
                weekly_availability_add(
                    staff_member=member, weekday=weekday, start_time=time(9), end_time=time(22)
                )
                windows += 1
            shift_limit_set(staff_member=member, max_shifts=4)
        roll = rng.random()
        if roll < 0.25:
            wish_add(
                staff_member=member, kind=Wish.Kind.AVOID, start_time=time(17), end_time=time(22)
            )
            wishes += 1
        elif roll < 0.4:
            wish_add(staff_member=member, kind=Wish.Kind.PREFER, weekday=rng.randrange(5))
            wishes += 1
        if rng.random() < 0.2:
            availability_exception_add(
                staff_member=member,
                day=next_month + timedelta(days=rng.randrange(28)),
                note="Privé",
            )
    limits = ShiftLimit.objects.count()
    return (
        f"Planning: {shares} site-aandelen, {windows} wekelijkse beschikbaarheden, "
        f"{wishes} wensen, {limits} maxima per maand."
    )
