"""After the reply (issue 20): 回访, 重点提案 rounds (主席会议), 领办/批办/联合督办, 优秀提案 and
优秀承办单位, 成果转化, and the members' yearly 民主评议 of the departments."""

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from members.models import Member
from proposals.models import (
    Assignment,
    DepartmentAward,
    DepartmentReview,
    ExcellentAward,
    JointSupervision,
    KeyCandidate,
    KeyInstruction,
    KeyLeader,
    KeyRound,
    Outcome,
    Proposal,
    ReviewRound,
    Revisit,
)
from zhengxie.accounts.models import Department, Role, User
from zhengxie.accounts.permissions import require_role
from zhengxie.notifications.services import notify
from zhengxie.workflow.errors import InvalidInput, TransitionNotAllowed
from zhengxie.workflow.inputs import check_upload, file_name, parse_date
from zhengxie.workflow.services import audit_record, transition_record

from .intake import _lock, _notify_owner, _record_proposal_duty

State = Proposal.State
REPLIED_STATES = (State.REPLIED, State.CLOSED)

__all__ = [
    "proposal_revisit",
    "proposal_award",
    "department_award",
    "proposal_add_outcome",
    "key_round_create",
    "key_round_add_candidate",
    "key_round_remove_candidate",
    "key_round_approve",
    "key_leader_add",
    "key_leader_remove",
    "key_instruction_add",
    "joint_supervision_add",
    "review_round_create",
    "review_round_open",
    "review_round_close",
    "department_review_submit",
]


def _text(value, label: str) -> str:
    value = (value or "").strip()
    if not value:
        raise InvalidInput(f"请填写{label}。")
    return value


def _year(value) -> int:
    try:
        year = int(value)
    except (TypeError, ValueError):
        raise InvalidInput("年度无效。") from None
    if not 2000 <= year <= 2100:
        raise InvalidInput("年度无效。")
    return year


def _date(value, label: str):
    if value in (None, ""):
        raise InvalidInput(f"请填写{label}。")
    return parse_date(value, label)


def _require_key(proposal: Proposal) -> None:
    if not proposal.is_key:
        raise TransitionNotAllowed("只有重点提案可以记录领办、批办和联合督办。")


# --- 回访 -------------------------------------------------------------------------------------------


@transaction.atomic
def proposal_revisit(
    *, actor, proposal: Proposal | int, date, way: str, content: str, proposer_view: str = ""
) -> Revisit:
    """Staff record a 回访 of the proposer of a closed proposal; it then counts as revisited."""
    require_role(actor, Role.STAFF)
    if way not in Revisit.Way.values:
        raise InvalidInput("回访方式只能是当面、电话、书面或其他。")
    content = _text(content, "回访情况")
    day = _date(date, "回访日期")
    if day > timezone.localdate():
        raise InvalidInput("回访日期不能晚于今天。")
    proposal = _lock(proposal)
    if proposal.state != State.CLOSED:
        raise TransitionNotAllowed(f"提案当前状态为“{proposal.get_state_display()}”，办结后才能回访。")
    revisit = Revisit.objects.create(
        proposal=proposal,
        date=day,
        way=way,
        content=content,
        proposer_view=(proposer_view or "").strip(),
        recorded_by=actor,
    )
    if not proposal.stat_revisited:
        proposal.stat_revisited = True
        proposal.save(update_fields=["stat_revisited", "updated_at"])
    audit_record(actor=actor, action="proposal_revisit", target=proposal, revisit=revisit.pk, way=way)
    _notify_owner(
        proposal, f"提案回访：{proposal.number}", f"{day:%Y年%m月%d日}{revisit.get_way_display()}回访已记录。"
    )
    return revisit


# --- 优秀提案 and 优秀承办单位 ------------------------------------------------------------------------


