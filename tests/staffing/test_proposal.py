"""The roster proposal in the app: run (in-process Celery), review, accept, repair."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from meldpunt.channels import Channel
from staffing.models import Assignment, RosterProposal, Shift
from staffing.services.availability import availability_exception_add
from staffing.services.proposal import (
    instance_build,
    proposal_accept,
    proposal_create,
    proposal_run,
)
from staffing.services.shifts import shifts_generate

from .factories import AbsenceFactory, RosterMemberFactory

pytestmark = pytest.mark.django_db
FEB = date(2027, 2, 1)


@pytest.fixture
def february(site, schedule):
    members = [RosterMemberFactory(site=site) for _ in range(4)]
    shifts_generate(
        site=site, start_date=FEB, end_date=FEB + timedelta(days=13),
        channels=[Channel.PHONE, Channel.CHAT], headcount=1, schedule=schedule,
    )  # fmt: skip
    return members


def _run(site, mode=RosterProposal.Mode.FULL, last=FEB + timedelta(days=13)):
    proposal = proposal_create(
        site=site, first_day=FEB, last_day=last, mode=mode, created_by=None, seconds=3
    )
    proposal_run(proposal_id=proposal.pk)
    proposal.refresh_from_db()
    return proposal


def test_run_and_accept_everything(site, february):
    proposal = _run(site)
    assert proposal.status == RosterProposal.Status.DONE and proposal.progress == 100
    assert proposal.result["unmet"] == []
    assert not Assignment.objects.exists()  # nothing changes before accepting
    report = proposal_accept(proposal=proposal, accepted_by=None)
    assert report["refused"] == []
    shifts = Shift.objects.filter(site=site)
    assert all(s.assignments.count() == s.required_headcount for s in shifts)


def test_unavailable_day_is_never_planned(site, february):
    volunteer = february[0]
    availability_exception_add(staff_member=volunteer, day=FEB + timedelta(days=2))
    proposal = _run(site)
    proposal_accept(proposal=proposal, accepted_by=None)
    days = {a.starts_at.date() for a in volunteer.assignments.all()}
    assert FEB + timedelta(days=2) not in days


def test_changes_since_the_proposal_are_reported_not_forced(site, february):
    proposal = _run(site)
    first_pair = proposal.result["assignments"][0]
    shift = Shift.objects.get(pk=first_pair["shift"])
    AbsenceFactory(
        staff_member_id=int(first_pair["staff"]),
        starts_at=shift.starts_at - timedelta(hours=1),
        ends_at=shift.ends_at,
    )
    report = proposal_accept(proposal=proposal, accepted_by=None)
    assert len(report["refused"]) == 1
    assert "absent" in " ".join(report["refused"][0][2])


def test_accept_one_day_then_repair_after_an_absence(site, february):
    proposal = _run(site)
    proposal_accept(proposal=proposal, accepted_by=None, days={FEB})
    assert {a.starts_at.date() for a in Assignment.objects.all()} == {FEB}
    proposal_accept(proposal=proposal, accepted_by=None)
    before = set(Assignment.objects.values_list("staff_member_id", "shift_id"))
    # Someone falls ill on the 3rd: repair frees their shifts that day and refills them.
    ill = Assignment.objects.filter(starts_at__date=FEB + timedelta(days=2)).first()
    AbsenceFactory(
        staff_member=ill.staff_member,
        starts_at=ill.starts_at - timedelta(hours=12),
        ends_at=ill.ends_at + timedelta(hours=12),
    )
    instance, released = instance_build(
        site=site, first_day=FEB, last_day=FEB + timedelta(days=13), mode="repair"
    )
    assert ill.pk in released
    repair = _run(site, mode=RosterProposal.Mode.REPAIR)
    report = proposal_accept(proposal=repair, accepted_by=None)
    assert report["released"] >= 1
    after = set(Assignment.objects.values_list("staff_member_id", "shift_id"))
    assert (ill.staff_member_id, ill.shift_id) not in after
    # Few changes: everything else stays.
    assert len(before - after) == report["released"]
    assert Shift.objects.get(pk=ill.shift_id).assignments.count() == 1


def test_pages(client_for, site_coordinator, site, february, django_capture_on_commit_callbacks):
    client = client_for(site_coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("staffing:proposals"), {"site": site.pk, "month": "2027-02", "mode": "full"}
        )
    assert response.status_code == 302
    proposal = RosterProposal.objects.get()
    assert proposal.status == RosterProposal.Status.DONE  # eager Celery ran it after commit
    page = client.get(response.url)
    assert page.status_code == 200
    assert "proposal-new" in page.content.decode()
    progress = client.get(reverse("staffing:proposal_progress", args=[proposal.pk]))
    assert progress["HX-Refresh"] == "true"
    response = client.post(
        reverse("staffing:proposal_accept", args=[proposal.pk]), {"accept_week": "2027-02-01"}
    )
    assert response.status_code == 302
    weeks = {a.starts_at.isocalendar().week for a in Assignment.objects.all()}
    assert weeks == {5}
    assert client.get(response.url).status_code == 200
    assert (
        client.get(
            reverse("staffing:proposal", args=[proposal.pk]), {"week": "1999-01-01"}
        ).status_code
        == 404
    )
    bad = client.post(reverse("staffing:proposal_accept", args=[proposal.pk]), {"day": "\x00"})
    assert bad.status_code == 404
    response = client.post(reverse("staffing:proposals"), {"site": site.pk, "month": "0001-01"})
    assert response.status_code == 200


def test_other_site_proposal_is_not_found(client_for, site_coordinator, other_site):
    RosterMemberFactory(site=other_site)
    proposal = proposal_create(
        site=other_site, first_day=FEB, last_day=FEB, mode="full", created_by=None
    )
    client = client_for(site_coordinator)
    for name in ("staffing:proposal", "staffing:proposal_progress"):
        assert client.get(reverse(name, args=[proposal.pk])).status_code == 404
    response = client.post(reverse("staffing:proposal_accept", args=[proposal.pk]))
    assert response.status_code == 404
    response = client.post(
        reverse("staffing:proposals"), {"site": other_site.pk, "month": "2027-02", "mode": "full"}
    )
    assert (
        response.status_code == 200 and not RosterProposal.objects.exclude(pk=proposal.pk).exists()
    )


def test_responder_and_outsider_are_refused(client_for, responder, outsider):
    for user in (responder, outsider):
        assert client_for(user).get(reverse("staffing:proposals")).status_code == 403


def test_helper_from_another_site_takes_a_place(site, other_site, february):
    shift = Shift.objects.filter(site=site).order_by("starts_at").first()
    helper = RosterMemberFactory(site=other_site)
    Assignment.objects.create(
        shift=shift, staff_member=helper, starts_at=shift.starts_at, ends_at=shift.ends_at
    )
    instance, _released = instance_build(
        site=site, first_day=FEB, last_day=FEB + timedelta(days=13)
    )
    entry = next(s for s in instance["shifts"] if s["id"] == str(shift.pk))
    assert entry["required"] == 0
    proposal = _run(site)
    assert str(shift.pk) not in {a["shift"] for a in proposal.result["assignments"]}


def test_only_certified_people_accompany_a_trainee(site, february):
    from staffing.models import Qualification

    for member in february:
        member.qualifications.all().delete()
    trainee = february[0]
    Qualification.objects.create(
        staff_member=trainee, kind=Qualification.Kind.IN_TRAINING, valid_from=date(2020, 1, 1)
    )
    instance, _released = instance_build(
        site=site, first_day=FEB, last_day=FEB + timedelta(days=13)
    )
    assert {s["certified"] for s in instance["staff"]} == {False}
    proposal = _run(site)
    # Nobody holds a certification: everyone is planned as needing a certified colleague.
    assert proposal.result["assignments"] == []
