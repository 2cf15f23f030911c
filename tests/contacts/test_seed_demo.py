"""`seed_demo`: the demo database of `make run` — logins, a 1712-like mix, idempotent."""

import re
from collections import Counter
from datetime import date
from io import StringIO

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import Count, F, Q
from django.urls import reverse
from django.utils import timezone

from contacts.models import (
    CallAttempt,
    Campaign,
    Case,
    Contact,
    FollowUp,
    ReferenceCounter,
    Victim,
)
from contacts.services import ContactData, VictimData, contact_validate
from meldpunt.roles import Role
from reports.models import AggregateRun, DailyCount
from reports.services.aggregates import aggregated_through
from reports.services.figures import annual_figures, annual_figures_direct
from staffing.models import Site, StaffMember
from staffing.services.opening_hours import OpeningSchedule

pytestmark = pytest.mark.django_db

# A closed period in the past, so that sizes and shares do not depend on today's date.
YEAR_2025 = ("--years", "1", "--until", "2025-12-31")


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def printed_logins(output: str) -> list[dict]:
    """The rows of the login table: username, role, site, password."""
    lines = output.split("Demo-logins:")[1].strip().splitlines()
    header = re.split(r"\s{2,}", lines[0])
    rows = []
    for line in lines[2:]:
        if not line.strip():
            break
        rows.append(dict(zip(header, re.split(r"\s{2,}", line), strict=True)))
    return rows


def logs_in(client, username: str, password: str) -> bool:
    """Log in through the login page: django-axes needs the request, client.login() has none."""
    response = client.post(reverse("login"), {"username": username, "password": password})
    return response.status_code == 302 and "_auth_user_id" in client.session


def counts() -> dict[str, int]:
    models = [Contact, Victim, Case, FollowUp, Site, StaffMember, ReferenceCounter]
    result = {model.__name__: model.objects.count() for model in models}
    result["forms"] = Contact.forms_of_violence.through.objects.count()
    result["users"] = get_user_model().objects.count()
    return result


def test_every_role_logs_in_with_the_printed_password(client):
    output = seed(*YEAR_2025, "--contacts-per-year", "200")

    assert "http://127.0.0.1:8000/" in output
    assert Site.objects.count() == 5
    assert Site.objects.default().code == "centraal"
    logins = printed_logins(output)
    by_role = Counter(row["Rol"] for row in logins)
    assert set(by_role) == {str(role.label) for role in Role}
    for site in Site.objects.all():
        members = StaffMember.objects.filter(site=site, user__groups__name=Role.RESPONDER)
        assert 3 <= members.count() <= 6
        assert StaffMember.objects.filter(
            site=site, user__groups__name=Role.SITE_COORDINATOR
        ).exists()
    for role in Role:
        row = next(row for row in logins if row["Rol"] == role.label)
        assert len(row["Wachtwoord"]) >= 12
        assert logs_in(client, row["Gebruikersnaam"], row["Wachtwoord"]), row
        user = get_user_model().objects.get(username=row["Gebruikersnaam"])
        assert list(user.groups.values_list("name", flat=True)) == [role.value]
        assert user.staff_member.site.name == row["Site"]
        client.logout()
    admin = get_user_model().objects.get(groups__name=Role.ADMINISTRATOR)
    assert admin.is_staff and admin.is_superuser


def test_the_mix_resembles_the_line():
    seed(*YEAR_2025, "--contacts-per-year", "4000")
    contacts = Contact.objects.all()
    total = contacts.count()

    assert 3500 <= total <= 4500
    assert not contacts.exclude(started_at__year=2025).exclude(started_at__year=2024).exists()
    channels = Counter(contacts.values_list("channel", flat=True))
    assert channels.most_common(1)[0][0] == "phone"
    assert 0.6 <= channels["phone"] / total <= 0.8
    themes = Counter(contacts.values_list("theme", flat=True))
    assert themes.most_common(1)[0][0] == "child_abuse"
    assert 0.02 <= contacts.filter(caller_age_group__is_minor=True).count() / total <= 0.10
    assert 1.1 <= Victim.objects.count() / total <= 1.5
    for field in ("theme", "caller_age_group", "caller_role", "region", "referral"):
        blank = contacts.filter(**{f"{field}__isnull": True}).count() / total
        assert 0.01 <= blank <= 0.10, field
    linked = contacts.filter(case__isnull=False).count() / total
    assert 0.08 <= linked <= 0.25
    assert Case.objects.annotate(n=Count("contacts")).filter(n__gte=2).exists()
    assert 0.05 <= FollowUp.objects.count() / total <= 0.15


