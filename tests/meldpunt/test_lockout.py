"""Login lockout (django-axes): 5 failures per user name or per IP address, 15 minutes."""

from datetime import timedelta

import axes.attempts
import axes.handlers.proxy
import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def log_in(client, username, password, ip="10.0.0.1"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


@pytest.fixture
def clock(monkeypatch):
    """`clock(minutes)`: axes sees the time that many minutes from now."""

    def move(minutes):
        later = timezone.now() + timedelta(minutes=minutes)
        monkeypatch.setattr(axes.handlers.proxy, "now", lambda: later)
        monkeypatch.setattr(axes.attempts, "now", lambda: later)

    return move


def test_the_right_password_logs_in(client, responder):
    assert log_in(client, responder.username, PASSWORD).status_code == 302
    assert logged_in(client)


def test_five_failures_lock_the_user_name_for_fifteen_minutes(client, responder, clock):
    for _ in range(4):
        assert log_in(client, responder.username, "wrong").status_code == 200
    assert log_in(client, responder.username, "wrong").status_code == 429

    response = log_in(client, responder.username, PASSWORD)
    assert response.status_code == 429
    assert b'id="locked-out"' in response.content
    assert "accounts/locked_out.html" in [t.name for t in response.templates]
    assert not logged_in(client)

    clock(14)
    assert log_in(client, responder.username, PASSWORD).status_code == 429
    clock(16)
    assert log_in(client, responder.username, PASSWORD).status_code == 302
    assert logged_in(client)


def test_four_failures_do_not_lock(client, responder):
    for _ in range(4):
        log_in(client, responder.username, "wrong")
    assert log_in(client, responder.username, PASSWORD).status_code == 302


def test_the_user_name_is_locked_from_every_address(client, responder):
    for n in range(5):
        log_in(client, responder.username, "wrong", ip=f"10.0.1.{n}")
    assert log_in(client, responder.username, PASSWORD, ip="10.0.2.1").status_code == 429
    assert not logged_in(client)


def test_an_address_is_locked_for_every_user_name(client, responder, coordinator):
    for n in range(5):
        log_in(client, f"gok{n}", "wrong", ip="10.0.3.1")
    assert log_in(client, responder.username, PASSWORD, ip="10.0.3.1").status_code == 429
    assert not logged_in(client)
    # From elsewhere, the same person gets in: the lock is on the address, not on them.
    assert log_in(client, responder.username, PASSWORD, ip="10.0.3.2").status_code == 302


def test_administrators_see_the_lockouts(client, administrator, admin_client):
    for _ in range(5):
        log_in(client, "beheerder", "wrong", ip="10.0.4.1")
    response = admin_client.get(reverse("admin:axes_accessattempt_changelist"))
    assert response.status_code == 200
    assert b"10.0.4.1" in response.content


def test_behind_a_proxy_the_forwarded_client_address_counts(settings, client, responder):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = "10.9.9.9"
    for n in range(5):
        # Whatever a client writes in front of the proxy's entry is not believed.
        client.post(
            reverse("login"),
            {"username": f"gok{n}", "password": "wrong"},
            REMOTE_ADDR=proxy,
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 203.0.113.7",
        )
    other = {"REMOTE_ADDR": proxy, "HTTP_X_FORWARDED_FOR": "203.0.113.8"}
    login = {"username": responder.username, "password": PASSWORD}
    assert client.post(reverse("login"), login, **other).status_code == 302
    client.logout()
    locked = {"REMOTE_ADDR": proxy, "HTTP_X_FORWARDED_FOR": "203.0.113.7"}
    assert client.post(reverse("login"), login, **locked).status_code == 429


def test_the_lockout_page_speaks_dutch(client, responder):
    for _ in range(5):
        log_in(client, responder.username, "wrong")
    response = client.post(
        reverse("login"),
        {"username": responder.username, "password": PASSWORD},
        HTTP_ACCEPT_LANGUAGE="nl",
    )
    page = response.content.decode()
    assert "Te veel mislukte aanmeldpogingen" in page
    assert "15 minuten geblokkeerd" in page
