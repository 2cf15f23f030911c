"""Logging in: the password step (Django's LoginView), then the second factor.

These pages serve every signed-in user, whatever their role: they are how one gets a role's
pages at all. The redirects between them are made by TwoFactorMiddleware.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice

from .forms import AppCodeForm, SecondFactorForm
from .redirects import safe_next
from .two_factor import (
    format_recovery_code,
    has_totp_device,
    recovery_codes_left,
    recovery_codes_replace,
    second_factor_check,
    totp_device_of,
    totp_enrolment_confirm,
    totp_enrolment_start,
    totp_qr_svg,
    totp_secret_text,
)

# Fewer recovery codes than this left: the verify step suggests making new ones.
RECOVERY_CODES_LOW = 3


class LoginView(auth_views.LoginView):
    """Django's login page; in the demo it says that the second factor is off."""

    def get_context_data(self, **kwargs):
        return super().get_context_data(two_factor_disabled=settings.TWO_FACTOR_DISABLED, **kwargs)


def _second_factor_passed(request, device):
    otp_login(request, device)
    # The session is worth more now: a new key, so an id seen before this step is useless.
    request.session.cycle_key()


def _codes_page(request, codes, next_url):
    return render(
        request,
        "accounts/recovery_codes_new.html",
        {"codes": [format_recovery_code(c) for c in codes], "next": next_url},
    )


@require_http_methods(["GET", "POST"])
def two_factor_verify(request):
    """Second step of logging in: a code from the app, or one of the recovery codes."""
    next_url = safe_next(request)
    if request.user.is_verified():
        return redirect(next_url)
    if not has_totp_device(request.user):
        return redirect("accounts:two_factor_enrol")
    form = SecondFactorForm(request.POST or None)
    if form.is_valid():
        device = second_factor_check(user=request.user, token=form.cleaned_data["token"])
        if device is not None:
            _second_factor_passed(request, device)
            if isinstance(device, StaticDevice):
                left = recovery_codes_left(request.user)
                messages.warning(
                    request,
                    ngettext(
                        "You used a recovery code; %(count)d is left.",
                        "You used a recovery code; %(count)d are left.",
                        left,
                    )
                    % {"count": left},
                )
            return redirect(next_url)
        form.add_error(
            "token", _("This code is not right, or it has expired. Wait a moment and try again.")
        )
    return render(request, "accounts/two_factor_verify.html", {"form": form, "next": next_url})


@require_http_methods(["GET", "POST"])
def two_factor_enrol(request):
    """Set up the authenticator app: scan the QR code, confirm with a first code, and get
    the recovery codes, shown this once."""
    next_url = safe_next(request)
    if totp_device_of(request.user) is not None:
        # A second app is not enrolled over the first: that would skip the second factor.
        # Whoever lost their phone asks an administrator to delete the device in the admin.
        if request.user.is_verified():
            messages.info(request, _("Your authenticator app is already set up."))
            return redirect(next_url)
        return redirect("accounts:two_factor_verify")
    device = totp_enrolment_start(user=request.user)
    form = AppCodeForm(request.POST or None)
    if form.is_valid():
        codes = totp_enrolment_confirm(
            user=request.user, device_id=device.pk, token=form.cleaned_data["token"]
        )
        if codes is not None:
            device.refresh_from_db()
            _second_factor_passed(request, device)
            return _codes_page(request, codes, next_url)
        form.add_error("token", _("This code is not right. Check the time on your phone."))
    return render(
        request,
        "accounts/two_factor_enrol.html",
        {
            "form": form,
            "next": next_url,
            "qr_svg": totp_qr_svg(device),
            "secret": totp_secret_text(device),
        },
    )


@require_http_methods(["GET", "POST"])
def recovery_codes(request):
    """How many recovery codes are left; new ones on request (the old ones stop working)."""
    if not request.user.is_verified():
        return redirect("accounts:two_factor_verify")
    if request.method == "POST":
        codes = recovery_codes_replace(user=request.user)
        return _codes_page(request, codes, safe_next(request))
    return render(
        request, "accounts/recovery_codes.html", {"left": recovery_codes_left(request.user)}
    )


@require_POST
def keepalive(request):
    """Typing or clicking in an open page (keepalive.js): SessionLifetimeMiddleware has
    restarted the idle clock on the way here, so a long call's registration is not lost."""
    return HttpResponse(status=204)
