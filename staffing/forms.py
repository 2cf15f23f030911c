from datetime import date, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from meldpunt.channels import Channel
from staffing.models import (
    Absence,
    NotificationPreferences,
    OpeningHours,
    Site,
    StaffMember,
    Weekday,
)


def next_month_start(today: date) -> date:
    return (today.replace(day=1) + timedelta(days=32)).replace(day=1)


class GenerateShiftsForm(forms.Form):
    site = forms.ModelChoiceField(label=_("Site"), queryset=Site.objects.none())
    month = forms.DateField(
        label=_("Month"),
        input_formats=["%Y-%m"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
    )
    channels = forms.MultipleChoiceField(
        label=_("Channels"),
        choices=[(Channel.PHONE, Channel.PHONE.label), (Channel.CHAT, Channel.CHAT.label)],
        initial=[Channel.PHONE, Channel.CHAT],
        widget=forms.CheckboxSelectMultiple,
    )
    headcount = forms.IntegerField(
        label=_("People per shift"), min_value=1, max_value=20, initial=2
    )

    def __init__(self, *args, sites, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites
        self.fields["month"].initial = next_month_start(timezone.localdate())


class ConsultationSeriesForm(forms.Form):
    site = forms.ModelChoiceField(label=_("Site"), queryset=Site.objects.none())
    first_start = forms.DateTimeField(
        label=_("First meeting"),
        input_formats=["%Y-%m-%dT%H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"), min_value=15, max_value=480, initial=90
    )
    until = forms.DateField(label=_("Until"), widget=forms.DateInput(attrs={"type": "date"}))
    every_weeks = forms.TypedChoiceField(
        label=_("Repeat"),
        coerce=int,
        choices=[(1, _("Every week")), (2, _("Every two weeks"))],
        initial=1,
    )
    invite_site_team = forms.BooleanField(
        label=_("Invite everyone of the site"), required=False, initial=True
    )

    def __init__(self, *args, sites, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites


def _period_clean(form, cleaned: dict) -> dict:
    """Both days within reach (no year 1 or 9999), the last not before the first."""
    today = timezone.localdate()
    earliest, latest = today - timedelta(days=366), today + timedelta(days=2 * 366)
    for name in ("first_day", "last_day"):
        day = cleaned.get(name)
        if day and not earliest <= day <= latest:
            form.add_error(
                name,
                _("Choose a day between %(first)s and %(last)s.")
                % {"first": earliest.strftime("%d/%m/%Y"), "last": latest.strftime("%d/%m/%Y")},
            )
    first, last = cleaned.get("first_day"), cleaned.get("last_day")
    if first and last and last < first:
        form.add_error("last_day", _("The absence ends before it starts."))
    return cleaned


class AbsenceForm(forms.Form):
    staff_member = forms.ModelChoiceField(
        label=_("Staff member"), queryset=StaffMember.objects.none()
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=Absence.Kind.choices)
    first_day = forms.DateField(
        label=_("First day"), widget=forms.DateInput(attrs={"type": "date"})
    )
    last_day = forms.DateField(label=_("Last day"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, sites, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff_member"].queryset = (
            StaffMember.objects.filter(site__in=sites, user__is_active=True)
            .select_related("user")
            .order_by("user__last_name", "user__first_name", "id")
        )

    def clean(self):
        return _period_clean(self, super().clean())


class TimeOffForm(forms.Form):
    """A responder asks for time off; the site coordinator approves or refuses."""

    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[
            (Absence.Kind.LEAVE, Absence.Kind.LEAVE.label),
            (Absence.Kind.TRAINING, Absence.Kind.TRAINING.label),
        ],
    )
    first_day = forms.DateField(
        label=_("First day"), widget=forms.DateInput(attrs={"type": "date"})
    )
    last_day = forms.DateField(label=_("Last day"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def clean(self):
        cleaned = _period_clean(self, super().clean())
        first = cleaned.get("first_day")
        if first and first < timezone.localdate():
            self.add_error("first_day", _("Time off is asked for ahead, not afterwards."))
        return cleaned


class NotificationSettingsForm(forms.Form):
    wanted = forms.MultipleChoiceField(
        label=_("Send me an e-mail when"),
        choices=NotificationPreferences.Kind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class OpeningHoursForm(forms.ModelForm):
    weekdays = forms.TypedMultipleChoiceField(
        label=_("Weekdays"),
        coerce=int,
        choices=Weekday.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = OpeningHours
        fields = [
            "channel",
            "weekdays",
            "start_time",
            "end_time",
            "valid_from",
            "valid_to",
            "label",
            "is_trial",
        ]
        widgets = {
            "start_time": forms.TimeInput(attrs={"type": "time"}),
            "end_time": forms.TimeInput(attrs={"type": "time"}),
            "valid_from": forms.DateInput(attrs={"type": "date"}),
            "valid_to": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["channel"].choices = [
            (Channel.PHONE, Channel.PHONE.label),
            (Channel.CHAT, Channel.CHAT.label),
        ]


class EndSlotForm(forms.Form):
    last_day = forms.DateField(label=_("Last day"), widget=forms.DateInput(attrs={"type": "date"}))
