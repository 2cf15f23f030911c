from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    """Logging in safely: the second factor (TOTP), lockouts, session lifetimes."""

    name = "meldpunt.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from .sessions import session_clocks_start

        user_logged_in.connect(session_clocks_start, dispatch_uid="meldpunt_session_clocks")
