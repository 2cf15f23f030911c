import io
import random
from datetime import date

from django.contrib.auth import get_user_model

from meldpunt.roles import Role
from staffing.demo import staffing_demo_seed
from staffing.models import (
    Absence,
    Assignment,
    CaseConsultation,
    ConsultationAttendance,
    Qualification,
    RosterPublication,
    Shift,
    StaffMember,
)
from staffing.selectors import coverage_week
from staffing.services.assignments import is_trainee
from staffing.services.publishing import only_published
from staffing.services.time import day_start
from tests.factories import staff_user

TODAY = date(2026, 12, 4)  # a Friday: this week's consultations are past


def test_demo_fills_four_weeks_within_the_rules(site, other_site):
    for team_site in (site, other_site):
        for _ in range(4):
            staff_user(Role.RESPONDER, team_site)
        staff_user(Role.SITE_COORDINATOR, team_site)
    out = io.StringIO()
    staffing_demo_seed(rng=random.Random(1712), today=TODAY, stdout=out)
    assert "Roosters:" in out.getvalue()

    # Mon 30 Nov – Sun 27 Dec: 19 weekdays (Christmas closed), phone and chat, two sites.
    assert Shift.objects.count() == 19 * 2 * 2
    assert Assignment.objects.count() > 60
    for site_ in (site, other_site):
        assert (
            Qualification.objects.filter(
                staff_member__site=site_, kind=Qualification.Kind.IN_TRAINING
            ).count()
            == 1
        )
        assert CaseConsultation.objects.filter(site=site_).count() == 4
    assert Absence.objects.filter(approved_at__isnull=False).exists()
    assert ConsultationAttendance.objects.exclude(attendance="invited").exists()  # the past
    # Trainees never alone; the coverage page has gaps to show.
    for assignment in Assignment.objects.select_related("shift", "staff_member"):
        day = assignment.starts_at.date()
        if is_trainee(assignment.staff_member, day):
            assert assignment.shift.assignments.count() > 1
    gaps = [
        block
        for _channel, rows in coverage_week(site, date(2026, 12, 14))
        for _label, blocks in rows
        for block in blocks
        if block and block.is_gap
    ]
    assert gaps

    # A second run changes nothing.
    count = Assignment.objects.count()
    assert "niets veranderd" in staffing_demo_seed(rng=random.Random(1), today=TODAY)
    assert Assignment.objects.count() == count


def test_demo_gives_planning_data(site, other_site):
    from staffing.models import ShiftLimit, SiteShare, WeeklyAvailability

    for team_site in (site, other_site):
        for _ in range(4):
            staff_user(Role.RESPONDER, team_site)
        staff_user(Role.SITE_COORDINATOR, team_site)
    staffing_demo_seed(rng=random.Random(1712), today=TODAY)
    for channel in ("phone", "chat"):
        shares = SiteShare.objects.filter(channel=channel, share__gt=0)
        assert shares.count() == 2
        assert abs(sum(s.share for s in shares) - 1) < 0.01
    # The volunteer of each site gives two weekdays and at most four shifts a month.
    assert WeeklyAvailability.objects.count() == 4
    assert ShiftLimit.objects.count() == 2


def test_demo_publishes_the_current_and_past_months_quietly(
    site, other_site, mailoutbox, django_capture_on_commit_callbacks
):
    responders = [staff_user(Role.RESPONDER, team_site) for team_site in (site, other_site)]
    for team_site in (site, other_site):
        for _ in range(3):
            staff_user(Role.RESPONDER, team_site)
        staff_user(Role.SITE_COORDINATOR, team_site)
    get_user_model().objects.filter(pk=responders[0].pk).update(email="kept@meldpunt.test")
    with django_capture_on_commit_callbacks(execute=True):
        staffing_demo_seed(rng=random.Random(1712), today=TODAY)
    # Mon 30 Nov – Sun 27 Dec: November and December of both sites; nobody mailed for it.
    assert set(RosterPublication.objects.values_list("site_id", "month")) == {
        (team_site.pk, month)
        for team_site in (site, other_site)
        for month in (date(2026, 11, 1), date(2026, 12, 1))
    }
    assert mailoutbox == []
    users = get_user_model().objects.filter(staff_member__isnull=False)
    assert not users.filter(email="").exists()
    assert users.get(pk=responders[0].pk).email == "kept@meldpunt.test"
    other = users.get(pk=responders[1].pk)
    assert other.email == f"{other.username}@example.org"
    # Responders see their shifts of those months ("my shifts" and the feed filter so).
    member = StaffMember.objects.get(user=other)
    theirs = member.assignments.select_related("shift")
    december = [a for a in theirs if a.starts_at < day_start(date(2027, 1, 1))]
    assert december and only_published(theirs) == december
    # A second run changes nothing.
    publications = list(RosterPublication.objects.values_list("pk", "published_at"))
    addresses = list(users.order_by("pk").values_list("email", flat=True))
    assert "niets veranderd" in staffing_demo_seed(rng=random.Random(1), today=TODAY)
    assert list(RosterPublication.objects.values_list("pk", "published_at")) == publications
    assert list(users.order_by("pk").values_list("email", flat=True)) == addresses
