"""The users' language is Dutch (nl-be), with English as the second language."""

import pytest
from django.conf import settings as django_settings
from django.urls import reverse
from django.utils import translation

CONFIGURED_LANGUAGE = django_settings.LANGUAGE_CODE


@pytest.fixture
def dutch(settings):
    settings.LANGUAGE_CODE = CONFIGURED_LANGUAGE
    with translation.override(CONFIGURED_LANGUAGE):
        yield


def test_configured_language_is_flemish_dutch():
    assert CONFIGURED_LANGUAGE == "nl-be"


@pytest.mark.django_db
def test_pages_are_dutch_by_default(client, dutch):
    page = client.get(reverse("login")).content.decode()
    assert 'lang="nl-be"' in page
    assert "Aanmelden" in page and "Wachtwoord" in page


@pytest.mark.django_db
def test_catalogue_covers_the_intake(client_for, responder, dutch):
    page = client_for(responder).get(reverse("contacts:create")).content.decode()
    for dutch_text in ["Nieuw contact", "Slachtoffers", "Opslaan", "Kindermishandeling"]:
        assert dutch_text in page


@pytest.mark.django_db
def test_language_switch_to_english(client, dutch):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/login/"})
    assert response.status_code == 302
    page = client.get(reverse("login")).content.decode()
    assert "Log in" in page and "Aanmelden" not in page
