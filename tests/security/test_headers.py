"""What every page sends the browser: a Content-Security-Policy that allows no inline script
or style, and no caching of anything a signed-in user sees."""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.http import HttpResponse
from django.urls import reverse

from meldpunt.middleware import NoStoreForAuthenticatedMiddleware
from tests.factories import CaseFactory, ContactFactory, FollowUpFactory, VictimFactory
from tests.meldpunt.test_access import _patterns

ROOT = Path(__file__).resolve().parents[2]
APPS = ("meldpunt", "contacts", "staffing", "reports")
# Attributes that run script in the browser: on*= handlers and javascript: URLs.
_HANDLER = re.compile(r"""\son[a-z]+\s*=|(?:href|src|action)\s*=\s*["']?\s*javascript:""", re.I)


def _policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = (part.strip().split() for part in header.split(";") if part.strip())
    return {name: values for name, *values in directives}


class _InlineCode(HTMLParser):
    """Collects what a strict CSP would block: inline scripts, <style> blocks, style="" and
    on*= attributes."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        # json_script's data blocks are not run, so CSP does not block them.
        if tag == "script" and "src" not in attrs and attrs.get("type") != "application/json":
            self.found.append(f"inline <script> {attrs}")
        if tag == "style":
            self.found.append("<style> block")
        for name, value in attrs.items():
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=…>")
            if name == "style":
                self.found.append(f'<{tag} style="{value}">')
            if name in {"href", "src", "action"} and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.found.append(f"<{tag} {name}=javascript:…>")


def inline_code(html: str) -> list[str]:
    parser = _InlineCode()
    parser.feed(html)
    return parser.found


@pytest.fixture
def contact(site, responder):
    case = CaseFactory(site=site)
    contact = ContactFactory(site=site, case=case, registered_by=responder)
    VictimFactory(contact=contact)
    FollowUpFactory(contact=contact, assignee=responder)
    return contact


def _pages(contact) -> dict[str, str]:
    return {
        "home": reverse("home"),
        "intake": reverse("contacts:create"),
        "list": reverse("contacts:list"),
        "detail": reverse("contacts:detail", args=[contact.reference]),
        "edit": reverse("contacts:edit", args=[contact.reference]),
        "case": reverse("contacts:case_detail", args=[contact.case.reference]),
        "roster": reverse("staffing:roster"),
    }


def test_every_page_has_a_strict_content_security_policy(client, client_for, site_coordinator):
    for response in (
        client.get(reverse("login")),
        client_for(site_coordinator).get(reverse("home")),
    ):
        policy = _policy(response)
        assert policy["default-src"] == ["'self'"]
        assert policy["script-src"] == ["'self'"]
        assert policy["style-src"] == ["'self'"]
        assert policy["img-src"] == ["'self'", "data:"]
        assert policy["frame-ancestors"] == ["'none'"]
        assert policy["form-action"] == ["'self'"]
        assert policy["base-uri"] == ["'none'"]
        assert policy["object-src"] == ["'none'"]
        header = response["Content-Security-Policy"]
        assert "unsafe-inline" not in header
        assert "unsafe-eval" not in header


def test_main_pages_have_no_inline_script_or_style(client_for, site_coordinator, contact):
    client = client_for(site_coordinator)
    for name, url in _pages(contact).items():
        response = client.get(url)
        assert response.status_code == 200, name
        assert inline_code(response.content.decode()) == [], name


def test_login_page_has_no_inline_script_or_style(client):
    response = client.get(reverse("login"))
    assert inline_code(response.content.decode()) == []


def test_htmx_injects_no_indicator_style(client_for, responder):
    """htmx 2 adds an inline <style> unless told not to; meldpunt.css has its rules."""
    html = client_for(responder).get(reverse("home")).content.decode()
    assert 'name="htmx-config"' in html
    assert '"includeIndicatorStyles": false' in html
    css = (ROOT / "meldpunt" / "static" / "meldpunt" / "meldpunt.css").read_text()
    assert ".htmx-indicator" in css


def test_templates_have_no_inline_script_handler_or_style():
    """Every template, including the ones no test renders."""
    templates = [
        path
        for app in APPS
        for path in sorted((ROOT / app).rglob("*.html"))
        if "templates" in path.parts and "static" not in path.parts
    ]
    assert len(templates) > 20
    found = []
    for template in templates:
        text = template.read_text()
        name = template.relative_to(ROOT)
        found += [f"{name}: {problem}" for problem in inline_code(text)]
        found += [f"{name}: {m.group(0).strip()}" for m in _HANDLER.finditer(text)]
    assert found == []


def test_pages_of_signed_in_users_are_not_cached(client_for, responder, contact):
    client = client_for(responder)
    for url in (
        reverse("contacts:create"),
        reverse("contacts:detail", args=[contact.reference]),
        reverse("contacts:list"),
        reverse("home"),
    ):
        response = client.get(url)
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"], url
        assert "private" in response["Cache-Control"], url
        assert response["Pragma"] == "no-cache", url


def test_redirects_and_errors_of_signed_in_users_are_not_cached(client_for, responder):
    client = client_for(responder)
    response = client.get(reverse("contacts:detail", args=["2099-999999"]))
    assert response.status_code == 404
    assert "no-store" in response["Cache-Control"]


def test_static_files_stay_cacheable(rf, responder):
    """WhiteNoise answers static files before this middleware; the path check is the backstop."""
    request = rf.get("/static/meldpunt/meldpunt.css")
    request.user = responder
    response = NoStoreForAuthenticatedMiddleware(lambda request: HttpResponse("body {}"))(request)
    assert "Cache-Control" not in response
    assert "Pragma" not in response


def _pages_without_parameters() -> list[str]:
    return sorted(
        "/" + route
        for name, route in _patterns()
        if "<" not in route and "(" not in route and not name.startswith("admin:")
    )


@pytest.mark.parametrize("role", ["coordinator", "site_coordinator"])
def test_every_page_without_parameters_has_no_inline_code(
    client_for, coordinator, site_coordinator, role
):
    """Every page a menu leads to (reports and staffing included), as each planner sees it."""
    user = {"coordinator": coordinator, "site_coordinator": site_coordinator}[role]
    client = client_for(user)
    checked = []
    for url in _pages_without_parameters():
        response = client.get(url)
        if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
            assert inline_code(response.content.decode()) == [], url
            checked.append(url)
    assert reverse("contacts:list") in checked
