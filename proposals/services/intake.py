"""Every action that changes a proposal's intake state (draft → registered / not registered / merged).

Each action: lock the row, check the role and the state, change it with update_fields, write the
transition log and the audit row, and notify the people concerned.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from members.models import Member, Plenary, Term
from members.services import record_duty, record_duty_many, withdraw_duty
from proposals import search
from proposals.models import (
    Cosigner,
    NumberSequence,
    Proposal,
    ProposalAttachment,
    ProposalCategory,
    RejectionReason,
)
from proposals.search import index_fields
from sqyy.services import opinion_report_create_submitted
from zhengxie.accounts.models import Role
from zhengxie.accounts.permissions import require_role
from zhengxie.notifications.services import notify
from zhengxie.params import is_int
from zhengxie.textsearch import file_text
from zhengxie.workflow.errors import InvalidInput, TransitionNotAllowed
from zhengxie.workflow.inputs import check_upload, file_name
from zhengxie.workflow.selectors import policy_current
from zhengxie.workflow.services import audit_record, transition_record

State = Proposal.State
Kind = Proposal.Kind

EDITABLE_STATES = (State.DRAFT, State.RETURNED)
WITHDRAWABLE_STATES = (State.DRAFT, State.RETURNED, State.SUBMITTED, State.AWAITING_COSIGNERS)
MERGE_TARGET_STATES = (State.REGISTERED, State.ASSIGNED, State.IN_PROGRESS)


# --- helpers ---------------------------------------------------------------------------------------


def _lock(proposal: Proposal | int) -> Proposal:
    pk = proposal.pk if isinstance(proposal, Proposal) else proposal
    return Proposal.objects.select_for_update(of=("self",)).select_related("term", "plenary").get(pk=pk)


def _require_state(proposal: Proposal, *states: str, action: str) -> None:
    if proposal.state not in states:
        raise TransitionNotAllowed(f"提案当前状态为“{proposal.get_state_display()}”，不能{action}。")


def _is_owner(actor, proposal: Proposal) -> bool:
    if proposal.proposer_id is not None:
        member = getattr(actor, "member", None) if actor.effective_role == Role.MEMBER else None
        return member is not None and member.pk == proposal.proposer_id
    return proposal.created_by_id == actor.pk


def _require_owner(actor, proposal: Proposal) -> None:
    if not _is_owner(actor, proposal):
        raise PermissionDenied("只有提案人本人可以执行此操作。")


def _is_entering_staff(actor, proposal: Proposal) -> bool:
    """代录: staff may keep editing and submit a member's paper proposal that staff entered."""
    return proposal.entered_by_id is not None and actor.effective_role == Role.STAFF


def _require_owner_or_entering_staff(actor, proposal: Proposal) -> None:
    if not (_is_owner(actor, proposal) or _is_entering_staff(actor, proposal)):
        raise PermissionDenied("只有提案人本人可以执行此操作。")


def _move(proposal: Proposal, *, actor, to_state: str, action: str, comment: str = "", fields=()) -> None:
    from_state = proposal.state
    proposal.state = to_state
    proposal.save(update_fields=["state", "updated_at", *fields])
    transition_record(
        actor=actor, target=proposal, from_state=from_state, to_state=to_state, action=action, comment=comment
    )
    audit_record(actor=actor, action=f"proposal_{action}", target=proposal, to_state=to_state)


def _owner_users(proposal: Proposal) -> list:
    if proposal.proposer_id is not None:
        return [proposal.proposer.user] if proposal.proposer.user_id else []
    return [proposal.created_by]


def _notify_owner(proposal: Proposal, title: str, body: str = "") -> None:
    notify(recipients=_owner_users(proposal), title=title, body=body, link=f"/proposals/{proposal.pk}/")


