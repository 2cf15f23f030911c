"""The contact intake form: what a responder records about one phone call, chat or e-mail.

The form only validates input; `contact_register` / `contact_update` decide and save.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from meldpunt.channels import Channel
from meldpunt.roles import sees_all_sites
from staffing.models import Site, site_of

from ..models import (
    NOTES_MAX_LENGTH,
    AwarenessSource,
    CallerAgeGroup,
    CallerRole,
    Case,
    Contact,
    ContactType,
    Gender,
    Referral,
    Region,
    Theme,
    VictimAgeGroup,
    VictimRelation,
    ViolenceContext,
    ViolenceForm,
)
from ..services import ContactData, VictimData
from .render import RENDERER, JinjaRenderedMixin
from .terms import TermChoiceField, TermMultipleChoiceField, Terms

# `datetime-local` inputs send minutes, or seconds when the browser adds them.
DATETIME_LOCAL_FORMAT = "%Y-%m-%dT%H:%M"
DATETIME_LOCAL_INPUT_FORMATS = [DATETIME_LOCAL_FORMAT, "%Y-%m-%dT%H:%M:%S"]
MAX_VICTIMS = 20


class DateTimeLocalInput(forms.DateTimeInput):
    """A browser date-and-time picker; Django renders and parses it in local time."""

    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs={"step": 60, **(attrs or {})}, format=DATETIME_LOCAL_FORMAT)


class ButtonRadioSelect(forms.RadioSelect):
    """Radio buttons drawn as a Bootstrap button group: one tab stop, arrow keys choose."""

    def __init__(self, attrs=None):
        super().__init__(attrs={"class": "btn-check", **(attrs or {})})

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        options = [
            option for _group, group, _i in context["widget"]["optgroups"] for option in group
        ]
        if options and options[0]["attrs"].get("autofocus"):
            # Focus lands on the chosen option, so the arrow keys start from there.
            chosen = next((option for option in options if option["selected"]), options[0])
            for option in options:
                if option is not chosen:
                    option["attrs"].pop("autofocus")
        return context


class ContactTypeRadioSelect(ButtonRadioSelect):
    """The contact types; each option says whether it is a counselling contact, so that
    intake.js hides what a non-counselling contact does not need."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        instance = getattr(value, "instance", None)
        if instance is not None:
            option["attrs"]["data-counselling"] = "1" if instance.is_counselling else "0"
            if index < 10:
                option["attrs"]["data-key"] = str((index + 1) % 10)
        return option


class ButtonCheckboxSelectMultiple(forms.CheckboxSelectMultiple):
    def __init__(self, attrs=None):
        super().__init__(attrs={"class": "btn-check", **(attrs or {})})


def radio_term_field(model, label):
    return TermChoiceField(
        model,
        label=label,
        required=False,
        blank=True,
        empty_label=_("not recorded"),
        widget=ButtonRadioSelect,
    )


def select_term_field(model, label):
    return TermChoiceField(
        model,
        label=label,
        required=False,
        empty_label="—",
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )


class CaseReferenceField(forms.CharField):
    """A case typed by its reference (`D2026-00042`), looked up among the cases the user
    may see: a case of another site is reported as unknown, exactly like a mistyped one."""

    default_error_messages = {"unknown": _("There is no case with this reference.")}

    def __init__(self, **kwargs):
        self.queryset = Case.objects.none()
        super().__init__(max_length=20, **kwargs)

    def prepare_value(self, value):
        return value.reference if isinstance(value, Case) else value

    def clean(self, value):
        reference = super().clean(value)
        if not reference:
            return None
        case = self.queryset.filter(reference__in={reference, reference.upper()}).first()
        if case is None:
            raise ValidationError(self.error_messages["unknown"], code="unknown")
        return case


class BootstrapErrorsMixin:
    """Marks the widget of every field with an error, however the error was added (field
    cleaning, `clean()` or a service's ValidationError mapped back onto the form)."""

    def add_error(self, field, error):
        super().add_error(field, error)
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                css = widget.attrs.get("class", "")
                if "is-invalid" not in css and "btn-check" not in css:
                    widget.attrs["class"] = f"{css} is-invalid".strip()
                widget.attrs["aria-invalid"] = "true"


