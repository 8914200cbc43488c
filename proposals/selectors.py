"""Reads for pages, the API and exports. Visibility rules for proposals live here and nowhere else."""

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404

from members.models import Member
from zhengxie.accounts.models import Role
from zhengxie.workflow.selectors import history_of

from .models import Cosigner, Proposal

State = Proposal.State


def _base() -> QuerySet[Proposal]:
    return Proposal.objects.select_related(
        "category", "proposer", "term", "plenary", "created_by", "merged_into", "rejection_reason"
    ).prefetch_related(
        Prefetch("cosigners", queryset=Cosigner.objects.select_related("member").order_by("order", "id"))
    )


def proposals_visible_to(user) -> QuerySet[Proposal]:
    """Staff and leaders: everything but other people's drafts. Members: their own, what they co-sign
    (once submitted) and what is published. Departments: nothing here (they work through assignments)."""
    qs = _base()
    if not user.is_authenticated:
        return qs.none()
    role = user.effective_role
    if role in (Role.STAFF, Role.LEADER):
        return qs.filter(~Q(state=State.DRAFT) | Q(created_by=user))
    if role == Role.MEMBER:
        member = Member.objects.filter(user=user).only("pk").first()
        if member is None:
            return qs.filter(is_published=True)
        cosigning = Cosigner.objects.filter(proposal=OuterRef("pk"), member=member).exclude(
            status__in=[Cosigner.Status.LISTED, Cosigner.Status.DECLINED]
        )
        return qs.filter(Q(proposer=member) | Q(Exists(cosigning)) | Q(is_published=True))
    return qs.none()


def access_proposal(user, pk) -> Proposal:
    """The proposal if the user may see it; 404 otherwise (never reveal that it exists)."""
    try:
        return proposals_visible_to(user).get(pk=int(pk))
    except (Proposal.DoesNotExist, ValueError, TypeError):
        raise Http404("提案不存在。") from None


def proposals_filter(qs: QuerySet[Proposal], *, params) -> QuerySet[Proposal]:
    """Filters shared by the review queue and the API list (state, kind, term, plenary, category, key, q)."""
    if params.get("state"):
        qs = qs.filter(state__in=[s for s in str(params["state"]).split(",") if s])
    if params.get("kind"):
        qs = qs.filter(kind=params["kind"])
    for name in ("term", "plenary", "category"):
        value = params.get(name)
        if value and str(value).isdigit():
            qs = qs.filter(**{f"{name}_id": int(value)})
    if str(params.get("key", "")).lower() in {"true", "1"}:
        qs = qs.filter(is_key=True)
    q = (params.get("q") or "").strip()
    if q:
        qs = qs.filter(
            Q(title__icontains=q)
            | Q(content__icontains=q)
            | Q(number__icontains=q)
            | Q(organization__icontains=q)
            | Q(proposer__name__icontains=q)
        )
    return qs


def review_queue(user, *, params=None) -> QuerySet[Proposal]:
    """Staff review queue: submitted ones first (oldest first), filterable."""
    qs = proposals_visible_to(user).filter(state__in=[State.SUBMITTED, State.AWAITING_COSIGNERS])
    if params:
        qs = proposals_filter(qs, params=params)
    return qs.order_by("submitted_at", "id")


def pending_cosign_invitations(member: Member) -> QuerySet[Proposal]:
    return (
        _base()
        .filter(
            state=State.AWAITING_COSIGNERS,
            cosigners__member=member,
            cosigners__status=Cosigner.Status.PENDING,
        )
        .order_by("-submitted_at")
    )


def my_proposals(member: Member) -> QuerySet[Proposal]:
    mine = Cosigner.objects.filter(proposal=OuterRef("pk"), member=member, status=Cosigner.Status.CONFIRMED)
    return _base().filter(Q(proposer=member) | Q(Exists(mine))).order_by("-updated_at", "-id")


def published_proposals() -> QuerySet[Proposal]:
    return _base().filter(is_published=True).order_by("-registered_at")


def proposal_history(proposal: Proposal):
    return history_of(proposal)