def _record_proposal_duty(actor, proposal: Proposal, kind: str) -> None:
    """Duty points for the proposers: a joint proposal gives the first proposer half and the confirmed
    co-signers share the other half. Collective proposals (no member proposer) earn no member points."""
    if proposal.proposer_id is None:
        return
    cosigners = [
        c.member
        for c in proposal.cosigners.filter(status=Cosigner.Status.CONFIRMED, merged_from__isnull=True)
        .select_related("member")
        .order_by("order", "id")
    ]
    shares = (
        [(proposal.proposer, 0.5)] + [(m, 0.5 / len(cosigners)) for m in cosigners]
        if cosigners
        else [(proposal.proposer, 1)]
    )
    today = timezone.localdate()
    for member, share in shares:
        record_duty(actor=actor, member=member, kind=kind, date=today, source=proposal, share=round(share, 4))


def _clean_text(title: str, content: str, *, for_submit: bool) -> tuple[str, str]:
    policy = policy_current()
    title = (title or "").strip()
    content = (content or "").strip()
    if not title:
        raise InvalidInput("案由不能为空。")
    if len(title) > policy.proposal_title_max:
        raise InvalidInput(f"案由不能超过{policy.proposal_title_max}字（现有{len(title)}字）。")
    if len(content) > policy.proposal_content_max:
        raise InvalidInput(f"正文不能超过{policy.proposal_content_max}字（现有{len(content)}字）。")
    if for_submit and not content:
        raise InvalidInput("提交前请填写提案正文（情况、分析和具体建议）。")
    return title, content


def _clean_cosigners(cosigners: Iterable, *, proposer: Member | None) -> list[Member]:
    ids = []
    for item in cosigners or []:
        pk = item.pk if isinstance(item, Member) else item
        try:
            pk = int(pk)
        except (TypeError, ValueError):
            raise InvalidInput(f"联名人编号无效：{item}。") from None
        if pk in ids:
            raise InvalidInput("联名人不能重复。")
        ids.append(pk)
    members = {m.pk: m for m in Member.objects.filter(pk__in=ids)}
    result = []
    for pk in ids:
        member = members.get(pk)
        if member is None:
            raise InvalidInput(f"联名人不存在（编号 {pk}）。")
        if proposer is not None and member.pk == proposer.pk:
            raise InvalidInput("第一提案人不能同时作为联名人。")
        if not member.is_serving:
            raise InvalidInput(f"{member.name}不是在任委员，不能联名。")
        result.append(member)
    return result


def _check_kind(kind: str, organization: str, cosigners: list[Member]) -> None:
    if kind not in Kind.values:
        raise InvalidInput("提案类型无效。")
    if kind == Kind.JOINT and not cosigners:
        raise InvalidInput("联名提案至少需要一位联名人。")
    if kind != Kind.JOINT and cosigners:
        raise InvalidInput("只有联名提案可以添加联名人。")
    if kind == Kind.COLLECTIVE and not organization.strip():
        raise InvalidInput("集体提案须填写提案单位名称。")


def _resolve_session(during_plenary: bool, plenary: Plenary | int | None) -> tuple[Term, Plenary | None]:
    if during_plenary:
        if plenary is None:
            raise InvalidInput("大会期间提出的提案须选择会次。")
        if not isinstance(plenary, Plenary):
            plenary = Plenary.objects.select_related("term").filter(pk=plenary).first()
            if plenary is None:
                raise InvalidInput("会次不存在。")
        return plenary.term, plenary
    term = Term.objects.filter(is_current=True).first()
    if term is None:
        raise InvalidInput("尚未设置本届，无法提交闭会期间提案。")
    return term, None


def _category(category) -> ProposalCategory:
    if isinstance(category, ProposalCategory):
        return category
    found = (
        ProposalCategory.objects.filter(is_active=True).filter(pk=category).first()
        if is_int(category)
        else ProposalCategory.objects.filter(is_active=True, name=category).first()
    )
    if found is None:
        raise InvalidInput("请选择有效的提案类别。")
    return found


