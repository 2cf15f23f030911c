"""PostgreSQL: two workers claiming the rebuild lock at the same moment, one wins."""

import threading

import pytest
from django.db import connection

from reports.models import AggregateLock
from reports.services.aggregates import aggregates_lock_claim

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent claims: PostgreSQL"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_of_two_simultaneous_claims_exactly_one_wins():
    aggregates_lock_claim()  # creates the lock row; free it again
    AggregateLock.objects.update(holder="", claimed_at=None, expires_at=None)
    barrier = threading.Barrier(2)
    tokens = []

    def claim():
        try:
            barrier.wait(timeout=10)
            tokens.append(aggregates_lock_claim())
        finally:
            connection.close()

    threads = [threading.Thread(target=claim) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(tokens, key=bool)[0] is None
    assert sum(bool(token) for token in tokens) == 1
