from django.db import transaction
from django.utils import timezone

from members.models import Member
from zhengxie.workflow.services import audit_record, transition_record

from .models import OpinionReport


@transaction.atomic
def opinion_report_create_submitted(
    *,
    actor,
    title: str,
    content: str,
    category: str = "",
    reflector: Member | None = None,
    reflector_name: str = "",
    comment: str = "",
) -> OpinionReport:
    """A report that arrives already submitted, e.g. a proposal not registered and turned into 社情民意."""
    report = OpinionReport.objects.create(
        title=title[:200],
        content=content,
        category=category,
        reflector=reflector,
        reflector_name=reflector_name,
        created_by=actor,
        state=OpinionReport.State.SUBMITTED,
        submitted_at=timezone.now(),
    )
    transition_record(
        actor=actor,
        target=report,
        from_state="",
        to_state=OpinionReport.State.SUBMITTED,
        action="create",
        comment=comment,
    )
    audit_record(actor=actor, action="opinion_report_create", target=report)
    return report
