"""The four roles of Meldpunt, seeded as Django groups, and the checks views use."""

from functools import wraps

from django.contrib.auth.mixins import AccessMixin
from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    RESPONDER = "responder", _("Responder")
    SITE_COORDINATOR = "site_coordinator", _("Site coordinator")
    COORDINATOR = "coordinator", _("Flemish coordinator")
    ADMINISTRATOR = "administrator", _("Administrator")


# Roles that work across all sites; the others are bound to their own site.
ALL_SITES_ROLES = frozenset({Role.COORDINATOR, Role.ADMINISTRATOR})
STAFF_ROLES = frozenset(Role)


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


def role_required(*roles: str):
    """View decorator: the user must hold one of `roles` (login is enforced by middleware)."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not has_role(request.user, *roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


class RoleRequiredMixin(AccessMixin):
    """Class-based view mixin: the user must hold one of `required_roles`."""

    required_roles: tuple[str, ...] = ()

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not has_role(request.user, *self.required_roles):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)
