from datetime import UTC, date, datetime

import pytest

from contacts.forms import ContactFilterForm, ContactForm, FollowUpForm, VictimFormSet
from contacts.forms.terms import TERM_MODELS, Terms
from contacts.models import Region, Theme, ViolenceForm
from contacts.services import VictimData
from meldpunt.roles import Role
from tests.factories import CaseFactory, ContactFactory, UserFactory, staff_user

pytestmark = pytest.mark.django_db


def contact_form(user, **data):
    values = {"channel": "phone", "started_at": "2025-07-01T10:30", "contact_type": "about_other"}
    values.update(data)
    form = ContactForm(values, user=user)
    form.is_valid()
    return form


def test_start_is_read_in_brussels_local_time(responder):
    form = contact_form(responder, ended_at="2025-07-01T10:45:30")
    assert form.is_valid(), form.errors
    # Summer time: 10:30 in Brussels is 08:30 UTC.
    assert form.cleaned_data["started_at"] == datetime(2025, 7, 1, 8, 30, tzinfo=UTC)
    assert form.cleaned_data["ended_at"] == datetime(2025, 7, 1, 8, 45, 30, tzinfo=UTC)


def test_a_time_that_does_not_exist_locally_is_an_error(responder):
    # Clocks jump from 02:00 to 03:00 on the last Sunday of March.
    form = contact_form(responder, started_at="2025-03-30T02:30")
    assert not form.is_valid()
    assert "started_at" in form.errors


def test_blank_terms_are_none_and_notes_empty(responder):
    form = contact_form(responder)
    assert form.is_valid(), form.errors
    data = form.contact_data([])
    assert (data.theme, data.region, data.notes, data.forms_of_violence) == (None, None, "", ())


def test_terms_offered_are_active_plus_the_current_value():
    Theme.objects.filter(code="ritual_violence").update(is_active=False)
    terms = Terms.load()
    assert "ritual_violence" not in {term.code for term in terms.offered(Theme)}
    assert "ritual_violence" in {term.code for term in terms.offered(Theme, "ritual_violence")}
    assert terms.offered(Theme, ["ritual_violence"]) == list(Theme.objects.all())


def test_terms_are_every_code_list_as_stored_in_one_query(django_assert_num_queries):
    with django_assert_num_queries(1):
        terms = Terms.load()
    for model in TERM_MODELS:
        stored = list(model.objects.all())
        offered = terms.offered(model, [term.code for term in stored])
        assert offered == stored
        fields = [f.attname for f in model._meta.concrete_fields]
        assert [[getattr(t, f) for f in fields] for t in offered] == [
            [getattr(t, f) for f in fields] for t in stored
        ]
        assert all(not term._state.adding for term in offered)


def test_a_term_field_refuses_what_it_does_not_offer(responder):
    Theme.objects.filter(code="ritual_violence").update(is_active=False)
    ViolenceForm.objects.filter(code="physical").update(is_active=False)
    form = contact_form(
        responder, theme="ritual_violence", forms_of_violence=["physical", "sexual"]
    )
    assert set(form.errors) == {"theme", "forms_of_violence"}
    form = contact_form(responder, theme="no_such_code\x00", forms_of_violence=["psychological"])
    assert set(form.errors) == {"theme"}
    form = contact_form(
        responder, theme="child_abuse", forms_of_violence=["sexual", "no_such_form"]
    )
    assert set(form.errors) == {"forms_of_violence"}


def test_term_fields_give_the_stored_terms_in_their_order(responder):
    codes = [term.code for term in ViolenceForm.objects.all()]
    form = contact_form(responder, theme="child_abuse", forms_of_violence=codes[::-1] + codes[:1])
    assert form.is_valid(), form.errors
    assert form.cleaned_data["theme"] == Theme.objects.get(code="child_abuse")
    assert form.cleaned_data["forms_of_violence"] == list(ViolenceForm.objects.all())


