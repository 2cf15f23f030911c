"""The audit page: coordinators search the audit trail. Read-only; nothing here writes."""

from collections import defaultdict
from datetime import date, datetime, time, timedelta

from django import forms
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.shortcuts import render
from django.utils import formats, timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from .audit import user_site_code
from .models import AuditEntry
from .permissions import Action, permission_required
from .roles import sees_all_sites

PAGE_SIZE = 50

_SMALL = {"class": "form-control form-control-sm"}


class AuditFilterForm(forms.Form):
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput({**_SMALL, "type": "date"})
    )
    date_to = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput({**_SMALL, "type": "date"})
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


# Audit entries name some objects otherwise than their model (see contacts' services).
OBJECT_TYPE_MODELS = {"follow_up": "followup"}
# Changes that are no model field, by name.
EXTRA_LABELS = {
    "flags": _("data-quality flags"),
    "victims": _("victims"),
    "forms_of_violence": _("forms of violence"),
    "case": _("case"),
}


def _models_by_name() -> dict:
    # Looked up at run time: the project package imports no app (DESIGN.md).
    return {model._meta.model_name: model for model in apps.get_models()}


def _field(model, name):
    if model is None:
        return None
    try:
        return model._meta.get_field(name)
    except Exception:  # FieldDoesNotExist, or a reverse relation
        return None


def _has_label(model) -> bool:
    return model is not None and any(f.name == "label" for f in model._meta.get_fields())


def _pair(values) -> tuple:
    """(before, after) of a change as audit_changes writes it; anything else as the after."""
    if isinstance(values, list) and len(values) == 2:
        return values[0], values[1]
    return None, values


class _ChangeDisplay:
    """The audit page shows a change as a Dutch user reads it: the field's label, code
    labels instead of codes, people by name and instants in Brussels local time."""

    def __init__(self, entries):
        self.models = _models_by_name()
        self.entries = list(entries)
        wanted = defaultdict(set)
        for entry in self.entries:
            model = self._model(entry)
            for name, values in (entry.changes or {}).items():
                related = self._related(model, name)
                if related is not None:
                    for value in self._flat(values):
                        if isinstance(value, str | int) and not isinstance(value, bool):
                            wanted[related].add(value)
        self.labels = {}
        user_model = get_user_model()
        for related, keys in wanted.items():
            if related is user_model:
                ints = [k for k in keys if isinstance(k, int)]
                for user in related.objects.filter(pk__in=ints):
                    self.labels[(related, user.pk)] = user.get_full_name() or user.get_username()
            else:
                for term in related.objects.filter(pk__in=[str(k) for k in keys]):
                    self.labels[(related, term.pk)] = str(term)

    @staticmethod
    def _flat(values):
        for value in values if isinstance(values, list) else [values]:
            if isinstance(value, list):
                yield from value
            else:
                yield value

    def _model(self, entry):
        name = OBJECT_TYPE_MODELS.get(entry.object_type, entry.object_type)
        return self.models.get(name)

    def _related(self, model, name):
        field = _field(model, name)
        related = getattr(field, "related_model", None) if field is not None else None
        if related is get_user_model() or _has_label(related):
            return related
        return None

    def label(self, model, name) -> str:
        field = _field(model, name)
        if field is not None and hasattr(field, "verbose_name"):
            return capfirst(field.verbose_name)
        return capfirst(EXTRA_LABELS.get(name, name.replace("_", " ")))

    def value(self, model, name, value):
        if value is None or value == "":
            return "—"
        if isinstance(value, list):
            return ", ".join(str(self.value(model, name, v)) for v in value) or "—"
        if isinstance(value, bool):
            return _("yes") if value else _("no")
        field = _field(model, name)
        related = self._related(model, name)
        if related is not None:
            return self.labels.get((related, value), value)
        choices = dict(getattr(field, "flatchoices", None) or [])
        if name == "flags" and model is not None:
            choices = dict(self.models["contactflag"].Reason.choices)
        if value in choices:
            return choices[value]
        if isinstance(value, str) and len(value) >= 10 and value[4] == "-":
            try:
                parsed = datetime.fromisoformat(value)
            except ValueError:
                return value
            if isinstance(field, forms.DateField) or len(value) == 10:
                return formats.date_format(date.fromisoformat(value[:10]), "d/m/Y")
            if timezone.is_aware(parsed):
                return formats.date_format(timezone.localtime(parsed), "d/m/Y H:i")
        return value

    def rows(self):
        for entry in self.entries:
            model = self._model(entry)
            entry.object_label = capfirst(model._meta.verbose_name) if model else entry.object_type
            entry.display_changes = [
                (self.label(model, name), *(self.value(model, name, v) for v in _pair(values)))
                for name, values in (entry.changes or {}).items()
            ]
            yield entry


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
    page.object_list = list(_ChangeDisplay(page.object_list).rows())
    return render(
        request,
        "meldpunt/audit_list.html",
        {"form": form, "page": page, "all_sites": sees_all_sites(request.user)},
    )
