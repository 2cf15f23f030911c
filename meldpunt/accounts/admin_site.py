"""The Django admin behind the second factor."""

from django.conf import settings
from django.contrib.admin import AdminSite
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.urls import reverse
from django_otp.admin import OTPAdminSite


class MeldpuntAdminSite(OTPAdminSite):
    """Only staff whose session passed the second factor get in.

    The admin has no login form of its own: it sends people to the site's login page, so
    the lockout and the two-factor step are the same everywhere.
    """

    def __init__(self, name="admin"):
        super().__init__(name)

    def has_permission(self, request):
        if settings.TWO_FACTOR_DISABLED:  # the demo only; refused with DEBUG off
            return AdminSite.has_permission(self, request)
        return super().has_permission(request)

    @login_not_required
    def login(self, request, extra_context=None):
        return redirect_to_login(request.GET.get("next") or reverse("admin:index"))
