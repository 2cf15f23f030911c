"""The filters of the contact list. Validated like any form, so bad input is an error
message next to the field, never a server error."""

from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from meldpunt.channels import Channel
from meldpunt.roles import sees_all_sites
from staffing.models import Site, site_of

from ..models import ContactType, Theme
from ..selectors import NOT_RECORDED
from .render import JinjaRenderedMixin
from .terms import TermChoiceField, Terms

# Far beyond any contact, and far from years 1 and 9999, whose local midnights cannot be
# converted to UTC (an OverflowError; tests/security/test_fuzz.py).
DATE_BOUNDS = [MinValueValidator(date(1900, 1, 1)), MaxValueValidator(date(2999, 12, 31))]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs={"class": "form-control form-control-sm", **(attrs or {})})


class ContactFilterForm(JinjaRenderedMixin, forms.Form):
    q = forms.CharField(
        label=_("Reference or external id"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={
                "class": "form-control form-control-sm font-monospace",
                "type": "search",
                "placeholder": "2026-0001",
                "title": _("Whole reference or its beginning, or an import's external id."),
                "autocomplete": "off",
            }
        ),
    )
    date_from = forms.DateField(
        label=_("From"), required=False, widget=DateInput, validators=DATE_BOUNDS
    )
    date_to = forms.DateField(
        label=_("Until"), required=False, widget=DateInput, validators=DATE_BOUNDS
    )
    channel = forms.ChoiceField(
        label=_("Channel"),
        required=False,
        choices=[("", _("All"))] + Channel.choices,
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    theme = forms.ChoiceField(
        label=_("Main theme"),
        required=False,
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    contact_type = TermChoiceField(
        ContactType,
        label=_("Type"),
        required=False,
        empty_label=_("All"),
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    site = forms.ModelChoiceField(
        label=_("Site"),
        required=False,
        queryset=Site.objects.all(),
        empty_label=_("All"),
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    case = forms.CharField(
        label=_("Case"),
        required=False,
        max_length=20,
        widget=forms.TextInput(
            attrs={
                "class": "form-control form-control-sm font-monospace",
                "placeholder": "D2026-00042",
                "autocomplete": "off",
            }
        ),
    )
    follow_up_open = forms.BooleanField(
        label=_("Open follow-up"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
    mine = forms.BooleanField(
        label=_("My contacts"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
    flagged = forms.BooleanField(
        label=_("Flagged"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
    notes = forms.CharField(
        label=_("Words in the notes"),
        required=False,
        max_length=100,
        help_text=_("Searches the notes of your own site's contacts only; the search is logged."),
        widget=forms.TextInput(
            attrs={"class": "form-control form-control-sm", "type": "search", "autocomplete": "off"}
        ),
    )

    TERM_MODELS = (Theme, ContactType)

    def __init__(self, *args, user, terms: Terms | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        terms = terms or Terms.load(self.TERM_MODELS)
        # Every theme and type, inactive ones too: older contacts are still filtered on them.
        self.fields["theme"].choices = [
            ("", _("All")),
            (NOT_RECORDED, _("not recorded")),
            *((theme.pk, str(theme)) for theme in terms.all(Theme)),
        ]
        self.fields["contact_type"].terms = terms.all(ContactType)
        if not sees_all_sites(user):
            del self.fields["site"]
        if site_of(user) is None:
            del self.fields["notes"]  # notes are for a site's own team

    def clean_case(self):
        return self.cleaned_data["case"].strip().upper()

    def clean_q(self):
        return self.cleaned_data["q"].strip()

    def clean_notes(self):
        return " ".join(self.cleaned_data["notes"].split())

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            raise ValidationError(_("The end of the period lies before its start."))
        return cleaned
