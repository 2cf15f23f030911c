"""Day-to-day rostering: absences release shifts, published months, mails after commit,
open shifts, shift offers, time off, consultations that never overlap."""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from meldpunt.channels import Channel
from meldpunt.roles import Role
from staffing.models import (
    Absence,
    Assignment,
    CaseConsultation,
    ConsultationAttendance,
    Qualification,
    ReleasedAssignment,
    RosterPublication,
    Shift,
    ShiftOffer,
)
from staffing.selectors import coverage_week
from staffing.services.absences import (
    absence_approve,
    absence_record,
    absence_refuse,
    replacement_candidates,
)
from staffing.services.assignments import assignment_create, assignment_delete
from staffing.services.consultations import (
    attendance_record,
    consultation_series_create,
    consultations_invite_newcomers,
)
from staffing.services.notifications import notification_preferences_set
from staffing.services.open_shifts import open_shift_take, open_shifts_for
from staffing.services.publishing import roster_publish
from staffing.services.reminders import shift_reminders_send
from staffing.services.swaps import (
    shift_offer_accept,
    shift_offer_approve,
    shift_offer_create,
    shift_offer_refuse,
)
from staffing.services.time import BRUSSELS
from tests.factories import UserFactory

from .conftest import utc
from .factories import RosterMemberFactory, ShiftFactory

# Monday 7 January 2030, 09:00–17:00 Brussels: far enough ahead to be open for sign-ups.
MONDAY = utc(2030, 1, 7, 8)
JANUARY = date(2030, 1, 1)


def person(site, name, **kwargs):
    user = UserFactory(username=name, email=f"{name}@meldpunt.test", role=Role.RESPONDER)
    return RosterMemberFactory(site=site, user=user, **kwargs)


@pytest.fixture
def ann(site):
    return person(site, "ann")


@pytest.fixture
def bob(site):
    return person(site, "bob")


@pytest.fixture
def shift(site):
    return ShiftFactory(site=site, starts_at=MONDAY, required_headcount=1)


def publish(site, month=JANUARY):
    return RosterPublication.objects.create(site=site, month=month)


def to(outbox) -> list[str]:
    return sorted(address for message in outbox for address in message.to)


# --- Absences release shifts --------------------------------------------------------------


def test_an_approved_absence_releases_the_overlapping_shifts(site, ann, shift):
    other_day = ShiftFactory(site=site, starts_at=MONDAY + timedelta(days=3))
    assignment_create(shift=shift, staff_member=ann)
    assignment_create(shift=other_day, staff_member=ann)
    absence = absence_record(
        staff_member=ann,
        kind=Absence.Kind.SICKNESS,
        first_day=date(2030, 1, 7),
        last_day=date(2030, 1, 8),
    )
    # Monday's shift is released and kept as history; Thursday's stays.
    assert list(Assignment.objects.values_list("shift", flat=True)) == [other_day.pk]
    released = ReleasedAssignment.objects.get()
    assert (released.shift, released.staff_member, released.absence) == (shift, ann, absence)
    assert released.reason == ReleasedAssignment.Reason.ABSENCE
    assert (released.starts_at, released.ends_at) == (shift.starts_at, shift.ends_at)
    # Coverage shows the gap: 0 of 1 every phone hour on Monday.
    (phone, rows), *_ = coverage_week(site, date(2030, 1, 7))
    assert phone == Channel.PHONE
    monday_blocks = [blocks[0] for _label, blocks in rows if blocks[0]]
    assert monday_blocks and all(b.state == "short" and b.assigned == 0 for b in monday_blocks)


def test_a_time_off_request_releases_nothing_until_approved(site, ann, shift, site_coordinator):
    assignment_create(shift=shift, staff_member=ann)
    request = absence_record(
        staff_member=ann,
        kind=Absence.Kind.LEAVE,
        first_day=date(2030, 1, 7),
        last_day=date(2030, 1, 7),
        approved=False,
    )
    assert Assignment.objects.count() == 1
    assert list(Absence.objects.pending()) == [request]
    absence_approve(absence=request, approved_by=site_coordinator)
    assert not Assignment.objects.exists()
    assert ReleasedAssignment.objects.get().absence == request
    with pytest.raises(ValidationError):
        absence_refuse(absence=request, refused_by=site_coordinator)