def test_rows_carry_the_demo_moments_not_the_moment_of_seeding():
    seed(*YEAR_2025, "--contacts-per-year", "300")

    assert not Contact.objects.exclude(created_at=F("ended_at")).exists()
    for case in Case.objects.prefetch_related("contacts"):
        assert case.opened_at == min(c.started_at for c in case.contacts.all())
        assert {c.site_id for c in case.contacts.all()} == {case.site_id}
    assert not FollowUp.objects.exclude(created_at=F("contact__ended_at")).exists()
    # The switch that lets bulk_create keep these moments is off again.
    assert Contact._meta.get_field("created_at").auto_now_add
    assert Case._meta.get_field("opened_at").auto_now_add


def test_phone_and_chat_mostly_within_the_opening_hours_in_force():
    seed(*YEAR_2025, "--contacts-per-year", "2000")
    schedule = OpeningSchedule.load()
    outside, total = Counter(), Counter()
    for channel, started in Contact.objects.values_list("channel", "started_at"):
        total[channel] += 1
        outside[channel] += schedule.is_outside_opening_hours(channel, started)

    assert 0 < outside["phone"] / total["phone"] <= 0.06
    assert 0 < outside["chat"] / total["chat"] <= 0.08
    assert outside["email"] == 0
    weekdays = Counter(
        timezone.localtime(started).weekday()
        for started in Contact.objects.values_list("started_at", flat=True)
    )
    assert weekdays[0] == max(weekdays.values())  # Mondays are busiest


def test_contacts_respect_the_registers_rules():
    now = timezone.now()
    seed("--years", "1", "--contacts-per-year", "2000")
    contacts = Contact.objects.select_related("site", "caller_age_group", "caller_role")

    assert not contacts.filter(Q(started_at__gt=now) | Q(ended_at__gt=now)).exists()
    assert not contacts.filter(caller_age_group__is_minor=True, caller_role="professional")
    assert not Victim.objects.filter(relation="self").exclude(contact__caller_role="victim")
    victim_callers = contacts.filter(caller_role="victim").annotate(
        own=Count("victims", filter=Q(victims__relation="self"))
    )
    assert not victim_callers.exclude(own=1).exists()
    assert not contacts.filter(registered_by__isnull=True).exists()
    assert not contacts.exclude(registered_by__staff_member__site=F("site")).exists()
    for contact in contacts.prefetch_related("victims__relation", "registered_by__groups")[:300]:
        assert contact.started_at <= contact.ended_at
        assert contact.registered_by.staff_member.site == contact.site
        assert Role.RESPONDER in {g.name for g in contact.registered_by.groups.all()}
        data = ContactData(
            channel=contact.channel,
            started_at=contact.started_at,
            ended_at=contact.ended_at,
            caller_age_group=contact.caller_age_group,
            caller_role=contact.caller_role,
            victims=[VictimData(relation=v.relation) for v in contact.victims.all()],
        )
        contact_validate(data, site=contact.site, case=contact.case, now=now)
        local_year = timezone.localtime(contact.started_at).year
        assert contact.reference.startswith(f"{local_year}-")


def test_a_second_run_changes_nothing_and_repairs_the_logins(client):
    first = seed(*YEAR_2025, "--contacts-per-year", "300")
    before = counts()
    user = get_user_model().objects.get(username="beantwoorder.gent1")
    user.set_password("iets-anders-dan-demo")
    user.save()

    second = seed(*YEAR_2025, "--contacts-per-year", "300")

    assert counts() == before
    assert printed_logins(second) == printed_logins(first)
    assert "http://127.0.0.1:8000/" in second
    row = next(row for row in printed_logins(second) if row["Gebruikersnaam"] == user.username)
    assert logs_in(client, user.username, row["Wachtwoord"])


