from django.urls import path

from .views import (
    absences,
    availability,
    consultations,
    notification_settings,
    opening_hours,
    personal,
    planning,
    publishing,
    roster,
    roster_day,
    self_service,
)
from .views import demand as demand_views
from .views import proposal as proposal_views

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
    path("roster/publish/", publishing.publish, name="publish"),
    path("roster/day/", roster_day.roster_day, name="roster_day"),
    path("roster/copy-week/", roster_day.copy_week, name="copy_week"),
    path("roster/week-templates/", roster_day.save_week_template, name="save_week_template"),
    path("absences/<id:pk>/", absences.absence_detail, name="absence_detail"),
    path("absences/<id:pk>/decide/", absences.absence_decide, name="absence_decide"),
    path("absences/<id:pk>/replan/", absences.absence_replan_view, name="absence_replan"),
    path("open-shifts/", self_service.open_shifts, name="open_shifts"),
    path("open-shifts/<id:pk>/take/", self_service.open_shift_sign_up, name="open_shift_take"),
    path("my-shifts/time-off/", self_service.time_off_request, name="time_off_request"),
    path("my-shifts/<id:pk>/offer/", self_service.offer_create, name="offer_create"),
    path("offers/<id:pk>/withdraw/", self_service.offer_withdraw, name="offer_withdraw"),
    path("offers/<id:pk>/accept/", self_service.offer_accept, name="offer_accept"),
    path("swaps/", self_service.swaps, name="swaps"),
    path("swaps/<id:pk>/decide/", self_service.swap_decide, name="swap_decide"),
    path(
        "notifications/",
        notification_settings.notification_settings,
        name="notification_settings",
    ),
    path("calendar/<token:token>.ics", personal.ical_feed, name="ical"),
]

urlpatterns += [
    path("availability/", availability.my_availability, name="my_availability"),
    path("availability/team/", availability.team_availability, name="team_availability"),
    path("availability/<id:pk>/", availability.member_availability, name="member_availability"),
]

urlpatterns += [
    path("demand/", demand_views.demand, name="demand"),
    path("demand/to-shifts/", demand_views.demand_to_shifts, name="demand_to_shifts"),
]

urlpatterns += [
    path("proposals/", proposal_views.proposals, name="proposals"),
    path("proposals/<id:pk>/", proposal_views.proposal, name="proposal"),
    path("proposals/<id:pk>/progress/", proposal_views.proposal_progress, name="proposal_progress"),
    path("proposals/<id:pk>/accept/", proposal_views.proposal_accept_view, name="proposal_accept"),
]

urlpatterns += [path("demand/shares/", demand_views.demand_shares, name="demand_shares")]
