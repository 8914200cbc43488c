"""The plenary season at office scale (issue 19): bulk 交办 at the 交办会.

All or nothing in one transaction, and statement-efficient: the proposals are locked in one statement,
every item is checked before anything is written, and the assignments, transition rows and audit rows
are written with bulk inserts; each department gets one notice listing its new proposals.
"""

from collections import defaultdict

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from proposals.models import Assignment, Proposal
from zhengxie.accounts.models import Department, Role
from zhengxie.accounts.permissions import require_role
from zhengxie.notifications.services import notify_many
from zhengxie.workflow.calendar import Due
from zhengxie.workflow.errors import InvalidInput
from zhengxie.workflow.models import AuditEntry, TransitionLog
from zhengxie.workflow.selectors import policy_current

from .handling import _chosen_due, _department_users, _due, _today, assign_span
from .intake import _owner_users

State = Proposal.State
ROLE = Assignment.Role

__all__ = ["proposals_assign_bulk", "check_assignment_roles"]


def check_assignment_roles(roles: list[str]) -> None:
    """The 交办 rules (as proposal_assign): one lead with any co units, or two or more separate units."""
    if not roles:
        raise InvalidInput("请至少选择一个承办单位。")
    if any(role not in ROLE.values for role in roles):
        raise InvalidInput("办理方式只能是主办、会办或分办。")
    leads, cos, separates = roles.count(ROLE.LEAD), roles.count(ROLE.CO), roles.count(ROLE.SEPARATE)
    if separates and (leads or cos):
        raise InvalidInput("分办不能与主办、会办同时使用。")
    if cos and not leads:
        raise InvalidInput("会办单位须有主办单位。")
    if leads > 1:
        raise InvalidInput("只能有一个主办单位。")
    if separates == 1:
        raise InvalidInput("分办须有两个或以上单位；只有一个单位时请选主办。")


def _int(value, message: str) -> int:
    try:
        return int(value.pk if hasattr(value, "pk") else value)
    except (TypeError, ValueError):
        raise InvalidInput(message) from None


@transaction.atomic
def proposals_assign_bulk(*, actor, items: list[dict]) -> list[Proposal]:
    """交办 many registered proposals at once: items are {"proposal": id, "assignments": [{"department",
    "role", "due_date"?}]}. Any refusal (its proposal named) leaves every proposal as it was."""
    require_role(actor, Role.STAFF)
    if not items:
        raise InvalidInput("请至少选择一件提案。")
    plan = []
    for item in items:
        pk = _int(item.get("proposal"), "提案编号无效。")
        rows = item.get("assignments") or []
        plan.append((pk, rows))
    ids = [pk for pk, _ in plan]
    if len(set(ids)) != len(ids):
        raise InvalidInput("同一件提案不能重复出现。")
    locked = {
        p.pk: p
        for p in Proposal.objects.select_for_update(of=("self",))
        .select_related("proposer__user", "created_by")
        .filter(pk__in=ids)
        .order_by("pk")
    }
    department_ids = {
        _int(row.get("department"), "承办单位无效。") for _, rows in plan for row in rows if row is not None
    }
    departments = Department.objects.in_bulk(department_ids)
    today = _today()
    policy = policy_current()
    spans: dict[str, Due] = {}
    now = timezone.now()
    tasks, labels = [], {}
    for pk, rows in plan:
        proposal = locked.get(pk)
        if proposal is None:
            raise InvalidInput(f"提案不存在（编号 {pk}）。")
        where = proposal.number or proposal.title
        if proposal.state != State.REGISTERED:
            raise InvalidInput(f"{where}：当前状态为“{proposal.get_state_display()}”，不能交办。")
        roles, seen = [], set()
        for row in rows:
            dept_id = _int(row.get("department"), "承办单位无效。")
            if dept_id in seen:
                raise InvalidInput(f"{where}：同一承办单位不能重复交办。")
            seen.add(dept_id)
            department = departments.get(dept_id)
            if department is None or not department.is_active:
                raise InvalidInput(f"{where}：承办单位不存在或已停用（编号 {dept_id}）。")
            roles.append(row.get("role"))
        try:
            check_assignment_roles(roles)
        except InvalidInput as exc:
            raise InvalidInput(f"{where}：{exc.message}") from None
        names = []
        for row, role in zip(rows, roles, strict=True):
            try:
                chosen = _chosen_due(row.get("due_date"), today)
            except InvalidInput as exc:
                raise InvalidInput(f"{where}：{exc.message}") from None
            span = assign_span(role, policy)
            if chosen is not None:
                span, due = "", Due(chosen, False)
            else:
                if span not in spans:
                    spans[span] = _due(today, span)
                due = spans[span]
            department = departments[_int(row.get("department"), "")]
            tasks.append(
                Assignment(
                    proposal=proposal,
                    department=department,
                    role=role,
                    assigned_at=now,
                    assigned_by=actor,
                    due_basis=today,
                    due_span=span,
                    due_date=due.date,
                    due_provisional=due.provisional,
                    stat_term_id=proposal.term_id,
                    stat_plenary_id=proposal.plenary_id,
                    stat_year=timezone.localtime(proposal.submitted_at).year
                    if proposal.submitted_at
                    else None,
                )
            )
            names.append(f"{department.name}（{ROLE(role).label}）")
        labels[pk] = "、".join(names)
    # Everything checked: write.
    Assignment.objects.bulk_create(tasks)
    Proposal.objects.filter(pk__in=ids).update(state=State.ASSIGNED, assigned_at=now, updated_at=now)
    task_type = ContentType.objects.get_for_model(Assignment)
    proposal_type = ContentType.objects.get_for_model(Proposal)
    TransitionLog.objects.bulk_create(
        [
            TransitionLog(
                content_type=task_type,
                object_id=t.pk,
                from_state="",
                to_state=Assignment.State.PENDING,
                action="assign",
                actor=actor,
            )
            for t in tasks
        ]
        + [
            TransitionLog(
                content_type=proposal_type,
                object_id=pk,
                from_state=State.REGISTERED,
                to_state=State.ASSIGNED,
                action="assign",
                actor=actor,
                comment=labels[pk],
            )
            for pk in ids
        ]
    )
    AuditEntry.objects.bulk_create(
        [
            AuditEntry(
                actor=actor,
                action="proposal_assign",
                content_type=proposal_type,
                object_id=str(pk),
                object_repr=str(locked[pk])[:200],
                detail={"to_state": State.ASSIGNED, "bulk": True, "departments": labels[pk]},
            )
            for pk in ids
        ]
    )
    by_department = defaultdict(list)
    for t in tasks:
        by_department[t.department_id].append(t)
    users = defaultdict(list)
    for user in _department_users(by_department):
        users[user.department_id].append(user)
    messages = []
    for dept_id, dept_tasks in by_department.items():
        first = min(t.due_date for t in dept_tasks)
        listed = "；".join(
            f"{t.proposal.number}《{t.proposal.title}》{t.get_role_display()}" for t in dept_tasks[:20]
        )
        messages.append(
            (
                users[dept_id],
                f"新交办提案{len(dept_tasks)}件",
                f"{listed}。最早办理期限{first:%Y年%m月%d日}。",
                "/portal/assignments/",
            )
        )
    for pk in ids:
        proposal = locked[pk]
        messages.append(
            (
                _owner_users(proposal),
                f"提案已交办：{proposal.number}",
                f"承办单位：{labels[pk]}",
                f"/proposals/{pk}/",
            )
        )
    notify_many(messages)
    for proposal in locked.values():
        proposal.state, proposal.assigned_at = State.ASSIGNED, now
    return [locked[pk] for pk in ids]