def _set_cosigners(proposal: Proposal, members: list[Member]) -> None:
    """Replace the listed co-signers; those who already confirmed keep their answer."""
    existing = {c.member_id: c for c in proposal.cosigners.filter(merged_from__isnull=True)}
    wanted = {m.pk for m in members}
    proposal.cosigners.filter(merged_from__isnull=True).exclude(member_id__in=wanted).delete()
    for order, member in enumerate(members, start=1):
        row = existing.get(member.pk)
        if row is None:
            Cosigner.objects.create(proposal=proposal, member=member, order=order)
        elif row.order != order:
            row.order = order
            row.save(update_fields=["order"])


# --- drafting --------------------------------------------------------------------------------------


@transaction.atomic
def proposal_create(
    *,
    actor,
    title: str,
    content: str = "",
    category,
    kind: str = Kind.INDIVIDUAL,
    cosigners: Iterable = (),
    organization: str = "",
    during_plenary: bool = False,
    plenary=None,
    proposer=None,
) -> Proposal:
    """A member drafts a proposal; staff enter a collective one for an organisation, or (代录) an
    individual or joint one a member handed in on paper — then it is that member's in every respect
    and entered_by records who typed it."""
    require_role(actor, Role.MEMBER, Role.STAFF)
    entered_by = None
    if actor.effective_role == Role.MEMBER:
        if proposer not in (None, ""):
            raise PermissionDenied("只有机关工作人员可以代录提案。")
        proposer = Member.objects.filter(user=actor).first()
        if proposer is None or not proposer.is_serving:
            raise PermissionDenied("只有在任委员可以提出提案。")
    elif proposer not in (None, ""):
        if kind == Kind.COLLECTIVE:
            raise InvalidInput("集体提案没有第一提案人，请填写提案单位。")
        pk = proposer.pk if isinstance(proposer, Member) else proposer
        proposer = Member.objects.filter(pk=pk).first() if str(pk).isdigit() else None
        if proposer is None:
            raise InvalidInput("第一提案人不存在。")
        if not proposer.is_serving:
            raise InvalidInput(f"{proposer.name}不是在任委员，不能代录其提案。")
        entered_by = actor
    else:
        proposer = None
        if kind != Kind.COLLECTIVE:
            raise InvalidInput(
                "机关工作人员代为录入：集体提案须填写提案单位，委员个人或联名提案须选择第一提案人。"
            )
    title, content = _clean_text(title, content, for_submit=False)
    members = _clean_cosigners(cosigners, proposer=proposer)
    _check_kind(kind, organization or "", members)
    term, plenary = _resolve_session(bool(during_plenary), plenary)
    proposal = Proposal.objects.create(
        title=title,
        content=content,
        category=_category(category),
        kind=kind,
        organization=(organization or "").strip() if kind == Kind.COLLECTIVE else "",
        proposer=proposer,
        created_by=actor,
        entered_by=entered_by,
        term=term,
        during_plenary=bool(during_plenary),
        plenary=plenary,
        **index_fields(title, content),
    )
    _set_cosigners(proposal, members)
    transition_record(
        actor=actor,
        target=proposal,
        from_state="",
        to_state=State.DRAFT,
        action="create",
        comment=f"代录（{proposer.name}）" if entered_by else "",
    )
    audit_record(
        actor=actor,
        action="proposal_create",
        target=proposal,
        **({"entered_for": proposer.pk} if entered_by else {}),
    )
    return proposal


_UPDATABLE = {
    "title",
    "content",
    "category",
    "kind",
    "cosigners",
    "organization",
    "during_plenary",
    "plenary",
}


