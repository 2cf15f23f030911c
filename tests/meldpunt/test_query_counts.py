"""Every page of the permission matrix makes as many queries with many rows as with few.

Each page is opened (GET) by a role allowed to see it, once on a small register and once
after more of everything it lists was added (contacts with victims, forms and follow-ups in
one case, shifts with assignments, absences, consultations, campaigns, audit entries); the
number of queries must not change. A page whose count grows with its rows (N+1) fails here.
"""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from contacts.models import Campaign, FollowUp
from meldpunt.audit import Action, audit_record
from meldpunt.channels import Channel
from staffing.models import CaseConsultation, OpeningHours
from staffing.services.assignments import assignment_create
from staffing.services.time import week_bounds
from tests.factories import CaseFactory, ContactFactory, VictimFactory
from tests.staffing.factories import AbsenceFactory, RosterMemberFactory, ShiftFactory

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

    grow(2)
    return {"grow": grow, "contact": first, "case": case}


def _trial_slot():
    return OpeningHours.objects.filter(is_trial=True).order_by("pk").first()


# (URL name, role fixture, path from the register)
PAGES = [
    ("home", "responder", lambda r: "/"),
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
]


def _queries(client, path: str) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        reply = client.get(path)
    # 302: the index pages send to the current year's page
    assert reply.status_code in (200, 204, 302), (path, reply.status_code)
    return [query["sql"] for query in queries]


@pytest.mark.parametrize(("name", "role", "path"), PAGES, ids=[page[0] for page in PAGES])
def test_the_number_of_queries_does_not_grow_with_the_rows(
    request, client_for, register, name, role, path
):
    client = client_for(request.getfixturevalue(role))
    url = path(register)
    _queries(client, url)  # warm: caches of the process (content types, sites)
    few = _queries(client, url)
    register["grow"](12)
    many = _queries(client, url)
    assert len(many) == len(few), "\n".join(many)


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
        "staffing:assign",
        "staffing:unassign",
        "staffing:consultation_record",
        "staffing:opening_hours_end",
        "reports:export",
    }
    walked = {page[0] for page in PAGES}
    assert {name for name, _url in APP_PATTERNS} - post_only_or_download == walked
