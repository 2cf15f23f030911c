"""Case work in the browser: a hang-up in three keys, the warning about an unusual contact
confirmed with one key, the pages at phone size, and the draft that survives an error page."""

import re

import pytest

from contacts.models import Contact, ContactFlag
from meldpunt.roles import Role
from tests.factories import ContactFactory, staff_user

from .login import authenticator_for, log_in_by_keyboard

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DETAIL = re.compile(r"/contacts/\d{4}-\d{6}/$")
DRAFTS = "Object.keys(sessionStorage).filter((key) => key.startsWith('intake:')).length"


@pytest.fixture
def logged_in(page, site):
    responder = staff_user(Role.RESPONDER, site, username="an.beantwoorder")
    device = authenticator_for(responder)
    page.goto("/")
    log_in_by_keyboard(page, responder, device)
    page.wait_for_url(re.compile(r"/$"))
    return page


def test_a_hang_up_in_three_keys(logged_in):
    page = logged_in
    # The home page's first channel button has the focus: Enter opens a phone intake.
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/contacts/new/\?channel=phone"))
    assert page.evaluate("document.activeElement.name") == "contact_type"
    page.keyboard.press("6")  # hang-up; the focus moves to Save
    assert page.locator("[data-counselling-only]").first.is_hidden()
    page.keyboard.press("Enter")
    page.wait_for_url(DETAIL)
    contact = Contact.objects.get()
    assert contact.contact_type_id == "hang_up" and contact.theme_id is None


def test_an_unusual_contact_is_confirmed_with_one_key_and_flagged(logged_in):
    page = logged_in
    page.goto("/contacts/new/?channel=chat")
    page.keyboard.press("3")  # a professional's consultation; focus on the main theme
    page.keyboard.press("ArrowRight")
    page.click("label[for=id_caller_role_5]")  # professional
    page.click("label[for=id_caller_age_group_2]")  # 12 or older, minor
    assert page.is_checked("input[name=caller_role][value=professional]")
    assert page.is_checked("input[name=caller_age_group][value=age_12_17]")
    page.keyboard.press("Control+Enter")
    page.wait_for_selector("[data-warnings]")
    assert Contact.objects.count() == 0
    assert page.evaluate("document.activeElement.name") == "confirm_warnings"
    page.keyboard.press("Enter")
    page.wait_for_url(DETAIL)
    assert ContactFlag.objects.get().reason == "minor_professional"


def _no_sideways_scroll(page) -> None:
    width, client = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert width <= client, f"{page.url}: {width} px wide in {client} px"


def test_intake_list_and_detail_fit_a_phone(logged_in, site):
    page = logged_in
    page.set_viewport_size({"width": 390, "height": 844})
    contact = ContactFactory(site=site)
    for url in ("/contacts/new/?channel=phone", "/contacts/", f"/contacts/{contact.reference}/"):
        page.goto(url)
        _no_sideways_scroll(page)
    # With two victims, the victims table still fits.
    page.goto("/contacts/new/?channel=phone")
    page.keyboard.press("2")
    page.keyboard.press("Alt+v")
    _no_sideways_scroll(page)


def test_the_draft_is_offered_back_after_an_error_page(logged_in):
    page = logged_in
    page.goto("/contacts/new/?channel=phone")
    page.keyboard.press("2")
    page.keyboard.press("ArrowRight")
    theme = page.evaluate("document.activeElement.value")
    page.fill("textarea[name=notes]", "Buurvrouw hoort elke avond geroep")

    # The save fails with an error page: the network or a proxy answers 502.
    def bad_gateway(route):
        if route.request.method == "POST":
            route.fulfill(status=502, body="Bad gateway", content_type="text/plain")
        else:
            route.continue_()

    page.route(re.compile(r".*/contacts/new/.*"), bad_gateway)
    with page.expect_navigation():
        page.keyboard.press("Control+Enter")
    page.unroute(re.compile(r".*/contacts/new/.*"))
    assert Contact.objects.count() == 0
    page.goto("/contacts/new/?channel=phone")
    offer = page.locator("[data-draft-offer]")
    assert offer.is_visible()
    offer.get_by_role("button", name=re.compile("herstel|restore", re.IGNORECASE)).click()
    assert page.input_value("textarea[name=notes]") == "Buurvrouw hoort elke avond geroep"
    assert page.is_checked(f"input[name=theme][value={theme}]")
    page.keyboard.press("Control+Enter")
    page.wait_for_url(DETAIL)
    assert Contact.objects.get().notes == "Buurvrouw hoort elke avond geroep"
    # Saved: the draft is gone.
    page.goto("/contacts/new/?channel=phone")
    assert page.locator("[data-draft-offer]").is_hidden()
    assert page.evaluate(DRAFTS) == 0


def test_logging_out_clears_the_draft(logged_in):
    page = logged_in
    page.goto("/contacts/new/?channel=phone")
    page.fill("textarea[name=notes]", "Iets wat niet mag blijven hangen")
    page.keyboard.press("Tab")
    assert page.evaluate(DRAFTS) == 1
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("form[action$='/logout/'] button").click()
    page.wait_for_url(re.compile(r"/login/"))
    assert page.evaluate(DRAFTS) == 0
