from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from contacts.models import (
    CallerAgeGroup,
    CallerRole,
    Contact,
    ContactFlag,
    VictimAgeGroup,
    VictimRelation,
)
from contacts.services import (
    ContactData,
    VictimData,
    WarningsNotConfirmed,
    case_open,
    contact_register,
    contact_update,
    followup_complete,
    followup_create,
)
from meldpunt.channels import Channel
from meldpunt.models import AuditEntry
from tests.factories import CaseFactory, ContactFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


def data(**overrides) -> ContactData:
    values = {"channel": Channel.PHONE, "started_at": NOW - timedelta(minutes=10)}
    values.update(overrides)
    return ContactData(**values)


def test_register_fills_end_with_moment_of_saving_and_gives_reference(site, responder):
    contact = contact_register(data=data(), site=site, registered_by=responder, now=NOW)
    assert contact.ended_at == NOW
    assert contact.duration_seconds == 600
    assert contact.reference == "2026-000001"
    second = contact_register(data=data(), site=site, registered_by=responder, now=NOW)
    assert second.reference == "2026-000002"


def test_reference_year_is_local_year_of_start(site, responder):
    # 23:30 UTC on 31 December is already 1 January in Brussels.
    started = datetime(2025, 12, 31, 23, 30, tzinfo=UTC)
    contact = contact_register(
        data=data(started_at=started), site=site, registered_by=responder, now=NOW
    )
    assert contact.reference.startswith("2026-")


def test_register_with_victims_and_new_case(site, responder):
    victims = [
        VictimData(age_group=VictimAgeGroup.objects.get(code="age_3_5")),
        VictimData(age_group=VictimAgeGroup.objects.get(code="age_6_11")),
    ]
    contact = contact_register(
        data=data(victims=victims), site=site, registered_by=responder, open_case=True, now=NOW
    )
    assert contact.victims.count() == 2
    assert contact.case.site == site
    assert contact.case.reference.startswith("D")


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"ended_at": NOW - timedelta(minutes=20)}, "ended_at"),
        ({"started_at": NOW + timedelta(minutes=30)}, "started_at"),
        ({"ended_at": NOW + timedelta(hours=9)}, "ended_at"),
    ],
)
def test_register_refuses_impossible_times(site, responder, overrides, field):
    with pytest.raises(ValidationError) as excinfo:
        contact_register(data=data(**overrides), site=site, registered_by=responder, now=NOW)
    assert field in excinfo.value.message_dict
    assert Contact.objects.count() == 0


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        (
            {"caller_age_group": "age_12_17", "caller_role": "professional"},
            ContactFlag.Reason.MINOR_PROFESSIONAL,
        ),
        ({"caller_role": "professional", "self_victim": True}, ContactFlag.Reason.SELF_VICTIM_ROLE),
        ({"ended_at": NOW, "started_at": NOW - timedelta(hours=3)}, "long_conversation"),
    ],
)
def test_unusual_contact_is_saved_only_when_confirmed_and_then_flagged(
    site, responder, overrides, reason
):
    values = dict(overrides)
    if "caller_age_group" in values:
        values["caller_age_group"] = CallerAgeGroup.objects.get(code=values["caller_age_group"])
    if "caller_role" in values:
        values["caller_role"] = CallerRole.objects.get(code=values["caller_role"])
    if values.pop("self_victim", False):
        values["victims"] = [VictimData(relation=VictimRelation.objects.get(code="self"))]
    unusual = data(**values)
    with pytest.raises(WarningsNotConfirmed) as excinfo:
        contact_register(data=unusual, site=site, registered_by=responder, now=NOW)
    assert excinfo.value.reasons == [reason]
    assert Contact.objects.count() == 0

    contact = contact_register(
        data=unusual, site=site, registered_by=responder, now=NOW, confirmed=True
    )
    assert list(contact.flags.values_list("reason", flat=True)) == [reason]
    entry = AuditEntry.objects.get(action="create", object_ref=contact.reference)
    assert entry.changes["flags"] == [None, [reason]]


def test_correcting_an_unusual_contact_removes_its_flag(site, responder):
    unusual = data(
        caller_age_group=CallerAgeGroup.objects.get(code="age_12_17"),
        caller_role=CallerRole.objects.get(code="professional"),
    )
    contact = contact_register(
        data=unusual, site=site, registered_by=responder, now=NOW, confirmed=True
    )
    corrected = data(caller_age_group=CallerAgeGroup.objects.get(code="adult"))
    contact_update(contact=contact, data=corrected, updated_by=responder, now=NOW)
    assert not contact.flags.exists()


def test_more_than_one_self_victim_is_still_refused(site, responder):
    self_relation = VictimRelation.objects.get(code="self")
    bad = data(victims=[VictimData(relation=self_relation), VictimData(relation=self_relation)])
    with pytest.raises(ValidationError) as excinfo:
        contact_register(data=bad, site=site, registered_by=responder, now=NOW, confirmed=True)
    assert "victims" in excinfo.value.message_dict


def test_register_refuses_case_of_other_site(site, other_site, responder):
    case = CaseFactory(site=other_site)
    with pytest.raises(ValidationError) as excinfo:
        contact_register(data=data(), site=site, registered_by=responder, case=case, now=NOW)
    assert "case" in excinfo.value.message_dict


def test_update_replaces_victims(site, responder):
    contact = contact_register(
        data=data(victims=[VictimData(), VictimData()]),
        site=site,
        registered_by=responder,
        now=NOW,
    )
    updated = contact_update(
        contact=contact,
        data=data(ended_at=NOW, victims=[VictimData()], notes="Gecorrigeerd"),
        updated_by=responder,
        now=NOW,
    )
    assert updated.victims.count() == 1
    assert updated.notes == "Gecorrigeerd"


def test_database_refuses_end_before_start(site):
    with pytest.raises(IntegrityError):
        ContactFactory(site=site, started_at=NOW, ended_at=NOW - timedelta(seconds=1))


def test_case_references_are_consecutive(site):
    first, second = case_open(site=site), case_open(site=site)
    assert int(second.reference[-5:]) == int(first.reference[-5:]) + 1


def test_followup_create_and_complete(site, responder):
    contact = ContactFactory(site=site, follow_up_needed=False)
    follow_up = followup_create(contact=contact, description="Terugbellen", created_by=responder)
    contact.refresh_from_db()
    assert contact.follow_up_needed
    done = followup_complete(follow_up=follow_up, done_by=responder)
    first_done_at = done.done_at
    assert first_done_at is not None
    again = followup_complete(follow_up=follow_up, done_by=responder)
    assert again.done_at == first_done_at
