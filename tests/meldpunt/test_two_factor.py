"""Two-factor authentication: enrolment, the verify step, recovery codes, the admin."""

import os
import re
import subprocess
import sys
from base64 import b32encode
from pathlib import Path

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from meldpunt.accounts.middleware import BEFORE_SECOND_FACTOR
from meldpunt.accounts.two_factor import (
    recovery_codes_replace,
    second_factor_check,
    two_factor_required,
)
from meldpunt.roles import Role
from tests.conftest import second_factor_passed
from tests.factories import staff_user

from .test_access import APP_PATTERNS

pytestmark = pytest.mark.django_db

VERIFY = reverse("accounts:two_factor_verify")
ENROL = reverse("accounts:two_factor_enrol")


def code_of(device: TOTPDevice) -> str:
    """The code the user's app shows now."""
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def wrong_code_of(device: TOTPDevice) -> str:
    # Not the current code, nor the one before or after (the tolerance window).
    valid = {f"{totp(device.bin_key, drift=d):06d}" for d in (-1, 0, 1)}
    return next(c for c in ("000000", "111111", "222222", "333333") if c not in valid)


def authenticator_for(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)


def password_only(client, user):
    """Logged in with the password, the second step not yet taken."""
    client.force_login(user)
    return client


def is_verified(client) -> bool:
    return DEVICE_ID_SESSION_KEY in client.session


# --- who must enrol ----------------------------------------------------------------------


@pytest.mark.parametrize("role", ["site_coordinator", "coordinator", "administrator"])
def test_coordinators_without_an_app_are_sent_to_enrol(request, client, role):
    user = request.getfixturevalue(role)
    response = password_only(client, user).get(reverse("contacts:list"))
    assert response.status_code == 302
    assert response.url == f"{ENROL}?next=%2Fcontacts%2F"


def test_responders_need_it_by_default(client, responder):
    response = password_only(client, responder).get(reverse("home"))
    assert response.status_code == 302 and response.url.startswith(ENROL)


def test_responders_may_go_without_when_the_setting_is_off(settings, client, responder):
    settings.TWO_FACTOR_RESPONDERS = False
    assert password_only(client, responder).get(reverse("home")).status_code == 200


def test_the_responder_setting_spares_no_one_else(settings, client, coordinator, site):
    settings.TWO_FACTOR_RESPONDERS = False
    assert password_only(client, coordinator).get(reverse("home")).status_code == 302
    staff_responder = staff_user(Role.RESPONDER, site, username="ook.beheer", is_staff=True)
    assert two_factor_required(staff_responder)


def test_a_responder_with_an_app_must_use_it_even_when_not_required(settings, client, responder):
    settings.TWO_FACTOR_RESPONDERS = False
    authenticator_for(responder)
    response = password_only(client, responder).get(reverse("home"))
    assert response.status_code == 302 and response.url.startswith(VERIFY)


# --- enrolment ---------------------------------------------------------------------------


def test_enrol_page_shows_the_qr_code_and_the_secret(client, coordinator):
    response = password_only(client, coordinator).get(ENROL)
    assert response.status_code == 200
    device = TOTPDevice.objects.get(user=coordinator)
    assert not device.confirmed
    html = response.content.decode()
    assert "<svg" in html and "totp-qr" in html
    secret = b32encode(device.bin_key).decode()
    shown = re.search(r'id="totp-secret">([^<]+)<', html).group(1)
    assert shown.replace(" ", "") == secret
    # A reload shows the same secret: a code already scanned stays valid.
    client.get(ENROL)
    assert TOTPDevice.objects.filter(user=coordinator).count() == 1


def test_enrol_with_the_first_code_shows_ten_recovery_codes_once(client, coordinator):
    password_only(client, coordinator).get(ENROL)
    device = TOTPDevice.objects.get(user=coordinator)
    old_key = client.session.session_key

    response = client.post(ENROL, {"token": code_of(device), "next": "/contacts/"})

    assert response.status_code == 200
    device.refresh_from_db()
    assert device.confirmed
    shown = re.findall(r"<li>([a-z2-7]{4}-[a-z2-7]{4})</li>", response.content.decode())
    stored = set(
        StaticToken.objects.filter(device__user=coordinator).values_list("token", flat=True)
    )
    assert len(shown) == 10 and {c.replace("-", "") for c in shown} == stored
    assert is_verified(client) and client.session.session_key != old_key
    assert client.get(reverse("home")).status_code == 200