@transaction.atomic
def proposal_update(*, actor, proposal: Proposal | int, **changes) -> Proposal:
    """Edit a draft or a returned proposal (the proposer only)."""
    unknown = set(changes) - _UPDATABLE
    if unknown:
        raise InvalidInput(f"不能修改这些字段：{'、'.join(sorted(unknown))}。")
    proposal = _lock(proposal)
    _require_owner_or_entering_staff(actor, proposal)
    _require_state(proposal, *EDITABLE_STATES, action="修改")
    title, content = _clean_text(
        changes.get("title", proposal.title), changes.get("content", proposal.content), for_submit=False
    )
    kind = changes.get("kind", proposal.kind)
    organization = changes.get("organization", proposal.organization) or ""
    if "cosigners" in changes:
        members = _clean_cosigners(changes["cosigners"], proposer=proposal.proposer)
    else:
        members = [
            c.member for c in proposal.cosigners.filter(merged_from__isnull=True).select_related("member")
        ]
    _check_kind(kind, organization, members)
    if proposal.proposer_id is None and kind != Kind.COLLECTIVE:
        raise InvalidInput("机关工作人员只能代为录入集体提案。")
    if "during_plenary" in changes or "plenary" in changes:
        during = bool(changes.get("during_plenary", proposal.during_plenary))
        proposal.term, proposal.plenary = _resolve_session(during, changes.get("plenary", proposal.plenary))
        proposal.during_plenary = during
    if "category" in changes:
        proposal.category = _category(changes["category"])
    proposal.title, proposal.content, proposal.kind = title, content, kind
    for name, value in index_fields(title, content).items():
        setattr(proposal, name, value)
    proposal.organization = organization.strip() if kind == Kind.COLLECTIVE else ""
    proposal.save(
        update_fields=[
            "title",
            "content",
            "kind",
            "organization",
            "category",
            "term",
            "plenary",
            "during_plenary",
            "search_title",
            "search_content",
            "updated_at",
        ]
    )
    _set_cosigners(proposal, members)
    audit_record(actor=actor, action="proposal_update", target=proposal, fields=sorted(changes))
    return proposal


@transaction.atomic
def proposal_attachment_add(*, actor, proposal: Proposal | int, uploaded_file) -> ProposalAttachment:
    """Attach a file to a draft or returned proposal; type and size come from the policy."""
    proposal = _lock(proposal)
    _require_owner_or_entering_staff(actor, proposal)
    _require_state(proposal, *EDITABLE_STATES, action="添加附件")
    check_upload(uploaded_file, label="附件")
    name = file_name(uploaded_file)
    attachment = ProposalAttachment(
        proposal=proposal,
        name=name,
        size=uploaded_file.size,
        uploaded_by=actor,
        text=file_text(uploaded_file, name),
    )
    attachment.file.save(name, uploaded_file, save=False)
    attachment.save()
    search.refresh_files(proposal.pk)
    audit_record(actor=actor, action="proposal_attachment_add", target=proposal, name=name)
    return attachment


# --- submission and co-signing ---------------------------------------------------------------------


@transaction.atomic
def proposal_submit(*, actor, proposal: Proposal | int) -> Proposal:
    """Submit (or resubmit after 退回). A joint proposal first waits for its co-signers."""
    proposal = _lock(proposal)
    _require_owner_or_entering_staff(actor, proposal)
    _require_state(proposal, *EDITABLE_STATES, action="提交")
    _clean_text(proposal.title, proposal.content, for_submit=True)
    listed = list(proposal.cosigners.select_related("member__user").filter(merged_from__isnull=True))
    to_ask = [c for c in listed if c.status in (Cosigner.Status.LISTED, Cosigner.Status.PENDING)]
    if proposal.kind == Kind.JOINT and not [c for c in listed if c.status != Cosigner.Status.DECLINED]:
        raise InvalidInput("联名提案至少需要一位联名人。")
    for row in to_ask:
        if not row.member.is_serving:
            raise InvalidInput(f"{row.member.name}已不是在任委员，请修改联名人。")
    proposal.submitted_at = timezone.now()
    comment = "重新提交" if proposal.state == State.RETURNED else ""
    if to_ask:
        Cosigner.objects.filter(pk__in=[c.pk for c in to_ask]).update(status=Cosigner.Status.PENDING)
        _move(
            proposal,
            actor=actor,
            to_state=State.AWAITING_COSIGNERS,
            action="submit",
            comment=comment,
            fields=["submitted_at"],
        )
        notify(
            recipients=[c.member.user for c in to_ask if c.member.user_id],
            title=f"联名邀请：{proposal.title}",
            body=f"{proposal.proposer_display}邀请您联名提案《{proposal.title}》，请确认或谢绝。",
            link=f"/proposals/{proposal.pk}/",
        )
    else:
        _move(
            proposal,
            actor=actor,
            to_state=State.SUBMITTED,
            action="submit",
            comment=comment,
            fields=["submitted_at"],
        )
        _record_proposal_duty(actor, proposal, "proposal_submitted")
        _notify_owner(proposal, f"提案已提交：{proposal.title}", "提案已提交，等待提案委员会审查。")
    return proposal


