"""Repeat callers, privately: a profile is keyed by a keyed hash of the caller's number or
chat handle (never stored in clear), so the contacts of one caller can be linked."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from meldpunt.roles import sees_all_sites
from staffing.models import Site, site_of

NOTE_MAX_LENGTH = 500


class CallerProfileQuerySet(models.QuerySet):
    def viewable_by(self, user):
        """Profiles with at least one contact the user may see."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if sees_all_sites(user):
            return self
        site = site_of(user)
        if site is None:
            return self.none()
        return self.filter(Q(site=site) | Q(contacts__site=site)).distinct()


class CallerProfile(models.Model):
    identifier_hash = models.CharField(
        _("caller identifier (keyed hash)"),
        max_length=64,
        unique=True,
        help_text=_("HMAC of the phone number or chat handle; the identifier is never stored."),
    )
    site = models.ForeignKey(
        Site,
        on_delete=models.PROTECT,
        related_name="caller_profiles",
        verbose_name=_("site"),
        help_text=_("The site whose team keeps the profile note: where the caller first called."),
    )
    note = models.TextField(
        _("profile note"),
        max_length=NOTE_MAX_LENGTH,
        blank=True,
        help_text=_("Short, visible only to the site's team."),
    )
    note_updated_at = models.DateTimeField(_("note changed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = CallerProfileQuerySet.as_manager()

    class Meta:
        verbose_name = _("caller profile")
        verbose_name_plural = _("caller profiles")
        ordering = ["-created_at", "-id"]
        indexes = [
            # Retention: profile notes not changed for longer than the retention period.
            models.Index(fields=["note_updated_at"], name="callerprofile_note_updated"),
        ]

    def __str__(self):
        return _("caller %(id)s") % {"id": self.pk}

    @property
    def reference(self) -> str:
        return f"P{self.pk}"


class CallerProfileFlag(models.Model):
    """A warning for whoever takes the caller's next contact, until it expires."""

    class Kind(models.TextChoices):
        FREQUENT_CALLER = "frequent_caller", _("Frequent caller: agreed call moments")
        ABUSIVE = "abusive", _("Abusive")
        SAFETY = "safety", _("Safety concern")
        OTHER = "other", _("Other agreement")

    profile = models.ForeignKey(
        CallerProfile, on_delete=models.CASCADE, related_name="flags", verbose_name=_("profile")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    expires_on = models.DateField(_("expires on"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )

    class Meta:
        verbose_name = _("caller profile flag")
        verbose_name_plural = _("caller profile flags")
        ordering = ["expires_on", "id"]

    def __str__(self):
        return self.get_kind_display()
