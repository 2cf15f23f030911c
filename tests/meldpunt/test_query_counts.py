"""Every page of the permission matrix makes as many queries with many rows as with few.

Each page is opened (GET) by a role allowed to see it, once on a small register and once
after more of everything it lists was added (contacts with victims, forms and follow-ups in
one case, shifts with assignments, absences, consultations, campaigns, audit entries, and for
rostering availability, wishes, offers, swaps, time-off requests, proposals, published months
and week templates); the number of queries must not change. A page whose count grows with its
rows (N+1) fails here.
"""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from contacts.models import (
    CallerProfile,
    CallerProfileFlag,
    Campaign,
    ContactFlag,
    FollowUp,
)
from meldpunt.audit import Action, audit_record
from meldpunt.channels import Channel
from staffing.models import (
    Absence,
    AvailabilityException,
    CaseConsultation,
    OpeningHours,
    ReleasedAssignment,
    RosterProposal,
    RosterPublication,
    ShiftLimit,
    ShiftOffer,
    SiteShare,
    WeeklyAvailability,
    WeekTemplate,
    Wish,
)
from staffing.services.assignments import assignment_create
from staffing.services.time import week_bounds
from tests.factories import CaseFactory, ContactFactory, SiteFactory, VictimFactory
from tests.staffing.factories import (
    AbsenceFactory,
    QualificationFactory,
    RosterMemberFactory,
    ShiftFactory,
)

pytestmark = pytest.mark.django_db

YEAR = 2026