@transaction.atomic
def proposal_cosign(*, actor, proposal: Proposal | int, agree: bool) -> Proposal:
    """A listed co-signer confirms or declines; when nobody is left to answer it is submitted."""
    proposal = _lock(proposal)
    member = Member.objects.filter(user=actor).first() if actor.effective_role == Role.MEMBER else None
    row = (
        Cosigner.objects.select_for_update().filter(proposal=proposal, member=member).first()
        if member is not None
        else None
    )
    if row is None:
        raise PermissionDenied("您不是这件提案的联名人。")
    _require_state(proposal, State.AWAITING_COSIGNERS, action="确认联名")
    if row.status != Cosigner.Status.PENDING:
        raise TransitionNotAllowed("您已经答复过这次联名邀请。")
    row.status = Cosigner.Status.CONFIRMED if agree else Cosigner.Status.DECLINED
    row.answered_at = timezone.now()
    row.save(update_fields=["status", "answered_at"])
    audit_record(actor=actor, action="proposal_cosign", target=proposal, agree=bool(agree))
    if not agree:
        _notify_owner(
            proposal, f"{member.name}谢绝联名：{proposal.title}", f"{member.name}谢绝联名，已从联名人中移除。"
        )
    if proposal.cosigners.filter(status=Cosigner.Status.PENDING).exists():
        return proposal
    confirmed = proposal.cosigners.filter(status=Cosigner.Status.CONFIRMED).exists()
    comment = "联名人均已答复"
    fields = []
    if not confirmed and proposal.kind == Kind.JOINT:
        # Everyone declined: it goes on as the proposer's own proposal.
        proposal.kind = Kind.INDIVIDUAL
        fields = ["kind"]
        comment = "联名人均谢绝，转为个人提案"
    _move(
        proposal,
        actor=actor,
        to_state=State.SUBMITTED,
        action="cosigners_answered",
        comment=comment,
        fields=fields,
    )
    _record_proposal_duty(actor, proposal, "proposal_submitted")
    _notify_owner(proposal, f"提案已提交：{proposal.title}", f"{comment}，提案已提交审查。")
    return proposal


@transaction.atomic
def proposal_withdraw(*, actor, proposal: Proposal | int, reason: str = "") -> Proposal:
    proposal = _lock(proposal)
    _require_owner(actor, proposal)
    _require_state(proposal, *WITHDRAWABLE_STATES, action="撤回")
    pending = [
        c.member.user for c in proposal.cosigners.select_related("member__user") if c.status == "pending"
    ]
    _move(proposal, actor=actor, to_state=State.WITHDRAWN, action="withdraw", comment=reason)
    withdraw_duty(actor=actor, kind="proposal_submitted", source=proposal)
    if pending:
        notify(
            recipients=pending, title=f"提案已撤回：{proposal.title}", body="提案人已撤回，无需再确认联名。"
        )
    return proposal


# --- review by staff -------------------------------------------------------------------------------


