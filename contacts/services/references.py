"""Human-readable references: contacts `2026-004217`, cases `D2026-00042`."""

import re

from django.db import transaction
from django.db.models import F
from django.db.models.functions import Greatest

from ..models import ReferenceCounter

Kind = ReferenceCounter.Kind

_FORMATS = {Kind.CONTACT: "{year}-{number:06d}", Kind.CASE: "D{year}-{number:05d}"}
_PATTERNS = {
    Kind.CONTACT: re.compile(r"^(?P<year>\d{4})-(?P<number>\d{6,})$"),
    Kind.CASE: re.compile(r"^D(?P<year>\d{4})-(?P<number>\d{5,})$"),
}


def reference_format(kind: str, year: int, number: int) -> str:
    return _FORMATS[kind].format(year=year, number=number)


def reference_parse(kind: str, reference: str) -> tuple[int, int] | None:
    """(year, number) of a reference in our own format, or None for a foreign one."""
    match = _PATTERNS[kind].match(reference)
    return (int(match["year"]), int(match["number"])) if match else None


def reference_allocate(*, kind: str, year: int, count: int = 1) -> list[str]:
    """Hand out `count` consecutive references of a year.

    The UPDATE takes a row lock held until the surrounding transaction ends, so concurrent
    callers are serialised and never receive the same number.
    """
    with transaction.atomic():
        ReferenceCounter.objects.get_or_create(kind=kind, year=year)
        counter = ReferenceCounter.objects.filter(kind=kind, year=year)
        counter.update(last_value=F("last_value") + count)
        last = counter.values_list("last_value", flat=True).get()
    return [reference_format(kind, year, n) for n in range(last - count + 1, last + 1)]


def reference_counter_raise(*, kind: str, reference: str) -> None:
    """Make sure a reference taken from outside (an import) is never handed out again."""
    parsed = reference_parse(kind, reference)
    if parsed is None:
        return
    year, number = parsed
    with transaction.atomic():
        ReferenceCounter.objects.get_or_create(kind=kind, year=year)
        ReferenceCounter.objects.filter(kind=kind, year=year).update(
            last_value=Greatest(F("last_value"), number)
        )
