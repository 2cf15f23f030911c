"""Error reports that carry no personal data: the ADMINS mail and optional Sentry.

A contact's notes, a caller's words and the intake form's fields must never leave the
server in an error report. So the mail's exception report shows no POST values and no local
variables, and Sentry (only when SENTRY_DSN is set) gets no request bodies, cookies, query
strings, user details or local variables; `sentry_before_send` removes whatever an
integration still attached.
"""

import logging
import re

from django.views.debug import SafeExceptionReporterFilter

# Request headers that say nothing about who is asking; every other one is dropped.
_KEPT_HEADERS = {"Host", "User-Agent", "Accept", "Accept-Language", "Content-Type"}


class PersonalDataFilter(SafeExceptionReporterFilter):
    """For the ADMINS mail (DEFAULT_EXCEPTION_REPORTER_FILTER): every POST value hidden,
    no frame variables (they hold the form's data)."""

    def get_post_parameters(self, request):
        if request is None:
            return {}
        return dict.fromkeys(request.POST, self.cleansed_substitute)

    def get_traceback_frame_variables(self, request, tb_frame):
        return []

    def get_safe_request_meta(self, request):
        meta = super().get_safe_request_meta(request)
        return {k: v for k, v in meta.items() if k in {"REQUEST_METHOD", "PATH_INFO"}}

    def get_safe_cookies(self, request):
        return {}


def sentry_before_send(event, hint):
    """Scrub an event before it leaves: request body, query, cookies, user and the variables
    of every frame."""
    request = event.get("request")
    if request:
        for key in ("data", "query_string", "cookies", "env"):
            request.pop(key, None)
        headers = request.get("headers") or {}
        request["headers"] = {k: v for k, v in headers.items() if k in _KEPT_HEADERS}
        if "url" in request:
            request["url"] = request["url"].split("?", 1)[0]
    event.pop("user", None)
    event.pop("extra", None)
    for exception in (event.get("exception") or {}).get("values", []):
        for frame in (exception.get("stacktrace") or {}).get("frames", []):
            frame.pop("vars", None)
    for crumb in (event.get("breadcrumbs") or {}).get("values", []):
        crumb.pop("data", None)
    return event


def sentry_init(dsn: str, *, environment: str, traces_sample_rate: float) -> None:
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        send_default_pii=False,
        max_request_body_size="never",
        include_local_variables=False,
        traces_sample_rate=traces_sample_rate,
        before_send=sentry_before_send,
    )


_ICAL_TOKEN = re.compile(r"(/calendar/)[^/\s]+(\.ics)")


class RedactSecretsFilter(logging.Filter):
    """Log lines never carry an iCal feed's secret token ("Not Found: /staffing/calendar/
    <token>.ics" would hand a responder's roster to whoever reads the logs)."""

    def filter(self, record):
        if isinstance(record.msg, str):
            record.msg = _ICAL_TOKEN.sub(r"\1***\2", record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(
                _ICAL_TOKEN.sub(r"\1***\2", arg) if isinstance(arg, str) else arg
                for arg in record.args
            )
        return True