@transaction.atomic
def proposal_return(*, actor, proposal: Proposal | int, reason: str) -> Proposal:
    require_role(actor, Role.STAFF)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("退回须填写理由。")
    proposal = _lock(proposal)
    _require_state(proposal, State.SUBMITTED, action="退回")
    proposal.return_reason = reason
    _move(
        proposal,
        actor=actor,
        to_state=State.RETURNED,
        action="return",
        comment=reason,
        fields=["return_reason"],
    )
    _notify_owner(proposal, f"提案被退回修改：{proposal.title}", f"退回理由：{reason}")
    return proposal


def _sequence_key(proposal: Proposal) -> str:
    if proposal.during_plenary and proposal.plenary_id:
        return f"term{proposal.term_id}-plenary{proposal.plenary_id}"
    return f"term{proposal.term_id}-between"


def _format_number(proposal: Proposal, serial: int) -> str:
    session = proposal.plenary.short_name if proposal.plenary_id else "闭会期间"
    return f"{proposal.term.short_name}{session}第{serial:04d}号"


def _next_serial(key: str) -> int:
    sequence = NumberSequence.objects.select_for_update().filter(key=key).first()
    if sequence is None:
        try:
            with transaction.atomic():
                NumberSequence.objects.create(key=key, last_serial=0)
        except IntegrityError:
            pass  # another registration created it first; lock theirs below
        sequence = NumberSequence.objects.select_for_update().get(key=key)
    sequence.last_serial += 1
    sequence.save(update_fields=["last_serial"])
    return sequence.last_serial


@transaction.atomic
def proposal_register(*, actor, proposal: Proposal | int) -> Proposal:
    """立案: the next number in its sequence, in the same transaction (no repeats, no gaps)."""
    require_role(actor, Role.STAFF)
    proposal = _lock(proposal)
    if proposal.state == State.AWAITING_COSIGNERS:
        raise TransitionNotAllowed("联名人尚未全部答复，不能立案。")
    _require_state(proposal, State.SUBMITTED, action="立案")
    proposal.serial = _next_serial(_sequence_key(proposal))
    proposal.number = _format_number(proposal, proposal.serial)
    proposal.registered_at = timezone.now()
    _move(
        proposal,
        actor=actor,
        to_state=State.REGISTERED,
        action="register",
        comment=proposal.number,
        fields=["serial", "number", "registered_at"],
    )
    _record_proposal_duty(actor, proposal, "proposal_registered")
    _notify_owner(proposal, f"提案已立案：{proposal.title}", f"提案编号：{proposal.number}")
    return proposal


@dataclass
class BulkResult:
    registered: list[Proposal] = field(default_factory=list)
    failed: list[tuple[int, str]] = field(default_factory=list)


def _allocate_serials(counts: dict[str, int]) -> dict[str, int]:
    """Reserve `count` consecutive serials per sequence key (keys locked in order, so two bulk runs never
    deadlock); returns the first serial of each range. Three statements per key, whatever the count."""
    first = {}
    for key in sorted(counts):
        NumberSequence.objects.bulk_create([NumberSequence(key=key, last_serial=0)], ignore_conflicts=True)
        sequence = NumberSequence.objects.select_for_update().get(key=key)
        first[key] = sequence.last_serial + 1
        sequence.last_serial += counts[key]
        sequence.save(update_fields=["last_serial"])
    return first


def _bulk_duty_shares(proposals: list[Proposal]) -> list[tuple[Member, float, Proposal]]:
    """The same shares as _record_proposal_duty, for many proposals in one query."""
    with_proposer = [p for p in proposals if p.proposer_id is not None]
    confirmed: dict[int, list[Member]] = {p.pk: [] for p in with_proposer}
    for c in (
        Cosigner.objects.filter(
            proposal__in=with_proposer, status=Cosigner.Status.CONFIRMED, merged_from__isnull=True
        )
        .select_related("member")
        .order_by("proposal_id", "order", "id")
    ):
        confirmed[c.proposal_id].append(c.member)
    shares = []
    for p in with_proposer:
        members = confirmed[p.pk]
        if members:
            shares.append((p.proposer, 0.5, p))
            shares += [(m, 0.5 / len(members), p) for m in members]
        else:
            shares.append((p.proposer, 1, p))
    return shares


