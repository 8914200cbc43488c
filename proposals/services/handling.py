"""Handling a registered proposal: 交办, signing for it, 面商, 会办 opinions, replies, extensions and
adjustments, rating and re-handling, 督办 and publication."""

from datetime import date

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from members.models import Member
from members.services import withdraw_duty
from proposals import search
from proposals.models import Assignment, Contact, Cosigner, Evaluation, Proposal, Reply, Supervision
from zhengxie.accounts.models import Department, Role, User
from zhengxie.accounts.permissions import require_role
from zhengxie.notifications.services import notify
from zhengxie.textsearch import file_text
from zhengxie.workflow import handling as rules
from zhengxie.workflow.calendar import Due, WorkCalendar
from zhengxie.workflow.errors import InvalidInput, TransitionNotAllowed
from zhengxie.workflow.inputs import LETTER_EXTENSIONS, check_upload, file_name, parse_date
from zhengxie.workflow.selectors import policy_current
from zhengxie.workflow.services import audit_record, transition_record

from ..handling_selectors import co_units_waiting
from .intake import _lock, _move, _notify_owner, _record_proposal_duty, _require_state

State = Proposal.State
TaskState = Assignment.State
ROLE = Assignment.Role

__all__ = [
    "proposal_assign",
    "assignment_accept",
    "assignment_request_adjustment",
    "assignment_resolve_adjustment",
    "assignment_add_contact",
    "assignment_co_opinion",
    "assignment_reply",
    "assignment_request_extension",
    "assignment_resolve_extension",
    "proposal_evaluate",
    "proposal_close_unrated",
    "proposal_mark_key",
    "proposal_supervise",
    "proposal_publish",
    "proposal_unpublish",
    "proposal_set_publish_opt_out",
]


# --- helpers ---------------------------------------------------------------------------------------


def _lock_assignment(assignment: Assignment | int) -> Assignment:
    pk = assignment.pk if isinstance(assignment, Assignment) else assignment
    return (
        Assignment.objects.select_for_update(of=("self",)).select_related("department", "proposal").get(pk=pk)
    )


def _lock_tasks_of(proposal: Proposal | int) -> None:
    """Lock a proposal's tasks before the proposal itself, in the order every task service takes them (a
    task's change locks its proposal in the proposals_open_due trigger): a 会办 opinion sent while the
    proposer rates would otherwise hold its task and wait for the proposal while the rating, holding the
    proposal, waited for that task."""
    pk = proposal.pk if isinstance(proposal, Proposal) else proposal
    if str(pk).isdigit():
        list(
            Assignment.objects.select_for_update()
            .filter(proposal_id=int(pk))
            .order_by("id")
            .values_list("pk")
        )


def _require_own_department(actor, assignment: Assignment) -> None:
    require_role(actor, Role.DEPARTMENT)
    if actor.department_id != assignment.department_id:
        raise PermissionDenied("这不是本单位承办的事项。")


def _task_move(task: Assignment, *, actor, to_state: str, action: str, comment: str = "", fields=()) -> None:
    from_state = task.state
    task.state = to_state
    task.save(update_fields=["state", *fields])
    transition_record(
        actor=actor, target=task, from_state=from_state, to_state=to_state, action=action, comment=comment
    )
    audit_record(actor=actor, action=f"assignment_{action}", target=task, to_state=to_state)


def _department_users(department_ids) -> list:
    return list(User.objects.filter(department_id__in=list(department_ids), is_active=True))


def _today() -> date:
    return timezone.localdate()


def _due(start: date, span: str):
    return WorkCalendar.around(start).due(start, span)


# --- 交办 -------------------------------------------------------------------------------------------


def assign_span(role: str, policy) -> str:
    """The deadline span of a role at 交办: 会办 opinions in co_opinion_months, replies in reply_months."""
    return f"{policy.co_opinion_months}m" if role == ROLE.CO else f"{policy.reply_months}m"