def test_a_refused_request_keeps_the_shift(site, ann, shift, site_coordinator):
    assignment_create(shift=shift, staff_member=ann)
    request = absence_record(
        staff_member=ann,
        kind=Absence.Kind.LEAVE,
        first_day=date(2030, 1, 7),
        last_day=date(2030, 1, 7),
        approved=False,
    )
    absence_refuse(absence=request, refused_by=site_coordinator)
    assert Assignment.objects.count() == 1
    request.refresh_from_db()
    assert request.is_refused and not request.is_approved
    with pytest.raises(IntegrityError), transaction.atomic():
        Absence.objects.filter(pk=request.pk).update(approved_at=request.refused_at)


def test_replacement_candidates_break_no_rule(site, ann, bob, shift):
    assignment_create(shift=shift, staff_member=ann)
    chat_only = person(site, "carla", channels=[Channel.CHAT])
    busy = person(site, "dirk")
    overlapping = ShiftFactory(site=site, channel=Channel.CHAT, starts_at=MONDAY)
    assignment_create(shift=overlapping, staff_member=busy)
    absence_record(
        staff_member=ann,
        kind=Absence.Kind.SICKNESS,
        first_day=date(2030, 1, 7),
        last_day=date(2030, 1, 7),
    )
    assert replacement_candidates([shift])[shift.pk] == [bob]
    assert chat_only not in replacement_candidates([shift])[shift.pk]


# --- Publishing and mails ---------------------------------------------------------------


def test_publishing_mails_the_people_on_shifts_after_commit(
    site, ann, bob, shift, django_capture_on_commit_callbacks
):
    assignment_create(shift=shift, staff_member=ann)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        roster_publish(site=site, month=date(2030, 1, 15))
    # Nothing is sent while the transaction is open; once it commits, only Ann hears.
    assert mail.outbox == []
    for callback in callbacks:
        callback()
    assert to(mail.outbox) == ["ann@meldpunt.test"]
    body = mail.outbox[0].body
    assert "1 shift" in body and "/staffing/my-shifts/" in body
    assert RosterPublication.objects.get().month == JANUARY
    with pytest.raises(ValidationError):
        roster_publish(site=site, month=JANUARY)


def test_a_rolled_back_change_mails_nobody(site, ann, shift, django_capture_on_commit_callbacks):
    publish(site)
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        assignment_create(shift=shift, staff_member=ann, assigned_by=UserFactory())
        raise RuntimeError("rolled back")
    assert mail.outbox == []


def test_changes_to_a_published_shift_reach_the_person_concerned(
    site, ann, bob, shift, site_coordinator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assignment_create(shift=shift, staff_member=ann, assigned_by=site_coordinator)
    assert mail.outbox == []  # a draft: nobody is told yet
    publish(site)
    with django_capture_on_commit_callbacks(execute=True):
        assignment = assignment_create(
            shift=ShiftFactory(site=site, starts_at=MONDAY + timedelta(days=1)),
            staff_member=ann,
            assigned_by=site_coordinator,
        )
    assert to(mail.outbox) == ["ann@meldpunt.test"]
    assert "new shift" in mail.outbox[0].subject
    with django_capture_on_commit_callbacks(execute=True):
        assignment_delete(assignment=assignment, deleted_by=site_coordinator)
    assert to(mail.outbox[1:]) == ["ann@meldpunt.test"]
    # Her own doing is not mailed back to her.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assignment_create(
            shift=ShiftFactory(site=site, starts_at=MONDAY + timedelta(days=2)),
            staff_member=ann,
            assigned_by=ann.user,
        )
    assert mail.outbox == []


def test_a_released_shift_mails_the_absent_person_and_the_colleagues_who_may_take_it(
    site, ann, bob, shift, site_coordinator, django_capture_on_commit_callbacks
):
    person(site, "carla", channels=[Channel.CHAT])  # cannot take a phone shift
    assignment_create(shift=shift, staff_member=ann)
    publish(site)
    with django_capture_on_commit_callbacks(execute=True):
        absence_record(
            staff_member=ann,
            kind=Absence.Kind.SICKNESS,
            first_day=date(2030, 1, 7),
            last_day=date(2030, 1, 7),
            recorded_by=site_coordinator,
        )
    subjects = {m.to[0]: m.subject for m in mail.outbox}
    assert set(subjects) == {"ann@meldpunt.test", "bob@meldpunt.test"}
    assert "released" in subjects["ann@meldpunt.test"]
    assert "open shift" in subjects["bob@meldpunt.test"]
    assert all("/staffing/" in m.body for m in mail.outbox)


