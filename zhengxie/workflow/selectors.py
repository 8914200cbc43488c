from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet

from .models import TransitionLog


def history_of(target) -> QuerySet[TransitionLog]:
    """The transitions of one object, oldest first."""
    return (
        TransitionLog.objects.filter(
            content_type=ContentType.objects.get_for_model(target), object_id=target.pk
        )
        .select_related("actor")
        .order_by("at", "id")
    )


def policy_current():
    """The active handling policy; an unsaved default row when staff have not configured one."""
    from .models import HandlingPolicy

    return HandlingPolicy.objects.filter(is_active=True).first() or HandlingPolicy()