def _chosen_due(value, today: date) -> date | None:
    """A due date staff set at 交办 (optional): after today, within the policy's extension cap."""
    if value in (None, ""):
        return None
    chosen = parse_date(value, "指定办理期限")
    if chosen <= today:
        raise InvalidInput("指定办理期限须晚于今天。")
    cap = _due(today, f"{policy_current().extension_cap_months}m").date
    if chosen > cap:
        raise InvalidInput(f"指定办理期限不能晚于{cap:%Y-%m-%d}（交办后最长期限）。")
    return chosen


@transaction.atomic
def proposal_assign(*, actor, proposal: Proposal | int, assignments: list[dict]) -> Proposal:
    """交办: one lead 主办 with any co-handling 会办 units, or two or more separate 分办 units."""
    require_role(actor, Role.STAFF)
    proposal = _lock(proposal)
    _require_state(proposal, State.REGISTERED, action="交办")
    if not assignments:
        raise InvalidInput("请至少选择一个承办单位。")
    roles, department_ids, chosen_dues = [], [], []
    today = _today()
    for item in assignments:
        role, dept = item.get("role"), item.get("department")
        chosen_dues.append(_chosen_due(item.get("due_date"), today))
        if role not in ROLE.values:
            raise InvalidInput("办理方式只能是主办、会办或分办。")
        dept_id = dept.pk if isinstance(dept, Department) else dept
        try:
            dept_id = int(dept_id)
        except (TypeError, ValueError):
            raise InvalidInput("承办单位无效。") from None
        if dept_id in department_ids:
            raise InvalidInput("同一承办单位不能重复交办。")
        roles.append(role)
        department_ids.append(dept_id)
    departments = Department.objects.in_bulk(department_ids)
    for dept_id in department_ids:
        if dept_id not in departments or not departments[dept_id].is_active:
            raise InvalidInput(f"承办单位不存在或已停用（编号 {dept_id}）。")
    leads, cos, separates = roles.count(ROLE.LEAD), roles.count(ROLE.CO), roles.count(ROLE.SEPARATE)
    if separates and (leads or cos):
        raise InvalidInput("分办不能与主办、会办同时使用。")
    if cos and not leads:
        raise InvalidInput("会办单位须有主办单位。")
    if leads > 1:
        raise InvalidInput("只能有一个主办单位。")
    if separates == 1:
        raise InvalidInput("分办须有两个或以上单位；只有一个单位时请选主办。")
    policy = policy_current()
    now = timezone.now()
    for role, dept_id, chosen in zip(roles, department_ids, chosen_dues, strict=True):
        span = assign_span(role, policy)
        due = _due(today, span)
        computed = due.date
        if chosen is not None:
            # A date staff set: kept as given (no span, so calendar changes leave it alone), and audited.
            span, due = "", Due(chosen, False)
        task = Assignment.objects.create(
            proposal=proposal,
            department=departments[dept_id],
            role=role,
            assigned_at=now,
            assigned_by=actor,
            due_basis=today,
            due_span=span,
            due_date=due.date,
            due_provisional=due.provisional,
        )
        transition_record(
            actor=actor,
            target=task,
            from_state="",
            to_state=TaskState.PENDING,
            action="assign",
            comment=f"指定办理期限{chosen:%Y-%m-%d}（按规则为{computed:%Y-%m-%d}）" if chosen else "",
        )
        if chosen is not None:
            audit_record(
                actor=actor,
                action="assignment_due_date_set",
                target=task,
                due_date=str(chosen),
                computed=str(computed),
            )
        notify(
            recipients=_department_users([dept_id]),
            title=f"新交办提案：{proposal.number}",
            body=f"《{proposal.title}》交由贵单位{task.get_role_display()}，办理期限{due.date:%Y年%m月%d日}。",
            link=f"/portal/assignments/{task.pk}/",
        )
    proposal.assigned_at = now
    names = "、".join(
        f"{departments[d].name}（{ROLE(r).label}）" for r, d in zip(roles, department_ids, strict=True)
    )
    _move(
        proposal, actor=actor, to_state=State.ASSIGNED, action="assign", comment=names, fields=["assigned_at"]
    )
    _notify_owner(proposal, f"提案已交办：{proposal.number}", f"承办单位：{names}")
    return proposal