def test_a_weeks_absence_is_one_mail_each_and_a_fixed_number_of_queries(
    site, ann, bob, site_coordinator, django_capture_on_commit_callbacks, django_assert_num_queries
):
    def week_of_shifts(count):
        shifts = [
            ShiftFactory(site=site, starts_at=MONDAY + timedelta(days=d)) for d in range(count)
        ]
        for each in shifts:
            assignment_create(shift=each, staff_member=ann)
        return shifts

    def record(first, last):
        absence_record(
            staff_member=ann,
            kind=Absence.Kind.SICKNESS,
            first_day=first,
            last_day=last,
            recorded_by=site_coordinator,
        )

    publish(site)
    week_of_shifts(1)
    with CaptureQueriesContext(connection) as one, django_capture_on_commit_callbacks(execute=True):
        record(date(2030, 1, 7), date(2030, 1, 7))
    Absence.objects.all().delete()
    ReleasedAssignment.objects.all().delete()
    Shift.objects.all().delete()
    week_of_shifts(5)
    mail.outbox.clear()
    with django_assert_num_queries(len(one)), django_capture_on_commit_callbacks(execute=True):
        record(date(2030, 1, 7), date(2030, 1, 11))
    assert ReleasedAssignment.objects.count() == 5 and not Assignment.objects.exists()
    by_address = {m.to[0]: m for m in mail.outbox}
    assert len(mail.outbox) == 2 and set(by_address) == {"ann@meldpunt.test", "bob@meldpunt.test"}
    assert by_address["ann@meldpunt.test"].body.count("released from this shift") == 5
    assert "open shifts" in by_address["bob@meldpunt.test"].subject
    assert by_address["bob@meldpunt.test"].body.count("A place opened up") == 5


def test_opting_out_stops_that_kind_of_mail(
    site, ann, shift, site_coordinator, django_capture_on_commit_callbacks
):
    publish(site)
    notification_preferences_set(user=ann.user, muted_kinds=["shift_changed"])
    with django_capture_on_commit_callbacks(execute=True):
        assignment_create(shift=shift, staff_member=ann, assigned_by=site_coordinator)
    assert mail.outbox == []


def test_the_reminder_goes_to_tomorrows_published_shifts_only(
    site, ann, bob, other_site, shift, django_capture_on_commit_callbacks
):
    assignment_create(shift=shift, staff_member=ann)
    stranger = person(other_site, "gert")
    draft = ShiftFactory(site=other_site, starts_at=MONDAY)
    assignment_create(shift=draft, staff_member=stranger)
    publish(site)
    with django_capture_on_commit_callbacks(execute=True):
        assert shift_reminders_send(today=date(2030, 1, 6)) == 1
    assert to(mail.outbox) == ["ann@meldpunt.test"]
    assert "09:00" in mail.outbox[0].body
    mail.outbox.clear()
    # A second run for the same day (a retry) mails nobody twice.
    with django_capture_on_commit_callbacks(execute=True):
        assert shift_reminders_send(today=date(2030, 1, 6)) == 0
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        assert shift_reminders_send(today=date(2030, 1, 7)) == 0
    assert mail.outbox == []


# --- Open shifts --------------------------------------------------------------------------


def test_the_board_shows_published_short_shifts_of_my_site_and_channels(
    site, other_site, ann, bob, shift
):
    ShiftFactory(site=site, channel=Channel.EMAIL, starts_at=MONDAY)  # not Ann's channel
    ShiftFactory(site=other_site, starts_at=MONDAY)  # another site
    draft = ShiftFactory(site=site, starts_at=utc(2030, 2, 4, 8))  # February: a draft
    assert open_shifts_for(ann) == []
    publish(site)
    assert [o.shift for o in open_shifts_for(ann)] == [shift]
    assert open_shifts_for(ann)[0].problems == []
    open_shift_take(shift=shift, member=ann, user=ann.user)
    assert open_shifts_for(bob) == []  # full now
    with pytest.raises(ValidationError, match="took the last place"):
        open_shift_take(shift=shift, member=bob, user=bob.user)
    with pytest.raises(ValidationError, match="not published"):
        open_shift_take(shift=draft, member=bob, user=bob.user)


def test_taking_an_open_shift_keeps_every_rule(site, ann, shift):
    publish(site)
    ann.channels = [Channel.CHAT]
    ann.save()
    with pytest.raises(ValidationError, match="does not serve"):
        open_shift_take(shift=shift, member=ann, user=ann.user)


# --- Shift offers (give away / swap) ------------------------------------------------------


