"""转办: transfer to departments, signing, replies, adjustment and extension, feedback to the reflector."""

from ._base import (
    LETTER_EXTENSIONS,
    Department,
    InvalidInput,
    OpinionReport,
    PermissionDenied,
    Role,
    State,
    TaskState,
    Transfer,
    TransitionNotAllowed,
    User,
    WorkCalendar,
    _lock,
    _lock_transfer,
    _move,
    _notify_reflector,
    _require_state,
    _staff_users,
    _today,
    audit_record,
    check_upload,
    notify,
    policy_current,
    require_role,
    rules,
    timezone,
    transaction,
    transition_record,
)

# --- 转办 and feedback -------------------------------------------------------------------------------


@transaction.atomic
def opinion_report_transfer(*, actor, report: OpinionReport | int, departments: list) -> list[Transfer]:
    """转办 to one or more departments, each with the policy's deadline (default 1 month)."""
    require_role(actor, Role.STAFF)
    if not departments:
        raise InvalidInput("请至少选择一个承办单位。")
    ids = []
    for dept in departments:
        value = dept.pk if isinstance(dept, Department) else dept
        try:
            value = int(value)
        except (TypeError, ValueError):
            raise InvalidInput("承办单位无效。") from None
        if value in ids:
            raise InvalidInput("同一承办单位不能重复转办。")
        ids.append(value)
    found = Department.objects.in_bulk(ids)
    for pk in ids:
        if pk not in found or not found[pk].is_active:
            raise InvalidInput(f"承办单位不存在或已停用（编号 {pk}）。")
    report = _lock(report)
    instructed = report.instructions.exists()
    if not (
        report.state in (State.FORWARDED, State.TRANSFERRED)
        or (report.state in (State.ADOPTED, State.PUBLISHED) and instructed)
    ):
        raise TransitionNotAllowed(
            f"当前状态为“{report.get_state_display()}”，须报送上级或获领导批示后才能转办。"
        )
    already = set(
        Transfer.objects.filter(report=report, department_id__in=ids)
        .exclude(state=TaskState.CANCELLED)
        .values_list("department_id", flat=True)
    )
    if already:
        names = "、".join(found[pk].name for pk in ids if pk in already)
        raise InvalidInput(f"已转办过这些单位：{names}。")
    months = policy_current().transfer_months
    span, today, now = f"{months}m", _today(), timezone.now()
    due = WorkCalendar.around(today).due(today, span)
    created = []
    for pk in ids:
        task = Transfer.objects.create(
            report=report,
            department=found[pk],
            assigned_at=now,
            assigned_by=actor,
            due_basis=today,
            due_span=span,
            due_date=due.date,
            due_provisional=due.provisional,
        )
        transition_record(
            actor=actor, target=task, from_state="", to_state=TaskState.PENDING, action="assign"
        )
        notify(
            recipients=User.objects.filter(department_id=pk, is_active=True),
            title=f"新转办社情民意：{report.final_title}",
            body=f"请于{due.date:%Y年%m月%d日}前办理并答复。",
            link=task.portal_url(),
        )
        created.append(task)
    names = "、".join(found[pk].name for pk in ids)
    if report.state == State.TRANSFERRED:
        transition_record(
            actor=actor,
            target=report,
            from_state=report.state,
            to_state=report.state,
            action="transfer",
            comment=names,
        )
        audit_record(actor=actor, action="opinion_report_transfer", target=report, departments=ids)
    else:
        _move(report, actor=actor, to_state=State.TRANSFERRED, action="transfer", comment=names)
    _notify_reflector(report, f"社情民意已转办：{report.final_title}", f"承办单位：{names}")
    return created


def _require_own_department(actor, task: Transfer) -> None:
    require_role(actor, Role.DEPARTMENT)
    if actor.department_id != task.department_id:
        raise PermissionDenied("这不是本单位承办的事项。")


def _task_move(task: Transfer, *, actor, to_state: str, action: str, comment: str = "", fields=()) -> None:
    from_state = task.state
    task.state = to_state
    task.save(update_fields=["state", *fields])
    transition_record(
        actor=actor, target=task, from_state=from_state, to_state=to_state, action=action, comment=comment
    )
    audit_record(actor=actor, action=f"transfer_{action}", target=task, to_state=to_state)