def test_enrol_refuses_a_wrong_first_code(client, coordinator):
    password_only(client, coordinator).get(ENROL)
    device = TOTPDevice.objects.get(user=coordinator)
    response = client.post(ENROL, {"token": wrong_code_of(device)})
    assert response.status_code == 200 and response.context["form"].errors
    device.refresh_from_db()
    assert not device.confirmed and not is_verified(client)
    assert not StaticToken.objects.exists()
    assert client.get(reverse("home")).url.startswith(ENROL)


def test_password_alone_cannot_enrol_over_an_existing_app(client, coordinator):
    """Else whoever has the password could replace the victim's app with their own."""
    authenticator_for(coordinator)
    response = password_only(client, coordinator).get(ENROL)
    assert response.status_code == 302 and response.url == VERIFY
    response = client.post(ENROL, {"token": "123456"})
    assert response.status_code == 302 and response.url == VERIFY
    assert TOTPDevice.objects.filter(user=coordinator).count() == 1


# --- the verify step ---------------------------------------------------------------------


def test_until_verified_every_app_page_sends_to_the_verify_page(client, coordinator):
    authenticator_for(coordinator)
    password_only(client, coordinator)
    checked = 0
    for name, url in APP_PATTERNS:
        if name in BEFORE_SECOND_FACTOR:
            continue
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            assert response.status_code == 302, (name, url, method, response.status_code)
            assert response.url.startswith(VERIFY), (name, url, method, response.url)
            checked += 1
    assert checked > 20
    response = client.get("/admin/")
    assert response.status_code == 302 and response.url.startswith(VERIFY)


def test_htmx_requests_are_sent_on_with_a_full_page_redirect(client, coordinator):
    authenticator_for(coordinator)
    response = password_only(client, coordinator).get(
        reverse("contacts:list"), HTTP_HX_REQUEST="true"
    )
    assert response.headers["HX-Redirect"].startswith(VERIFY)


def test_pages_to_finish_or_abandon_the_login_stay_reachable(client, coordinator):
    authenticator_for(coordinator)
    password_only(client, coordinator)
    assert client.get(VERIFY).status_code == 200
    feed = client.get(reverse("staffing:ical", args=["not-a-token"]))
    assert feed.status_code == 404  # the feed's own token check, not a redirect
    response = client.post(reverse("logout"))
    assert response.status_code == 302 and "_auth_user_id" not in client.session


def test_the_right_code_passes_and_goes_on_to_next(client, coordinator):
    device = authenticator_for(coordinator)
    password_only(client, coordinator)
    old_key = client.session.session_key
    response = client.post(VERIFY, {"token": code_of(device), "next": "/contacts/"})
    assert response.status_code == 302 and response.url == "/contacts/"
    assert is_verified(client) and client.session.session_key != old_key
    assert client.get(reverse("contacts:list")).status_code == 200


def test_next_must_stay_on_this_site(client, coordinator):
    device = authenticator_for(coordinator)
    password_only(client, coordinator)
    response = client.post(VERIFY, {"token": code_of(device), "next": "https://evil.example/"})
    assert response.url == reverse("home")


def test_a_wrong_code_is_refused(client, coordinator):
    device = authenticator_for(coordinator)
    password_only(client, coordinator)
    response = client.post(VERIFY, {"token": wrong_code_of(device)})
    assert response.status_code == 200 and response.context["form"].errors["token"]
    assert not is_verified(client)
    assert client.get(reverse("home")).url.startswith(VERIFY)
    device.refresh_from_db()
    assert device.throttling_failure_count == 1  # the next try has to wait


def test_a_code_works_only_once(client, coordinator):
    device = authenticator_for(coordinator)
    code = code_of(device)
    assert second_factor_check(user=coordinator, token=code) == device
    assert second_factor_check(user=coordinator, token=code) is None


def test_another_users_code_is_refused(client, coordinator, site_coordinator):
    authenticator_for(coordinator)
    theirs = authenticator_for(site_coordinator)
    password_only(client, coordinator)
    client.post(VERIFY, {"token": code_of(theirs)})
    assert not is_verified(client)


# --- recovery codes ----------------------------------------------------------------------


def test_a_recovery_code_works_once(client, coordinator):
    authenticator_for(coordinator)
    code = recovery_codes_replace(user=coordinator)[0]
    typed = f"{code[:4]}-{code[4:]}".upper()  # as printed, in capitals: still accepted

    response = password_only(client, coordinator).post(VERIFY, {"token": typed})
    assert response.status_code == 302 and is_verified(client)
    assert StaticToken.objects.filter(device__user=coordinator).count() == 9

    client.logout()
    response = password_only(client, coordinator).post(VERIFY, {"token": typed})
    assert response.status_code == 200 and not is_verified(client)


