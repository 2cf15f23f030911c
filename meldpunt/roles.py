"""The four roles of Meldpunt, seeded as Django groups. What each may do: permissions.py."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    RESPONDER = "responder", _("Responder")
    SITE_COORDINATOR = "site_coordinator", _("Site coordinator")
    COORDINATOR = "coordinator", _("Flemish coordinator")
    ADMINISTRATOR = "administrator", _("Administrator")


# Roles that work across all sites; the others are bound to their own site.
ALL_SITES_ROLES = frozenset({Role.COORDINATOR, Role.ADMINISTRATOR})


def roles_of(user) -> frozenset[str]:
    """The role names of a user, cached on the user object for the request."""
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    cached = getattr(user, "_meldpunt_roles", None)
    if cached is None:
        names = set(user.groups.values_list("name", flat=True))
        cached = frozenset(names & {r.value for r in Role})
        user._meldpunt_roles = cached
    return cached


def has_role(user, *roles: str) -> bool:
    return bool(roles_of(user) & set(roles))


def sees_all_sites(user) -> bool:
    return has_role(user, *ALL_SITES_ROLES)