@transaction.atomic
def proposals_register_bulk(*, actor, proposal_ids: Iterable[int]) -> BulkResult:
    """Register many at once, in one transaction and a bounded number of statements whatever the count.

    Per proposal the outcome is exactly proposal_register's (same checks and messages, number, transition
    log, audit rows, duty records and notice); a refused one is reported and the others go ahead."""

    from django.contrib.contenttypes.models import ContentType

    from zhengxie.notifications.services import notify_many
    from zhengxie.workflow.models import AuditEntry, TransitionLog

    require_role(actor, Role.STAFF)
    result = BulkResult()
    ids = sorted({int(pk) for pk in proposal_ids})
    locked = {
        p.pk: p
        for p in Proposal.objects.select_for_update(of=("self",))
        .select_related("term", "plenary", "proposer__user", "created_by")
        .filter(pk__in=ids)
        .order_by("pk")
    }
    ready = []
    for pk in ids:
        proposal = locked.get(pk)
        if proposal is None:
            result.failed.append((pk, "提案不存在。"))
        elif proposal.state == State.AWAITING_COSIGNERS:
            result.failed.append((pk, "联名人尚未全部答复，不能立案。"))
        elif proposal.state != State.SUBMITTED:
            result.failed.append((pk, f"提案当前状态为“{proposal.get_state_display()}”，不能立案。"))
        else:
            ready.append(proposal)
    if not ready:
        return result

    counts: dict[str, int] = {}
    for proposal in ready:
        counts[_sequence_key(proposal)] = counts.get(_sequence_key(proposal), 0) + 1
    next_serial = _allocate_serials(counts)
    now = timezone.now()
    for proposal in ready:
        key = _sequence_key(proposal)
        proposal.serial, next_serial[key] = next_serial[key], next_serial[key] + 1
        proposal.number = _format_number(proposal, proposal.serial)
        proposal.registered_at = now
        proposal.state = State.REGISTERED
        proposal.updated_at = now
    Proposal.objects.bulk_update(ready, ["state", "updated_at", "serial", "number", "registered_at"])

    user = actor if actor is not None and actor.is_authenticated else None
    proposal_type = ContentType.objects.get_for_model(Proposal)
    TransitionLog.objects.bulk_create(
        TransitionLog(
            content_type=proposal_type,
            object_id=p.pk,
            from_state=State.SUBMITTED,
            to_state=State.REGISTERED,
            action="register",
            actor=user,
            comment=p.number,
        )
        for p in ready
    )
    audits = [
        AuditEntry(
            actor=user,
            action="proposal_register",
            content_type=proposal_type,
            object_id=str(p.pk),
            object_repr=str(p)[:200],
            detail={"to_state": State.REGISTERED},
        )
        for p in ready
    ]

    # Duty records, idempotent per (member, kind, source) as record_duty is (and audited like it).
    record_duty_many(
        actor=actor,
        kind="proposal_registered",
        date=timezone.localdate(),
        entries=[(member, proposal, round(share, 4)) for member, share, proposal in _bulk_duty_shares(ready)],
    )
    AuditEntry.objects.bulk_create(audits)

    notify_many(
        (_owner_users(p), f"提案已立案：{p.title}", f"提案编号：{p.number}", f"/proposals/{p.pk}/")
        for p in ready
    )
    result.registered = ready
    return result