@pytest.fixture
def register(site, responder, coordinator):
    """A growable register of `site`: grow(n) adds n of every kind of row."""
    case = CaseFactory(site=site)
    first = ContactFactory(site=site, case=case, started_at=datetime(YEAR, 3, 2, 10, tzinfo=UTC))
    monday = week_bounds(timezone.localdate())[0]
    members = []
    state = {"n": 0}
    # The responder works phone and chat shifts (the open shifts board, their own shifts).
    own = responder.staff_member
    own.channels = [Channel.PHONE, Channel.CHAT]
    own.contract_hours = 38
    own.save()
    QualificationFactory(staff_member=own)
    # Next week onwards: published, so responders see it; the day view opens its Tuesday.
    ahead = monday + timedelta(days=7)
    away = RosterMemberFactory(site=site)
    absence = AbsenceFactory(
        staff_member=away, starts_at=ahead - timedelta(hours=1), ends_at=ahead + timedelta(days=30)
    )
    proposal = RosterProposal.objects.create(
        site=site,
        first_day=timezone.localdate(ahead),
        last_day=timezone.localdate(ahead) + timedelta(days=27),
        status=RosterProposal.Status.DONE,
        progress=100,
        result={
            "status": "FEASIBLE",
            "seconds": 1.0,
            "gap": 0.05,
            "assignments": [],
            "unmet": [],
            "unmet_hours": 0,
        },
        created_by=coordinator,
    )
    running = RosterProposal.objects.create(
        site=site,
        first_day=timezone.localdate(ahead),
        last_day=timezone.localdate(ahead) + timedelta(days=6),
        status=RosterProposal.Status.RUNNING,
        progress=40,
        created_by=coordinator,
    )

    def publish(shift):
        month = timezone.localdate(shift.starts_at).replace(day=1)
        RosterPublication.objects.get_or_create(site=site, month=month)

    def grow_staffing(i: int, member):
        """Availability, wishes, offers, time off, proposals and published months."""
        day = ahead + timedelta(days=i)
        # The responder's own published shift, offered to everyone; a released one.
        mine = ShiftFactory(
            site=site, starts_at=day + timedelta(hours=7), ends_at=day + timedelta(hours=10)
        )
        publish(mine)
        assignment_create(shift=mine, staff_member=own)
        ShiftOffer.objects.create(shift=mine, offered_by=own)
        gone = ShiftFactory(
            site=site, starts_at=day + timedelta(hours=11), ends_at=day + timedelta(hours=12)
        )
        ReleasedAssignment.objects.create(
            shift=gone,
            staff_member=own,
            starts_at=gone.starts_at,
            ends_at=gone.ends_at,
            reason=ReleasedAssignment.Reason.SWAP,
        )
        # The absent colleague's shifts, released for the absence (replacement candidates).
        ReleasedAssignment.objects.create(
            shift=gone,
            staff_member=away,
            starts_at=gone.starts_at,
            ends_at=gone.ends_at,
            reason=ReleasedAssignment.Reason.ABSENCE,
            absence=absence,
        )
        # An open place the responder may take, and a colleague's shift offered to everyone
        # (and one accepted, waiting for the coordinator's approval).
        ShiftFactory(
            site=site,
            channel=Channel.CHAT,
            starts_at=day + timedelta(hours=13),
            ends_at=day + timedelta(hours=15),
            required_headcount=2,
        )
        theirs = ShiftFactory(
            site=site, starts_at=day + timedelta(hours=16), ends_at=day + timedelta(hours=18)
        )
        assignment_create(shift=theirs, staff_member=member)
        ShiftOffer.objects.create(shift=theirs, offered_by=member)
        swapped = ShiftFactory(
            site=site, starts_at=day + timedelta(hours=19), ends_at=day + timedelta(hours=20)
        )
        assignment_create(shift=swapped, staff_member=member)
        ShiftOffer.objects.create(
            shift=swapped,
            offered_by=member,
            taken_by=away,
            status=ShiftOffer.Status.ACCEPTED,
            accepted_at=timezone.now(),
        )
        # The proposal adds the colleague to the open place; a newer proposal is queued.
        proposal.result["assignments"].append({"staff": member.pk, "shift": swapped.pk})
        proposal.save(update_fields=["result"])
        RosterProposal.objects.create(
            site=site,
            first_day=timezone.localdate(day),
            last_day=timezone.localdate(day) + timedelta(days=6),
            created_by=coordinator,
        )
        RosterPublication.objects.get_or_create(site=site, month=date(YEAR - 1 - i, 1, 1))
        # Time off asked (pending) by the responder and by the colleague.
        for who in (own, member):
            Absence.objects.create(
                staff_member=who,
                kind=Absence.Kind.LEAVE,
                starts_at=ahead + timedelta(days=60 + i),
                ends_at=ahead + timedelta(days=61 + i),
            )
        # Availability and wishes, the responder's and the colleague's.
        for who in (own, member):
            WeeklyAvailability.objects.create(
                staff_member=who, weekday=i % 7, start_time=time(8 + i % 8), end_time=time(20)
            )
            AvailabilityException.objects.create(
                staff_member=who, day=timezone.localdate(day), start_time=time(6), end_time=time(7)
            )
            Wish.objects.create(staff_member=who, kind=Wish.Kind.PREFER, weekday=i % 7)
        ShiftLimit.objects.create(staff_member=member, max_shifts_per_month=10 + i)
        # A saved week (the roster's copy-week form lists them), with its creator.
        WeekTemplate.objects.create(site=site, name=f"Week {i}", created_by=coordinator)
        # Another site with its share of the line.
        other = SiteFactory(code=f"site{i}", name=f"Site {i}")
        SiteShare.objects.create(site=other, channel=Channel.PHONE, share="0.000")

    # A known caller: every contact of the register is theirs (the caller profile page).
    profile = CallerProfile.objects.create(identifier_hash="f" * 64, site=site)

    def grow(n: int):
        for _ in range(n):
            i = state["n"] = state["n"] + 1
            contact = ContactFactory(
                site=site,
                case=case,
                started_at=datetime(YEAR, 1 + i % 12, 1 + i % 27, 9 + i % 8, tzinfo=UTC),
            )
            VictimFactory(contact=contact)
            VictimFactory(contact=contact)
            FollowUp.objects.create(
                contact=first, description=f"Terugbellen {i}", due_date=date(YEAR, 5, 1)
            )
            member = RosterMemberFactory(site=site)
            members.append(member)
            shift = ShiftFactory(
                site=site,
                channel=Channel.PHONE if i % 2 else Channel.CHAT,
                starts_at=monday + timedelta(days=i % 5, hours=8, minutes=i),
            )
            assignment_create(shift=shift, staff_member=member)
            AbsenceFactory(
                staff_member=member,
                starts_at=monday + timedelta(days=20 + i),
                ends_at=monday + timedelta(days=21 + i),
            )
            consultation = CaseConsultation.objects.create(
                site=site,
                starts_at=monday + timedelta(days=i, hours=13),
                ends_at=monday + timedelta(days=i, hours=14),
            )
            consultation.attendees.add(member)
            Campaign.objects.create(
                name=f"Campagne {i}",
                start_date=date(YEAR, 2, i % 27 + 1),
                end_date=date(YEAR, 3, 1),
            )
            audit_record(action=Action.VIEW, user=coordinator, obj=contact)
            # Case work: the caller's contacts and flags, flagged contacts to check, the
            # team's follow-ups (overdue, assigned to the responder).
            contact.caller_profile = profile
            contact.save(update_fields=["caller_profile"])
            CallerProfileFlag.objects.create(
                profile=profile,
                kind=CallerProfileFlag.Kind.FREQUENT_CALLER,
                expires_on=timezone.localdate() + timedelta(days=30 + i),
            )
            ContactFlag.objects.create(contact=contact, reason=ContactFlag.Reason.LONG_CONVERSATION)
            FollowUp.objects.create(
                contact=contact,
                description=f"Opvolgen {i}",
                due_date=timezone.localdate() - timedelta(days=i),
                assignee=responder,
            )
            grow_staffing(i, member)

    grow(2)
    return {
        "grow": grow,
        "contact": first,
        "case": case,
        "profile": profile,
        "member": own,
        "ahead": timezone.localdate(ahead),
        "absence": absence,
        "proposal": proposal,
        "running": running,
    }


