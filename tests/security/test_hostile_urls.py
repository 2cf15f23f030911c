"""Every URL pattern with hostile path segments, query parameters and form fields, for
anonymous users and for every role: a 4xx or a page, never a 500 (issue 11: NUL bytes reached
PostgreSQL, far weeks overflowed the date arithmetic, a bare word in ?next= broke a redirect)."""

import re
from urllib.parse import quote

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from meldpunt.roles import Role

HOSTILE = [
    "\x00",
    "a\x00b",
    "x" * 10_000,
    "9" * 10_000,
    "0001",
    "9999",
    "-1",
    "99999999999999999999999",
    "0001-01-01",
    "9999-12-31",
    "é😀\u202e",
    "..%2f..",
    "%",
]
# In query parameters: the middleware refuses NUL and overlong query strings the same way for
# every page, so once each is enough; the rest reach the views.
HOSTILE_QUERY = ["\x00", "x" * 10_000, "-1", "0001-01-01", "9999-12-31", "é😀\u202e", "0001"]
# The Django admin's own views (regex converters), a few values each.
HOSTILE_ADMIN = ["\x00", "x" * 10_000, "9999", "99999999999999999999999"]
# Every query parameter a view or a filter form reads.
QUERY_NAMES = [
    "site",
    "week",
    "page",
    "public",
    "format",
    "channel",
    "next",
    "q",
    "date_from",
    "date_to",
    "username",
    "action",
    "object_ref",
    "reference",
]


def _patterns(resolver=None, prefix="", namespace=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _patterns(entry, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            yield f"{namespace}{entry.name or ''}", prefix + str(entry.pattern)


def _fill(route: str, value: str) -> str:
    """The route with every converter given `value`, as a client would send it (quoted)."""
    route = route.lstrip("^").rstrip("$").replace("\\Z", "")
    route = re.sub(r"<(?:(\w+):)?\w+>", lambda _m: quote(value, safe=""), route)
    route = re.sub(r"\(\?P<\w+>[^)]*\)", lambda _m: quote(value, safe=""), route)
    return "/" + route.replace("\\", "")


ROUTES = sorted(set(_patterns()))
# The admin's own pages are Django's; its URL patterns are walked for the path values only.
APP_ROUTES = [(name, route) for name, route in ROUTES if not name.startswith("admin:")]
PLAIN_ROUTES = [(name, route) for name, route in APP_ROUTES if "<" not in route]


def _walk(client, label):
    failures = []

    def check(method, url, data, what):
        response = getattr(client, method)(url, data)
        # /health/ready says 503 when a dependency is not ready (no nightly run in a test).
        not_ready = url == "/health/ready" and response.status_code == 503
        if response.status_code >= 500 and not not_ready:
            failures.append((label, method, url[:60], what))

    for name, route in ROUTES:
        if "<" not in route and "(?P" not in route:
            continue
        for value in HOSTILE_ADMIN if name.startswith("admin:") else HOSTILE:
            for method in ("get", "post"):
                check(method, _fill(route, value), {}, f"path {value[:12]!r}")
    for _name, route in PLAIN_ROUTES:
        url = _fill(route, "x")
        for value in HOSTILE_QUERY:
            for name in QUERY_NAMES:
                check("get", url, {name: value}, f"?{name}={value[:12]!r}")
        for value in HOSTILE:
            check("post", url, dict.fromkeys(QUERY_NAMES, value), f"form {value[:12]!r}")
    return failures


@pytest.mark.django_db
def test_anonymous_never_gets_a_500(client):
    client.raise_request_exception = False
    assert _walk(client, "anonymous") == []


ROLE_FIXTURES = {
    Role.RESPONDER: "responder",
    Role.SITE_COORDINATOR: "site_coordinator",
    Role.COORDINATOR: "coordinator",
    Role.ADMINISTRATOR: "administrator",
}


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(ROLE_FIXTURES))
def test_signed_in_users_never_get_a_500(request, client_for, role):
    client = client_for(request.getfixturevalue(ROLE_FIXTURES[role]))
    client.raise_request_exception = False
    assert _walk(client, role) == []


def test_walk_covers_the_apps_and_their_converters():
    names = {name for name, _ in APP_ROUTES}
    assert {"contacts:detail", "staffing:ical", "reports:annual", "staffing:roster"} <= names
    assert len(PLAIN_ROUTES) > 15


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    ["/contacts/a%00b/", "/staffing/calendar/a%00b.ics", "/reports/?site=a%00b", "/x" * 3000],
)
def test_hostile_input_is_a_dutch_400_or_404(client_for, coordinator, settings, url):
    settings.LANGUAGE_CODE = "nl-be"
    response = client_for(coordinator).get(url, HTTP_ACCEPT_LANGUAGE="nl")
    assert response.status_code in {400, 404}
    assert "Terug naar de startpagina" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["x" * 256, "x" * 10_000, "a\x00b", "é😀\u202e" * 100])
def test_login_with_a_hostile_user_name_is_refused_not_a_500(client, username):
    client.raise_request_exception = False
    response = client.post("/login/", {"username": username, "password": "whatever-it-is"})
    assert response.status_code in {200, 400, 403}
