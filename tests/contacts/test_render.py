"""The intake's and the list's forms are drawn by Django's Jinja2 form renderer
(contacts/forms/render.py): the same markup as Django's template renderer, white space
between tags aside."""

import re

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.template import Context, Template
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe

from contacts.forms import ContactFilterForm, ContactForm, VictimFormSet
from contacts.forms.contact import ButtonRadioSelect
from contacts.forms.render import RENDERER, JinjaRenderedMixin
from contacts.models import ContactFlag
from contacts.selectors import contacts_filter, contacts_terms_attach
from contacts.templatetags.contacts_render import contact_rows, toggle_buttons
from tests.factories import CaseFactory, ContactFactory, FollowUpFactory, VictimFactory

pytestmark = pytest.mark.django_db
TEMPLATES = DjangoTemplates()


def _same(html: str) -> str:
    """White space between and inside tags, and which entity spells a quote (Jinja2's
    markupsafe writes &#39; and &#34;, Django &#x27; and &quot;), change nothing a
    browser draws."""
    html = html.replace("&#39;", "&#x27;").replace("&#34;", "&quot;")
    return re.sub(r"\s+", " ", re.sub(r">\s+<", "><", html)).strip()


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


def _renderer_set(form, renderer) -> None:
    """Draw the form's fields with `renderer` from now on: its bound fields (and their
    options, which keep the renderer they were made with) are made anew."""
    form.renderer = renderer
    form._bound_fields_cache = {}


def _both_ways(forms_):
    for form in forms_:
        assert form.renderer is RENDERER
    jinja = _drawn(forms_)
    for form in forms_:
        _renderer_set(form, TEMPLATES)
    django = _drawn(forms_)
    assert len(jinja) == len(django) > 3
    for ours, theirs in zip(jinja, django, strict=True):
        assert _same(ours) == _same(theirs)
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


class _Hostile(JinjaRenderedMixin, forms.Form):
    pick = forms.ChoiceField(
        choices=[("'", "it's <b>"), ("", mark_safe("<em>none</em>")), (1, 2)],
        widget=ButtonRadioSelect(attrs={"data-x": '"<&>', "autofocus": True}),
    )
    menu = forms.ChoiceField(
        choices=[("Group <1>", [("x&y", "X")]), ("y", "Y <i>"), ("safe", mark_safe("<em>ok</em>"))],
        widget=forms.Select(attrs={"data-x": '"<&>', "required": True, "hidden": False, "n": 0}),
    )
    text = forms.CharField(
        widget=forms.TextInput(attrs={"placeholder": mark_safe("&amp;"), "title": "<&>", "size": 5})
    )


def test_attributes_and_labels_are_escaped_as_the_templates_escape_them():
    _both_ways([_Hostile({"pick": "'", "menu": "x&y", "text": '"quoted" <&>'}), _Hostile()])


def test_the_list_filters_are_drawn_as_django_draws_them(responder):
    _both_ways([ContactFilterForm({"q": "<b>", "theme": "nope"}, user=responder)])


# The loops of contacts/_radio_group.html and _type_group.html before the templatetag
# toggle_buttons (contacts/templatetags/contacts_render.py) took their place, verbatim.
RADIO_LOOP_BEFORE = (
    '{% for choice in field %}{{ choice.tag }}<label class="btn btn-sm {% if choice.data.value %}'
    'btn-outline-primary{% else %}btn-outline-secondary not-recorded{% endif %}" '
    'for="{{ choice.id_for_label }}">{{ choice.choice_label }}</label>{% endfor %}'
)
TYPE_LOOP_BEFORE = (
    '{% for choice in field %}{{ choice.tag }}<label class="btn btn-sm btn-outline-primary" '
    'for="{{ choice.id_for_label }}">{% if forloop.counter < 10 %}<kbd class="hint ms-0 me-1">'
    '{{ forloop.counter }}</kbd>{% elif forloop.counter == 10 %}<kbd class="hint ms-0 me-1">0'
    "</kbd>{% endif %}{{ choice.choice_label }}</label>{% endfor %}"
)


