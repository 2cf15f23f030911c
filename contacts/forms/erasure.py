from django import forms
from django.utils.translation import gettext_lazy as _


class CaseLookupForm(forms.Form):
    reference = forms.CharField(
        label=_("Case reference"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"class": "form-control font-monospace", "autocomplete": "off", "autofocus": True}
        ),
    )

    def clean_reference(self):
        return self.cleaned_data["reference"].strip()


class ErasureConfirmForm(forms.Form):
    """Typing the reference again: an erasure cannot be undone."""

    confirm = forms.CharField(
        label=_("Type the case reference to confirm"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"class": "form-control font-monospace", "autocomplete": "off"}
        ),
    )

    def __init__(self, *args, reference: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.reference = reference

    def clean_confirm(self):
        confirm = self.cleaned_data["confirm"].strip()
        if confirm != self.reference:
            raise forms.ValidationError(_("This is not the reference of the case."))
        return confirm
