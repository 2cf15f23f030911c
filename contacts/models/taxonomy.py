"""Code lists of the register. Codes are stable (CSV, reports, aggregates use them) and are
never reused: a term that is no longer offered is deactivated, not deleted."""

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class TaxonomyTerm(models.Model):
    code = models.SlugField(
        _("code"),
        max_length=40,
        primary_key=True,
        help_text=_("Stable code used in imports, exports and reports. Never reuse a code."),
    )
    label = models.CharField(_("label (Dutch)"), max_length=100)
    label_en = models.CharField(_("label (English)"), max_length=100)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)
    is_active = models.BooleanField(
        _("active"), default=True, help_text=_("Inactive terms are no longer offered in forms.")
    )

    class Meta:
        abstract = True
        ordering = ["sort_order", "code"]

    def __str__(self):
        language = get_language() or ""
        return self.label_en if language.startswith("en") else self.label


class Theme(TaxonomyTerm):
    class Meta(TaxonomyTerm.Meta):
        verbose_name = _("theme")
        verbose_name_plural = _("themes")


class ViolenceForm(TaxonomyTerm):
    class Meta(TaxonomyTerm.Meta):
        verbose_name = _("form of violence")
        verbose_name_plural = _("forms of violence")


class ViolenceContext(TaxonomyTerm):
    class Meta(TaxonomyTerm.Meta):
        verbose_name = _("context")
        verbose_name_plural = _("contexts")


class Gender(TaxonomyTerm):
    class Meta(TaxonomyTerm.Meta):
        verbose_name = _("gender")
        verbose_name_plural = _("genders")


class CallerAgeGroup(TaxonomyTerm):
    is_minor = models.BooleanField(
        _("minor"), default=False, help_text=_("Counts towards the minors in the figures.")
    )

    class Meta(TaxonomyTerm.Meta):
        verbose_name = _("caller age group")
        verbose_name_plural = _("caller age groups")


class CallerRole(TaxonomyTerm):
    class Meta(TaxonomyTerm.Meta):
        verbose_name = _("caller role")
        verbose_name_plural = _("caller roles")


class VictimAgeGroup(TaxonomyTerm):
    class Meta(TaxonomyTerm.Meta):
        verbose_name = _("victim age group")
        verbose_name_plural = _("victim age groups")


class VictimRelation(TaxonomyTerm):
    class Meta(TaxonomyTerm.Meta):
        verbose_name = _("relation to the caller")
        verbose_name_plural = _("relations to the caller")


class Region(TaxonomyTerm):
    class Meta(TaxonomyTerm.Meta):
        verbose_name = _("region")
        verbose_name_plural = _("regions")


class AwarenessSource(TaxonomyTerm):
    class Meta(TaxonomyTerm.Meta):
        verbose_name = _("how they heard of the line")
        verbose_name_plural = _("how they heard of the line")


class Referral(TaxonomyTerm):
    class Meta(TaxonomyTerm.Meta):
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")


class ContactType(TaxonomyTerm):
    """What kind of contact it was. Counselling contacts are about violence or abuse and
    need at least a main theme; the others (a silent call, a hang-up, a prank, …) only a
    channel, a start and their type, and are counted apart in the figures."""

    is_counselling = models.BooleanField(
        _("counselling contact"),
        default=True,
        help_text=_(
            "Counselling contacts need at least a main theme; the others need only the "
            "channel, the start and the type."
        ),
    )

    class Meta(TaxonomyTerm.Meta):
        verbose_name = _("contact type")
        verbose_name_plural = _("contact types")
