"""The error pages are Dutch, in the app's layout, with a way back (issue 11: Django's bare
English "Server Error (500)")."""

import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.utils import translation

pytestmark = pytest.mark.django_db

BACK = "Terug naar de startpagina"


@pytest.fixture
def dutch(settings):
    settings.LANGUAGE_CODE = "nl-be"
    with translation.override("nl-be"):
        yield


def test_403_for_another_role(client_for, outsider, dutch):
    response = client_for(outsider).get("/reports/", HTTP_ACCEPT_LANGUAGE="nl")
    assert response.status_code == 403
    page = response.content.decode()
    assert "U hebt geen toegang tot deze pagina" in page and BACK in page


def test_404(client_for, responder, dutch):
    response = client_for(responder).get("/contacts/2026-999999/", HTTP_ACCEPT_LANGUAGE="nl")
    assert response.status_code == 404
    page = response.content.decode()
    assert "Deze pagina bestaat niet" in page and BACK in page


def test_csrf_failure(responder, dutch):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/login/", {"username": "x", "password": "y"}, HTTP_ACCEPT_LANGUAGE="nl")
    assert response.status_code == 403
    page = response.content.decode()
    assert "Het formulier kon niet veilig verstuurd worden" in page
    assert "Opnieuw aanmelden" in page and BACK in page


def test_500_renders_without_a_request(dutch):
    """Django renders 500.html without context or request: nothing in it may need them."""
    page = render_to_string("500.html")
    assert "Er ging bij ons iets mis" in page
    assert "Terug naar het registratieformulier" in page and BACK in page
    assert "<script" not in page and "style=" not in page
