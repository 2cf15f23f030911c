from django.contrib.admin.apps import AdminConfig


class MeldpuntAdminConfig(AdminConfig):
    """django.contrib.admin, with MeldpuntAdminSite as `admin.site` for every app's admin.py."""

    default = False
    default_site = "meldpunt.accounts.admin_site.MeldpuntAdminSite"