def test_inactive_region_refused_on_new_contact_but_kept_on_edit(responder, site):
    Region.objects.filter(code="abroad").update(is_active=False)
    assert "region" in contact_form(responder, region="abroad").errors
    contact = ContactFactory(site=site, region_id="abroad")
    form = ContactForm(
        {
            "channel": "phone",
            "started_at": "2025-07-01T10:30",
            "region": "abroad",
            "contact_type": "about_other",
        },
        user=responder,
        contact=contact,
        initial=ContactForm.initial_from(contact),
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["region"].code == "abroad"


def test_case_reference_is_looked_up_among_viewable_cases(responder, site, other_site):
    own = CaseFactory(site=site, reference="D2025-00001")
    CaseFactory(site=other_site, reference="D2025-00002")
    assert contact_form(responder, case=" d2025-00001 ").cleaned_data["case"] == own
    form = contact_form(responder, case="D2025-00002")
    assert form.errors["case"] == ["There is no case with this reference."]
    assert contact_form(responder, case="").cleaned_data["case"] is None


def test_existing_and_new_case_together_is_an_error(responder, site):
    CaseFactory(site=site, reference="D2025-00001")
    form = contact_form(responder, case="D2025-00001", open_case="on")
    assert "open_case" in form.errors


def test_only_users_who_see_all_sites_choose_a_site(responder, coordinator, site, other_site):
    assert "site" not in ContactForm(user=responder).fields
    form = contact_form(coordinator, site=other_site.pk)
    assert form.is_valid(), form.errors
    assert form.registration_site() == other_site
    assert contact_form(responder).registration_site() == site


def test_a_user_without_a_site_cannot_register(db):
    user = UserFactory(role=Role.RESPONDER)
    form = contact_form(user)
    assert not form.is_valid()
    assert "not linked to a site" in str(form.non_field_errors())


def test_notes_can_be_left_out_and_are_then_kept(coordinator, other_site):
    contact = ContactFactory(site=other_site, notes="Van het team in Gent")
    form = ContactForm(
        {
            "channel": "phone",
            "started_at": "2025-07-01T10:30",
            "notes": "overschreven",
            "contact_type": "about_other",
        },
        user=coordinator,
        contact=contact,
        show_notes=False,
        initial=ContactForm.initial_from(contact),
    )
    assert "notes" not in form.fields
    assert form.is_valid(), form.errors
    assert form.contact_data([]).notes == "Van het team in Gent"


def test_errors_mark_the_widget_and_take_the_focus(responder):
    form = contact_form(responder, started_at="", theme="nonsense")
    assert not form.is_valid()
    assert "is-invalid" in str(form["started_at"])
    assert "autofocus" in str(form["started_at"])
    assert "autofocus" not in str(form["theme"])


def victims_formset(rows, total=None, **extra):
    data = {
        "victims-TOTAL_FORMS": str(total if total is not None else len(rows)),
        "victims-INITIAL_FORMS": "0",
        "victims-MIN_NUM_FORMS": "0",
        "victims-MAX_NUM_FORMS": "20",
    }
    for index, row in enumerate(rows):
        data.update({f"victims-{index}-{name}": value for name, value in row.items()})
    data.update(extra)
    return VictimFormSet(data, prefix="victims")


def test_victim_rows_blank_or_removed_are_skipped():
    formset = victims_formset(
        [
            {"age_group": "age_0_2", "relation": "child"},
            {"age_group": "", "gender": "", "relation": ""},
            {"age_group": "age_12_17", "DELETE": "on"},
            {"gender": "female"},
        ]
    )
    assert formset.is_valid(), formset.errors
    victims = formset.victim_data()
    assert [(v.age_group and v.age_group.code, v.gender and v.gender.code) for v in victims] == [
        ("age_0_2", None),
        (None, "female"),
    ]
    assert all(isinstance(v, VictimData) for v in victims)


def test_victim_rows_are_limited():
    formset = victims_formset([{"age_group": "age_0_2"}] * 21)
    assert not formset.is_valid()


def test_filter_form_validates_the_period(responder):
    form = ContactFilterForm({"date_from": "2025-03-11", "date_to": "2025-03-10"}, user=responder)
    assert not form.is_valid()
    assert form.non_field_errors() == ["The end of the period lies before its start."]
    form = ContactFilterForm({"date_from": "2025-03-10", "case": " d2025-00001"}, user=responder)
    assert form.is_valid()
    assert form.cleaned_data["date_from"] == date(2025, 3, 10)
    assert form.cleaned_data["case"] == "D2025-00001"


def test_filter_form_offers_inactive_themes_and_site_only_to_all_sites_roles(
    responder, coordinator
):
    Theme.objects.filter(code="ritual_violence").update(is_active=False)
    form = ContactFilterForm({}, user=responder)
    assert "ritual_violence" in dict(form.fields["theme"].choices)
    assert "site" not in form.fields
    assert "site" in ContactFilterForm({}, user=coordinator).fields


def test_follow_up_assignees_are_the_contacts_site_team(responder, other_responder, site):
    contact = ContactFactory(site=site)
    form = FollowUpForm(contact=contact, user=responder)
    assert list(form.fields["assignee"].queryset) == [responder]
    assert form["assignee"].value() == responder.pk
    outsider_of_site = staff_user(Role.COORDINATOR, other_responder.staff_member.site)
    form = FollowUpForm(contact=contact, user=outsider_of_site)
    assert form["assignee"].value() is None


def test_autofocus_lands_on_the_chosen_option_of_a_radio_group(responder, site):
    contact = ContactFactory(site=site, theme_id="partner_violence")
    form = ContactForm(user=responder, contact=contact, initial=ContactForm.initial_from(contact))
    # The page starts on the contact type; the same rule holds for any radio group.
    assert str(form["contact_type"]).count("autofocus") == 1
    form.focus_first("theme")
    html = str(form["theme"])
    assert html.count("autofocus") == 1
    assert 'value="partner_violence" class="btn-check" autofocus id="id_theme_2" checked' in html
    blank = ContactForm(user=responder)
    blank.focus_first("theme")
    html = str(blank["theme"])
    assert html.count("autofocus") == 1
    assert 'value="" class="btn-check" autofocus id="id_theme_0" checked' in html
    # A new contact has no type chosen: focus on the first, nothing checked.
    html = str(ContactForm(user=responder)["contact_type"])
    assert html.count("autofocus") == 1 and "checked" not in html


def test_staff_who_left_are_no_longer_assignees(responder, site):
    left = staff_user(Role.RESPONDER, site, username="vertrokken")
    left.staff_member.active_to = date(2020, 6, 30)
    left.staff_member.save()
    form = FollowUpForm(contact=ContactFactory(site=site), user=responder)
    assert list(form.fields["assignee"].queryset) == [responder]