@transaction.atomic
def proposal_award(
    *, actor, proposal: Proposal | int, year, title: str, citation: str = ""
) -> ExcellentAward:
    """优秀提案: the proposers earn duty `proposal_excellent`."""
    require_role(actor, Role.STAFF)
    year, title = _year(year), _text(title, "奖项名称")
    proposal = _lock(proposal)
    if proposal.state not in Proposal.REGISTERED_STATES:
        raise TransitionNotAllowed("只有已立案的提案可以评为优秀提案。")
    if ExcellentAward.objects.filter(proposal=proposal, year=year).exists():
        raise InvalidInput(f"这件提案已评为{year}年度优秀提案。")
    award = ExcellentAward.objects.create(
        proposal=proposal, year=year, title=title, citation=(citation or "").strip(), awarded_by=actor
    )
    _record_proposal_duty(actor, proposal, "proposal_excellent")
    audit_record(
        actor=actor, action="proposal_award", target=proposal, award=award.pk, year=year, title=title
    )
    _notify_owner(proposal, f"优秀提案：{proposal.number}", f"您的提案被评为{year}年度{title}。")
    return award


@transaction.atomic
def department_award(
    *, actor, department: Department | int, year, title: str, citation: str = ""
) -> DepartmentAward:
    """优秀承办单位."""
    require_role(actor, Role.STAFF)
    year, title = _year(year), _text(title, "奖项名称")
    dept_id = department.pk if isinstance(department, Department) else department
    department = Department.objects.select_for_update().filter(pk=dept_id).first()
    if department is None:
        raise InvalidInput("承办单位不存在。")
    if DepartmentAward.objects.filter(department=department, year=year).exists():
        raise InvalidInput(f"该单位已评为{year}年度优秀承办单位。")
    award = DepartmentAward.objects.create(
        department=department, year=year, title=title, citation=(citation or "").strip(), awarded_by=actor
    )
    audit_record(actor=actor, action="department_award", target=award, year=year, title=title)
    notify(
        recipients=User.objects.filter(department=department, is_active=True),
        title=f"优秀承办单位：{year}年度",
        body=f"贵单位被评为{year}年度{title}。",
    )
    return award


# --- 成果转化 ---------------------------------------------------------------------------------------


def outcome_departments(actor, proposal: Proposal) -> Department | None:
    """Who may record an outcome: staff (None), or a department assigned the proposal (its department)."""
    if actor.effective_role == Role.STAFF:
        return None
    require_role(actor, Role.STAFF, Role.DEPARTMENT)
    assigned = (
        Assignment.objects.filter(proposal=proposal, department_id=actor.department_id)
        .exclude(state=Assignment.State.CANCELLED)
        .exists()
    )
    if not actor.department_id or not assigned:
        raise PermissionDenied("这不是本单位承办的提案。")
    return actor.department


@transaction.atomic
def proposal_add_outcome(
    *, actor, proposal: Proposal | int, date, kind: str, content: str, document=None
) -> Outcome:
    """成果转化: what changed because of the proposal, after its reply."""
    require_role(actor, Role.STAFF, Role.DEPARTMENT)
    if kind not in Outcome.Kind.values:
        raise InvalidInput("成果类型只能是出台政策、立项实施、资金投入或其他。")
    content, day = _text(content, "成果内容"), _date(date, "日期")
    proposal = _lock(proposal)
    department = outcome_departments(actor, proposal)
    if proposal.state not in REPLIED_STATES:
        raise TransitionNotAllowed("提案答复后才能记录成果转化。")
    outcome = Outcome(
        proposal=proposal, date=day, kind=kind, content=content, department=department, recorded_by=actor
    )
    if document:
        check_upload(document, label="成果文件")
        outcome.document.save(file_name(document), document, save=False)
    outcome.save()
    audit_record(actor=actor, action="proposal_add_outcome", target=proposal, outcome=outcome.pk, kind=kind)
    _notify_owner(
        proposal, f"提案成果转化：{proposal.number}", f"{outcome.get_kind_display()}：{content[:80]}"
    )
    return outcome


# --- 重点提案: the yearly round, 领办, 批办, 联合督办 ------------------------------------------------------


def _lock_round(round_: KeyRound | int) -> KeyRound:
    pk = round_.pk if isinstance(round_, KeyRound) else round_
    return KeyRound.objects.select_for_update().get(pk=pk)