def _trial_slot():
    return OpeningHours.objects.filter(is_trial=True).order_by("pk").first()


# (URL name, role fixture, path from the register)
PAGES = [
    ("home", "responder", lambda r: "/"),
    ("contacts:caller_profile", "responder", lambda r: f"/contacts/callers/{r['profile'].pk}/"),
    ("contacts:data_quality", "site_coordinator", lambda r: f"/contacts/quality/?year={YEAR}"),
    ("contacts:followup_team", "site_coordinator", lambda r: "/contacts/follow-ups/"),
    ("ping", "responder", lambda r: "/ping/"),
    ("contacts:list", "responder", lambda r: "/contacts/"),
    ("contacts:create", "responder", lambda r: "/contacts/new/"),
    ("contacts:detail", "responder", lambda r: f"/contacts/{r['contact'].reference}/"),
    ("contacts:edit", "responder", lambda r: f"/contacts/{r['contact'].reference}/edit/"),
    ("contacts:case_detail", "responder", lambda r: f"/contacts/cases/{r['case'].reference}/"),
    (
        "contacts:erasure",
        "administrator",
        lambda r: f"/contacts/erasure/?reference={r['case'].reference}",
    ),
    ("staffing:roster", "site_coordinator", lambda r: "/staffing/roster/"),
    ("staffing:coverage", "site_coordinator", lambda r: "/staffing/coverage/"),
    ("staffing:generate_shifts", "site_coordinator", lambda r: "/staffing/shifts/generate/"),
    ("staffing:consultations", "site_coordinator", lambda r: "/staffing/consultations/"),
    ("staffing:consultation_series", "site_coordinator", lambda r: "/staffing/consultations/plan/"),
    ("staffing:opening_hours", "coordinator", lambda r: "/staffing/opening-hours/"),
    ("staffing:absences", "site_coordinator", lambda r: "/staffing/absences/"),
    ("staffing:my_shifts", "responder", lambda r: "/staffing/my-shifts/"),
    ("reports:index", "coordinator", lambda r: "/reports/"),
    ("reports:annual", "coordinator", lambda r: f"/reports/{YEAR}/"),
    ("evaluations:trial", "coordinator", lambda r: "/reports/evaluations/trial/"),
    (
        "evaluations:trial_detail",
        "coordinator",
        lambda r: f"/reports/evaluations/trial/{_trial_slot().pk}/",
    ),
    ("evaluations:campaigns", "coordinator", lambda r: "/reports/evaluations/campaigns/"),
    (
        "evaluations:campaign_detail",
        "coordinator",
        lambda r: f"/reports/evaluations/campaigns/{Campaign.objects.order_by('pk').first().pk}/",
    ),
    ("evaluations:staffing_index", "coordinator", lambda r: "/reports/evaluations/staffing/"),
    ("evaluations:staffing", "coordinator", lambda r: f"/reports/evaluations/staffing/{YEAR}/"),
    ("audit:list", "coordinator", lambda r: "/audit/"),
    ("staffing:swaps", "site_coordinator", lambda r: "/staffing/swaps/"),
    ("staffing:notification_settings", "responder", lambda r: "/staffing/notifications/"),
    ("staffing:my_availability", "responder", lambda r: "/staffing/availability/"),
    ("staffing:team_availability", "site_coordinator", lambda r: "/staffing/availability/team/"),
    (
        "staffing:member_availability",
        "site_coordinator",
        lambda r: f"/staffing/availability/{r['member'].pk}/",
    ),
    ("staffing:demand", "coordinator", lambda r: f"/staffing/demand/?day={r['ahead']}"),
    ("staffing:proposals", "site_coordinator", lambda r: "/staffing/proposals/"),
    ("staffing:proposal", "site_coordinator", lambda r: f"/staffing/proposals/{r['proposal'].pk}/"),
    (
        "staffing:proposal_progress",
        "site_coordinator",
        lambda r: f"/staffing/proposals/{r['running'].pk}/progress/",
    ),
    # Pages that check every rule per person × shift: one batched check (services/eligibility).
    ("staffing:open_shifts", "responder", lambda r: "/staffing/open-shifts/"),
    (
        "staffing:roster_day",
        "site_coordinator",
        lambda r: f"/staffing/roster/day/?day={r['ahead'] + timedelta(days=1)}",
    ),
    (
        "staffing:absence_detail",
        "site_coordinator",
        lambda r: f"/staffing/absences/{r['absence'].pk}/",
    ),
]


