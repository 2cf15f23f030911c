"""A responder logs in (password, then the app's code), registers a phone contact with two
victims by keyboard, and finds it."""

import re

import pytest

from contacts.models import Contact
from meldpunt.roles import Role
from tests.factories import staff_user

from .login import authenticator_for, log_in_by_keyboard

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_responder_registers_contact_with_two_victims_by_keyboard(page, site):
    responder = staff_user(Role.RESPONDER, site, username="an.beantwoorder")
    device = authenticator_for(responder)

    page.goto("/")
    log_in_by_keyboard(page, responder, device)
    page.wait_for_url(re.compile(r"/$"))

    page.get_by_role("link", name=re.compile("Telefoon|Phone")).first.click()
    page.wait_for_url(re.compile(r"/contacts/new/\?channel=phone"))

    # Focus starts on the contact type: one digit key picks "about someone else" and moves
    # on to the main theme group, where the arrow key picks the next theme.
    assert page.evaluate("document.activeElement.name") == "contact_type"
    page.keyboard.press("2")
    focused = page.evaluate("document.activeElement.name")
    assert focused == "theme"
    page.keyboard.press("ArrowRight")
    theme = page.evaluate("document.activeElement.value")
    assert theme

    # First victim row is there; Alt+V adds the second and puts the focus in it.
    page.focus("#id_victims-0-age_group")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    first_age = page.input_value("#id_victims-0-age_group")
    page.keyboard.press("Alt+v")
    assert page.evaluate("document.activeElement.id") == "id_victims-1-age_group"
    for _ in range(4):
        page.keyboard.press("ArrowDown")
    second_age = page.input_value("#id_victims-1-age_group")
    assert first_age and second_age and first_age != second_age

    page.keyboard.press("Control+Enter")
    page.wait_for_url(re.compile(r"/contacts/\d{4}-\d{6}/$"))
    reference = page.url.rstrip("/").rsplit("/", 1)[-1]

    contact = Contact.objects.get(reference=reference)
    assert contact.channel == "phone"
    assert contact.contact_type_id == "about_other"
    assert contact.theme_id == theme
    assert sorted(v.age_group_id for v in contact.victims.all()) == sorted([first_age, second_age])
    assert contact.ended_at is not None

    page.goto("/contacts/")
    page.fill("input[name=q]", reference)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"q={reference}"))
    assert page.get_by_role("link", name=reference).count() == 1
