import importlib
import logging

import pytest
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from meldpunt.roles import Role
from staffing.models import Site

from .factories import SiteFactory, UserFactory, staff_user


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Logins in tests need no slow key stretching; production keeps Django's default."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _english_by_default(settings):
    """Assertions read the English source texts; the Dutch default of the app itself is
    tested in tests/meldpunt/test_i18n.py with LANGUAGE_CODE as configured."""
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


# Data that migrations seed; a transactional test flushes every table when it ends, so the
# next transactional test gets it back from the same functions the migrations run.
MIGRATION_SEEDS = [
    ("meldpunt.migrations.0001_seed_roles", "seed_roles"),
    ("staffing.migrations.0002_default_site", "create_default_site"),
    ("staffing.migrations.0004_opening_hours_seed", "seed_opening_hours"),
    ("contacts.migrations.0002_seed_taxonomy", "seed_taxonomy"),
    ("contacts.migrations.0006_case_work", "seed_contact_types"),
]


@pytest.fixture(autouse=True)
def _seed_data_after_flush(request):
    marker = request.node.get_closest_marker("django_db")
    if marker and (marker.kwargs.get("transaction") or "live_server" in request.fixturenames):
        from django.apps import apps

        request.getfixturevalue("transactional_db")
        for module, function in MIGRATION_SEEDS:
            getattr(importlib.import_module(module), function)(apps, None)


@pytest.fixture(autouse=True)
def _fail_on_logged_errors(caplog):
    """A test that logs an error (a 500, a failed task) fails, even if its assertions pass."""
    yield
    errors = [r for r in caplog.get_records("call") if r.levelno >= logging.ERROR]
    assert not errors, f"Errors were logged: {[r.getMessage() for r in errors]}"


@pytest.fixture
def site(db) -> Site:
    return SiteFactory(code="antwerpen", name="Antwerpen")


@pytest.fixture
def other_site(db) -> Site:
    return SiteFactory(code="gent", name="Gent")


@pytest.fixture
def default_site(db) -> Site:
    return Site.objects.default()


@pytest.fixture
def responder(site):
    return staff_user(Role.RESPONDER, site, username="beantwoorder")


@pytest.fixture
def other_responder(other_site):
    return staff_user(Role.RESPONDER, other_site, username="beantwoorder_gent")


@pytest.fixture
def site_coordinator(site):
    return staff_user(Role.SITE_COORDINATOR, site, username="sitecoordinator")


@pytest.fixture
def coordinator(site):
    return staff_user(Role.COORDINATOR, site, username="coordinator")


@pytest.fixture
def administrator(site):
    return staff_user(Role.ADMINISTRATOR, site, username="beheerder", is_staff=True)


@pytest.fixture
def outsider(db):
    """Logged in, but in no role and without a site: must be refused everywhere."""
    return UserFactory(username="buitenstaander")


def second_factor_passed(client, user) -> TOTPDevice:
    """Mark the client's session as having passed the second factor, as the verify page does
    (django_otp.login), with a confirmed authenticator device of `user`."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device


@pytest.fixture
def client_for(client):
    """`client_for(user)`: the test client logged in as `user`, second factor passed."""

    def login(user):
        client.force_login(user)
        second_factor_passed(client, user)
        return client

    return login


@pytest.fixture
def admin_client(client, admin_user):
    """pytest-django's `admin_client`, with the second factor passed: the admin requires it."""
    client.force_login(admin_user)
    second_factor_passed(client, admin_user)
    return client
