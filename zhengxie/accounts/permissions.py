"""Role checks for the whole platform, in one place.

Services call `require_role`; DRF views use the permission classes; pages use `role_required`.
"""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from rest_framework.permissions import BasePermission

from .models import Role

ROLE_DENIED_MESSAGE = "您的角色无权执行此操作。"


def has_role(user, *roles: str) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.effective_role in roles)


def require_role(user, *roles: str, message: str = ROLE_DENIED_MESSAGE) -> None:
    if not has_role(user, *roles):
        raise PermissionDenied(message)


def role_required(*roles: str):
    """Page decorator: anonymous users go to the login page, the wrong role gets 403."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            require_role(request.user, *roles)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


class _RolePermission(BasePermission):
    roles: tuple[str, ...] = ()
    message = ROLE_DENIED_MESSAGE

    def has_permission(self, request, view):
        return has_role(request.user, *self.roles)


class IsStaff(_RolePermission):
    roles = (Role.STAFF,)


class IsStaffOrLeader(_RolePermission):
    roles = (Role.STAFF, Role.LEADER)


class IsMember(_RolePermission):
    roles = (Role.MEMBER,)


class IsDepartment(_RolePermission):
    roles = (Role.DEPARTMENT,)
