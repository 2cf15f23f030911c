from django.urls import path

from .views import absences, consultations, opening_hours, personal, planning, roster

app_name = "staffing"

urlpatterns = [
    path("roster/", roster.roster, name="roster"),
    path("roster/assign/", roster.assign, name="assign"),
    path("roster/assignments/<int:pk>/unassign/", roster.unassign, name="unassign"),
    path("coverage/", planning.coverage, name="coverage"),
    path("shifts/generate/", planning.generate_shifts, name="generate_shifts"),
    path("consultations/", consultations.consultations, name="consultations"),
    path(
        "consultations/<int:pk>/record/",
        consultations.consultation_record,
        name="consultation_record",
    ),
    path("consultations/plan/", planning.consultation_series, name="consultation_series"),
    path("opening-hours/", opening_hours.opening_hours, name="opening_hours"),
    path(
        "opening-hours/<int:pk>/end/",
        opening_hours.opening_hours_end_view,
        name="opening_hours_end",
    ),
    path("absences/", absences.absences, name="absences"),
    path("my-shifts/", personal.my_shifts, name="my_shifts"),
    path("calendar/<str:token>.ics", personal.ical_feed, name="ical"),
]

from .views import availability  # noqa: E402

urlpatterns += [
    path("availability/", availability.my_availability, name="my_availability"),
    path("availability/team/", availability.team_availability, name="team_availability"),
    path("availability/<int:pk>/", availability.member_availability, name="member_availability"),
]

from .views import demand as demand_views  # noqa: E402

urlpatterns += [
    path("demand/", demand_views.demand, name="demand"),
    path("demand/to-shifts/", demand_views.demand_to_shifts, name="demand_to_shifts"),
]

from .views import proposal as proposal_views  # noqa: E402

urlpatterns += [
    path("proposals/", proposal_views.proposals, name="proposals"),
    path("proposals/<int:pk>/", proposal_views.proposal, name="proposal"),
    path(
        "proposals/<int:pk>/progress/", proposal_views.proposal_progress, name="proposal_progress"
    ),
    path("proposals/<int:pk>/accept/", proposal_views.proposal_accept_view, name="proposal_accept"),
]

urlpatterns += [path("demand/shares/", demand_views.demand_shares, name="demand_shares")]