def first_contacts(n: int = 25) -> list[tuple]:
    fields = ["reference", "channel", "started_at", "ended_at", "site__code", "theme"]
    fields += ["caller_gender", "caller_age_group", "caller_role", "region", "notes"]
    fields += ["registered_by__username", "case__reference"]
    rows = Contact.objects.order_by("started_at", "reference").values_list(*fields)[:n]
    victims = Victim.objects.order_by("id").values_list("age_group", "relation")
    return [(*row, list(victims.filter(contact__reference=row[0]))) for row in rows]


def remove_contacts() -> None:
    Contact.objects.all().delete()
    Case.objects.all().delete()
    ReferenceCounter.objects.all().delete()


def test_the_same_seed_gives_the_same_contacts():
    seed(*YEAR_2025, "--contacts-per-year", "300", "--seed", "7")
    original = first_contacts()
    remove_contacts()
    seed(*YEAR_2025, "--contacts-per-year", "300", "--seed", "7")
    assert first_contacts() == original
    remove_contacts()
    seed(*YEAR_2025, "--contacts-per-year", "300", "--seed", "8")
    assert first_contacts() != original


def test_the_attempt_log_resembles_the_switch():
    seed(*YEAR_2025, "--contacts-per-year", "1000")
    schedule = OpeningSchedule.load()
    attempts = CallAttempt.objects.all()
    answered = attempts.filter(answered=True)
    logged = Contact.objects.filter(channel__in=["phone", "chat"])

    assert answered.count() == logged.count() > 0
    contact = logged.order_by("id").first()
    first = CallAttempt.objects.get(external_id=f"demo-a-{contact.id}")
    assert (first.channel, first.started_at) == (contact.channel, contact.started_at)
    assert first.talk_seconds == contact.duration_seconds
    unanswered = attempts.filter(answered=False)
    assert 0.10 <= unanswered.count() / answered.count() <= 0.20
    assert not unanswered.exclude(talk_seconds=0).exists()
    assert not answered.filter(Q(wait_seconds__lt=5) | Q(wait_seconds__gt=90)).exists()
    outside = [a for a in unanswered if schedule.is_outside_opening_hours(a.channel, a.started_at)]
    misdials = [a for a in outside if a.wait_seconds < settings.MISDIAL_SECONDS]
    assert 0.2 <= len(outside) / unanswered.count() <= 0.7
    assert 0.3 <= len(misdials) / len(outside) <= 0.7
    assert {timezone.localtime(a.started_at).weekday() for a in outside} >= {5, 6}
    hashes = Counter(attempts.values_list("caller_hash", flat=True))
    assert "" not in hashes
    assert 0.03 <= sum(n - 1 for n in hashes.values()) / attempts.count() <= 0.2


def test_a_second_run_adds_no_attempts_campaign_or_aggregate_run():
    seed(*YEAR_2025, "--contacts-per-year", "300")
    before = (CallAttempt.objects.count(), DailyCount.objects.count(), AggregateRun.objects.count())
    second = seed(*YEAR_2025, "--contacts-per-year", "300")

    assert "geen nieuwe aangemaakt" in second
    assert before[0] > 0 and before[1] > 0
    after = (CallAttempt.objects.count(), DailyCount.objects.count(), AggregateRun.objects.count())
    assert after == before
    campaign = Campaign.objects.get(name="Campagne #WatJijMeemaakt")
    assert campaign.target_age_group.code == "age_12_17"
    assert sorted(campaign.channels) == ["chat", "phone"]
    assert (campaign.end_date - campaign.start_date).days == 27
    assert campaign.start_date.year == 2025 and 3 <= campaign.start_date.month <= 5


def test_the_report_pages_read_aggregates_equal_to_the_register():
    seed(*YEAR_2025, "--contacts-per-year", "500")

    assert DailyCount.objects.exists()
    assert aggregated_through() >= date(2025, 12, 31)
    assert annual_figures(2025) == annual_figures_direct(2025)
