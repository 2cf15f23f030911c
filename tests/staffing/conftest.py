from datetime import UTC, datetime

import pytest

from staffing.services.opening_hours import OpeningSchedule


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.fixture
def schedule(db) -> OpeningSchedule:
    """The opening hours seeded by migration 0004."""
    return OpeningSchedule.load()
