import io
import random
from datetime import date

from meldpunt.roles import Role
from staffing.demo import staffing_demo_seed
from staffing.models import (
    Absence,
    Assignment,
    CaseConsultation,
    ConsultationAttendance,
    Qualification,
    Shift,
)
from staffing.selectors import coverage_week
from staffing.services.assignments import is_trainee
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
