from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from staffing.models import site_of


class AssigneeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.get_username()


class FollowUpForm(forms.Form):
    description = forms.CharField(
        label=_("What"),
        max_length=300,
        widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
    )
    due_date = forms.DateField(
        label=_("Due date"),
        required=False,
        widget=forms.DateInput(attrs={"class": "form-control form-control-sm", "type": "date"}),
    )
    assignee = AssigneeChoiceField(
        label=_("Assignee"),
        required=False,
        queryset=get_user_model().objects.none(),
        empty_label=_("nobody yet"),
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )

    def __init__(self, *args, contact, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Follow-ups are done by the team of the contact's site.
        team = (
            get_user_model()
            .objects.filter(is_active=True, staff_member__site_id=contact.site_id)
            .exclude(staff_member__active_to__lt=timezone.localdate())
            .order_by("first_name", "last_name", "username", "id")
        )
        self.fields["assignee"].queryset = team
        own_site = site_of(user)
        if not self.is_bound and own_site is not None and own_site.pk == contact.site_id:
            self.initial.setdefault("assignee", user.pk)