@transaction.atomic
def assignment_accept(*, actor, assignment: Assignment | int) -> Assignment:
    task = _lock_assignment(assignment)
    _require_own_department(actor, task)
    if task.state != TaskState.PENDING:
        raise TransitionNotAllowed(f"当前状态为“{task.get_state_display()}”，不能签收。")
    task.accepted_at = timezone.now()
    _task_move(task, actor=actor, to_state=TaskState.ACCEPTED, action="accept", fields=["accepted_at"])
    proposal = _lock(task.proposal_id)
    if proposal.state == State.ASSIGNED:
        _move(
            proposal,
            actor=actor,
            to_state=State.IN_PROGRESS,
            action="accept",
            comment=f"{task.department.name}签收",
        )
    return task


# --- adjustment and extension ----------------------------------------------------------------------


@transaction.atomic
def assignment_request_adjustment(*, actor, assignment: Assignment | int, reason: str) -> Assignment:
    """申请调整: only within the policy's window of working days after 交办."""
    reason = rules.adjustment_reason_clean(reason)
    task = _lock_assignment(assignment)
    _require_own_department(actor, task)
    rules.check_adjustment_allowed(task, _today())
    move = rules.apply_adjustment_request(task, reason)
    _task_move(
        task,
        actor=actor,
        to_state=move.to_state,
        action=move.action,
        comment=move.comment,
        fields=move.fields,
    )
    notify(
        recipients=User.objects.filter(role=Role.STAFF, is_active=True),
        title=f"申请调整：{task.proposal.number}",
        body=f"{task.department.name}申请调整承办：{reason}",
        link=f"/admin/proposals/assignment/{task.pk}/change/",
    )
    return task


@transaction.atomic
def assignment_resolve_adjustment(
    *, actor, assignment: Assignment | int, approve: bool, department=None
) -> Assignment:
    """Staff approve (this one is cancelled, a new one goes to the chosen department) or refuse (back)."""
    require_role(actor, Role.STAFF)
    task = _lock_assignment(assignment)
    rules.check_adjustment_pending(task)
    if not approve:
        move = rules.apply_adjustment_refusal(task)
        _task_move(task, actor=actor, to_state=move.to_state, action=move.action)
        notify(
            recipients=_department_users([task.department_id]),
            title=f"调整申请未获同意：{task.proposal.number}",
        )
        return task
    new_department = rules.adjustment_department(department)
    if (
        Assignment.objects.filter(proposal_id=task.proposal_id, department=new_department)
        .exclude(state=TaskState.CANCELLED)
        .exists()
    ):
        raise InvalidInput(f"{new_department.name}已承办这件提案。")
    today = _today()
    due = _due(today, task.due_span or f"{policy_current().reply_months}m")
    replacement = Assignment.objects.create(
        proposal_id=task.proposal_id,
        department=new_department,
        role=task.role,
        assigned_at=timezone.now(),
        assigned_by=actor,
        due_basis=today,
        due_span=task.due_span or f"{policy_current().reply_months}m",
        due_date=due.date,
        due_provisional=due.provisional,
    )
    transition_record(
        actor=actor,
        target=replacement,
        from_state="",
        to_state=TaskState.PENDING,
        action="assign",
        comment="调整交办",
    )
    move = rules.apply_adjustment_approval(task, replacement)
    _task_move(
        task,
        actor=actor,
        to_state=move.to_state,
        action=move.action,
        comment=move.comment,
        fields=move.fields,
    )
    notify(
        recipients=_department_users([task.department_id]), title=f"调整申请已同意：{task.proposal.number}"
    )
    notify(
        recipients=_department_users([new_department.pk]),
        title=f"新交办提案：{task.proposal.number}",
        body=f"《{task.proposal.title}》调整由贵单位{replacement.get_role_display()}，办理期限{due.date:%Y年%m月%d日}。",
        link=f"/portal/assignments/{replacement.pk}/",
    )
    return replacement


