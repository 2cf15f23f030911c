from django.urls import path

from .views import (
    absences,
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
    path("roster/publish/", publishing.publish, name="publish"),
    path("roster/day/", roster_day.roster_day, name="roster_day"),
    path("roster/copy-week/", roster_day.copy_week, name="copy_week"),
    path("roster/week-templates/", roster_day.save_week_template, name="save_week_template"),
    path("absences/<int:pk>/", absences.absence_detail, name="absence_detail"),
    path("absences/<int:pk>/decide/", absences.absence_decide, name="absence_decide"),
    path("absences/<int:pk>/replan/", absences.absence_replan_view, name="absence_replan"),
    path("open-shifts/", self_service.open_shifts, name="open_shifts"),
    path("open-shifts/<int:pk>/take/", self_service.open_shift_sign_up, name="open_shift_take"),
    path("my-shifts/time-off/", self_service.time_off_request, name="time_off_request"),
    path("my-shifts/<int:pk>/offer/", self_service.offer_create, name="offer_create"),
    path("offers/<int:pk>/withdraw/", self_service.offer_withdraw, name="offer_withdraw"),
    path("offers/<int:pk>/accept/", self_service.offer_accept, name="offer_accept"),
    path("swaps/", self_service.swaps, name="swaps"),
    path("swaps/<int:pk>/decide/", self_service.swap_decide, name="swap_decide"),
    path(
        "notifications/",
        notification_settings.notification_settings,
        name="notification_settings",
    ),
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
