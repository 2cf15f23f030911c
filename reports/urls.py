from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.index, name="index"),
    path("<year:year>/", views.annual, name="annual"),
    path("<year:year>/export/", views.export, name="export"),
]