@transaction.atomic
def key_round_create(*, actor, year, title: str = "") -> KeyRound:
    require_role(actor, Role.STAFF)
    year = _year(year)
    if KeyRound.objects.filter(year=year).exists():
        raise InvalidInput(f"{year}年度的重点提案遴选已建立。")
    round_ = KeyRound.objects.create(
        year=year, title=(title or "").strip() or f"{year}年度重点提案遴选", created_by=actor
    )
    audit_record(actor=actor, action="key_round_create", target=round_, year=year)
    return round_


@transaction.atomic
def key_round_add_candidate(
    *, actor, round: KeyRound | int, proposal: Proposal | int, reason: str = ""
) -> KeyCandidate:
    require_role(actor, Role.STAFF)
    round_ = _lock_round(round)
    if round_.state != KeyRound.State.DRAFT:
        raise TransitionNotAllowed("遴选已审定，不能再推荐候选提案。")
    proposal = _lock(proposal)
    if proposal.state not in Proposal.REGISTERED_STATES:
        raise TransitionNotAllowed("只能推荐已立案的提案。")
    if KeyCandidate.objects.filter(round=round_, proposal=proposal).exists():
        raise InvalidInput("这件提案已是候选提案。")
    candidate = KeyCandidate.objects.create(
        round=round_, proposal=proposal, reason=(reason or "").strip(), proposed_by=actor
    )
    audit_record(actor=actor, action="key_round_add_candidate", target=round_, proposal=proposal.pk)
    return candidate


@transaction.atomic
def key_round_remove_candidate(*, actor, candidate: KeyCandidate | int) -> None:
    require_role(actor, Role.STAFF)
    pk = candidate.pk if isinstance(candidate, KeyCandidate) else candidate
    candidate = KeyCandidate.objects.select_related("round").get(pk=pk)
    round_ = _lock_round(candidate.round_id)
    if round_.state != KeyRound.State.DRAFT:
        raise TransitionNotAllowed("遴选已审定，不能再撤下候选提案。")
    audit_record(
        actor=actor, action="key_round_remove_candidate", target=round_, proposal=candidate.proposal_id
    )
    candidate.delete()


@transaction.atomic
def key_round_approve(*, actor, round: KeyRound | int, meeting) -> KeyRound:
    """A 主席会议 approves the candidates: each becomes a key proposal; the proposers earn `proposal_key`."""
    from consultations.models import ConsultationType, Meeting

    require_role(actor, Role.STAFF)
    round_ = _lock_round(round)
    if round_.state != KeyRound.State.DRAFT:
        raise TransitionNotAllowed("这轮遴选已审定。")
    meeting_id = meeting.pk if isinstance(meeting, Meeting) else meeting
    meeting = Meeting.objects.filter(pk=meeting_id).first() if meeting_id else None
    if meeting is None or meeting.type != ConsultationType.CHAIR_MEETING:
        raise InvalidInput("请选择审定重点提案的主席会议。")
    if meeting.state == Meeting.State.CANCELLED:
        raise InvalidInput("这次主席会议已取消。")
    candidates = list(round_.candidates.order_by("id").values_list("proposal_id", flat=True))
    if not candidates:
        raise InvalidInput("还没有候选提案。")
    for proposal_id in candidates:
        proposal = _lock(proposal_id)
        if not proposal.is_key:
            proposal.is_key = True
            proposal.save(update_fields=["is_key", "updated_at"])
        _record_proposal_duty(actor, proposal, "proposal_key")
        audit_record(actor=actor, action="proposal_mark_key", target=proposal, is_key=True, round=round_.pk)
        _notify_owner(
            proposal,
            f"重点提案：{proposal.number}",
            f"经{meeting.title}审定，列为{round_.year}年度重点提案。",
        )
    from_state = round_.state
    round_.state, round_.meeting, round_.approved_at = KeyRound.State.APPROVED, meeting, timezone.now()
    round_.save(update_fields=["state", "meeting", "approved_at"])
    transition_record(
        actor=actor,
        target=round_,
        from_state=from_state,
        to_state=round_.state,
        action="approve",
        comment=meeting.title,
    )
    audit_record(
        actor=actor, action="key_round_approve", target=round_, meeting=meeting.pk, count=len(candidates)
    )
    return round_


