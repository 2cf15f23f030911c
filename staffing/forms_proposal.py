"""The form that starts a roster proposal."""

from datetime import date, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from staffing.models import RosterProposal, Site


def next_month_start(today: date) -> date:
    return (today.replace(day=1) + timedelta(days=32)).replace(day=1)


class ProposalForm(forms.Form):
    site = forms.ModelChoiceField(label=_("Site"), queryset=Site.objects.none())
    month = forms.DateField(
        label=_("Month"),
        input_formats=["%Y-%m"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
    )
    mode = forms.ChoiceField(
        label=_("Mode"), choices=RosterProposal.Mode.choices, initial=RosterProposal.Mode.FULL
    )

    from_demand = forms.BooleanField(
        label=_("First write the forecast demand into the shifts (generating missing ones)"),
        required=False,
        initial=True,
    )

    def __init__(self, *args, sites, own_site=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites
        self.fields["site"].initial = own_site or sites.first()
        self.fields["month"].initial = next_month_start(timezone.localdate())

    def clean_month(self):
        month = self.cleaned_data["month"]
        if not date(2000, 1, 1) <= month <= date(2100, 12, 1):
            raise forms.ValidationError(_("Choose a month between 2000 and 2100."))
        return month

    def period(self) -> tuple[date, date]:
        first = self.cleaned_data["month"].replace(day=1)
        return first, next_month_start(first) - timedelta(days=1)