@transaction.atomic
def assignment_request_extension(*, actor, assignment: Assignment | int, reason: str, due_date) -> Assignment:
    reason, requested = rules.extension_input_clean(reason, due_date)
    task = _lock_assignment(assignment)
    _require_own_department(actor, task)
    rules.extension_request_check(task, requested)
    task.save(update_fields=rules.apply_extension_request(task, reason, requested))
    audit_record(actor=actor, action="assignment_request_extension", target=task, due_date=str(requested))
    notify(
        recipients=User.objects.filter(role=Role.STAFF, is_active=True),
        title=f"申请延期：{task.proposal.number}",
        body=f"{task.department.name}申请延期至{requested:%Y-%m-%d}：{reason}",
    )
    return task


@transaction.atomic
def assignment_resolve_extension(*, actor, assignment: Assignment | int, approve: bool) -> Assignment:
    """The due date moves only when staff approve."""
    require_role(actor, Role.STAFF)
    task = _lock_assignment(assignment)
    rules.check_extension_pending(task)
    fields, comment = rules.apply_extension_decision(task, approve)
    if approve:
        transition_record(
            actor=actor,
            target=task,
            from_state=task.state,
            to_state=task.state,
            action="approve_extension",
            comment=comment,
        )
    task.save(update_fields=fields)
    audit_record(actor=actor, action="assignment_resolve_extension", target=task, approve=bool(approve))
    notify(
        recipients=_department_users([task.department_id]),
        title=f"延期申请{'已同意' if approve else '未获同意'}：{task.proposal.number}",
        body=f"办理期限：{task.due_date:%Y年%m月%d日}",
    )
    return task


# --- 面商, 会办 opinion, reply ----------------------------------------------------------------------


@transaction.atomic
def assignment_add_contact(
    *, actor, assignment: Assignment | int, date, way: str, summary: str, people: str = ""
) -> Contact:
    task = _lock_assignment(assignment)
    _require_own_department(actor, task)
    if task.state not in (TaskState.ACCEPTED, TaskState.REPLIED):
        raise TransitionNotAllowed("请先签收，再记录面商。")
    day = parse_date(date, "面商日期")
    if day > _today():
        raise InvalidInput("面商日期不能晚于今天。")
    if way not in Contact.Way.values:
        raise InvalidInput("面商方式只能是当面、电话、书面或其他。")
    summary = (summary or "").strip()
    if not summary:
        raise InvalidInput("请填写面商情况。")
    contact = Contact.objects.create(
        assignment=task, date=day, way=way, people=(people or "").strip(), summary=summary, recorded_by=actor
    )
    # Statistics (面商率): flag the task and its proposal once.
    if not task.stat_contacted:
        task.stat_contacted = True
        task.save(update_fields=["stat_contacted"])
        Proposal.objects.filter(pk=task.proposal_id, stat_contacted=False).update(stat_contacted=True)
    audit_record(actor=actor, action="assignment_add_contact", target=task, contact=contact.pk)
    return contact


