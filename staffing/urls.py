from django.urls import path

from .views import absences, consultations, opening_hours, personal, planning, roster

app_name = "staffing"

urlpatterns = [
    path("roster/", roster.roster, name="roster"),
    path("roster/assign/", roster.assign, name="assign"),
    path("roster/assignments/<id:pk>/unassign/", roster.unassign, name="unassign"),
    path("coverage/", planning.coverage, name="coverage"),
    path("shifts/generate/", planning.generate_shifts, name="generate_shifts"),
    path("consultations/", consultations.consultations, name="consultations"),
    path(
        "consultations/<id:pk>/record/",
        consultations.consultation_record,
        name="consultation_record",
    ),
    path("consultations/plan/", planning.consultation_series, name="consultation_series"),
    path("opening-hours/", opening_hours.opening_hours, name="opening_hours"),
    path(
        "opening-hours/<id:pk>/end/",
        opening_hours.opening_hours_end_view,
        name="opening_hours_end",
    ),
    path("absences/", absences.absences, name="absences"),
    path("my-shifts/", personal.my_shifts, name="my_shifts"),
    path("calendar/<token:token>.ics", personal.ical_feed, name="ical"),
]
