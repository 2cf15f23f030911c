"""Input that is no input of ours is refused before a view sees it.

Browsers never send a NUL byte, and no link of ours is kilobytes long; PostgreSQL refuses a
NUL in a text parameter with a DataError (a 500) and a date near year 1 or 9999 overflows
the date arithmetic. Path segments are checked by the converters (meldpunt/converters.py),
NUL bytes in paths and query strings here; form fields by Django's own validators (a
CharField refuses NUL with a message, keeping what was typed).
"""

from datetime import date

from django.core.validators import MaxValueValidator, MinValueValidator
from django.http import Http404
from django.views.defaults import bad_request

# Longer paths are no link of ours (and a login redirect carrying one in ?next= would exceed
# Django's redirect limit). Long query values are left to the forms, which say what is wrong.
PATH_MAX = 1024
# Dates a page may be asked about (`?week=`, filters): wide enough for any record of the
# line (opened 2012), far enough from year 1 and 9999 for any date arithmetic.
DATE_MIN = date(1900, 1, 1)
DATE_MAX = date(2199, 12, 31)


class HostileQueryError(Exception):
    """A NUL byte in the path or query string, or an overlong path."""


def query_is_hostile(request) -> bool:
    return any("\x00" in key or "\x00" in "".join(vals) for key, vals in request.GET.lists())


class RejectHostileInputMiddleware:
    """400 for a NUL in the path or query string, or an overlong path."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if len(request.path) > PATH_MAX or "\x00" in request.path or query_is_hostile(request):
            return bad_request(request, HostileQueryError())
        return self.get_response(request)


def date_in_range(raw: str) -> date:
    """An ISO date from the URL within DATE_MIN..DATE_MAX; 404 otherwise."""
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        raise Http404 from None
    if not DATE_MIN <= day <= DATE_MAX:
        raise Http404
    return day


# For a form's DateField whose value reaches date arithmetic (a day's start, the next day).
DATE_VALIDATORS = [MinValueValidator(DATE_MIN), MaxValueValidator(DATE_MAX)]


def login_username(request, credentials) -> str:
    """The user name django-axes counts failures for, cut to the longest a user may have:
    a user name of 256+ characters overflowed axes' own column (a 500 before any login)."""
    from django.contrib.auth import get_user_model

    field = get_user_model().USERNAME_FIELD
    raw = (credentials or {}).get(field) or request.POST.get(field) or ""
    return str(raw).replace("\x00", "")[: get_user_model()._meta.get_field(field).max_length]
