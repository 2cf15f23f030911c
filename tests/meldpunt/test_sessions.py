"""Session lifetime: idle timeout, absolute lifetime, deactivation, new keys on login."""

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import password_validation
from django.contrib.sessions.backends.db import SessionStore
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from meldpunt.accounts.sessions import LOGIN_AT, SEEN_AT
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

HOME = reverse("home")


def set_clocks(client, *, login_minutes_ago: float, seen_minutes_ago: float):
    now = timezone.now().timestamp()
    session = client.session
    session[LOGIN_AT] = now - login_minutes_ago * 60
    session[SEEN_AT] = now - seen_minutes_ago * 60
    session.save()


def test_login_starts_both_clocks(client_for, responder):
    session = client_for(responder).session
    assert abs(session[LOGIN_AT] - timezone.now().timestamp()) < 60
    assert session[SEEN_AT] == session[LOGIN_AT]


def test_idle_for_31_minutes_is_logged_out(client_for, responder):
    client = client_for(responder)
    old_key = client.session.session_key
    set_clocks(client, login_minutes_ago=40, seen_minutes_ago=31)

    response = client.get(HOME)

    assert response.status_code == 302
    assert response.url == "/login/?next=%2F"
    assert "_auth_user_id" not in client.session
    assert not SessionStore().exists(old_key)
    follow = client.get(response.url)
    assert [m.level_tag for m in follow.context["messages"]] == ["warning"]


def test_idle_for_29_minutes_is_still_in_and_the_clock_restarts(client_for, responder):
    client = client_for(responder)
    set_clocks(client, login_minutes_ago=40, seen_minutes_ago=29)
    assert client.get(HOME).status_code == 200
    assert timezone.now().timestamp() - client.session[SEEN_AT] < 60


def test_twelve_hours_after_login_the_session_ends_however_active(client_for, responder):
    client = client_for(responder)
    set_clocks(client, login_minutes_ago=12 * 60 + 1, seen_minutes_ago=1)
    response = client.get(HOME)
    assert response.status_code == 302 and response.url.startswith("/login/")
    assert "_auth_user_id" not in client.session


def test_just_under_twelve_hours_is_still_in(client_for, responder):
    client = client_for(responder)
    set_clocks(client, login_minutes_ago=12 * 60 - 1, seen_minutes_ago=1)
    assert client.get(HOME).status_code == 200


def test_the_timeouts_come_from_the_settings(settings, client_for, responder):
    settings.SESSION_IDLE_TIMEOUT_MINUTES = 5
    client = client_for(responder)
    set_clocks(client, login_minutes_ago=6, seen_minutes_ago=6)
    assert client.get(HOME).status_code == 302


def test_the_cookie_does_not_outlive_the_session():
    assert django_settings.SESSION_COOKIE_AGE == django_settings.SESSION_MAX_AGE_HOURS * 3600


def test_htmx_requests_of_an_expired_session_reload_the_whole_page(client_for, responder):
    client = client_for(responder)
    set_clocks(client, login_minutes_ago=40, seen_minutes_ago=31)
    response = client.get(HOME, HTTP_HX_REQUEST="true")
    assert response.headers["HX-Redirect"].startswith("/login/")


def test_a_deactivated_users_session_is_refused_at_the_next_request(client_for, responder):
    client = client_for(responder)
    assert client.get(HOME).status_code == 200
    responder.is_active = False
    responder.save(update_fields=["is_active"])

    response = client.get(HOME)

    assert response.status_code == 302 and response.url.startswith("/login/")
    assert client.get(reverse("contacts:list")).status_code == 302


def test_login_gives_a_new_session_key(client, responder):
    session = client.session
    session["before_login"] = True
    session.save()
    before = session.session_key

    response = client.post(reverse("login"), {"username": responder.username, "password": PASSWORD})

    assert response.status_code == 302
    assert client.session.session_key != before
    assert not SessionStore().exists(before)


@pytest.mark.parametrize(
    ("password", "valid"),
    [("Zq7#kd9!Lm2", False), ("Zq7#kd9!Lm2x", True), ("123456789012345", False)],
)
def test_passwords_need_twelve_characters(password, valid):
    if valid:
        password_validation.validate_password(password)
    else:
        with pytest.raises(ValidationError):
            password_validation.validate_password(password)


def test_a_short_password_is_refused_for_its_length():
    with pytest.raises(ValidationError) as refused:
        password_validation.validate_password("Zq7#kd9!Lm2")
    assert [e.code for e in refused.value.error_list] == ["password_too_short"]


def test_activity_in_an_open_page_restarts_the_idle_clock(client_for, responder):
    """keepalive.js posts while someone types a long call's registration."""
    client = client_for(responder)
    set_clocks(client, login_minutes_ago=60, seen_minutes_ago=25)
    page = client.get(reverse("contacts:create")).content.decode()
    assert 'src="/static/accounts/keepalive.js"' in page
    set_clocks(client, login_minutes_ago=60, seen_minutes_ago=25)

    response = client.post(reverse("accounts:keepalive"))

    assert response.status_code == 204
    assert timezone.now().timestamp() - client.session[SEEN_AT] < 60


def test_keepalive_cannot_revive_an_idle_session(client_for, responder):
    client = client_for(responder)
    set_clocks(client, login_minutes_ago=60, seen_minutes_ago=31)
    assert client.post(reverse("accounts:keepalive")).status_code == 302
    assert "_auth_user_id" not in client.session