@transaction.atomic
def assignment_co_opinion(*, actor, assignment: Assignment | int, content: str) -> Assignment:
    """A 会办 unit's opinion goes to the lead unit."""
    content = (content or "").strip()
    if not content:
        raise InvalidInput("请填写会办意见。")
    task = _lock_assignment(assignment)
    _require_own_department(actor, task)
    if task.role != ROLE.CO:
        raise TransitionNotAllowed("只有会办单位提出会办意见；主办、分办单位请答复。")
    if task.state != TaskState.ACCEPTED:
        raise TransitionNotAllowed(f"当前状态为“{task.get_state_display()}”，不能提交会办意见（请先签收）。")
    task.co_opinion = content
    task.replied_at = timezone.now()
    task.stat_on_time = _today() <= task.due_date  # statistics: 会办 opinion in time
    _task_move(
        task,
        actor=actor,
        to_state=TaskState.REPLIED,
        action="co_opinion",
        fields=["co_opinion", "replied_at", "stat_on_time"],
    )
    lead_ids = (
        Assignment.objects.filter(proposal_id=task.proposal_id, role=ROLE.LEAD)
        .exclude(state=TaskState.CANCELLED)
        .values_list("department_id", flat=True)
    )
    notify(
        recipients=_department_users(lead_ids),
        title=f"会办意见：{task.proposal.number}",
        body=f"{task.department.name}的会办意见：{content[:200]}",
    )
    return task


@transaction.atomic
def assignment_reply(
    *, actor, assignment: Assignment | int, result: str, content: str, signer: str = "", letter=None
) -> Reply:
    """The lead's (or a separate unit's) formal reply; when every one is in, the proposal is replied."""
    if result not in Reply.Result.values:
        raise InvalidInput("答复类别只能是 A、B 或 C。")
    content = (content or "").strip()
    if not content:
        raise InvalidInput("请填写答复内容。")
    if letter is not None:
        check_upload(letter, extensions=LETTER_EXTENSIONS, label="答复函")
    task = _lock_assignment(assignment)
    _require_own_department(actor, task)
    if not task.replies_formally:
        raise TransitionNotAllowed("会办单位不直接答复提案人，请提交会办意见。")
    if task.state == TaskState.PENDING:
        raise TransitionNotAllowed("请先签收，再答复。")
    if task.state != TaskState.ACCEPTED:
        raise TransitionNotAllowed(f"当前状态为“{task.get_state_display()}”，不能答复。")
    policy = policy_current()
    if policy.reply_requires_contact and not task.contacts.exists():
        raise InvalidInput("答复前须至少有一次面商记录。")
    if policy.require_co_opinion and task.role == ROLE.LEAD:
        waiting = co_units_waiting(task.proposal_id)
        if waiting:
            raise TransitionNotAllowed(
                f"会办单位{'、'.join(waiting)}尚未提交会办意见；按办理规则，须收齐会办意见后再答复。"
            )
    reply = Reply(
        assignment=task,
        handling_round=task.handling_round,
        result=result,
        content=content,
        signer=(signer or "").strip(),
        replied_by=actor,
        due_date=task.due_date,
        on_time=_today() <= task.due_date,
    )
    if letter is not None:
        reply.letter_text = file_text(letter, file_name(letter))
        reply.letter.save(file_name(letter), letter, save=False)
    reply.search_words = search.reply_words(reply.content, reply.letter_text)
    reply.save()
    search.refresh_replies(task.proposal_id)
    task.replied_at = timezone.now()
    # Statistics: the latest result class; on-time is judged on the first round only.
    task.stat_result = result
    stat_fields = ["stat_result"]
    if reply.handling_round == 1:
        task.stat_on_time = reply.on_time
        stat_fields.append("stat_on_time")
    _task_move(
        task,
        actor=actor,
        to_state=TaskState.REPLIED,
        action="reply",
        comment=f"答复类别 {result}",
        fields=["replied_at", *stat_fields],
    )
    proposal = _lock(task.proposal_id)
    waiting = (
        Assignment.objects.filter(proposal=proposal, role__in=[ROLE.LEAD, ROLE.SEPARATE])
        .exclude(state__in=[TaskState.REPLIED, TaskState.CANCELLED])
        .exists()
    )
    if not waiting and proposal.state in (State.ASSIGNED, State.IN_PROGRESS, State.REHANDLING):
        proposal.replied_at = task.replied_at
        fields = ["replied_at"]
        if proposal.handling_round == 1:  # statistics: every first-round formal reply in time
            proposal.stat_on_time = not Reply.objects.filter(
                assignment__proposal=proposal, handling_round=1, on_time=False
            ).exists()
            fields.append("stat_on_time")
        _move(proposal, actor=actor, to_state=State.REPLIED, action="reply", fields=fields)
        _notify_owner(
            proposal, f"提案已答复：{proposal.number}", "承办单位已答复，请对办理结果进行满意度测评。"
        )
    co_ids = (
        Assignment.objects.filter(proposal=proposal, role=ROLE.CO)
        .exclude(state=TaskState.CANCELLED)
        .values_list("department_id", flat=True)
    )
    notify(
        recipients=_department_users(co_ids), title=f"主办单位答复抄送：{proposal.number}", body=content[:200]
    )
    return reply


