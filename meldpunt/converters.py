"""Path converters that refuse hostile path segments before a view (or the database) sees
them: a NUL byte, a control character or 10,000 characters is no URL of ours, so it is a
404 from the URL resolver instead of a DataError from PostgreSQL.

Registered once, in MeldpuntConfig.ready(), before any URLconf is loaded.
"""

from django.urls import register_converter

# Contact and case references, ours (`2026-004217`, `D2026-00042`) or an import's own: at
# most the reference column's 20 characters, no slash, no control characters.
REFERENCE_MAX = 20
# A bigint holds every 18-digit number; longer ones are no id of ours.
ID_DIGITS = 18


class ReferenceConverter:
    regex = rf"[^/\x00-\x1f\x7f]{{1,{REFERENCE_MAX}}}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value) -> str:
        return str(value)


class IdConverter:
    regex = rf"[0-9]{{1,{ID_DIGITS}}}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return str(value)


class YearConverter(IdConverter):
    """Four digits; the views decide which years have figures (year 1 and 9999 are 404s)."""

    regex = "[0-9]{4}"


class TokenConverter(ReferenceConverter):
    """A secret URL token (the iCal feed's `secrets.token_urlsafe(32)`: 43 characters)."""

    regex = "[A-Za-z0-9_-]{1,100}"


def register() -> None:
    register_converter(ReferenceConverter, "ref")
    register_converter(IdConverter, "id")
    register_converter(YearConverter, "year")
    register_converter(TokenConverter, "token")
