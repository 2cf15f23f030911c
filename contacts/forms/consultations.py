from datetime import timedelta

from django import forms
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from staffing.models import CaseConsultation

# Consultations offered on a case page: the recent past (to record a decision) and what is
# planned in the coming weeks.
PAST = timedelta(weeks=4)
AHEAD = timedelta(weeks=8)


class ConsultationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return formats.date_format(timezone.localtime(obj.starts_at), "D d/m/Y H:i")


class ConsultationItemForm(forms.Form):
    consultation = ConsultationChoiceField(
        label=_("Case consultation"),
        queryset=CaseConsultation.objects.none(),
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    decision = forms.CharField(
        label=_("Decision"),
        required=False,
        widget=forms.Textarea(attrs={"class": "form-control form-control-sm", "rows": 2}),
    )

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        now = timezone.now()
        self.fields["consultation"].queryset = CaseConsultation.objects.filter(
            site_id=case.site_id, starts_at__gte=now - PAST, starts_at__lte=now + AHEAD
        ).order_by("starts_at", "id")