# --- rating ----------------------------------------------------------------------------------------


@transaction.atomic
def proposal_evaluate(*, actor, proposal: Proposal | int, satisfaction: str, comment: str = "") -> Evaluation:
    """The proposer's rating decides; co-signers may add their own. 不满意 once sends it back for handling.

    A collective proposal has no member proposer: the organisation rates it in writing and staff record
    that rating on its behalf (Evaluation.recorded_by, audited with the organisation's name); it then
    counts exactly as a proposer's rating."""
    if satisfaction not in Evaluation.Satisfaction.values:
        raise InvalidInput("满意度只能是满意、基本满意或不满意。")
    require_role(actor, Role.MEMBER, Role.STAFF)
    _lock_tasks_of(proposal)
    proposal = _lock(proposal)
    on_behalf = actor.effective_role == Role.STAFF
    if on_behalf:
        if proposal.kind != Proposal.Kind.COLLECTIVE:
            raise PermissionDenied("机关工作人员只能代提案单位录入集体提案的测评。")
        member, is_proposer = None, True
    else:
        member = Member.objects.filter(user=actor).first()
        is_proposer = member is not None and member.pk == proposal.proposer_id
        is_cosigner = (
            member is not None
            and proposal.cosigners.filter(member=member, status=Cosigner.Status.CONFIRMED).exists()
        )
        if not (is_proposer or is_cosigner):
            raise PermissionDenied("只有提案人和联名人可以测评。")
    _require_state(proposal, State.REPLIED, action="测评")
    if Evaluation.objects.filter(
        proposal=proposal, member=member, handling_round=proposal.handling_round
    ).exists():
        raise TransitionNotAllowed(
            "本轮办理结果已由提案单位测评。" if on_behalf else "您已测评过本轮办理结果。"
        )
    evaluation = Evaluation.objects.create(
        proposal=proposal,
        member=member,
        recorded_by=actor if on_behalf else None,
        handling_round=proposal.handling_round,
        satisfaction=satisfaction,
        comment=(comment or "").strip(),
    )
    behalf = {"on_behalf_of": proposal.organization} if on_behalf else {}
    audit_record(
        actor=actor, action="proposal_evaluate", target=proposal, satisfaction=satisfaction, **behalf
    )
    if not is_proposer:
        return evaluation
    # Statistics (满意率): the proposer's latest rating, on the proposal and its handling tasks.
    proposal.stat_satisfaction = satisfaction
    Proposal.objects.filter(pk=proposal.pk).update(stat_satisfaction=satisfaction)
    Assignment.objects.filter(proposal=proposal).exclude(state=TaskState.CANCELLED).update(
        stat_satisfaction=satisfaction
    )
    label = evaluation.get_satisfaction_display()
    if satisfaction == Evaluation.Satisfaction.DISSATISFIED and proposal.handling_round == 1:
        _start_rehandling(proposal, actor=actor, comment=comment)
    else:
        proposal.closed_at = timezone.now()
        _move(
            proposal,
            actor=actor,
            to_state=State.CLOSED,
            action="evaluate",
            comment=label,
            fields=["closed_at"],
        )
        replied_ids = Assignment.objects.filter(proposal=proposal).exclude(state=TaskState.CANCELLED)
        notify(
            recipients=_department_users(replied_ids.values_list("department_id", flat=True)),
            title=f"提案已办结：{proposal.number}",
            body=f"提案人测评：{label}。",
        )
    return evaluation


