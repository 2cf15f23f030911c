"""The code lists a form offers, read in one query.

The intake form offers twelve code lists in thirteen choice fields (and three more per
victim row). As plain ModelChoiceFields each would read its list on its own (a server-side
cursor per field, some twice): some twenty round trips per page. `Terms.load()` reads every
list at once (a few hundred rows at most: code lists are short), so a page is always up to
date with the admin's changes at the cost of one small query; `TermChoiceField` and
`TermMultipleChoiceField` offer and validate from those rows without querying again.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable

from django import forms
from django.core.exceptions import ValidationError
from django.db import connections, router
from django.db.models import BooleanField, F, Model, Value
from django.forms.models import ModelChoiceIterator

from ..models import (
    AwarenessSource,
    CallerAgeGroup,
    CallerRole,
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
from ..models.taxonomy import TaxonomyTerm

TERM_MODELS: tuple[type[TaxonomyTerm], ...] = (
    ContactType,
    Theme,
    ViolenceForm,
    ViolenceContext,
    CallerRole,
    CallerAgeGroup,
    Gender,
    Region,
    AwarenessSource,
    Referral,
    VictimAgeGroup,
    VictimRelation,
)
_COMMON = ("code", "label", "label_en", "sort_order", "is_active")


def _codes(current) -> set[str]:
    values = current if isinstance(current, list | tuple | set) else [current]
    return {str(v.pk if isinstance(v, Model) else v) for v in values if v not in (None, "")}


def _extra_field(model) -> str | None:
    """The one column a code list has beyond the common ones (is_counselling, is_minor)."""
    extra = [f.attname for f in model._meta.concrete_fields if f.attname not in _COMMON]
    if len(extra) > 1:
        raise TypeError(f"{model.__name__}: Terms reads at most one extra column")
    return extra[0] if extra else None


@functools.cache
def _union_sql(models: tuple[type[TaxonomyTerm], ...], db: str) -> tuple[str, tuple]:
    """The one query for these code lists, compiled once per process (the ORM takes longer
    to compile a union of twelve than PostgreSQL takes to run it)."""
    parts = []
    for number, model in enumerate(models):
        extra = _extra_field(model)
        parts.append(
            model.objects.using(db)
            .order_by()
            .values_list(
                *_COMMON,
                F(extra) if extra else Value(False, output_field=BooleanField()),
                Value(number),
            )
        )
    rows = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    sql, params = rows.query.get_compiler(using=db).as_sql()
    return sql, tuple(params)


class Terms:
    """Every term of the code lists, as model instances in each list's own order."""

    def __init__(self, by_model: dict[type[TaxonomyTerm], list[TaxonomyTerm]]):
        self._by_model = by_model

    @classmethod
    def load(cls, models: Iterable[type[TaxonomyTerm]] = TERM_MODELS) -> Terms:
        models = tuple(models)
        db = router.db_for_read(models[0])
        sql, params = _union_sql(models, db)
        with connections[db].cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        by_model: dict[type[TaxonomyTerm], list[TaxonomyTerm]] = {model: [] for model in models}
        for *common, flag, number in rows:
            model = models[number]
            values = dict(zip(_COMMON, common, strict=True))
            extra = _extra_field(model)
            if extra:
                values[extra] = flag
            names = [f.attname for f in model._meta.concrete_fields]
            by_model[model].append(model.from_db(db, names, [values[name] for name in names]))
        for terms in by_model.values():
            terms.sort(key=lambda term: (term.sort_order, term.code))
        return cls(by_model)

    def all(self, model: type[TaxonomyTerm]) -> list[TaxonomyTerm]:
        """Every term of the list, inactive ones too (filters find older contacts by them)."""
        return list(self._by_model[model])

    def offered(self, model: type[TaxonomyTerm], current=None) -> list[TaxonomyTerm]:
        """Active terms, plus the ones already recorded: editing never silently drops a value."""
        codes = _codes(current)
        return [term for term in self._by_model[model] if term.is_active or term.code in codes]


class _TermIterator(ModelChoiceIterator):
    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for term in self.field.terms:
            yield self.choice(term)

    def __len__(self):
        return len(self.field.terms) + (self.field.empty_label is not None)

    def __bool__(self):
        return self.field.empty_label is not None or bool(self.field.terms)


class _TermsMixin:
    """Offers `terms` (a list set per form, see Terms.offered) instead of a queryset."""

    iterator = _TermIterator

    def __init__(self, model: type[TaxonomyTerm], **kwargs):
        self._terms: list[TaxonomyTerm] = []
        self._by_code: dict[str, TaxonomyTerm] = {}
        # The queryset is never evaluated; ModelChoiceField wants one (and its model).
        super().__init__(queryset=model.objects.none(), **kwargs)

    @property
    def terms(self) -> list[TaxonomyTerm]:
        return self._terms

    @terms.setter
    def terms(self, terms: list[TaxonomyTerm]) -> None:
        self._terms = list(terms)
        self._by_code = {term.code: term for term in self._terms}
        self.widget.choices = self.choices

    def term_of(self, value) -> TaxonomyTerm:
        code = value.pk if isinstance(value, Model) else value
        term = self._by_code.get(str(code))
        if term is None:
            raise ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value},
            )
        return term


class TermChoiceField(_TermsMixin, forms.ModelChoiceField):
    def to_python(self, value):
        if value in self.empty_values:
            return None
        self.validate_no_null_characters(value)
        return self.term_of(value)


class TermMultipleChoiceField(_TermsMixin, forms.ModelMultipleChoiceField):
    def clean(self, value):
        value = self.prepare_value(value)
        if self.required and not value:
            raise ValidationError(self.error_messages["required"], code="required")
        if not value:
            return []
        if not isinstance(value, list | tuple):
            raise ValidationError(self.error_messages["invalid_list"], code="invalid_list")
        for code in value:
            self.validate_no_null_characters(code)
        chosen = {self.term_of(code).code for code in value}
        self.run_validators(value)
        # In the list's own order, each once (as the queryset did).
        return [term for term in self._terms if term.code in chosen]
