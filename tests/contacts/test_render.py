"""The widgets drawn in Python (contacts/forms/render.py) draw what Django's templates draw."""

from unittest import mock

import pytest
from django import forms
from django.utils.safestring import SafeString, mark_safe

from contacts.forms import ContactForm, VictimFormSet
from contacts.forms.contact import ButtonRadioSelect
from contacts.forms.render import FastRenderMixin, Select, TextInput
from tests.factories import CaseFactory, ContactFactory, VictimFactory

pytestmark = pytest.mark.django_db


def _templates_only():
    """Django's own drawing, for comparison."""
    return mock.patch.object(
        FastRenderMixin,
        "_render",
        lambda self, template_name, context, renderer=None: forms.Widget._render(
            self, template_name, context, renderer
        ),
    )


def _drawn(forms_):
    """Every field of the forms, whole and (for choices) option by option."""
    html = []
    for form in forms_:
        for field in form:
            html.append(str(field))
            if isinstance(field.field.widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
                html.extend(str(choice.tag()) for choice in field)
                html.extend(str(choice.tag(wrap_label=True)) for choice in field)
    return html


def _both_ways(forms_):
    fast = _drawn(forms_)
    with _templates_only():
        slow = _drawn(forms_)
    assert len(fast) == len(slow) > 3
    for ours, django in zip(fast, slow, strict=True):
        assert ours == django
        assert isinstance(ours, SafeString)


def test_a_new_intake_is_drawn_as_django_draws_it(responder):
    form = ContactForm(user=responder, initial={"channel": "chat"})
    _both_ways([form, *VictimFormSet(prefix="victims").forms])


def test_an_intake_with_errors_and_choices_is_drawn_as_django_draws_it(responder):
    data = {
        "channel": "phone",
        "started_at": "2025-07-01T10:30",
        "contact_type": "about_other",
        "theme": "child_abuse",
        "forms_of_violence": ["physical", "no such form"],
        "region": "<script>",
        "caller_identifier": '"><b>',
        "notes": "x",
        "victims-TOTAL_FORMS": "2",
        "victims-INITIAL_FORMS": "0",
        "victims-0-age_group": "age_6_11",
        "victims-1-gender": "<i>",
    }
    form = ContactForm(data, user=responder)
    formset = VictimFormSet(data, prefix="victims")
    assert not form.is_valid()
    assert not formset.is_valid()
    _both_ways([form, *formset.forms, formset.empty_form])


def test_a_correction_is_drawn_as_django_draws_it(responder, site):
    contact = ContactFactory(site=site, case=CaseFactory(site=site), region_id="abroad")
    VictimFactory(contact=contact)
    form = ContactForm(user=responder, contact=contact, initial=ContactForm.initial_from(contact))
    _both_ways([form])


class _Hostile(forms.Form):
    pick = forms.ChoiceField(
        choices=[("'", "it's <b>"), ("", mark_safe("<em>none</em>")), (1, 2)],
        widget=ButtonRadioSelect(attrs={"data-x": '"<&>', "autofocus": True}),
    )
    menu = forms.ChoiceField(
        choices=[("Group <1>", [("x&y", "X")]), ("y", "Y <i>"), ("safe", mark_safe("<em>ok</em>"))],
        widget=Select(attrs={"data-x": '"<&>', "required": True, "hidden": False, "n": 0}),
    )
    text = forms.CharField(
        widget=TextInput(attrs={"placeholder": mark_safe("&amp;"), "title": "<&>", "size": 5})
    )


def test_attributes_and_labels_are_escaped_as_the_templates_escape_them():
    _both_ways([_Hostile({"pick": "'", "menu": "x&y", "text": '"quoted" <&>'}), _Hostile()])
