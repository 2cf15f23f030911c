"""Retention (reports/services/retention.py): personal content past retention goes, the
figures stay exactly the same, and only days that are already in the aggregates are touched."""

import logging
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django_celery_beat.models import PeriodicTask

from contacts.models import Case, ConsultationItem, Contact, FollowUp, Victim
from meldpunt.audit import audit_record
from meldpunt.models import AuditEntry
from reports.models import DirtyDay
from reports.services.aggregates import aggregates_rebuild_changed, aggregates_rebuild_range
from reports.services.figures import annual_figures, annual_figures_direct
from reports.services.retention import retention_apply, years_before
from reports.tasks import retention_apply_nightly
from tests.factories import CaseFactory, ContactFactory, FollowUpFactory, VictimFactory
from tests.staffing.factories import ConsultationFactory

from .conftest import brussels, utc

pytestmark = pytest.mark.django_db

# The clock of these tests: mid-June 2026, so contacts before 15 June 2021 are past the
# default five years.
NOW = utc(2026, 6, 15, 1, 30)
OLD_YEAR = 2020
SECRET = "Vader slaat Jonas elke avond"


def old_contact(site, when, **fields):
    made = ContactFactory(site=site, started_at=when, notes=f"{SECRET} {when:%d/%m}", **fields)
    VictimFactory(contact=made, age_group_id="age_6_11", relation_id="child")
    VictimFactory(contact=made, age_group_id="age_12_17", relation_id=None)
    return made


def backdate_changes():
    """Rows as they would be: last changed shortly after they were registered."""
    for contact in Contact.objects.all():
        Contact.objects.filter(pk=contact.pk).update(
            updated_at=contact.started_at + timedelta(hours=1)
        )


def aggregate_through(last: date, *, now=NOW):
    return aggregates_rebuild_range(date(2019, 1, 1), last, now=now)


def content(contact: Contact) -> tuple:
    contact.refresh_from_db()
    return (
        contact.notes,
        contact.case_id,
        sorted(contact.victims.values_list("relation_id", flat=True), key=str),
        sorted(contact.follow_ups.values_list("description", flat=True)),
    )


@pytest.fixture
def register(site):
    """Contacts of 2020 (past retention) and 2025 (within), with cases, victims, follow-ups
    and a consultation decision; one case runs from 2020 into 2025."""
    old_case, shared_case, recent_case = (CaseFactory(site=site, summary=SECRET) for _ in "abc")
    old = [
        old_contact(site, brussels(OLD_YEAR, 3, 2, 10), case=old_case),
        old_contact(site, brussels(OLD_YEAR, 3, 2, 15), case=old_case, channel="chat"),
        old_contact(site, brussels(OLD_YEAR, 7, 14, 9, 30), case=shared_case, theme_id=None),
        # New Year's Eve, 23:30 local: still 2020.
        old_contact(site, brussels(OLD_YEAR, 12, 31, 23, 30)),
    ]
    recent = [
        old_contact(site, brussels(2025, 5, 6, 11), case=shared_case),
        old_contact(site, brussels(2025, 9, 1, 16), case=recent_case),
    ]
    FollowUpFactory(contact=old[0], description=f"{SECRET}: terugbellen", done_at=NOW)
    FollowUpFactory(contact=old[1], description=f"{SECRET}: school", done_at=None)
    FollowUpFactory(contact=recent[0], description="Terugbellen")
    consultation = ConsultationFactory(site=site, starts_at=brussels(OLD_YEAR, 3, 10, 12))
    ConsultationItem.objects.create(consultation=consultation, case=old_case, decision=SECRET)
    backdate_changes()
    return {
        "old": old,
        "recent": recent,
        "old_case": old_case,
        "shared_case": shared_case,
        "recent_case": recent_case,
    }


