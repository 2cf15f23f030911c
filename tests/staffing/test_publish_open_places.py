"""Publishing a month with short shifts tells each colleague which open places they may take."""

from datetime import date, timedelta

import pytest
from django.core import mail

from meldpunt.roles import Role
from staffing.models import NotificationPreferences
from staffing.services.assignments import assignment_create
from staffing.services.publishing import roster_publish
from tests.factories import UserFactory

from .conftest import utc
from .factories import RosterMemberFactory, ShiftFactory

pytestmark = pytest.mark.django_db
MONDAY = utc(2030, 1, 7, 8)  # 09:00 Brussels, far ahead


def person(site, name, **kwargs):
    user = UserFactory(username=name, email=f"{name}@meldpunt.test", role=Role.RESPONDER)
    return RosterMemberFactory(site=site, user=user, **kwargs)


def test_each_colleague_hears_of_the_places_they_may_take(
    site, other_site, django_capture_on_commit_callbacks
):
    ann, bob = person(site, "ann"), person(site, "bob")
    mailer = person(site, "mailer", channels=["email"])
    muted = person(site, "muted")
    NotificationPreferences.objects.create(
        user=muted.user, muted=[NotificationPreferences.Kind.OPEN_SHIFT]
    )
    person(other_site, "stranger")
    phone = ShiftFactory(site=site, starts_at=MONDAY, required_headcount=2)
    ShiftFactory(
        site=site, channel="chat", starts_at=MONDAY + timedelta(days=1), required_headcount=1
    )
    full = ShiftFactory(site=site, starts_at=MONDAY + timedelta(days=2), required_headcount=1)
    assignment_create(shift=phone, staff_member=ann)
    assignment_create(shift=full, staff_member=bob)
    with django_capture_on_commit_callbacks(execute=True):
        roster_publish(site=site, month=date(2030, 1, 1))
    open_mails = {m.to[0]: m.body for m in mail.outbox if "open" in m.subject}
    assert set(open_mails) == {"ann@meldpunt.test", "bob@meldpunt.test"}
    # Ann is on the phone shift already: only the chat place; Bob may take both.
    assert "1 open place " in open_mails["ann@meldpunt.test"]
    assert "Chat" in open_mails["ann@meldpunt.test"]
    assert "Phone" not in open_mails["ann@meldpunt.test"]
    assert "2 open places" in open_mails["bob@meldpunt.test"]
    assert "/staffing/open-shifts/" in open_mails["bob@meldpunt.test"]
    assert mailer.user.email not in open_mails


def test_a_full_month_sends_no_open_place_mail(site, django_capture_on_commit_callbacks):
    ann = person(site, "ann")
    person(site, "bob")
    assignment_create(shift=ShiftFactory(site=site, starts_at=MONDAY), staff_member=ann)
    with django_capture_on_commit_callbacks(execute=True):
        roster_publish(site=site, month=date(2030, 1, 1))
    assert [m.to for m in mail.outbox] == [["ann@meldpunt.test"]]  # the publication only
