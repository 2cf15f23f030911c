from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("two-factor/verify/", views.two_factor_verify, name="two_factor_verify"),
    path("two-factor/enrol/", views.two_factor_enrol, name="two_factor_enrol"),
    path("two-factor/recovery-codes/", views.recovery_codes, name="recovery_codes"),
    path("keepalive/", views.keepalive, name="keepalive"),
]