def _toggles_both_ways(make_form, numbered_field):
    """Each button group of the form through toggle_buttons, and through the loop it
    replaced with every option drawn by Django's template renderer."""
    ours_form, theirs_form = make_form(), make_form()
    _renderer_set(theirs_form, TEMPLATES)
    drawn = 0
    for field in ours_form:
        if not isinstance(field.field.widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
            continue
        numbered = field.name == numbered_field
        ours = toggle_buttons(field, numbered=numbered)
        loop = TYPE_LOOP_BEFORE if numbered else RADIO_LOOP_BEFORE
        theirs = Template(loop).render(Context({"field": theirs_form[field.name]}))
        assert isinstance(ours, SafeString)
        assert _same(ours) == _same(theirs)
        drawn += 1
    assert drawn


def test_the_button_groups_are_drawn_as_the_template_loop_drew_them(responder):
    def posted():
        form = ContactForm(
            {"channel": "chat", "theme": "", "forms_of_violence": ["physical"], "notes": "x"},
            user=responder,
        )
        form.is_valid()
        return form

    _toggles_both_ways(posted, "contact_type")
    _toggles_both_ways(
        lambda: ContactForm(user=responder, initial={"channel": "email"}), "contact_type"
    )


def test_hostile_labels_in_a_button_group_are_escaped():
    _toggles_both_ways(lambda: _Hostile({"pick": "'"}), None)
    html = toggle_buttons(_Hostile({"pick": "'"})["pick"])
    assert "<b>" not in html and "it&#39;s &lt;b&gt;" in html
    assert "<em>none</em>" in html  # a label marked safe stays markup, as in the template


# The contact list's rows as the page's Django-template loop drew them before
# contacts/templatetags/contacts_render.py (contact_rows) took over.
ROWS_AS_DJANGO_DREW_THEM = """{% load i18n %}
{% for contact in page %}
    <tr>
      <td class="text-nowrap"><a class="font-monospace" href="{% url 'contacts:detail' contact.reference %}">{{ contact.reference }}</a>{% if contact.is_flagged %} <span class="badge text-bg-warning" title="{% translate 'Flagged for a check' %}">!</span>{% endif %}</td>
      <td class="text-nowrap">{{ contact.started_at|date:"d/m/Y H:i" }}</td>
      <td class="text-nowrap d-none d-md-table-cell">{% if contact.ended_at %}{{ contact.started_at|timesince:contact.ended_at }}{% else %}—{% endif %}</td>
      <td>{{ contact.get_channel_display }}</td>
      <td>{{ contact.contact_type }}</td>
      <td>{% if contact.theme %}{{ contact.theme }}{% else %}<span class="not-recorded-value">{% translate "not recorded" %}</span>{% endif %}</td>
      <td class="d-none d-md-table-cell">{% if contact.caller_age_group %}{{ contact.caller_age_group }}{% else %}<span class="not-recorded-value">{% translate "not recorded" %}</span>{% endif %}, {% if contact.caller_gender %}{{ contact.caller_gender }}{% else %}<span class="not-recorded-value">{% translate "not recorded" %}</span>{% endif %}</td>
      {% if show_site %}<td>{{ contact.site }}</td>{% endif %}
      <td class="text-nowrap">{% if contact.case %}<a class="font-monospace" href="{% url 'contacts:case_detail' contact.case.reference %}">{{ contact.case.reference }}</a>{% endif %}</td>
      <td>{% if contact.has_open_follow_up %}<span class="badge text-bg-warning">{% translate "open" %}</span>{% elif contact.follow_up_needed %}<span class="badge text-bg-light">{% translate "needed" %}</span>{% endif %}</td>
      <td class="d-none d-md-table-cell">{% with person=contact.registered_by %}{% if person %}{{ person.get_full_name|default:person.get_username }}{% else %}—{% endif %}{% endwith %}</td>
    </tr>
  {% empty %}
    <tr><td colspan="11" class="text-secondary">{% translate "No contacts match these filters." %}</td></tr>
  {% endfor %}
"""  # noqa: E501 - the template's own lines


def _rows_both_ways(user, show_site):
    contacts = list(contacts_filter(user, {}))
    contacts_terms_attach(contacts)
    assert contacts
    ours = contact_rows(contacts, show_site)
    theirs = Template(ROWS_AS_DJANGO_DREW_THEM).render(
        Context({"page": contacts, "show_site": show_site})
    )
    assert isinstance(ours, SafeString)
    assert _same(ours) == _same(theirs)
    return ours


def test_the_list_rows_are_drawn_as_the_template_loop_drew_them(responder, site):
    case = CaseFactory(site=site, reference="D2026-00042")
    flagged = ContactFactory(site=site, case=case, registered_by=responder, theme=None)
    ContactFlag.objects.create(contact=flagged, reason=ContactFlag.Reason.LONG_CONVERSATION)
    FollowUpFactory(contact=ContactFactory(site=site, ended_at=None, caller_gender=None))
    ContactFactory(site=site, follow_up_needed=True, caller_age_group=None, channel="chat")
    ContactFactory(site=site, notes="<b>O'Neil</b> & co", reference="2026-000099")
    responder.first_name, responder.last_name = "Ann", "D'Hondt <x>"
    responder.save()
    with translation.override("nl"):
        html = _rows_both_ways(responder, show_site=False)
        _rows_both_ways(responder, show_site=True)
    assert "D2026-00042" in html and "text-bg-warning" in html and "D&#39;Hondt &lt;x&gt;" in html


def test_an_empty_list_says_so_as_before(responder):
    with translation.override("nl"):
        html = contact_rows([], False)
        theirs = Template(ROWS_AS_DJANGO_DREW_THEM).render(
            Context({"page": [], "show_site": False})
        )
    assert _same(html) == _same(theirs)
    assert "colspan" in html