class ContactForm(JinjaRenderedMixin, BootstrapErrorsMixin, forms.Form):
    """One contact. Field names follow `ContactData`, so cleaned data maps onto it as is.

    `contact` is the contact being corrected (None when registering a new one); the site
    of a registered contact does not change. `show_notes=False` leaves the notes out for
    viewers outside the contact's site team.
    """

    channel = forms.ChoiceField(
        label=_("Channel"), choices=Channel.choices, widget=ButtonRadioSelect
    )
    started_at = forms.DateTimeField(
        label=_("Start"),
        input_formats=DATETIME_LOCAL_INPUT_FORMATS,
        widget=DateTimeLocalInput(attrs={"class": "form-control form-control-sm"}),
    )
    ended_at = forms.DateTimeField(
        label=_("End"),
        required=False,
        input_formats=DATETIME_LOCAL_INPUT_FORMATS,
        help_text=_("Blank: the moment of saving."),
        widget=DateTimeLocalInput(attrs={"class": "form-control form-control-sm"}),
    )
    site = forms.ModelChoiceField(
        label=_("Site"),
        queryset=Site.objects.all(),
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    contact_type = TermChoiceField(
        ContactType,
        label=_("Type"),
        error_messages={"required": _("Choose the type of contact.")},
        empty_label=None,
        widget=ContactTypeRadioSelect,
    )
    caller_identifier = forms.CharField(
        label=_("Phone number or chat handle"),
        required=False,
        max_length=100,
        help_text=_("Only to find earlier contacts; never stored."),
        widget=forms.TextInput(
            attrs={
                "class": "form-control form-control-sm",
                "autocomplete": "off",
                "spellcheck": "false",
                "inputmode": "tel",
            }
        ),
    )
    theme = radio_term_field(Theme, _("Main theme"))
    forms_of_violence = TermMultipleChoiceField(
        ViolenceForm,
        label=_("Forms of violence"),
        required=False,
        widget=ButtonCheckboxSelectMultiple,
    )
    context = select_term_field(ViolenceContext, _("Context"))
    caller_role = radio_term_field(CallerRole, _("Caller role"))
    caller_age_group = radio_term_field(CallerAgeGroup, _("Caller age"))
    caller_gender = radio_term_field(Gender, _("Caller gender"))
    region = select_term_field(Region, _("Region"))
    awareness_source = select_term_field(AwarenessSource, _("Heard of the line through"))
    referral = select_term_field(Referral, _("Referred to"))
    case = CaseReferenceField(
        label=_("Existing case"),
        required=False,
        widget=forms.TextInput(
            attrs={
                "class": "form-control form-control-sm font-monospace",
                "placeholder": "D2026-00042",
                "autocomplete": "off",
                "spellcheck": "false",
            }
        ),
    )
    open_case = forms.BooleanField(
        label=_("Open a new case"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
    follow_up_needed = forms.BooleanField(
        label=_("Follow-up needed"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        max_length=NOTES_MAX_LENGTH,
        help_text=_("Visible only to the team of this contact's site."),
        widget=forms.Textarea(attrs={"class": "form-control form-control-sm", "rows": 7}),
    )

    TERM_MODELS = {
        "contact_type": ContactType,
        "theme": Theme,
        "forms_of_violence": ViolenceForm,
        "context": ViolenceContext,
        "caller_role": CallerRole,
        "caller_age_group": CallerAgeGroup,
        "caller_gender": Gender,
        "region": Region,
        "awareness_source": AwarenessSource,
        "referral": Referral,
    }
    RADIO_GROUPS = (
        "channel",
        "contact_type",
        "theme",
        "caller_role",
        "caller_age_group",
        "caller_gender",
    )

    def __init__(
        self,
        *args,
        user,
        contact: Contact | None = None,
        show_notes=True,
        terms: Terms | None = None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.user = user
        self.contact = contact
        terms = terms or Terms.load()
        for name, model in self.TERM_MODELS.items():
            self.fields[name].terms = terms.offered(model, self.initial.get(name))
        self.fields["case"].queryset = Case.objects.viewable_by(user)
        if contact is not None or not sees_all_sites(user):
            del self.fields["site"]
        if not show_notes:
            del self.fields["notes"]
        self.focus_first()

    @classmethod
    def initial_from(cls, contact: Contact) -> dict:
        """The form's initial values for correcting `contact`."""
        initial = {
            name: getattr(contact, Contact._meta.get_field(name).attname)
            for name in ContactData.SCALAR_FIELDS
        }
        initial["forms_of_violence"] = [term.pk for term in contact.forms_of_violence.all()]
        initial["case"] = contact.case
        return initial

    def focus_first(self, name: str | None = None) -> None:
        """Autofocus `name`, or the first field with an error, or the contact type."""
        for field in self.fields.values():
            field.widget.attrs.pop("autofocus", None)
        if name is None:
            with_errors = [n for n in self.fields if n in (self._errors or {})]
            name = with_errors[0] if with_errors else "contact_type"
        self.fields[name].widget.attrs["autofocus"] = True

    def add_error(self, field, error):
        super().add_error(field, error)
        self.focus_first()

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("case") and cleaned.get("open_case"):
            self.add_error("open_case", _("Link an existing case or open a new one, not both."))
        if self.contact is None and "site" not in self.fields and site_of(self.user) is None:
            raise ValidationError(
                _("Your account is not linked to a site; ask an administrator."),
                code="no_site",
            )
        return cleaned

    def registration_site(self) -> Site | None:
        """The site the contact is registered at (once the form is valid)."""
        if self.contact is not None:
            return self.contact.site
        if "site" in self.fields:
            return self.cleaned_data.get("site")
        return site_of(self.user)

    def contact_data(self, victims) -> ContactData:
        values = dict(self.cleaned_data)
        if "notes" not in self.fields and self.contact is not None:
            values["notes"] = self.contact.notes  # not shown, so kept as it was
        return ContactData.from_mapping(values, victims=victims)


class VictimForm(JinjaRenderedMixin, forms.Form):
    age_group = select_term_field(VictimAgeGroup, _("Age group"))
    gender = select_term_field(Gender, _("Gender"))
    relation = select_term_field(VictimRelation, _("Relation to the caller"))

    TERM_MODELS = {"age_group": VictimAgeGroup, "gender": Gender, "relation": VictimRelation}

    def __init__(self, *args, terms: Terms | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        terms = terms or Terms.load(self.TERM_MODELS.values())
        for name, model in self.TERM_MODELS.items():
            self.fields[name].terms = terms.offered(model, self.initial.get(name))


class BaseVictimFormSet(forms.BaseFormSet):
    """The victims' rows; `terms` (read once for all rows, or by the formset itself)."""

    def __init__(self, *args, terms: Terms | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.form_kwargs = {
            **self.form_kwargs,
            "terms": terms or Terms.load(VictimForm.TERM_MODELS.values()),
        }

    def add_fields(self, form, index):
        super().add_fields(form, index)
        # Drawn as a toggle button; intake.js hides the row once it is ticked.
        form.fields["DELETE"].label = _("Remove")
        form.fields["DELETE"].widget.attrs.update({"class": "btn-check", "data-formset-delete": ""})

    def victim_data(self) -> list[VictimData]:
        """The victims to record: rows neither removed nor left entirely blank."""
        victims = []
        for form in self.forms:
            if self._should_delete_form(form):
                continue
            values = {name: form.cleaned_data.get(name) for name in VictimForm.TERM_MODELS}
            if any(values.values()):
                victims.append(VictimData(**values))
        return victims


VictimFormSet = forms.formset_factory(
    VictimForm,
    formset=BaseVictimFormSet,
    extra=1,
    can_delete=True,
    max_num=MAX_VICTIMS,
    validate_max=True,
    # Django builds up to max_num + 1000 forms for a posted TOTAL_FORMS before it refuses
    # them: a post claiming a million victims took half a minute (tests/security/test_fuzz.py).
    absolute_max=MAX_VICTIMS,
    renderer=RENDERER,
)


def victims_initial(contact: Contact) -> list[dict]:
    return [
        {"age_group": v.age_group_id, "gender": v.gender_id, "relation": v.relation_id}
        for v in contact.victims.all()
    ]


def service_errors_apply(error: ValidationError, form: ContactForm, formset) -> None:
    """Put the errors a service raised next to the fields they concern."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, errors in error.error_dict.items():
        messages = [message for e in errors for message in e.messages]
        if name == "victims":
            formset.non_form_errors().extend(messages)
        elif name in form.fields:
            form.add_error(name, messages)
        else:
            form.add_error(None, messages)