@transaction.atomic
def key_leader_add(
    *, actor, proposal: Proposal | int, user=None, name: str = "", post: str = ""
) -> KeyLeader:
    """领办: a leader with an account (user id), or without one (name and post)."""
    require_role(actor, Role.STAFF)
    proposal = _lock(proposal)
    _require_key(proposal)
    leader_user = None
    if user:
        user_id = user.pk if isinstance(user, User) else user
        leader_user = User.objects.filter(pk=user_id, role=Role.LEADER, is_active=True).first()
        if leader_user is None:
            raise InvalidInput("领办领导须为领导账号。")
        name = (name or "").strip() or leader_user.name or leader_user.username
        if proposal.key_leaders.filter(user=leader_user).exists():
            raise InvalidInput("这位领导已是领办领导。")
    name = _text(name, "领办领导姓名")
    order = proposal.key_leaders.count()
    leader = KeyLeader.objects.create(
        proposal=proposal, user=leader_user, name=name, post=(post or "").strip(), order=order
    )
    if leader_user is not None and proposal.key_leader_id is None:
        proposal.key_leader = leader_user
        proposal.save(update_fields=["key_leader", "updated_at"])
    audit_record(actor=actor, action="key_leader_add", target=proposal, leader=leader.pk, name=name)
    if leader_user is not None:
        notify(recipients=[leader_user], title=f"领办重点提案：{proposal.number}", body=proposal.title)
    return leader


@transaction.atomic
def key_leader_remove(*, actor, leader: KeyLeader | int) -> None:
    require_role(actor, Role.STAFF)
    pk = leader.pk if isinstance(leader, KeyLeader) else leader
    leader = KeyLeader.objects.get(pk=pk)
    proposal = _lock(leader.proposal_id)
    audit_record(actor=actor, action="key_leader_remove", target=proposal, leader=leader.pk, name=leader.name)
    leader.delete()


@transaction.atomic
def key_instruction_add(
    *, actor, proposal: Proposal | int, leader: str, post: str = "", content: str, date
) -> KeyInstruction:
    """批办: a leader's written instruction on a key proposal; the assigned departments are told."""
    require_role(actor, Role.STAFF)
    leader, content, day = _text(leader, "批办领导"), _text(content, "批办内容"), _date(date, "批办日期")
    proposal = _lock(proposal)
    _require_key(proposal)
    instruction = KeyInstruction.objects.create(
        proposal=proposal,
        leader=leader,
        post=(post or "").strip(),
        content=content,
        date=day,
        recorded_by=actor,
    )
    audit_record(actor=actor, action="key_instruction_add", target=proposal, instruction=instruction.pk)
    departments = (
        Assignment.objects.filter(proposal=proposal)
        .exclude(state=Assignment.State.CANCELLED)
        .values("department_id")
    )
    notify(
        recipients=User.objects.filter(department_id__in=departments, is_active=True),
        title=f"重点提案批办：{proposal.number}",
        body=f"{instruction.post}{leader}批办：{content[:100]}",
    )
    return instruction


@transaction.atomic
def joint_supervision_add(
    *, actor, proposal: Proposal | int, office: str, date, note: str
) -> JointSupervision:
    """联合督办 of a key proposal with another office."""
    require_role(actor, Role.STAFF)
    office, note, day = _text(office, "联合督办单位"), _text(note, "督办情况"), _date(date, "督办日期")
    proposal = _lock(proposal)
    _require_key(proposal)
    record = JointSupervision.objects.create(
        proposal=proposal, office=office, date=day, note=note, recorded_by=actor
    )
    audit_record(actor=actor, action="joint_supervision_add", target=proposal, office=office)
    return record


# --- 民主评议 ---------------------------------------------------------------------------------------


