"""'Re-plan these shifts' on the absence page: the solver's repair mode on the shifts an
absence released, reviewed and accepted on the proposal page."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from meldpunt.roles import Role
from staffing.models import Absence, RosterProposal, Shift
from staffing.services.absences import absence_record, absence_replan
from staffing.services.assignments import assignment_create
from staffing.services.proposal import proposal_accept, proposal_run
from staffing.services.time import day_start
from tests.factories import staff_user

from .factories import RosterMemberFactory, ShiftFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def released(site):
    """Two shifts of one person, a week and eight days ahead, released by a sickness; a
    third shift of the same person, the day after, stays. Two colleagues may step in."""
    soon = timezone.localdate() + timedelta(days=7)
    absent = RosterMemberFactory(site=site)
    shifts = [
        ShiftFactory(site=site, starts_at=day_start(soon + timedelta(days=d)) + timedelta(hours=9))
        for d in range(3)
    ]
    for shift in shifts:
        assignment_create(shift=shift, staff_member=absent)
    colleagues = [RosterMemberFactory(site=site) for _ in range(2)]
    absence = absence_record(
        staff_member=absent,
        kind=Absence.Kind.SICKNESS,
        first_day=soon,
        last_day=soon + timedelta(days=1),
    )
    return absence, shifts, colleagues


def test_replan_proposes_a_repair_of_exactly_the_released_site_and_days(site, released):
    absence, shifts, colleagues = released
    [proposal] = absence_replan(absence=absence, requested_by=None)
    assert proposal.mode == RosterProposal.Mode.REPAIR and proposal.site == site
    soon = timezone.localdate() + timedelta(days=7)
    assert (proposal.first_day, proposal.last_day) == (soon, soon + timedelta(days=1))
    proposal_run(proposal_id=proposal.pk)
    proposal.refresh_from_db()
    assert proposal.status == RosterProposal.Status.DONE and proposal.result["unmet"] == []
    report = proposal_accept(proposal=proposal, accepted_by=None)
    assert report["created"] == 2 and report["refused"] == []
    for shift in shifts[:2]:
        [assignment] = Shift.objects.get(pk=shift.pk).assignments.all()
        assert assignment.staff_member in colleagues
    # The shift outside the absence keeps its person, untouched.
    assert [a.staff_member for a in shifts[2].assignments.all()] == [absence.staff_member]


def test_nothing_ahead_is_refused_clearly(site):
    member = RosterMemberFactory(site=site)
    day = timezone.localdate() + timedelta(days=3)
    absence = absence_record(
        staff_member=member, kind=Absence.Kind.LEAVE, first_day=day, last_day=day
    )
    with pytest.raises(Exception, match="nothing to re-plan"):
        absence_replan(absence=absence, requested_by=None)


def test_page_button_runs_the_repair_and_leads_to_the_review(
    client_for, site_coordinator, released, django_capture_on_commit_callbacks
):
    absence, shifts, colleagues = released
    client = client_for(site_coordinator)
    detail = client.get(reverse("staffing:absence_detail", args=[absence.pk])).content.decode()
    url = reverse("staffing:absence_replan", args=[absence.pk])
    assert f'action="{url}"' in detail
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    proposal = RosterProposal.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("staffing:proposal", args=[proposal.pk])
    proposal.refresh_from_db()
    assert proposal.status == RosterProposal.Status.DONE  # eager Celery ran it after commit
    review = client.get(response.url)
    assert review.status_code == 200
    response = client.post(reverse("staffing:proposal_accept", args=[proposal.pk]))
    assert response.status_code == 302
    assert all(Shift.objects.get(pk=s.pk).assignments.count() == 1 for s in shifts)


def test_without_shifts_ahead_the_page_says_so(client_for, site_coordinator, site):
    member = RosterMemberFactory(site=site)
    day = timezone.localdate() + timedelta(days=3)
    absence = absence_record(
        staff_member=member, kind=Absence.Kind.LEAVE, first_day=day, last_day=day
    )
    client = client_for(site_coordinator)
    assert (
        b'id="replan"'
        not in client.get(reverse("staffing:absence_detail", args=[absence.pk])).content
    )
    response = client.post(reverse("staffing:absence_replan", args=[absence.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("staffing:absence_detail", args=[absence.pk])
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    assert not RosterProposal.objects.exists()


def test_responder_and_outsider_are_refused(client_for, responder, outsider, released):
    absence = released[0]
    url = reverse("staffing:absence_replan", args=[absence.pk])
    for user in (responder, outsider):
        assert client_for(user).post(url).status_code == 403
    assert client_for(responder).get(url).status_code in (403, 405)
    assert not RosterProposal.objects.exists()


def test_other_sites_coordinator_gets_a_404(client_for, other_site, released):
    coordinator = staff_user(Role.SITE_COORDINATOR, site=other_site)
    url = reverse("staffing:absence_replan", args=[released[0].pk])
    assert client_for(coordinator).post(url).status_code == 404
    assert not RosterProposal.objects.exists()
