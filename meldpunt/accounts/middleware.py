from django.conf import settings
from django.urls import Resolver404, resolve

from .redirects import redirect_to
from .two_factor import has_totp_device, two_factor_required

# Pages a signed-in user reaches before the second factor: to finish logging in (or give up),
# to switch language, and the calendar feed, which has no session and its own secret token.
BEFORE_SECOND_FACTOR = frozenset(
    {
        "login",
        "logout",
        "set_language",
        "accounts:two_factor_verify",
        "accounts:two_factor_enrol",
        "staffing:ical",
    }
)


class TwoFactorMiddleware:
    """Until the session has passed the second factor, every other page sends the user on:
    to the verify page when they have an app set up, to the enrolment page when they need
    one and have none yet. Comes after django_otp's OTPMiddleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.static_prefix = "/" + settings.STATIC_URL.lstrip("/")

    def __call__(self, request):
        user = request.user
        if (
            not settings.TWO_FACTOR_DISABLED
            and user.is_authenticated
            and not user.is_verified()
            and not self._before_second_factor(request)
        ):
            if has_totp_device(user):
                return redirect_to(request, "accounts:two_factor_verify", keep_path=True)
            if two_factor_required(user):
                return redirect_to(request, "accounts:two_factor_enrol", keep_path=True)
        return self.get_response(request)

    def _before_second_factor(self, request) -> bool:
        if request.path_info.startswith(self.static_prefix):
            return True
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return False
        return match.view_name in BEFORE_SECOND_FACTOR
