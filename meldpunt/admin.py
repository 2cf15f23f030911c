from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _

from .models import AuditEntry
from .roles import Role


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: the audit trail is append-only, whoever looks at it (meldpunt/models.py)."""

    list_display = ("at", "username", "action", "object_type", "object_ref", "site_code", "ip")
    list_filter = ("action", "object_type")
    date_hierarchy = "at"
    search_fields = ("=username", "=object_ref")
    show_full_result_count = False  # the log grows by every page view

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def role_label(name: str) -> str:
    """A group as the role it stands for ("Beantwoorder"), not its code ("responder")."""
    try:
        return str(Role(name).label)
    except ValueError:
        return name


@admin.display(description=_("role"))
def _role(group) -> str:
    return role_label(group.name)


class RoleGroupAdmin(GroupAdmin):
    """The seeded groups are the roles of meldpunt/roles.py: shown by their label."""

    list_display = [_role, "name"]


class RoleUserAdmin(UserAdmin):
    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if db_field.name == "groups" and field is not None:
            field.label_from_instance = lambda group: role_label(group.name)
        return field


admin.site.unregister(Group)
admin.site.register(Group, RoleGroupAdmin)
admin.site.unregister(get_user_model())
admin.site.register(get_user_model(), RoleUserAdmin)
