from django.urls import path

from .views import absences, personal, planning, roster

app_name = "staffing"

urlpatterns = [
    path("roster/", roster.roster, name="roster"),
    path("roster/assign/", roster.assign, name="assign"),
    path("roster/assignments/<int:pk>/unassign/", roster.unassign, name="unassign"),
    path("coverage/", planning.coverage, name="coverage"),
    path("shifts/generate/", planning.generate_shifts, name="generate_shifts"),
    path("consultations/plan/", planning.consultation_series, name="consultation_series"),
    path("absences/", absences.absences, name="absences"),
    path("my-shifts/", personal.my_shifts, name="my_shifts"),
    path("calendar/<str:token>.ics", personal.ical_feed, name="ical"),
]
