"""Forms for availability, wishes and the monthly maximum (the services validate again)."""

from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _

from staffing.models import Weekday, Wish

TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
# Forms refuse dates the rest of the app cannot bucket (year 1, 9999).
EARLIEST, LATEST = date(2000, 1, 1), date(2100, 12, 31)


class _TimesMixin:
    times_required = False

    def clean(self):
        data = super().clean()
        start, end = data.get("start_time"), data.get("end_time")
        if (start is None) != (end is None) or (self.times_required and start is None):
            raise forms.ValidationError(_("Give both times, the end after the start, or neither."))
        if start is not None and end is not None and end <= start:
            raise forms.ValidationError(_("The end time must come after the start time."))
        return data


class WeeklyAvailabilityForm(_TimesMixin, forms.Form):
    times_required = True
    weekday = forms.TypedChoiceField(label=_("Weekday"), choices=Weekday.choices, coerce=int)
    start_time = forms.TimeField(label=_("From"), widget=TIME)
    end_time = forms.TimeField(label=_("Until"), widget=TIME)


class AvailabilityExceptionForm(_TimesMixin, forms.Form):
    day = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    available = forms.TypedChoiceField(
        label=_("On this date"),
        choices=[("0", _("I cannot work")), ("1", _("I can work"))],
        coerce=lambda value: value == "1",
        initial="0",
    )
    start_time = forms.TimeField(label=_("From"), widget=TIME, required=False)
    end_time = forms.TimeField(label=_("Until"), widget=TIME, required=False)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def clean_day(self):
        day = self.cleaned_data["day"]
        if not EARLIEST <= day <= LATEST:
            raise forms.ValidationError(_("Give a date between 2000 and 2100."))
        return day


class WishForm(_TimesMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Wish"), choices=Wish.Kind.choices)
    weekday = forms.TypedChoiceField(
        label=_("Weekday"),
        choices=[("", _("Every day")), *Weekday.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )
    start_time = forms.TimeField(label=_("From"), widget=TIME, required=False)
    end_time = forms.TimeField(label=_("Until"), widget=TIME, required=False)

    def clean(self):
        data = super().clean()
        if data.get("weekday") is None and data.get("start_time") is None and not self.errors:
            raise forms.ValidationError(_("Give a weekday, a time of day, or both."))
        return data


class ShiftLimitForm(forms.Form):
    max_shifts = forms.IntegerField(
        label=_("Maximum shifts per month"),
        min_value=0,
        max_value=62,
        required=False,
        help_text=_("Blank: no maximum."),
    )
