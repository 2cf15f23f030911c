"""Evaluation pages (trial slots, campaigns, staffing figures).

Their own namespace, `evaluations`: a second include under the namespace `reports` would
shadow (or be shadowed by) reports/urls.py, since Django does not merge namespaces.
"""

from django.urls import path

from . import views_evaluations as views

app_name = "evaluations"

urlpatterns = [
    path("trial/", views.trial_list, name="trial"),
    path("trial/<id:pk>/", views.trial_detail, name="trial_detail"),
    path("campaigns/", views.campaign_list, name="campaigns"),
    path("campaigns/<id:pk>/", views.campaign_detail, name="campaign_detail"),
    path("staffing/", views.staffing_index, name="staffing_index"),
    path("staffing/<year:year>/", views.staffing, name="staffing"),
]