def _queries(client, path: str) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        reply = client.get(path)
    # 302: the index pages send to the current year's page
    assert reply.status_code in (200, 204, 302), (path, reply.status_code)
    return [query["sql"] for query in queries]


def _assert_flat(request, client_for, register, role, path):
    client = client_for(request.getfixturevalue(role))
    url = path(register)
    _queries(client, url)  # warm: caches of the process (content types, sites)
    few = _queries(client, url)
    register["grow"](12)
    many = _queries(client, url)
    assert len(many) == len(few), f"{len(few)} → {len(many)} queries:\n" + "\n".join(many)


@pytest.mark.parametrize(("name", "role", "path"), PAGES, ids=[page[0] for page in PAGES])
def test_the_number_of_queries_does_not_grow_with_the_rows(
    request, client_for, register, name, role, path
):
    _assert_flat(request, client_for, register, role, path)


def test_the_walk_covers_every_page_of_the_matrix_that_has_a_get():
    from tests.meldpunt.test_access import APP_PATTERNS

    # Pages answering GET with a page of their own; the others only take a POST (or are
    # the downloads of an export, with their own query tests).
    post_only_or_download = {
        "contacts:erasure_export",
        "contacts:erasure_confirm",
        "contacts:case_consultation_add",
        "contacts:followup_create",
        "contacts:followup_complete",
        "contacts:caller_lookup",
        "contacts:caller_profile_note",
        "contacts:caller_profile_flag",
        "contacts:flag_check",
        "contacts:case_close",
        "contacts:case_reopen",
        "contacts:case_summary",
        "staffing:assign",
        "staffing:unassign",
        "staffing:consultation_record",
        "staffing:opening_hours_end",
        "reports:export",
        "staffing:publish",
        "staffing:copy_week",
        "staffing:save_week_template",
        "staffing:absence_decide",
        "staffing:open_shift_take",
        "staffing:time_off_request",
        "staffing:offer_create",
        "staffing:offer_withdraw",
        "staffing:offer_accept",
        "staffing:swap_decide",
        "staffing:demand_to_shifts",
        "staffing:demand_shares",
        "staffing:proposal_accept",
        "staffing:absence_replan",
    }
    walked = {page[0] for page in PAGES}
    assert {name for name, _url in APP_PATTERNS} - post_only_or_download == walked
