"""Who may see what of a member's record — decided here and nowhere else."""

from zhengxie.accounts.models import Role
from zhengxie.accounts.permissions import has_role


def can_view_member_private_fields(user, member) -> bool:
    """Contact details, birth date and the rest of the file: office staff and the member themself.

    Leaders, departments and other members see only the roster entry (name, sector, party).
    """
    if has_role(user, Role.STAFF):
        return True
    return bool(user and user.is_authenticated and member.user_id is not None and member.user_id == user.pk)


def may_filter_on_private_fields(user) -> bool:
    """Filtering the roster on a field reveals it: only those who see everyone's private fields (staff)."""
    return has_role(user, Role.STAFF)
