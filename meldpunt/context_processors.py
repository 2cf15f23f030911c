from .permissions import Action, can
from .roles import Role, roles_of


def roles(request):
    """Expose the user's roles to templates, for showing only the menu items they may use."""
    user_roles = roles_of(request.user) if hasattr(request, "user") else frozenset()
    return {
        "user_roles": user_roles,
        "is_coordinator": bool(
            user_roles & {Role.SITE_COORDINATOR, Role.COORDINATOR, Role.ADMINISTRATOR}
        ),
        "can_view_reports": bool(user_roles) and can(request.user, Action.REPORT_VIEW),
    }
