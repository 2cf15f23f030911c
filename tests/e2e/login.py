"""Logging in by keyboard in the browser, both steps: the password, then the app's code."""

import re

from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import PASSWORD


def authenticator_for(user) -> TOTPDevice:
    """A confirmed authenticator app for `user`, as if they had enrolled it."""
    return TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)


def log_in_by_keyboard(page, user, device: TOTPDevice) -> None:
    """On the login page: user name, Tab, password, Enter; then the code the app shows now."""
    assert "/login/" in page.url
    page.keyboard.type(user.username)  # the username field has the focus
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(re.escape(reverse("accounts:two_factor_verify"))))
    assert page.evaluate("document.activeElement.name") == "token"
    page.keyboard.type(f"{totp(device.bin_key):06d}")
    page.keyboard.press("Enter")