def test_old_personal_content_goes_recent_stays(register):
    aggregate_through(date(2026, 6, 14))
    recent_before = [content(contact) for contact in register["recent"]]
    updated_before = dict(Contact.objects.values_list("pk", "updated_at"))

    result = retention_apply(now=NOW)

    for contact in register["old"]:
        notes, case_id, relations, follow_ups = content(contact)
        assert (notes, case_id) == ("", None)
        assert relations == [None, None]
        assert all(description == "" for description in follow_ups)
    # The victims and their age groups are counted: they stay.
    assert Victim.objects.filter(contact__in=register["old"]).count() == 8
    assert not Case.objects.filter(pk=register["old_case"].pk).exists()
    assert not ConsultationItem.objects.exists()
    # The done follow-up is gone; the open one stays, without its text.
    assert list(FollowUp.objects.filter(contact=register["old"][1]).values("description")) == [
        {"description": ""}
    ]
    assert not FollowUp.objects.filter(contact=register["old"][0]).exists()
    # A case with a recent contact stays; so do the recent contacts' notes and relations.
    assert Case.objects.filter(pk__in=[register["shared_case"].pk, register["recent_case"].pk])
    assert [content(contact) for contact in register["recent"]] == recent_before
    # update() leaves updated_at alone: the nightly rebuild sees no changed day.
    assert dict(Contact.objects.values_list("pk", "updated_at")) == updated_before
    assert result.counts() == {
        "contacts_cleared": 4,
        "notes_blanked": 4,
        "victim_relations_removed": 4,
        "case_links_removed": 3,
        "cases_deleted": 1,
        "consultation_items_deleted": 1,
        "follow_ups_deleted": 1,
        "follow_up_descriptions_blanked": 1,
        "profile_notes_blanked": 0,
        "days_waiting": 0,
        "audit_entries_deleted": 0,
    }
    assert result.contacts_before == date(2021, 6, 15)
    erase = AuditEntry.objects.get(action=AuditEntry.Action.ERASE, object_type="retention")
    assert "notes_blanked=4" in erase.detail
    assert SECRET not in erase.detail


def test_annual_figures_are_exactly_the_same(register):
    aggregate_through(date(2026, 6, 14))
    before = annual_figures(OLD_YEAR, now=NOW)
    assert before == annual_figures_direct(OLD_YEAR)
    assert before["total_contacts"] == 4

    retention_apply(now=NOW)

    assert annual_figures(OLD_YEAR, now=NOW) == before
    assert annual_figures_direct(OLD_YEAR) == before
    # And a rebuild from the raw rows gives the same figures too.
    aggregate_through(date(2026, 6, 14), now=NOW + timedelta(hours=1))
    assert annual_figures(OLD_YEAR, now=NOW) == before


def test_days_beyond_the_aggregates_wait_for_them(register):
    march, july = register["old"][0], register["old"][2]
    aggregate_through(date(OLD_YEAR, 6, 30))

    result = retention_apply(now=NOW)

    assert content(march)[0] == ""
    assert content(july)[0].startswith(SECRET)  # 14 July is not aggregated yet
    assert result.days_waiting == 2  # 14 July and 31 December

    aggregate_through(date(2026, 6, 14), now=NOW + timedelta(hours=1))
    result = retention_apply(now=NOW + timedelta(hours=2))

    assert content(july)[:2] == ("", None)
    assert result.days_waiting == 0


def test_days_changed_since_the_last_run_wait_for_the_next_one(register, settings):
    settings.REPORTS_CHANGE_MARGIN_HOURS = 1
    first, second, december = register["old"][0], register["old"][1], register["old"][3]
    aggregates_rebuild_changed(now=NOW)
    # A correction of the first contact after the run: its whole day waits.
    Contact.objects.filter(pk=first.pk).update(
        theme_id="other", updated_at=NOW + timedelta(hours=1)
    )
    # A deleted contact of another day leaves only a DirtyDay behind.
    ContactFactory(site=first.site, started_at=december.started_at - timedelta(hours=1)).delete()
    assert DirtyDay.objects.exists()

    result = retention_apply(now=NOW + timedelta(hours=2))

    assert content(first)[0].startswith(SECRET)
    assert content(second)[0].startswith(SECRET)  # same day
    assert content(december)[0].startswith(SECRET)
    assert result.days_waiting == 2

    tomorrow = NOW + timedelta(days=1)
    aggregates_rebuild_changed(now=tomorrow)
    assert annual_figures(OLD_YEAR, now=tomorrow)["by_theme"]["other"] == 1
    result = retention_apply(now=tomorrow + timedelta(hours=1))

    assert [content(c)[0] for c in (first, second, december)] == ["", "", ""]
    assert result.days_waiting == 0


def test_nothing_happens_before_the_first_aggregate_run(register):
    result = retention_apply(now=NOW)
    assert result.contacts_cleared == 0
    assert result.days_waiting == 3
    assert all(content(contact)[0].startswith(SECRET) for contact in register["old"])


