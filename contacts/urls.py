from django.urls import path

from .views import cases, contacts, erasure, followups, intake

app_name = "contacts"

# `new/`, `erasure/…` and `cases/…` come before the contact reference they would otherwise match.
urlpatterns = [
    path("", contacts.contact_list, name="list"),
    path("new/", intake.contact_create, name="create"),
    path("erasure/", erasure.erasure_search, name="erasure"),
    path("erasure/<ref:reference>/export/", erasure.erasure_export, name="erasure_export"),
    path("erasure/<ref:reference>/erase/", erasure.erasure_confirm, name="erasure_confirm"),
    path("cases/<ref:reference>/", cases.case_detail, name="case_detail"),
    path(
        "cases/<ref:reference>/consultations/",
        cases.case_consultation_add,
        name="case_consultation_add",
    ),
    path("<ref:reference>/", contacts.contact_detail, name="detail"),
    path("<ref:reference>/edit/", intake.contact_edit, name="edit"),
    path("<ref:reference>/follow-ups/", followups.followup_add, name="followup_create"),
    path(
        "<ref:reference>/follow-ups/<id:pk>/done/",
        followups.followup_done,
        name="followup_complete",
    ),
]
