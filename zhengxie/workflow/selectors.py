from collections.abc import Callable

from django.contrib.contenttypes.models import ContentType
from django.db.models import BooleanField, Case, CharField, Exists, F, OuterRef, Q, QuerySet, Value, When
from django.db.models.functions import Cast

from .models import AuditEntry, TransitionLog


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


# --- what the audit log may name -------------------------------------------------------------------
# A member's draft is theirs until submitted: apps register, per model, the rows a reader may not see
# (proposals and 社情民意 drafts); the audit log then shows those entries without the object's name or
# details. workflow never imports the apps that register here.

_PRIVATE_TARGETS: dict[type, Callable] = {}


def register_private_audit_target(model, hidden_for: Callable) -> None:
    """`hidden_for(user)` returns the queryset of `model` rows whose names `user` may not read."""
    _PRIVATE_TARGETS[model] = hidden_for


def audit_entries_for(user, qs: QuerySet[AuditEntry] | None = None) -> QuerySet[AuditEntry]:
    """Audit entries annotated with `is_private`: True when the target is someone else's draft."""
    qs = AuditEntry.objects.all() if qs is None else qs
    whens = []
    for model, hidden_for in _PRIVATE_TARGETS.items():
        hidden = (
            hidden_for(user)
            .annotate(_pk_text=Cast("pk", output_field=CharField()))
            .filter(_pk_text=OuterRef("object_id"))
        )
        condition = Q(content_type=ContentType.objects.get_for_model(model)) & Q(Exists(hidden))
        whens.append(When(condition, then=Value(True)))
    private = Case(*whens, default=Value(False), output_field=BooleanField()) if whens else Value(False)
    return qs.annotate(is_private=private).annotate(
        shown_repr=Case(When(is_private=True, then=Value(PRIVATE_LABEL)), default=F("object_repr"))
    )


PRIVATE_LABEL = "（委员草稿，提交前仅本人可见）"
