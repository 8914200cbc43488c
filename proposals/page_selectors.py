"""Extra reads for the server-rendered proposal pages (the shared ones live in selectors.py)."""

from django.db.models import Q, QuerySet
from django.utils import timezone

from members.models import Member, Plenary
from zhengxie.workflow.selectors import policy_current

from . import search
from .models import Evaluation, Proposal, ProposalAttachment, ProposalCategory, RejectionReason
from .services import MERGE_TARGET_STATES


def member_of(user) -> Member | None:
    return Member.objects.filter(user=user).first() if user.is_authenticated else None


def cosign_candidates(*, exclude: Member | None) -> QuerySet[Member]:
    """Serving members who may be invited to co-sign (never the proposer)."""
    qs = Member.objects.filter(status=Member.Status.SERVING).select_related("sector").order_by("name", "id")
    return qs.exclude(pk=exclude.pk) if exclude is not None else qs


def active_categories() -> QuerySet[ProposalCategory]:
    return ProposalCategory.objects.filter(is_active=True)


def plenary_choices(*, keep=None, today=None) -> QuerySet[Plenary]:
    """The current term's plenaries that have not closed yet, plus the one a proposal already names
    (an older or past one). A proposal written after a plenary closed is a 闭会期间 proposal."""
    today = today or timezone.localdate()
    condition = Q(term__is_current=True, end_date__gte=today)
    if keep is not None:
        condition |= Q(pk=keep.pk if isinstance(keep, Plenary) else keep)
    return Plenary.objects.select_related("term").filter(condition).order_by("-term__number", "-number")


def rejection_reasons() -> QuerySet[RejectionReason]:
    return RejectionReason.objects.filter(is_active=True)


def merge_targets(*, exclude_pk: int, q: str = "", limit: int = 200) -> QuerySet[Proposal]:
    """Registered proposals another one may be merged into, searchable by number or title."""
    qs = (
        Proposal.objects.filter(state__in=MERGE_TARGET_STATES)
        .exclude(pk=exclude_pk)
        .only("pk", "number", "title")
    )
    q = (q or "").strip()
    if q:
        qs = search.text_search(qs, q, all_replies=True)
    return search.ordered(qs, {"q": q}, "-registered_at", "-id")[:limit]


def proposal_attachments(proposal: Proposal) -> QuerySet[ProposalAttachment]:
    return ProposalAttachment.objects.filter(proposal=proposal).order_by("id")


def proposal_evaluations(proposal: Proposal) -> QuerySet[Evaluation]:
    return Evaluation.objects.filter(proposal=proposal).select_related("member").order_by("created_at", "id")


def viewer_cosign_status(proposal: Proposal, member: Member | None) -> str:
    """The viewer's own co-signer status on this proposal ('' when not listed); uses the prefetch."""
    if member is None:
        return ""
    for row in proposal.cosigners.all():
        if row.member_id == member.pk:
            return row.status
    return ""


def has_evaluated(proposal: Proposal, member: Member | None) -> bool:
    return (
        member is not None
        and Evaluation.objects.filter(
            proposal=proposal, member=member, handling_round=proposal.handling_round
        ).exists()
    )


def text_limits() -> dict:
    policy = policy_current()
    return {"title_max": policy.proposal_title_max, "content_max": policy.proposal_content_max}


ACTION_LABELS = {
    "create": "创建草稿",
    "submit": "提交",
    "cosigners_answered": "联名确认完成",
    "withdraw": "撤回",
    "return": "退回修改",
    "register": "立案",
    "reject": "不予立案",
    "merge": "并案",
    "assign": "交办",
    "accept": "承办单位签收",
    "reply": "答复",
    "evaluate": "满意度测评",
    "rehandle": "重新办理",
    "close_unrated": "未评价办结",
}


def history_rows(history) -> list[dict]:
    """The transition log with Chinese labels for actions and states, ready for the page."""
    labels = dict(Proposal.State.choices)
    return [
        {
            "at": entry.at,
            "actor": entry.actor.display_name if entry.actor_id else "系统",
            "action": ACTION_LABELS.get(entry.action, entry.action or "状态变更"),
            "from_state": labels.get(entry.from_state, entry.from_state),
            "to_state": labels.get(entry.to_state, entry.to_state),
            "comment": entry.comment,
        }
        for entry in history
    ]


# --- the keyboard 立案审查 screen (issue 19) -----------------------------------------------------------

REVIEW_ACTIONS = {
    "proposal_register": "register",
    "proposal_return": "return",
    "proposal_reject": "reject",
    "proposal_merge": "merge",
}


def review_keys_queue() -> QuerySet[Proposal]:
    """What the screen moves through: submitted proposals (co-signers all answered), oldest first."""
    return Proposal.objects.filter(state=Proposal.State.SUBMITTED).order_by("submitted_at", "id")


def review_keys_neighbours(proposal: Proposal) -> dict:
    """The queue around `proposal` (which may have just left it): the next and previous ids, its place
    and the queue's length; four small indexed queries."""
    queue = review_keys_queue()
    at, pk = proposal.submitted_at, proposal.pk
    if at is None:
        after, before = queue, queue.none()
    else:
        after = queue.filter(Q(submitted_at__gt=at) | Q(submitted_at=at, id__gt=pk))
        before = queue.filter(Q(submitted_at__lt=at) | Q(submitted_at=at, id__lt=pk))
    return {
        "next_id": after.values_list("pk", flat=True).first(),
        "prev_id": before.order_by("-submitted_at", "-id").values_list("pk", flat=True).first(),
        "position": before.count() + 1,
        "total": queue.count(),
    }


def review_day_counts(user, *, today=None) -> dict[str, int]:
    """What `user` registered, returned, rejected and merged today, from the audit rows (the same rows
    the page, the API and bulk 立案 write): one query over today's rows (index on `at`)."""
    from datetime import datetime, time

    from django.db.models import Count

    from zhengxie.workflow.models import AuditEntry

    today = today or timezone.localdate()
    start = timezone.make_aware(datetime.combine(today, time.min))
    rows = (
        AuditEntry.objects.filter(actor=user, at__gte=start, action__in=list(REVIEW_ACTIONS))
        .values("action")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts = dict.fromkeys(REVIEW_ACTIONS.values(), 0)
    for row in rows:
        counts[REVIEW_ACTIONS[row["action"]]] = row["n"]
    counts["total"] = sum(counts.values())
    return counts


def review_version(proposal: Proposal) -> str:
    """The optimistic-concurrency token of the screen: the proposal's last change (every service moves
    updated_at)."""
    return proposal.updated_at.isoformat() if proposal.updated_at else ""
