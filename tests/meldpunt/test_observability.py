"""Error reports carry no personal data: the ADMINS mail and the Sentry events."""

import logging
import sys

import pytest
from django.test import RequestFactory, override_settings
from django.utils.log import AdminEmailHandler

from meldpunt.observability import PersonalDataFilter, sentry_before_send


def test_sentry_events_lose_bodies_queries_cookies_users_and_variables():
    event = {
        "request": {
            "url": "https://meldpunt.example.org/contacts/?q=Jansen",
            "query_string": "q=Jansen",
            "data": {"notes": "hij slaat haar"},
            "cookies": {"sessionid": "abc"},
            "headers": {"Cookie": "sessionid=abc", "User-Agent": "Firefox", "X-Forwarded-For": "1"},
        },
        "user": {"username": "beantwoorder"},
        "extra": {"form": "notes"},
        "exception": {
            "values": [{"stacktrace": {"frames": [{"function": "f", "vars": {"notes": "x"}}]}}]
        },
        "breadcrumbs": {"values": [{"message": "query", "data": {"params": ["Jansen"]}}]},
    }
    scrubbed = sentry_before_send(event, {})
    assert "Jansen" not in repr(scrubbed)
    assert "slaat" not in repr(scrubbed)
    assert "sessionid" not in repr(scrubbed)
    assert "beantwoorder" not in repr(scrubbed)
    assert scrubbed["request"]["headers"] == {"User-Agent": "Firefox"}
    assert scrubbed["request"]["url"] == "https://meldpunt.example.org/contacts/"


def test_the_error_mail_filter_hides_every_post_value_and_variable():
    request = RequestFactory().post("/contacts/new/", {"notes": "hij slaat haar", "theme": "x"})
    reporter_filter = PersonalDataFilter()
    assert set(reporter_filter.get_post_parameters(request).values()) == {"********************"}
    assert reporter_filter.get_traceback_frame_variables(request, None) == []


@pytest.mark.django_db
@override_settings(ADMINS=[("", "ops@example.org")])
def test_an_error_mail_to_the_admins_holds_no_notes(mailoutbox):
    """What Django's AdminEmailHandler sends for a 500 of the intake form."""
    request = RequestFactory().post("/contacts/new/", {"notes": "hij slaat haar"})
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        record = logging.LogRecord(
            "django.request",
            logging.ERROR,
            __file__,
            1,
            "Internal Server Error",
            (),
            sys.exc_info(),
        )
    record.request = request
    record.status_code = 500
    AdminEmailHandler().emit(record)
    assert len(mailoutbox) == 1
    assert "RuntimeError" in mailoutbox[0].body
    assert "slaat" not in mailoutbox[0].body


def test_log_lines_lose_the_ical_token():
    from meldpunt.observability import RedactSecretsFilter

    record = logging.LogRecord(
        "django.request",
        logging.WARNING,
        __file__,
        1,
        "Not Found: %s",
        ("/staffing/calendar/s3cr3t-T0ken_x.ics",),
        None,
    )
    RedactSecretsFilter().filter(record)
    assert record.getMessage() == "Not Found: /staffing/calendar/***.ics"
