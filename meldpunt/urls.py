from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from contacts.views import home
from meldpunt import health, metrics
from meldpunt.accounts.views import LoginView
from meldpunt.audit_views import audit_list
from meldpunt.ping import signed_in_ping

urlpatterns = [
    path("", home.home, name="home"),
    path("login/", LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("account/", include("meldpunt.accounts.urls")),
    path("contacts/", include("contacts.urls")),
    path("staffing/", include("staffing.urls")),
    path("reports/", include("reports.urls")),
    path("reports/evaluations/", include("reports.urls_evaluations")),
    path("audit/", include(([path("", audit_list, name="list")], "audit"))),
    path("admin/", admin.site.urls),
    path("ping/", signed_in_ping, name="ping"),
    path("health/live", health.live, name="health_live"),
    path("health/ready", health.ready, name="health_ready"),
    path("metrics", metrics.metrics, name="metrics"),
]