def test_offer_accept_approve_hands_the_shift_over(
    site, ann, bob, shift, site_coordinator, django_capture_on_commit_callbacks
):
    publish(site)
    assignment = assignment_create(shift=shift, staff_member=ann)
    with django_capture_on_commit_callbacks(execute=True):
        offer = shift_offer_create(assignment=assignment, offered_to=bob)
    assert to(mail.outbox) == ["bob@meldpunt.test"]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        offer = shift_offer_accept(offer=offer, taker=bob)
    assert offer.status == ShiftOffer.Status.ACCEPTED
    assert Assignment.objects.get().staff_member == ann  # not yet: the coordinator decides
    assert "ann@meldpunt.test" in to(mail.outbox)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        shift_offer_approve(offer=offer, decided_by=site_coordinator)
    assert Assignment.objects.get().staff_member == bob
    assert ReleasedAssignment.objects.get().reason == ReleasedAssignment.Reason.SWAP
    assert to(mail.outbox) == ["ann@meldpunt.test", "bob@meldpunt.test"]


def test_the_site_may_approve_rule_abiding_swaps_itself(site, ann, bob, shift):
    site.swaps_auto_approve = True
    site.save()
    publish(site)
    offer = shift_offer_create(assignment=assignment_create(shift=shift, staff_member=ann))
    offer = shift_offer_accept(offer=offer, taker=bob)
    assert offer.status == ShiftOffer.Status.APPROVED
    assert Assignment.objects.get().staff_member == bob


def test_acceptance_checks_the_rules_for_the_taker(site, ann, bob, shift):
    publish(site)
    offer = shift_offer_create(assignment=assignment_create(shift=shift, staff_member=ann))
    assignment_create(
        shift=ShiftFactory(site=site, channel=Channel.CHAT, starts_at=MONDAY), staff_member=bob
    )
    with pytest.raises(ValidationError, match="overlapping"):
        shift_offer_accept(offer=offer, taker=bob)
    offer.refresh_from_db()
    assert offer.status == ShiftOffer.Status.OFFERED


def test_acceptance_checks_the_rules_for_the_giver(site, ann, bob, shift):
    """Ann may not leave a trainee alone on the shift."""
    publish(site)
    shift.required_headcount = 2
    shift.save()
    trainee = person(site, "tim", certified=False)
    Qualification.objects.create(
        staff_member=trainee, kind=Qualification.Kind.IN_TRAINING, valid_from=date(2029, 1, 1)
    )
    assignment = assignment_create(shift=shift, staff_member=ann)
    assignment_create(shift=shift, staff_member=trainee)
    bob_trainee = person(site, "bert", certified=False)
    Qualification.objects.create(
        staff_member=bob_trainee, kind=Qualification.Kind.IN_TRAINING, valid_from=date(2029, 1, 1)
    )
    offer = shift_offer_create(assignment=assignment)
    with pytest.raises(ValidationError, match="without a certified colleague"):
        shift_offer_accept(offer=offer, taker=bob_trainee)


def test_a_certified_taker_may_take_the_place_next_to_a_trainee(site, ann, bob, shift):
    """Ann leaves the trainee with Bob, who is certified: nobody is left alone."""
    publish(site)
    shift.required_headcount = 2
    shift.save()
    trainee = person(site, "tim", certified=False)
    Qualification.objects.create(
        staff_member=trainee, kind=Qualification.Kind.IN_TRAINING, valid_from=date(2029, 1, 1)
    )
    assignment = assignment_create(shift=shift, staff_member=ann)
    assignment_create(shift=shift, staff_member=trainee)
    offer = shift_offer_create(assignment=assignment)
    accepted = shift_offer_accept(offer=offer, taker=bob)
    assert accepted.taken_by == bob


def test_a_refused_swap_leaves_the_shift_with_the_giver(site, ann, bob, shift, site_coordinator):
    publish(site)
    offer = shift_offer_create(assignment=assignment_create(shift=shift, staff_member=ann))
    offer = shift_offer_accept(offer=offer, taker=bob)
    shift_offer_refuse(offer=offer, decided_by=site_coordinator)
    assert Assignment.objects.get().staff_member == ann
    with pytest.raises(ValidationError):
        shift_offer_approve(offer=offer, decided_by=site_coordinator)


