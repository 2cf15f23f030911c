import logging

import pytest

from meldpunt.roles import Role
from staffing.models import Site

from .factories import SiteFactory, UserFactory, staff_user


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Logins in tests need no slow key stretching; production keeps Django's default."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


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


@pytest.fixture
def client_for(client):
    """`client_for(user)`: the test client logged in as `user`."""

    def login(user):
        client.force_login(user)
        return client

    return login