def _start_rehandling(proposal: Proposal, *, actor, comment: str) -> None:
    policy = policy_current()
    today = _today()
    span = f"{policy.rehandling_months}m"
    due = _due(today, span)
    proposal.handling_round = 2
    _move(
        proposal,
        actor=actor,
        to_state=State.REHANDLING,
        action="evaluate",
        comment=f"不满意：{comment}".rstrip("："),
        fields=["handling_round"],
    )
    tasks = Assignment.objects.select_for_update().filter(
        proposal=proposal, role__in=[ROLE.LEAD, ROLE.SEPARATE], state=TaskState.REPLIED
    )
    for task in tasks:
        task.handling_round = 2
        task.due_basis, task.due_span, task.due_date, task.due_provisional = (
            today,
            span,
            due.date,
            due.provisional,
        )
        _task_move(
            task,
            actor=actor,
            to_state=TaskState.ACCEPTED,
            action="rehandle",
            comment="提案人不满意，重新办理",
            fields=["handling_round", "due_basis", "due_span", "due_date", "due_provisional"],
        )
        notify(
            recipients=_department_users([task.department_id]),
            title=f"重新办理：{proposal.number}",
            body=f"提案人对答复不满意，请于{due.date:%Y年%m月%d日}前重新办理并答复。意见：{comment}",
            link=f"/portal/assignments/{task.pk}/",
        )


@transaction.atomic
def proposal_close_unrated(*, actor, proposal: Proposal | int) -> Proposal:
    """Staff close a replied proposal nobody rated once the rating window has passed (未评价)."""
    require_role(actor, Role.STAFF)
    proposal = _lock(proposal)
    _require_state(proposal, State.REPLIED, action="按未评价办结")
    window = policy_current().rating_window_workdays
    replied_on = timezone.localtime(proposal.replied_at).date()
    if WorkCalendar.around(replied_on, 1).workdays_between(replied_on, _today()) <= window:
        raise TransitionNotAllowed(f"测评期（答复后{window}个工作日）尚未结束。")
    proposal.closed_at, proposal.closed_unrated = timezone.now(), True
    _move(
        proposal,
        actor=actor,
        to_state=State.CLOSED,
        action="close_unrated",
        comment="未评价",
        fields=["closed_at", "closed_unrated"],
    )
    return proposal


# --- 督办 and 公开 -----------------------------------------------------------------------------------


@transaction.atomic
def proposal_mark_key(*, actor, proposal: Proposal | int, leader, is_key: bool = True) -> Proposal:
    require_role(actor, Role.STAFF, Role.LEADER)
    proposal = _lock(proposal)
    if proposal.state not in Proposal.REGISTERED_STATES:
        raise TransitionNotAllowed("只有已立案的提案可以列为重点提案。")
    leader_user = None
    if is_key:
        leader_id = leader.pk if isinstance(leader, User) else leader
        leader_user = (
            User.objects.filter(pk=leader_id, role=Role.LEADER, is_active=True).first() if leader_id else None
        )
        if leader_user is None:
            raise InvalidInput("请选择领办领导（须为领导账号）。")
    proposal.is_key, proposal.key_leader = bool(is_key), leader_user
    proposal.save(update_fields=["is_key", "key_leader", "updated_at"])
    audit_record(actor=actor, action="proposal_mark_key", target=proposal, is_key=bool(is_key))
    # Issue 20: a key proposal earns its proposers duty `proposal_key`; unmarking takes it back.
    if is_key:
        _record_proposal_duty(actor, proposal, "proposal_key")
        if not proposal.key_leaders.filter(
            user=leader_user
        ).exists():  # the 领办 list (issue 20) names them too
            proposal.key_leaders.create(
                user=leader_user, name=leader_user.name or leader_user.username, order=0
            )
    else:
        withdraw_duty(actor=actor, kind="proposal_key", source=proposal)
    if leader_user is not None:
        notify(recipients=[leader_user], title=f"领办重点提案：{proposal.number}", body=proposal.title)
    return proposal


