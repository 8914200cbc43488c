from django.db.models import QuerySet

from zhengxie.accounts.models import Role

from .models import OpinionReport


def opinion_reports_visible_to(user) -> QuerySet[OpinionReport]:
    """Staff and leaders see every submitted report; a member sees their own; departments none here."""
    qs = OpinionReport.objects.select_related("reflector", "created_by")
    if not user.is_authenticated:
        return qs.none()
    role = user.effective_role
    if role in (Role.STAFF, Role.LEADER):
        return qs.exclude(state=OpinionReport.State.DRAFT) | qs.filter(created_by=user)
    if role == Role.MEMBER and hasattr(user, "member"):
        return qs.filter(reflector=user.member)
    return qs.none()
