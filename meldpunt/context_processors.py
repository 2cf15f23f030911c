from .permissions import PERMISSIONS, Action
from .roles import roles_of


def roles(request):
    """The user's roles and, from the permission matrix, what they may do — so menus show
    only what the user may use: `{% if may.report_view %}`."""
    user_roles = roles_of(request.user) if hasattr(request, "user") else frozenset()
    return {
        "user_roles": user_roles,
        "may": {action.name.lower(): bool(user_roles & PERMISSIONS[action]) for action in Action},
    }
