from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.index, name="index"),
    path("<int:year>/", views.annual, name="annual"),
    path("<int:year>/export/", views.export, name="export"),
]
