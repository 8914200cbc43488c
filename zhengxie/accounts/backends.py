"""Model permissions that follow the role, so nobody has to maintain groups by hand.

Staff may do everything in the platform's own apps through the admin; leaders may view it.
Admin actions still call the services, which make their own role checks.
"""

from django.contrib.auth.backends import BaseBackend

from .models import Role

PLATFORM_APP_LABELS = frozenset(
    {
        "accounts",
        "workflow",
        "notifications",
        "members",
        "proposals",
        "consultations",
        "sqyy",
        "deliberations",
        "activities",
    }
)


class RolePermissionBackend(BaseBackend):
    def has_perm(self, user_obj, perm, obj=None):
        if not user_obj.is_active or not user_obj.is_authenticated:
            return False
        app_label, _, codename = perm.partition(".")
        if app_label not in PLATFORM_APP_LABELS:
            return False
        role = user_obj.effective_role
        if role == Role.STAFF:
            return True
        if role == Role.LEADER:
            return codename.startswith("view_")
        return False

    def has_module_perms(self, user_obj, app_label):
        return (
            user_obj.is_active
            and user_obj.is_authenticated
            and app_label in PLATFORM_APP_LABELS
            and user_obj.effective_role in (Role.STAFF, Role.LEADER)
        )
