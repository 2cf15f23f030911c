import pytest
from django.urls import reverse

from contacts.models import (
    AwarenessSource,
    CallerAgeGroup,
    CallerRole,
    Case,
    Contact,
    FollowUp,
    Gender,
    ReferenceCounter,
    Referral,
    Region,
    Theme,
    Victim,
    VictimAgeGroup,
    VictimRelation,
    ViolenceContext,
    ViolenceForm,
)
from tests.factories import CaseFactory, ContactFactory, FollowUpFactory, VictimFactory

pytestmark = pytest.mark.django_db


TAXONOMY = [
    AwarenessSource,
    CallerAgeGroup,
    CallerRole,
    Gender,
    Referral,
    Region,
    Theme,
    VictimAgeGroup,
    VictimRelation,
    ViolenceContext,
    ViolenceForm,
]
MODELS = [*TAXONOMY, Case, Contact, FollowUp, ReferenceCounter]


def admin_url(model, view, *args):
    return reverse(f"admin:contacts_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def admin_client(client_for, administrator):
    administrator.is_superuser = True
    administrator.save()
    return client_for(administrator)


@pytest.fixture
def data(site):
    case = CaseFactory(site=site)
    contact = ContactFactory(site=site, case=case, notes="Alleen voor het team")
    VictimFactory(contact=contact)
    FollowUpFactory(contact=contact)
    ReferenceCounter.objects.create(kind="contact", year=2026, last_value=41)
    return contact


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_changelists_load_for_an_administrator(admin_client, data, model):
    response = admin_client.get(admin_url(model, "changelist"))
    assert response.status_code == 200
    assert response.context["cl"].result_count == model.objects.count() > 0


def test_contact_changelist_filters_and_searches(admin_client, data):
    url = admin_url(Contact, "changelist")
    response = admin_client.get(url, {"q": data.reference})
    assert list(response.context["cl"].result_list) == [data]
    response = admin_client.get(url, {"channel__exact": "chat"})
    assert list(response.context["cl"].result_list) == []


def test_contact_change_page_shows_victims_but_not_the_notes(admin_client, data):
    response = admin_client.get(admin_url(Contact, "change", data.pk))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="victims-TOTAL_FORMS"' in html
    assert "Alleen voor het team" not in html


def test_contacts_and_cases_are_not_added_in_the_admin(admin_client):
    assert admin_client.get(admin_url(Contact, "add")).status_code == 403
    assert admin_client.get(admin_url(Case, "add")).status_code == 403


@pytest.mark.parametrize("model", TAXONOMY, ids=lambda m: m.__name__)
def test_taxonomy_terms_cannot_be_deleted(admin_client, model):
    term = model.objects.first()
    assert admin_client.get(admin_url(model, "delete", term.pk)).status_code == 403
    assert admin_client.post(admin_url(model, "delete", term.pk), {"post": "yes"}).status_code == (
        403
    )
    changelist = admin_client.get(admin_url(model, "changelist"))
    assert "delete_selected" not in changelist.content.decode()
    assert model.objects.filter(pk=term.pk).exists()


def test_taxonomy_code_is_fixed_after_creation(admin_client):
    add = admin_client.get(admin_url(Theme, "add")).content.decode()
    assert 'name="code"' in add
    change = admin_client.get(admin_url(Theme, "change", "child_abuse")).content.decode()
    assert 'name="code"' not in change
    assert 'name="label"' in change


def test_taxonomy_order_and_active_are_edited_in_the_list(admin_client):
    html = admin_client.get(admin_url(Theme, "changelist")).content.decode()
    assert 'name="form-0-sort_order"' in html
    assert 'name="form-0-is_active"' in html


def test_deactivate_a_term(admin_client):
    response = admin_client.post(
        admin_url(Theme, "change", "ritual_violence"),
        {"label": "Ritueel geweld", "label_en": "Ritual violence", "sort_order": 110},
    )
    assert response.status_code == 302
    assert Theme.objects.get(code="ritual_violence").is_active is False


def test_reference_counters_are_read_only(admin_client, data):
    counter = ReferenceCounter.objects.get()
    assert admin_client.get(admin_url(ReferenceCounter, "add")).status_code == 403
    response = admin_client.post(
        admin_url(ReferenceCounter, "change", counter.pk),
        {"kind": "contact", "year": 2026, "last_value": 1},
    )
    assert response.status_code == 403
    counter.refresh_from_db()
    assert counter.last_value == 41


def test_admin_refuses_staff_without_rights(client_for, responder):
    responder.is_staff = True
    responder.save()
    response = client_for(responder).get(admin_url(Contact, "changelist"))
    assert response.status_code == 403
    assert Victim.objects.count() == 0
