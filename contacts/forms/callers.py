from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import CallerProfileFlag
from ..models.caller import NOTE_MAX_LENGTH
from .filters import DATE_BOUNDS, DateInput


class CallerProfileNoteForm(forms.Form):
    note = forms.CharField(
        label=_("Profile note"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        help_text=_("Short, visible only to the site's team."),
        widget=forms.Textarea(attrs={"class": "form-control form-control-sm", "rows": 3}),
    )


class CallerProfileFlagForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Flag"),
        choices=CallerProfileFlag.Kind.choices,
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    expires_on = forms.DateField(label=_("Until"), widget=DateInput, validators=DATE_BOUNDS)
