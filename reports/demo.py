"""Demo data of reports: the aggregates of the demo period, as after the nightly run."""

import time as clock
from datetime import timedelta

from django.utils import timezone

from contacts.demo import DemoPlan

from .services.aggregates import aggregated_through, aggregates_rebuild_range


def demo_aggregates_build(plan: DemoPlan) -> str:
    """The aggregates of the demo period up to yesterday, as after the nightly run, so the
    report pages read them; does nothing when they are already complete."""
    last = min(plan.last_day, timezone.localdate(plan.now) - timedelta(days=1))
    through = aggregated_through()
    if through is not None and through >= last:
        return f"Aggregaten zijn al volledig tot en met {through:%Y-%m-%d}."
    began = clock.monotonic()
    run = aggregates_rebuild_range(plan.first_day, plan.last_day, now=plan.now)
    return (
        f"Aggregaten van {run.days_rebuilt} dagen opgebouwd in {clock.monotonic() - began:.1f} s."
    )
