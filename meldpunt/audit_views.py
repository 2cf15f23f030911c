"""The audit page: coordinators search the audit trail. Read-only; nothing here writes."""

from datetime import datetime, time, timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from .audit import user_site_code
from .models import AuditEntry
from .permissions import Action, permission_required
from .roles import sees_all_sites
from .validation import DATE_VALIDATORS

PAGE_SIZE = 50

_SMALL = {"class": "form-control form-control-sm"}


class AuditFilterForm(forms.Form):
    date_from = forms.DateField(
        label=_("From"),
        required=False,
        validators=DATE_VALIDATORS,
        widget=forms.DateInput({**_SMALL, "type": "date"}),
    )
    date_to = forms.DateField(
        label=_("Until"),
        required=False,
        validators=DATE_VALIDATORS,
        widget=forms.DateInput({**_SMALL, "type": "date"}),
    )
    username = forms.CharField(
        label=_("User"),
        required=False,
        max_length=150,
        widget=forms.TextInput({**_SMALL, "autocomplete": "off", "title": _("Exact username.")}),
    )
    action = forms.ChoiceField(
        label=_("Action"),
        required=False,
        choices=[("", _("All")), *AuditEntry.Action.choices],
        widget=forms.Select({"class": "form-select form-select-sm"}),
    )
    object_ref = forms.CharField(
        label=_("Reference"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            {
                **_SMALL,
                "class": "form-control form-control-sm font-monospace",
                "autocomplete": "off",
                "title": _("Whole reference of a contact or case."),
            }
        ),
    )

    def clean_username(self):
        return self.cleaned_data["username"].strip()

    def clean_object_ref(self):
        return self.cleaned_data["object_ref"].strip().upper()

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            raise ValidationError(_("The end of the period lies before its start."))
        return cleaned


def _local_midnight(day) -> datetime:
    # Days are Brussels days, like everywhere in Meldpunt.
    return timezone.make_aware(datetime.combine(day, time.min))


def audit_entries_viewable_by(user) -> QuerySet:
    """Coordinators and administrators see every entry; a site coordinator only the entries
    about their own site's data (and their team's logins)."""
    entries = AuditEntry.objects.all()
    if sees_all_sites(user):
        return entries
    site_code = user_site_code(user)
    return entries.filter(site_code=site_code) if site_code else entries.none()


def audit_entries_filter(entries: QuerySet, filters: dict) -> QuerySet:
    if filters.get("date_from"):
        entries = entries.filter(at__gte=_local_midnight(filters["date_from"]))
    if filters.get("date_to"):
        entries = entries.filter(at__lt=_local_midnight(filters["date_to"] + timedelta(days=1)))
    if filters.get("username"):
        entries = entries.filter(username=filters["username"])
    if filters.get("action"):
        entries = entries.filter(action=filters["action"])
    if filters.get("object_ref"):
        entries = entries.filter(object_ref=filters["object_ref"])
    return entries


@permission_required(Action.AUDIT_VIEW)
@require_GET
def audit_list(request):
    form = AuditFilterForm(request.GET)
    entries = audit_entries_viewable_by(request.user)
    if form.is_valid():
        entries = audit_entries_filter(entries, form.cleaned_data)
    else:
        entries = entries.none()
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "meldpunt/audit_list.html",
        {"form": form, "page": page, "all_sites": sees_all_sites(request.user)},
    )
