from django.contrib.contenttypes.models import ContentType
from django.db import models

from .models import AuditEntry, TransitionLog


def audit_record(*, actor, action: str, target: models.Model | None = None, **detail) -> AuditEntry:
    """Write the audit row for a change; call it inside the service's transaction."""
    return AuditEntry.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        content_type=ContentType.objects.get_for_model(target) if target is not None else None,
        object_id=str(target.pk) if target is not None else "",
        object_repr=str(target)[:200] if target is not None else "",
        detail=detail,
    )


def transition_record(
    *, actor, target: models.Model, from_state: str, to_state: str, action: str = "", comment: str = ""
) -> TransitionLog:
    return TransitionLog.objects.create(
        content_type=ContentType.objects.get_for_model(target),
        object_id=target.pk,
        from_state=from_state,
        to_state=to_state,
        action=action,
        actor=actor if actor is not None and actor.is_authenticated else None,
        comment=comment,
    )
