from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeldpuntConfig(AppConfig):
    name = "meldpunt"
    verbose_name = _("Meldpunt")

    def ready(self):
        from . import converters

        converters.register()
        # Audit bookkeeping only: logins, logouts and failed logins are written to the audit
        # trail. No business rule hangs on these signals.
        from django.contrib.auth import signals

        from . import audit

        signals.user_logged_in.connect(audit.audit_login, dispatch_uid="meldpunt_audit_login")
        signals.user_logged_out.connect(audit.audit_logout, dispatch_uid="meldpunt_audit_logout")
        signals.user_login_failed.connect(
            audit.audit_login_failed, dispatch_uid="meldpunt_audit_login_failed"
        )