def test_new_recovery_codes_replace_the_old_ones(client_for, coordinator):
    client = client_for(coordinator)
    old = recovery_codes_replace(user=coordinator)
    assert client.get(reverse("accounts:recovery_codes")).context["left"] == 10

    response = client.post(reverse("accounts:recovery_codes"))

    new = re.findall(r"<li>([a-z2-7]{4}-[a-z2-7]{4})</li>", response.content.decode())
    assert len(new) == 10
    assert second_factor_check(user=coordinator, token=new[0]) is not None
    assert second_factor_check(user=coordinator, token=old[0]) is None


def test_recovery_codes_page_needs_the_second_factor(client, coordinator):
    authenticator_for(coordinator)
    password_only(client, coordinator)
    for method in ("get", "post"):
        response = getattr(client, method)(reverse("accounts:recovery_codes"))
        assert response.status_code == 302 and response.url.startswith(VERIFY)
    assert not StaticToken.objects.exists()


# --- the admin ---------------------------------------------------------------------------


def test_the_admin_site_requires_a_verified_session(administrator):
    request = RequestFactory().get("/admin/")
    request.user = administrator
    device = authenticator_for(administrator)
    administrator.is_verified = lambda: False
    assert not admin.site.has_permission(request)
    administrator.otp_device = device
    administrator.is_verified = lambda: True
    assert admin.site.has_permission(request)


def test_the_admin_with_the_second_factor(client, administrator):
    password_only(client, administrator)
    assert client.get("/admin/").url.startswith(ENROL)
    second_factor_passed(client, administrator)
    assert client.get("/admin/").status_code == 200


def test_the_admin_logs_in_through_the_sites_login_page(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response.url == "/login/?next=/admin/"


# --- the demo ----------------------------------------------------------------------------


def test_demo_without_second_factor_says_so_on_the_login_page(settings, client, coordinator):
    settings.TWO_FACTOR_DISABLED = True
    assert b'id="two-factor-off"' in client.get(reverse("login")).content
    assert password_only(client, coordinator).get(reverse("home")).status_code == 200


def test_login_page_is_silent_about_it_in_production(client):
    assert b'id="two-factor-off"' not in client.get(reverse("login")).content


@pytest.mark.parametrize(
    "name", ["two_factor_verify", "two_factor_enrol", "recovery_codes", "keepalive"]
)
def test_anonymous_visitors_are_sent_to_login(client, name):
    response = client.get(reverse(f"accounts:{name}"))
    assert response.status_code == 302 and response.url.startswith("/login/")


def _settings_load(**env) -> subprocess.CompletedProcess:
    base = {
        "DEBUG": "off",
        "SECRET_KEY": "k3y-" + "abcdefghij" * 5,
        "CALLER_HASH_KEY": "caller-key",
        "ALLOWED_HOSTS": "example.org",
        "DJANGO_SETTINGS_MODULE": "meldpunt.settings",
    }
    inherited = {k: v for k, v in os.environ.items() if k not in base and "TWO_FACTOR" not in k}
    return subprocess.run(  # noqa: S603 - our own interpreter and a fixed script
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=Path(__file__).resolve().parents[2],
        env={**inherited, **base, **env},
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def test_settings_refuse_the_demo_switch_outside_debug():
    result = _settings_load(TWO_FACTOR_DISABLED="on")
    assert result.returncode != 0
    assert "TWO_FACTOR_DISABLED is for the demo only" in result.stderr
    assert _settings_load(TWO_FACTOR_DISABLED="on", DEBUG="on").returncode == 0


def test_the_menu_leads_to_the_recovery_codes(client_for, responder):
    html = client_for(responder).get(reverse("home")).content.decode()
    assert f'href="{reverse("accounts:recovery_codes")}"' in html


def test_the_pages_speak_dutch(client, coordinator):
    dutch = {"HTTP_ACCEPT_LANGUAGE": "nl"}
    password_only(client, coordinator)
    assert "Aanmelden in twee stappen instellen" in client.get(ENROL, **dutch).content.decode()
    authenticator_for(coordinator)
    page = client.get(VERIFY, **dutch).content.decode()
    assert "Tweede stap" in page and "herstelcodes" in page
    second_factor_passed(client, coordinator)
    assert "Herstelcodes" in client.get(reverse("home"), **dutch).content.decode()
