"""Two-factor authentication: who needs it, enrolling an authenticator app, recovery codes.

The second factor is a TOTP app (django-otp's TOTPDevice, one per user) with ten single-use
recovery codes (a StaticDevice named "recovery"). A session is verified when django-otp has
stored the device that accepted a code in it (`django_otp.login`).
"""

import re
from base64 import b32encode

import segno
from django.conf import settings
from django.db import transaction
from django.utils.safestring import mark_safe
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from meldpunt.roles import Role, roles_of

RECOVERY_CODE_COUNT = 10
RECOVERY_DEVICE_NAME = "recovery"
TOTP_DEVICE_NAME = "authenticator"
_TOTP_CODE = re.compile(r"\d{6}")
_RECOVERY_CODE = re.compile(r"[a-z2-7]{8}")  # StaticToken.random_token(): 5 bytes in base32


def two_factor_required(user) -> bool:
    """Everyone needs a second factor, except responders when TWO_FACTOR_RESPONDERS is off.

    A responder who also holds a wider role, or admin access, still needs it.
    """
    if settings.TWO_FACTOR_DISABLED or not user.is_authenticated:
        return False
    if settings.TWO_FACTOR_RESPONDERS:
        return True
    return user.is_staff or roles_of(user) != {Role.RESPONDER}


def totp_device_of(user, *, confirmed: bool = True) -> TOTPDevice | None:
    return TOTPDevice.objects.devices_for_user(user, confirmed=confirmed).order_by("id").first()


def has_totp_device(user) -> bool:
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).exists()


def totp_enrolment_start(*, user) -> TOTPDevice:
    """The unconfirmed device the user is setting up: the same one on every reload of the
    page, so a QR code already scanned stays valid."""
    device = totp_device_of(user, confirmed=False)
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    return device


def totp_enrolment_confirm(*, user, device_id: int, token: str) -> list[str] | None:
    """Confirm the device with a first code from the app and hand out new recovery codes.

    Returns the recovery codes (to be shown once), or None when the code is wrong or the
    user already has a confirmed device: enrolling over it would skip the second factor.
    """
    token = _normalise(token)
    with transaction.atomic():
        # The user's devices are locked so two confirmations cannot both succeed.
        devices = list(TOTPDevice.objects.select_for_update().filter(user=user).order_by("id"))
        if any(d.confirmed for d in devices):
            return None
        device = next((d for d in devices if d.pk == device_id), None)
        if device is None or not _TOTP_CODE.fullmatch(token) or not device.verify_token(token):
            return None
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        return recovery_codes_replace(user=user)


def recovery_codes_replace(*, user) -> list[str]:
    """Ten new single-use recovery codes; the old ones stop working."""
    with transaction.atomic():
        device, _ = StaticDevice.objects.select_for_update().get_or_create(
            user=user, name=RECOVERY_DEVICE_NAME, defaults={"confirmed": True}
        )
        device.token_set.all().delete()
        codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
        StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
    return codes


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def second_factor_check(*, user, token: str) -> Device | None:
    """The device that accepts `token` (a 6-digit app code or a recovery code), or None.

    A recovery code is used up by this call. Wrong codes slow the device down (django-otp's
    exponential throttling), across sessions, since the count is stored on the device.
    """
    token = _normalise(token)
    if _TOTP_CODE.fullmatch(token):
        model = TOTPDevice
    elif _RECOVERY_CODE.fullmatch(token):
        model = StaticDevice
    else:
        return None
    with transaction.atomic():
        devices = model.objects.devices_for_user(user, confirmed=True).select_for_update()
        for device in devices.order_by("id"):
            if device.verify_token(token):
                return device
    return None


def format_recovery_code(code: str) -> str:
    return f"{code[:4]}-{code[4:]}"


def totp_secret_text(device: TOTPDevice) -> str:
    """The secret in base32, in groups of four, for typing into an app by hand."""
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def totp_qr_svg(device: TOTPDevice) -> str:
    # segno draws the code as one <path>; no text of ours ends up in the markup, so it is safe.
    svg = segno.make(device.config_url, error="m").svg_inline(
        scale=5, svgclass="totp-qr", lineclass=None, omitsize=False
    )
    return mark_safe(svg)  # noqa: S308  # nosec B308 B703


def _normalise(token: str) -> str:
    return re.sub(r"[\s-]", "", token or "").lower()
