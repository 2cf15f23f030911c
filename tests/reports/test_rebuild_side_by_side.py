"""The rebuild's months side by side on two connections (PostgreSQL, outside a transaction):
the same rows as one month after the other, every month attempted when one fails, the
first failure raised once all are done."""

from datetime import date

import pytest
from django.db import connection, transaction

from reports.models import DailyCount
from reports.services import aggregates
from reports.services.aggregates import aggregates_rebuild

from .conftest import aggregate_rows, attempt, brussels, contact

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="two connections: PostgreSQL"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

DAYS = [date(2026, month, day) for month in (1, 2, 3) for day in (5, 6, 20)]


@pytest.fixture
def months(site):
    for day in DAYS:
        contact(brussels(day.year, day.month, day.day, 11), site=site, victims=["age_0_2"])
        attempt(brussels(day.year, day.month, day.day, 11, 30))


def test_months_side_by_side_give_the_rows_of_one_after_the_other(months):
    progress = []
    assert aggregates_rebuild(DAYS, progress=lambda done, total: progress.append(done)) == 9
    side_by_side = aggregate_rows()
    assert sorted(progress) == [3, 6, 9]
    assert all(side_by_side.values())
    with transaction.atomic():  # inside a transaction: one month after the other
        aggregates_rebuild(DAYS)
    assert aggregate_rows() == side_by_side


def test_a_failing_month_leaves_the_others_rebuilt_and_is_raised_at_the_end(months, monkeypatch):
    real_rollup = aggregates._month_rollup
    rolled_up = []

    def fail_in_february(month, *cells):
        if month == date(2026, 2, 1):
            raise RuntimeError("february fails")
        real_rollup(month, *cells)
        rolled_up.append(month)

    monkeypatch.setattr(aggregates, "_month_rollup", fail_in_february)
    with pytest.raises(RuntimeError, match="february fails"):
        aggregates_rebuild(DAYS)
    assert sorted(rolled_up) == [date(2026, 1, 1), date(2026, 3, 1)]
    days = DailyCount.objects.values_list("day", flat=True)
    assert {day.month for day in days} == {1, 3}  # February rolled back whole
