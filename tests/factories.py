"""factory_boy factories shared by the whole suite."""

from datetime import timedelta

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from contacts.models import Case, Contact, FollowUp, Victim
from meldpunt.channels import Channel
from staffing.models import Site, StaffMember

PASSWORD = "correct-horse-battery-staple"


class SiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Site
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"site{n}")
    name = factory.LazyAttribute(lambda o: f"Site {o.code}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name", locale="nl_BE")
    last_name = factory.Faker("last_name", locale="nl_BE")
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(Group.objects.get(name=extracted))


class StaffMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffMember

    user = factory.SubFactory(UserFactory)
    site = factory.SubFactory(SiteFactory)


def staff_user(role: str, site: Site | None = None, **kwargs):
    """A user with a role and a staff profile at `site` (a new site when None)."""
    user = UserFactory(role=role, **kwargs)
    StaffMemberFactory(user=user, site=site or SiteFactory())
    return user


class CaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Case

    reference = factory.Sequence(lambda n: f"D2026-{n + 1:05d}")
    site = factory.SubFactory(SiteFactory)


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    reference = factory.Sequence(lambda n: f"2026-{n + 1:06d}")
    channel = Channel.PHONE
    started_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=1))
    ended_at = factory.LazyAttribute(lambda o: o.started_at + timedelta(minutes=12))
    site = factory.SubFactory(SiteFactory)
    theme_id = "child_abuse"
    caller_gender_id = "female"
    caller_age_group_id = "adult"
    caller_role_id = "victim_environment"
    region_id = "antwerpen"
    notes = factory.Faker("sentence", locale="nl_BE")


class VictimFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Victim

    contact = factory.SubFactory(ContactFactory)
    age_group_id = "age_6_11"


class FollowUpFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FollowUp

    contact = factory.SubFactory(ContactFactory)
    description = "Terugbellen"
