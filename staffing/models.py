from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class SiteQuerySet(models.QuerySet):
    def default(self) -> "Site":
        return self.get(is_default=True)


class Site(models.Model):
    """A regional site from which responders answer the line."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    is_default = models.BooleanField(
        _("default site"),
        default=False,
        help_text=_("Receives imported contacts whose site column is blank."),
    )

    objects = SiteQuerySet.as_manager()

    class Meta:
        verbose_name = _("site")
        verbose_name_plural = _("sites")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"],
                condition=Q(is_default=True),
                name="site_single_default",
                violation_error_message=_("There can be only one default site."),
            )
        ]

    def __str__(self):
        return self.name


class StaffMember(models.Model):
    """The helpline profile of a user: the site they work for."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="staff_member",
        verbose_name=_("user"),
    )
    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, related_name="staff_members", verbose_name=_("site")
    )

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff members")
        ordering = ["user__username", "id"]

    def __str__(self):
        return self.user.get_full_name() or self.user.username


def site_of(user) -> Site | None:
    """The site a user works for, or None for users without a staff profile."""
    member = getattr(user, "staff_member", None) if user.is_authenticated else None
    return member.site if member else None