def test_an_exchange_swaps_two_overlapping_shifts(
    site, ann, bob, shift, site_coordinator, django_capture_on_commit_callbacks
):
    """Ann's phone shift for Bob's chat shift at the same hours: each leaves before joining
    the other's, so the overlap is no obstacle; both people are told in one mail."""
    publish(site)
    chat = ShiftFactory(site=site, channel=Channel.CHAT, starts_at=MONDAY)
    offer = shift_offer_create(assignment=assignment_create(shift=shift, staff_member=ann))
    bobs = assignment_create(shift=chat, staff_member=bob)
    with pytest.raises(ValidationError, match="overlapping"):
        shift_offer_accept(offer=offer, taker=bob)  # a give-away: Bob is busy then
    offer = shift_offer_accept(offer=offer, taker=bob, in_return=bobs)
    assert (offer.status, offer.in_return) == (ShiftOffer.Status.ACCEPTED, chat)
    # The trial run left nothing behind.
    assert not ReleasedAssignment.objects.exists()
    assert set(Assignment.objects.values_list("shift", "staff_member")) == {
        (shift.pk, ann.pk),
        (chat.pk, bob.pk),
    }
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        shift_offer_approve(offer=offer, decided_by=site_coordinator)
    assert set(Assignment.objects.values_list("shift", "staff_member")) == {
        (shift.pk, bob.pk),
        (chat.pk, ann.pk),
    }
    assert ReleasedAssignment.objects.filter(reason=ReleasedAssignment.Reason.SWAP).count() == 2
    assert to(mail.outbox) == ["ann@meldpunt.test", "bob@meldpunt.test"]
    assert "instead of" in mail.outbox[0].body and "Chat" in mail.outbox[0].body


def test_an_exchange_is_refused_when_the_giver_may_not_work_the_other_shift(site, ann, bob, shift):
    publish(site)
    ann.channels = [Channel.PHONE]
    ann.save()
    chat = ShiftFactory(site=site, channel=Channel.CHAT, starts_at=MONDAY + timedelta(days=1))
    offer = shift_offer_create(assignment=assignment_create(shift=shift, staff_member=ann))
    bobs = assignment_create(shift=chat, staff_member=bob)
    with pytest.raises(ValidationError, match="does not serve"):
        shift_offer_accept(offer=offer, taker=bob, in_return=bobs)
    offer.refresh_from_db()
    assert offer.status == ShiftOffer.Status.OFFERED
    assert Assignment.objects.get(shift=chat).staff_member == bob


def test_only_ones_own_published_future_shift_can_be_given_in_exchange(site, ann, bob, shift):
    publish(site)
    offer = shift_offer_create(assignment=assignment_create(shift=shift, staff_member=ann))
    carla = person(site, "carla")
    carlas = assignment_create(
        shift=ShiftFactory(site=site, starts_at=MONDAY + timedelta(days=2)), staff_member=carla
    )
    with pytest.raises(ValidationError, match="of your own"):
        shift_offer_accept(offer=offer, taker=bob, in_return=carlas)
    february = assignment_create(
        shift=ShiftFactory(site=site, starts_at=utc(2030, 2, 4, 8)), staff_member=bob
    )
    with pytest.raises(ValidationError, match="not published"):
        shift_offer_accept(offer=offer, taker=bob, in_return=february)


def test_the_database_refuses_an_exchange_of_a_shift_for_itself(site, ann, bob, shift):
    publish(site)
    offer = shift_offer_create(assignment=assignment_create(shift=shift, staff_member=ann))
    with pytest.raises(IntegrityError), transaction.atomic():
        ShiftOffer.objects.filter(pk=offer.pk).update(
            status=ShiftOffer.Status.ACCEPTED, taken_by=bob, in_return=shift
        )


def test_a_draft_shift_cannot_be_offered(site, ann, shift):
    assignment = assignment_create(shift=shift, staff_member=ann)
    with pytest.raises(ValidationError, match="not published"):
        shift_offer_create(assignment=assignment)


# --- Consultations ------------------------------------------------------------------------


def test_two_consultations_of_one_site_never_overlap(site, other_site):
    start = utc(2030, 1, 8, 12).astimezone(BRUSSELS)
    consultation_series_create(
        site=site, first_start=start, duration=timedelta(hours=2), until=date(2030, 1, 8)
    )
    with pytest.raises(ValidationError, match="overlaps"):
        consultation_series_create(
            site=site,
            first_start=start + timedelta(hours=1),
            duration=timedelta(hours=1),
            until=date(2030, 1, 8),
        )
    # Another site, or right after: fine.
    consultation_series_create(
        site=other_site, first_start=start, duration=timedelta(hours=1), until=date(2030, 1, 8)
    )
    consultation_series_create(
        site=site,
        first_start=start + timedelta(hours=2),
        duration=timedelta(hours=1),
        until=date(2030, 1, 8),
    )
    assert CaseConsultation.objects.count() == 3