@transaction.atomic
def proposal_reject(
    *, actor, proposal: Proposal | int, reason: str, disposition: str, reason_code=None
) -> Proposal:
    """不予立案 with a standard reason and/or text, and what becomes of the material."""
    require_role(actor, Role.STAFF)
    reason = (reason or "").strip()
    standard = None
    if reason_code not in (None, ""):
        standard = RejectionReason.objects.filter(pk=reason_code).first() if is_int(reason_code) else None
        if standard is None:
            standard = RejectionReason.objects.filter(text=reason_code).first()
        if standard is None:
            raise InvalidInput("不予立案理由不在标准列表中。")
    if not reason and standard is None:
        raise InvalidInput("不予立案须说明理由。")
    if disposition not in Proposal.Disposition.values:
        raise InvalidInput("请选择处理方式：转社情民意、转工作建议、转委员来信或不转。")
    proposal = _lock(proposal)
    _require_state(proposal, State.SUBMITTED, action="不予立案")
    proposal.rejection_reason = standard
    proposal.rejection_text = reason
    proposal.disposition = disposition
    fields = ["rejection_reason", "rejection_text", "disposition"]
    comment = "；".join(filter(None, [standard.text if standard else "", reason]))
    if disposition == Proposal.Disposition.OPINION_REPORT:
        proposal.opinion_report = opinion_report_create_submitted(
            actor=actor,
            title=proposal.title,
            content=proposal.content,
            category=proposal.category.name,
            reflector=proposal.proposer,
            reflector_name=proposal.organization,
            comment=f"由提案《{proposal.title}》不予立案转来",
        )
        fields.append("opinion_report")
    _move(
        proposal, actor=actor, to_state=State.NOT_REGISTERED, action="reject", comment=comment, fields=fields
    )
    _notify_owner(
        proposal,
        f"提案不予立案：{proposal.title}",
        f"理由：{comment}。处理方式：{proposal.get_disposition_display()}。",
    )
    return proposal


@transaction.atomic
def proposal_merge(*, actor, proposal: Proposal | int, into: Proposal | int) -> Proposal:
    """并案: the proposer and co-signers of this one join the main (registered) proposal."""
    require_role(actor, Role.STAFF)
    source_pk = proposal.pk if isinstance(proposal, Proposal) else int(proposal)
    target_pk = into.pk if isinstance(into, Proposal) else int(into)
    if source_pk == target_pk:
        raise InvalidInput("不能并入提案自身。")
    # Lock both rows in id order so two merges of the same pair cannot deadlock.
    locked = {
        p.pk: p
        for p in Proposal.objects.select_for_update().filter(pk__in=[source_pk, target_pk]).order_by("pk")
    }
    if target_pk not in locked:
        raise InvalidInput("要并入的提案不存在。")
    if source_pk not in locked:
        raise Proposal.DoesNotExist
    source, target = locked[source_pk], locked[target_pk]
    _require_state(source, State.SUBMITTED, action="并案")
    if target.state not in MERGE_TARGET_STATES:
        raise InvalidInput("只能并入已立案的提案。")
    joiners = []
    if source.proposer_id:
        joiners.append(source.proposer_id)
    joiners += list(
        source.cosigners.filter(status=Cosigner.Status.CONFIRMED).values_list("member_id", flat=True)
    )
    already = set(target.cosigners.values_list("member_id", flat=True)) | {target.proposer_id}
    next_order = (target.cosigners.count() or 0) + 1
    for member_id in joiners:
        if member_id in already:
            continue
        Cosigner.objects.create(
            proposal=target,
            member_id=member_id,
            status=Cosigner.Status.CONFIRMED,
            order=next_order,
            answered_at=timezone.now(),
            merged_from=source,
        )
        already.add(member_id)
        next_order += 1
    source.merged_into = target
    label = target.number or target.title
    _move(
        source,
        actor=actor,
        to_state=State.MERGED,
        action="merge",
        comment=f"并入{label}",
        fields=["merged_into"],
    )
    audit_record(actor=actor, action="proposal_merge_target", target=target, merged=source.pk)
    _notify_owner(source, f"提案已并案：{source.title}", f"已并入提案 {label}《{target.title}》一并办理。")
    return source