@transaction.atomic
def transfer_accept(*, actor, transfer: Transfer | int) -> Transfer:
    task = _lock_transfer(transfer)
    _require_own_department(actor, task)
    if task.state != TaskState.PENDING:
        raise TransitionNotAllowed(f"当前状态为“{task.get_state_display()}”，不能签收。")
    task.accepted_at = timezone.now()
    _task_move(task, actor=actor, to_state=TaskState.ACCEPTED, action="accept", fields=["accepted_at"])
    return task


@transaction.atomic
def transfer_reply(
    *, actor, transfer: Transfer | int, result: str, content: str, signer: str = "", letter=None
) -> Transfer:
    if result not in Transfer.Result.values:
        raise InvalidInput("答复类别只能是 A、B 或 C。")
    content = (content or "").strip()
    if not content:
        raise InvalidInput("请填写答复内容。")
    if letter is not None:
        check_upload(letter, extensions=LETTER_EXTENSIONS, label="答复函")
    task = _lock_transfer(transfer)
    _require_own_department(actor, task)
    if task.state == TaskState.PENDING:
        raise TransitionNotAllowed("请先签收，再答复。")
    if task.state != TaskState.ACCEPTED:
        raise TransitionNotAllowed(f"当前状态为“{task.get_state_display()}”，不能答复。")
    task.reply_result, task.reply_content = result, content
    task.reply_signer, task.replied_by = (signer or "").strip()[:50], actor
    if letter is not None:
        task.reply_letter.save(letter.name.rsplit("/", 1)[-1], letter, save=False)
    task.replied_at = timezone.now()
    _task_move(
        task,
        actor=actor,
        to_state=TaskState.REPLIED,
        action="reply",
        comment=f"答复类别 {result}",
        fields=["reply_result", "reply_content", "reply_signer", "replied_by", "reply_letter", "replied_at"],
    )
    notify(
        recipients=_staff_users(),
        title=f"转办答复：{task.report.final_title}",
        body=f"{task.department.name}已答复（{result}类），请向反映人反馈。",
        link=task.staff_url(),
    )
    return task


# --- 申请调整 and 申请延期 (rules shared with proposal assignments in zhengxie/workflow/handling.py) ----


def _task_apply(task: Transfer, move: rules.Move, *, actor) -> None:
    _task_move(
        task,
        actor=actor,
        to_state=move.to_state,
        action=move.action,
        comment=move.comment,
        fields=move.fields,
    )


def _department_users(*department_ids) -> list:
    return list(User.objects.filter(department_id__in=department_ids, is_active=True))


@transaction.atomic
def transfer_request_adjustment(*, actor, transfer: Transfer | int, reason: str) -> Transfer:
    """申请调整: the department says it is not theirs, within the policy's window after 转办."""
    reason = rules.adjustment_reason_clean(reason)
    task = _lock_transfer(transfer)
    _require_own_department(actor, task)
    rules.check_adjustment_allowed(task, _today())
    _task_apply(task, rules.apply_adjustment_request(task, reason), actor=actor)
    notify(
        recipients=_staff_users(),
        title=f"转办申请调整：{task.report.final_title}",
        body=f"{task.department.name}申请调整承办：{reason}",
        link=task.staff_url(),
    )
    return task