def _lock_review_round(round_: ReviewRound | int) -> ReviewRound:
    pk = round_.pk if isinstance(round_, ReviewRound) else round_
    return ReviewRound.objects.select_for_update().get(pk=pk)


def _review_move(round_: ReviewRound, *, actor, to_state: str, action: str) -> ReviewRound:
    from_state = round_.state
    round_.state = to_state
    round_.save(update_fields=["state"])
    transition_record(actor=actor, target=round_, from_state=from_state, to_state=to_state, action=action)
    audit_record(actor=actor, action=f"review_round_{action}", target=round_, to_state=to_state)
    return round_


@transaction.atomic
def review_round_create(*, actor, year, title: str = "") -> ReviewRound:
    require_role(actor, Role.STAFF)
    year = _year(year)
    if ReviewRound.objects.filter(year=year).exists():
        raise InvalidInput(f"{year}年度的民主评议已建立。")
    round_ = ReviewRound.objects.create(
        year=year, title=(title or "").strip() or f"{year}年度提案承办单位民主评议", created_by=actor
    )
    audit_record(actor=actor, action="review_round_create", target=round_, year=year)
    return round_


@transaction.atomic
def review_round_open(*, actor, round: ReviewRound | int) -> ReviewRound:
    from ..after_selectors import review_members

    require_role(actor, Role.STAFF)
    round_ = _lock_review_round(round)
    if round_.state != ReviewRound.State.DRAFT:
        raise TransitionNotAllowed("只有未开始的评议可以开始。")
    _review_move(round_, actor=actor, to_state=ReviewRound.State.OPEN, action="open")
    users = [m.user for m in review_members(round_.year).select_related("user") if m.user_id]
    notify(
        recipients=users,
        title=round_.title,
        body="请对办理您提案的承办单位进行民主评议。",
        link="/proposals/reviews/",
    )
    return round_


@transaction.atomic
def review_round_close(*, actor, round: ReviewRound | int) -> ReviewRound:
    require_role(actor, Role.STAFF)
    round_ = _lock_review_round(round)
    if round_.state != ReviewRound.State.OPEN:
        raise TransitionNotAllowed("只有评议中的评议可以结束。")
    return _review_move(round_, actor=actor, to_state=ReviewRound.State.CLOSED, action="close")


@transaction.atomic
def department_review_submit(
    *,
    actor,
    round: ReviewRound | int,
    department: Department | int,
    attitude: str,
    result: str,
    comment: str = "",
) -> DepartmentReview:
    """A member's form for one department (again while open: the answer is replaced)."""
    from ..after_selectors import departments_to_review

    require_role(actor, Role.MEMBER)
    member = Member.objects.filter(user=actor).first()
    if member is None:
        raise PermissionDenied("只有委员可以参加民主评议。")
    grades = DepartmentReview.Grade.values
    if attitude not in grades or result not in grades:
        raise InvalidInput("办理态度和办理结果只能是满意、基本满意或不满意。")
    round_ = _lock_review_round(round)
    if round_.state != ReviewRound.State.OPEN:
        raise TransitionNotAllowed("民主评议不在进行中。")
    dept_id = department.pk if isinstance(department, Department) else int(department)
    if dept_id not in {d.pk for d in departments_to_review(member, round_.year)}:
        raise PermissionDenied("该单位没有承办您的提案，不在您的评议范围内。")
    values = {"attitude": attitude, "result": result, "comment": (comment or "").strip()}
    review = (
        DepartmentReview.objects.select_for_update()
        .filter(round=round_, member=member, department_id=dept_id)
        .first()
    )
    if review is None:
        try:
            with transaction.atomic():
                review = DepartmentReview.objects.create(
                    round=round_, member=member, department_id=dept_id, **values
                )
        except IntegrityError:  # a double press: the other request created it
            review = DepartmentReview.objects.select_for_update().get(
                round=round_, member=member, department_id=dept_id
            )
    for key, value in values.items():
        setattr(review, key, value)
    review.save()
    # Audit who evaluated which department, never what they answered (members' answers stay with staff).
    audit_record(actor=actor, action="department_review_submit", target=round_, department=dept_id)
    return review
