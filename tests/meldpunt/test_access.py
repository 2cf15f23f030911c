"""Walk every URL pattern of the project for every role and anonymous, against the permission
matrix (meldpunt/permissions.py): a new view without a rule fails here."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, resolve

from meldpunt.permissions import PERMISSIONS
from meldpunt.roles import Role

# Pages meant for everyone: logging in and out, the language switch, and the calendar feed,
# which calendar apps fetch without a session and which is protected by its secret token.
# The health checks are for the proxy and the monitoring (names and ok/fail only) and the
# metrics for the scraper (a token or an internal address, else a 404): tests/meldpunt/
# test_health.py.
PUBLIC = {
    "login",
    "logout",
    "set_language",
    "staffing:ical",
    "health_live",
    "health_ready",
    "metrics",
}
# The second step of logging in, for every signed-in user whatever their role; their own
# tests are in tests/meldpunt/test_two_factor.py.
ACCOUNT = {
    "accounts:two_factor_verify",
    "accounts:two_factor_enrol",
    "accounts:recovery_codes",
    "accounts:keepalive",
}
# Sample values per URL converter; the view's own lookups turn them into 404s.
SAMPLE = {
    "int": "1",
    "str": "x",
    "slug": "x",
    "path": "x",
    "uuid": "00000000-0000-0000-0000-000000000000",
    # The project's own converters (meldpunt/converters.py).
    "ref": "x",
    "id": "1",
    "year": "2020",
    "token": "x",
}


def _patterns(resolver=None, prefix="", namespace=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _patterns(entry, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            yield f"{namespace}{entry.name or ''}", prefix + str(entry.pattern)


def _sample_url(route: str) -> str:
    route = route.lstrip("^").rstrip("$").replace("\\Z", "")
    route = re.sub(r"<(?:(\w+):)?\w+>", lambda m: SAMPLE[m.group(1) or "str"], route)
    route = re.sub(r"\(\?P<\w+>[^)]*\)", "1", route)  # regex routes (admin)
    return "/" + route.replace("\\", "")


APP_PATTERNS = [
    (name, _sample_url(route))
    for name, route in _patterns()
    if name not in PUBLIC | ACCOUNT and not name.startswith("admin:")
]


def test_walk_finds_the_apps_views():
    names = {name for name, _ in APP_PATTERNS}
    assert {"home", "contacts:create", "contacts:detail", "staffing:roster"} <= names


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "url"), APP_PATTERNS)
@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_is_sent_to_login(client, name, url, method):
    response = getattr(client, method)(url)
    assert response.status_code == 302, (name, url, response.status_code)
    assert response.url.startswith("/login/")


@pytest.mark.parametrize(("name", "url"), APP_PATTERNS)
def test_every_view_declares_its_action(name, url):
    action = getattr(resolve(url).func, "permission_action", None)
    assert action in PERMISSIONS, f"{name} ({url}) has no rule in meldpunt/permissions.py"


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "url"), APP_PATTERNS)
def test_user_without_role_is_refused(client_for, outsider, name, url):
    client = client_for(outsider)
    statuses = {client.get(url).status_code, client.post(url).status_code}
    # 405 only for the method a view does not serve; the other one must hit the role check.
    assert statuses <= {403, 404, 405}, (name, url, statuses)
    assert statuses & {403, 404}, (name, url, statuses)


ROLE_FIXTURES = {
    Role.RESPONDER: "responder",
    Role.SITE_COORDINATOR: "site_coordinator",
    Role.COORDINATOR: "coordinator",
    Role.ADMINISTRATOR: "administrator",
}


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(ROLE_FIXTURES))
@pytest.mark.parametrize(("name", "url"), APP_PATTERNS)
def test_each_role_gets_what_the_matrix_says(request, client_for, role, name, url):
    client = client_for(request.getfixturevalue(ROLE_FIXTURES[role]))
    statuses = {client.get(url).status_code, client.post(url).status_code}
    action = resolve(url).func.permission_action
    if role in PERMISSIONS[action]:
        # Let in; a page that also edits on POST may ask more of that method (opening hours).
        assert statuses - {403}, (role, name, url, statuses)
        assert not any(status >= 500 for status in statuses), (role, name, url, statuses)
    else:
        assert 403 in statuses and statuses <= {403, 405}, (role, name, url, statuses)


@pytest.mark.django_db
def test_admin_refuses_users_who_are_not_staff(client_for, responder):
    response = client_for(responder).get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response.url