@transaction.atomic
def transfer_resolve_adjustment(
    *, actor, transfer: Transfer | int, approve: bool, department=None
) -> Transfer:
    """Staff approve (this transfer is cancelled and a new one, with a fresh deadline, goes to the chosen
    department; the replacement is returned) or refuse (back to the state before the request)."""
    require_role(actor, Role.STAFF)
    task = _lock_transfer(transfer)
    rules.check_adjustment_pending(task)
    if not approve:
        _task_apply(task, rules.apply_adjustment_refusal(task), actor=actor)
        notify(
            recipients=_department_users(task.department_id),
            title=f"转办调整申请未获同意：{task.report.final_title}",
            body="请继续办理并按期答复。",
            link=task.portal_url(),
        )
        return task
    new_department = rules.adjustment_department(department)
    if (
        Transfer.objects.filter(report_id=task.report_id, department=new_department)
        .exclude(state=TaskState.CANCELLED)
        .exists()
    ):
        raise InvalidInput(f"{new_department.name}已承办这条社情民意。")
    span, today = f"{policy_current().transfer_months}m", _today()
    due = WorkCalendar.around(today).due(today, span)
    replacement = Transfer.objects.create(
        report_id=task.report_id,
        department=new_department,
        assigned_at=timezone.now(),
        assigned_by=actor,
        due_basis=today,
        due_span=span,
        due_date=due.date,
        due_provisional=due.provisional,
    )
    transition_record(
        actor=actor,
        target=replacement,
        from_state="",
        to_state=TaskState.PENDING,
        action="assign",
        comment="调整转办",
    )
    _task_apply(task, rules.apply_adjustment_approval(task, replacement), actor=actor)
    title = task.report.final_title
    notify(
        recipients=_department_users(task.department_id),
        title=f"转办调整申请已同意：{title}",
        body=f"已改由{new_department.name}承办。",
        link=task.portal_url(),
    )
    notify(
        recipients=_department_users(new_department.pk),
        title=f"新转办社情民意：{title}",
        body=f"调整由贵单位承办，请于{due.date:%Y年%m月%d日}前办理并答复。",
        link=replacement.portal_url(),
    )
    notify(
        recipients=[u for u in _staff_users() if u.pk != actor.pk],
        title=f"转办已调整：{title}",
        body=f"由{task.department.name}改由{new_department.name}承办。",
        link=task.staff_url(),
    )
    return replacement


@transaction.atomic
def transfer_request_extension(*, actor, transfer: Transfer | int, reason: str, due_date) -> Transfer:
    """申请延期: only the request is stored; the deadline moves when staff approve."""
    reason, requested = rules.extension_input_clean(reason, due_date)
    task = _lock_transfer(transfer)
    _require_own_department(actor, task)
    rules.extension_request_check(task, requested)
    task.save(update_fields=rules.apply_extension_request(task, reason, requested))
    audit_record(actor=actor, action="transfer_request_extension", target=task, due_date=str(requested))
    notify(
        recipients=_staff_users(),
        title=f"转办申请延期：{task.report.final_title}",
        body=f"{task.department.name}申请延期至{requested:%Y-%m-%d}：{reason}",
        link=task.staff_url(),
    )
    return task


@transaction.atomic
def transfer_resolve_extension(*, actor, transfer: Transfer | int, approve: bool) -> Transfer:
    require_role(actor, Role.STAFF)
    task = _lock_transfer(transfer)
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
    audit_record(actor=actor, action="transfer_resolve_extension", target=task, approve=bool(approve))
    notify(
        recipients=_department_users(task.department_id),
        title=f"转办延期申请{'已同意' if approve else '未获同意'}：{task.report.final_title}",
        body=f"办理期限：{task.due_date:%Y年%m月%d日}",
        link=task.portal_url(),
    )
    return task


@transaction.atomic
def opinion_report_feedback(*, actor, report: OpinionReport | int, content: str) -> OpinionReport:
    """Staff tell the reflector what the departments did; this closes the report and its transfers."""
    require_role(actor, Role.STAFF)
    content = (content or "").strip()
    if not content:
        raise InvalidInput("请填写反馈内容。")
    report = _lock(report)
    _require_state(report, State.TRANSFERRED, action="反馈办结")
    tasks = list(
        Transfer.objects.select_for_update()
        .filter(report=report)
        .exclude(state=TaskState.CANCELLED)
        .order_by("id")
    )
    waiting = [t for t in tasks if t.state != TaskState.REPLIED]
    if waiting:
        raise TransitionNotAllowed(f"还有{len(waiting)}个承办单位尚未答复，不能反馈办结。")
    for task in tasks:
        _task_move(task, actor=actor, to_state=TaskState.CLOSED, action="close")
    now = timezone.now()
    report.feedback, report.feedback_at, report.closed_at = content, now, now
    _move(
        report,
        actor=actor,
        to_state=State.CLOSED,
        action="feedback",
        comment=content[:200],
        fields=["feedback", "feedback_at", "closed_at"],
    )
    _notify_reflector(report, f"社情民意办理反馈：{report.final_title}", content[:300])
    return report