@transaction.atomic
def proposal_supervise(*, actor, proposal: Proposal | int, kind: str, note: str) -> Supervision:
    require_role(actor, Role.STAFF, Role.LEADER)
    if kind not in Supervision.Kind.values:
        raise InvalidInput("督办方式只能是催办、视察督办或协商督办。")
    note = (note or "").strip()
    if not note:
        raise InvalidInput("请填写督办情况。")
    proposal = _lock(proposal)
    if proposal.state not in (State.ASSIGNED, State.IN_PROGRESS, State.REHANDLING, State.REPLIED):
        raise TransitionNotAllowed("只能督办正在办理的提案。")
    record = Supervision.objects.create(proposal=proposal, kind=kind, note=note, actor=actor)
    audit_record(actor=actor, action="proposal_supervise", target=proposal, kind=kind)
    if kind == Supervision.Kind.URGE:
        open_ids = Assignment.objects.filter(proposal=proposal, state__in=Assignment.OPEN_STATES).values_list(
            "department_id", flat=True
        )
        notify(recipients=_department_users(open_ids), title=f"催办：{proposal.number}", body=note)
    return record


@transaction.atomic
def proposal_publish(*, actor, proposal: Proposal | int) -> Proposal:
    """公开 a registered proposal (and its reply once replied) on the members' site."""
    require_role(actor, Role.STAFF)
    proposal = _lock(proposal)
    if proposal.state not in Proposal.REGISTERED_STATES:
        raise TransitionNotAllowed("只有已立案的提案可以公开。")
    if proposal.publish_opt_out:
        raise TransitionNotAllowed("提案人已申请不公开这件提案。")
    proposal.is_published = True
    proposal.reply_published = proposal.state in (State.REPLIED, State.CLOSED)
    proposal.published_at = proposal.published_at or timezone.now()
    proposal.save(update_fields=["is_published", "reply_published", "published_at", "updated_at"])
    audit_record(actor=actor, action="proposal_publish", target=proposal)
    return proposal


@transaction.atomic
def proposal_unpublish(*, actor, proposal: Proposal | int) -> Proposal:
    require_role(actor, Role.STAFF)
    proposal = _lock(proposal)
    proposal.is_published = proposal.reply_published = False
    proposal.save(update_fields=["is_published", "reply_published", "updated_at"])
    audit_record(actor=actor, action="proposal_unpublish", target=proposal)
    return proposal


@transaction.atomic
def proposal_set_publish_opt_out(*, actor, proposal: Proposal | int, opt_out: bool) -> Proposal:
    """The proposer asks for the proposal not to be published (or withdraws that wish)."""
    proposal = _lock(proposal)
    member = Member.objects.filter(user=actor).first() if actor.effective_role == Role.MEMBER else None
    if member is None or member.pk != proposal.proposer_id:
        raise PermissionDenied("只有提案人可以申请不公开。")
    proposal.publish_opt_out = bool(opt_out)
    fields = ["publish_opt_out", "updated_at"]
    if opt_out and proposal.is_published:
        proposal.is_published = proposal.reply_published = False
        fields += ["is_published", "reply_published"]
    proposal.save(update_fields=fields)
    audit_record(actor=actor, action="proposal_publish_opt_out", target=proposal, opt_out=bool(opt_out))
    return proposal