@pytest.mark.skipif(connection.vendor != "postgresql", reason="exclusion constraint")
def test_the_database_refuses_overlapping_consultations(site):
    CaseConsultation.objects.create(
        site=site, starts_at=utc(2030, 1, 8, 12), ends_at=utc(2030, 1, 8, 14)
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        CaseConsultation.objects.create(
            site=site, starts_at=utc(2030, 1, 8, 13), ends_at=utc(2030, 1, 8, 15)
        )


def test_presence_is_recorded_only_from_the_start(site, ann):
    future = CaseConsultation.objects.create(
        site=site, starts_at=utc(2030, 1, 8, 12), ends_at=utc(2030, 1, 8, 13)
    )
    with pytest.raises(ValidationError, match="from the start"):
        attendance_record(consultation=future, staff_member=ann, attendance="present")
    assert attendance_record(consultation=future, staff_member=ann, attendance="excused")


def test_the_series_invites_people_who_join_later(site, ann):
    consultation_series_create(
        site=site,
        first_start=utc(2030, 1, 8, 12).astimezone(BRUSSELS),
        duration=timedelta(hours=1),
        until=date(2030, 1, 29),
        attendees=[ann],
        invite_site_team=True,
    )
    newcomer = person(site, "nina")
    newcomer.active_from = date(2030, 1, 20)
    newcomer.save()
    assert consultations_invite_newcomers(site=site) == 2  # 22 and 29 January
    assert newcomer.consultations.count() == 2
    assert consultations_invite_newcomers(site=site) == 0
    assert ConsultationAttendance.objects.filter(staff_member=ann).count() == 4


# --- Copying a week -----------------------------------------------------------------------


def test_copy_last_week_skips_and_lists_what_breaks_a_rule(site, ann, bob):
    from staffing.services.week_copy import week_copy

    source = [ShiftFactory(site=site, starts_at=MONDAY + timedelta(days=d)) for d in range(2)]
    target = [ShiftFactory(site=site, starts_at=MONDAY + timedelta(days=7 + d)) for d in range(2)]
    assignment_create(shift=source[0], staff_member=ann)
    assignment_create(shift=source[1], staff_member=bob)
    # Bob is on leave on the target Tuesday.
    absence_record(
        staff_member=bob,
        kind=Absence.Kind.LEAVE,
        first_day=date(2030, 1, 15),
        last_day=date(2030, 1, 15),
    )
    result = week_copy(site=site, source_monday=date(2030, 1, 7), target_monday=date(2030, 1, 14))
    assert [(a.shift, a.staff_member) for a in result.created] == [(target[0], ann)]
    ((member, what, reasons),) = result.skipped
    assert member == bob and "absent" in reasons[0]
    assert what.startswith("Phone") and "09:00–17:00" in what
    with pytest.raises(ValidationError):
        week_copy(site=site, source_monday=date(2030, 1, 7), target_monday=date(2020, 1, 6))


def test_a_saved_week_template_fills_a_coming_week(site, ann, bob):
    from staffing.services.week_copy import week_template_apply, week_template_save

    source = ShiftFactory(site=site, starts_at=MONDAY)
    assignment_create(shift=source, staff_member=ann)
    template = week_template_save(site=site, monday=date(2030, 1, 7), name="Standaard")
    assert template.entries == [
        {"weekday": 0, "channel": "phone", "start": "09:00", "end": "17:00", "member": ann.pk}
    ]
    with pytest.raises(ValidationError):
        week_template_save(site=site, monday=date(2030, 1, 7), name="Standaard")
    with pytest.raises(ValidationError):
        week_template_save(site=site, monday=date(2030, 2, 4), name="Leeg")
    # Four weeks later, the same local hours.
    target = ShiftFactory(site=site, starts_at=utc(2030, 2, 4, 8))
    result = week_template_apply(template=template, target_monday=date(2030, 2, 4))
    assert [(a.shift, a.staff_member) for a in result.created] == [(target, ann)]
    # Across the change to summer time the same local 09:00 is 07:00 UTC.
    summer = ShiftFactory(site=site, starts_at=utc(2030, 4, 1, 7))
    result = week_template_apply(template=template, target_monday=date(2030, 4, 1))
    assert [a.shift for a in result.created] == [summer]
