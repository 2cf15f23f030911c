"""Factories for staffing models; people and sites come from tests.factories."""

from datetime import UTC, datetime, timedelta

import factory

from meldpunt.channels import Channel
from staffing.models import (
    Absence,
    CaseConsultation,
    Closure,
    Qualification,
    Shift,
    StaffMember,
)
from tests.factories import SiteFactory, UserFactory


class RosterMemberFactory(factory.django.DjangoModelFactory):
    """A staff member who may be rostered: certified, phone and chat, 38 hours."""

    class Meta:
        model = StaffMember
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    site = factory.SubFactory(SiteFactory)
    contract_hours = 38
    channels = factory.LazyFunction(lambda: [Channel.PHONE, Channel.CHAT])

    @factory.post_generation
    def certified(self, create, extracted, **kwargs):
        if create and extracted is not False:
            QualificationFactory(staff_member=self)


class QualificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Qualification

    staff_member = factory.SubFactory(RosterMemberFactory, certified=False)
    kind = Qualification.Kind.CERTIFIED_RESPONDER
    valid_from = factory.LazyFunction(lambda: datetime(2010, 1, 1, tzinfo=UTC).date())


class ShiftFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Shift

    site = factory.SubFactory(SiteFactory)
    channel = Channel.PHONE
    # Monday 2026-12-07 09:00–17:00 Brussels (CET = UTC+1).
    starts_at = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=8))
    required_headcount = 1


class AbsenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Absence

    staff_member = factory.SubFactory(RosterMemberFactory)
    kind = Absence.Kind.LEAVE
    starts_at = datetime(2026, 12, 6, 23, 0, tzinfo=UTC)
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(days=1))
    approved_at = factory.LazyAttribute(lambda o: o.starts_at - timedelta(days=10))


class ClosureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Closure

    starts_at = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=2))
    reason = "Teamdag"


class ConsultationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CaseConsultation

    site = factory.SubFactory(SiteFactory)
    starts_at = datetime(2026, 12, 8, 12, 0, tzinfo=UTC)
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=2))
