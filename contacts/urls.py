from django.urls import path

from .views import callers, cases, contacts, erasure, followups, intake, quality

app_name = "contacts"

# `new/`, `erasure/…` and `cases/…` come before the contact reference they would otherwise match.
urlpatterns = [
    path("", contacts.contact_list, name="list"),
    path("new/", intake.contact_create, name="create"),
    path("erasure/", erasure.erasure_search, name="erasure"),
    path("callers/lookup/", callers.caller_lookup, name="caller_lookup"),
    path("callers/<int:pk>/", callers.caller_profile, name="caller_profile"),
    path("callers/<int:pk>/note/", callers.caller_profile_note, name="caller_profile_note"),
    path("callers/<int:pk>/flags/", callers.caller_profile_flag, name="caller_profile_flag"),
    path("quality/", quality.data_quality, name="data_quality"),
    path("quality/<int:pk>/checked/", quality.flag_check, name="flag_check"),
    path("follow-ups/", followups.followup_team, name="followup_team"),
    path("cases/<str:reference>/close/", cases.case_close_view, name="case_close"),
    path("cases/<str:reference>/reopen/", cases.case_reopen_view, name="case_reopen"),
    path("cases/<str:reference>/summary/", cases.case_summary_view, name="case_summary"),
    path("erasure/<str:reference>/export/", erasure.erasure_export, name="erasure_export"),
    path("erasure/<str:reference>/erase/", erasure.erasure_confirm, name="erasure_confirm"),
    path("cases/<str:reference>/", cases.case_detail, name="case_detail"),
    path(
        "cases/<str:reference>/consultations/",
        cases.case_consultation_add,
        name="case_consultation_add",
    ),
    path("<str:reference>/", contacts.contact_detail, name="detail"),
    path("<str:reference>/edit/", intake.contact_edit, name="edit"),
    path("<str:reference>/follow-ups/", followups.followup_add, name="followup_create"),
    path(
        "<str:reference>/follow-ups/<int:pk>/done/",
        followups.followup_done,
        name="followup_complete",
    ),
]