def test_old_audit_entries_go_newer_stay(register):
    aggregate_through(date(2026, 6, 14))
    cutoff = years_before(NOW, 2)
    AuditEntry.objects.bulk_create(
        AuditEntry(action=AuditEntry.Action.VIEW, object_ref="x", at=at)
        for at in (cutoff - timedelta(days=400), cutoff - timedelta(seconds=1), cutoff)
    )
    newer = audit_record(action=AuditEntry.Action.VIEW, object_ref="new")

    result = retention_apply(now=NOW)

    assert result.audit_entries_deleted == 2
    assert AuditEntry.objects.filter(at=cutoff).exists()
    assert AuditEntry.objects.filter(pk=newer.pk).exists()
    assert not AuditEntry.objects.filter(at__lt=cutoff).exists()
    assert AuditEntry.objects.filter(action=AuditEntry.Action.DELETE, detail__contains="rows=2")


def test_log_has_counts_never_content(register, caplog):
    aggregate_through(date(2026, 6, 14))
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="meldpunt.retention"):
        retention_apply(now=NOW)
    lines = [r.getMessage() for r in caplog.records if r.name == "meldpunt.retention"]
    assert len(lines) == 1
    assert "notes_blanked=4" in lines[0]
    assert "cases_deleted=1" in lines[0]
    assert all(SECRET not in r.getMessage() for r in caplog.records)


def test_second_run_changes_nothing(register):
    aggregate_through(date(2026, 6, 14))
    retention_apply(now=NOW)
    snapshot = [content(contact) for contact in Contact.objects.order_by("pk")]
    entries = AuditEntry.objects.count()

    again = retention_apply(now=NOW + timedelta(minutes=5))

    assert again.counts() == dict.fromkeys(again.counts(), 0)
    assert not again.removed_anything
    assert [content(contact) for contact in Contact.objects.order_by("pk")] == snapshot
    assert AuditEntry.objects.count() == entries


@pytest.mark.parametrize("batch_size", [1000, 1])
def test_dry_run_counts_and_removes_nothing(register, batch_size, monkeypatch):
    # With batches of one, the two contacts of the old case fall in different batches.
    monkeypatch.setattr("reports.services.retention.BATCH_SIZE", batch_size)
    aggregate_through(date(2026, 6, 14))
    dry = retention_apply(now=NOW, dry_run=True)
    assert all(content(contact)[0].startswith(SECRET) for contact in register["old"])
    assert Case.objects.count() == 3
    real = retention_apply(now=NOW)
    assert dry.counts() == real.counts()
    assert real.cases_deleted == 1


def test_command_prints_the_counts(register, capsys):
    aggregate_through(date(2026, 6, 14))
    call_command("retention_apply", "--dry-run")
    out = capsys.readouterr().out
    assert "Dry run" in out
    assert "notes_blanked: 4" in out
    assert SECRET not in out
    assert all(content(contact)[0].startswith(SECRET) for contact in register["old"])


def test_task_returns_counts_only(register):
    aggregate_through(date(2026, 6, 14))
    counts = retention_apply_nightly.apply().get()
    assert counts["notes_blanked"] == 4
    assert all(isinstance(value, int) for value in counts.values())


def test_the_beat_entry_exists_after_migrate():
    task = PeriodicTask.objects.get(task="reports.tasks.retention_apply_nightly")
    assert task.enabled
    assert (task.crontab.hour, task.crontab.minute) == ("3", "30")
    assert str(task.crontab.timezone) == "Europe/Brussels"
    aggregates = PeriodicTask.objects.get(task="reports.tasks.aggregates_rebuild_nightly")
    assert int(aggregates.crontab.hour) < int(task.crontab.hour)


def test_years_before_handles_leap_days():
    assert years_before(date(2024, 2, 29), 5) == date(2019, 2, 28)
    assert years_before(date(2026, 6, 15), 5) == date(2021, 6, 15)


@pytest.mark.parametrize(
    ("name", "value"),
    [("RETENTION_CONTACT_YEARS", "0"), ("RETENTION_AUDIT_YEARS", "-1")],
)
def test_settings_refuse_zero_or_negative_years(name, value):
    from tests.meldpunt.test_settings import _django_setup

    result = _django_setup(**{name: value})
    assert result.returncode != 0
    assert "Retention settings must be at least 1 year" in result.stderr


on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the append-only trigger exists on PostgreSQL"
)


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_retention_purges_through_the_trigger_in_real_transactions():
    AuditEntry.objects.bulk_create([AuditEntry(action=AuditEntry.Action.VIEW, at=utc(2020, 1, 1))])
    assert retention_apply(now=NOW).audit_entries_deleted == 1
    # After the purge's transaction, the trigger refuses deletes again.
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM meldpunt_auditentry")
