"""社情民意 actions: reporting, editing and adopting, 批示, 《社情民意》 bulletins, 报送 and 上级采用,
转办 to departments and the feedback that closes a report. Every state change goes through here."""

from datetime import date

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from members.models import DutyRecord, Member
from members.services import record_duty
from zhengxie.accounts.models import Department, Role, User
from zhengxie.accounts.permissions import require_role
from zhengxie.notifications.services import notify
from zhengxie.workflow import handling as rules
from zhengxie.workflow.calendar import WorkCalendar
from zhengxie.workflow.errors import InvalidInput, TransitionNotAllowed
from zhengxie.workflow.inputs import LETTER_EXTENSIONS, check_upload, parse_date
from zhengxie.workflow.selectors import policy_current
from zhengxie.workflow.services import audit_record, transition_record

from .models import (
    Bulletin,
    BulletinItem,
    BulletinSequence,
    Forwarding,
    Instruction,
    OpinionAttachment,
    OpinionReport,
    Transfer,
    UpperAdoption,
)

State = OpinionReport.State
Kind = OpinionReport.ReflectorKind
TaskState = Transfer.State


# --- helpers ---------------------------------------------------------------------------------------


def _today() -> date:
    return timezone.localdate()


def _lock(report: OpinionReport | int) -> OpinionReport:
    pk = report.pk if isinstance(report, OpinionReport) else report
    return OpinionReport.objects.select_for_update(of=("self",)).select_related("reflector__user").get(pk=pk)


def _lock_bulletin(bulletin: Bulletin | int) -> Bulletin:
    pk = bulletin.pk if isinstance(bulletin, Bulletin) else bulletin
    return Bulletin.objects.select_for_update().get(pk=pk)


def _lock_transfer(transfer: Transfer | int) -> Transfer:
    pk = transfer.pk if isinstance(transfer, Transfer) else transfer
    return Transfer.objects.select_for_update(of=("self",)).select_related("department", "report").get(pk=pk)


def _move(report: OpinionReport, *, actor, to_state: str, action: str, comment: str = "", fields=()) -> None:
    from_state = report.state
    report.state = to_state
    report.save(update_fields=["state", "updated_at", *fields])
    transition_record(
        actor=actor, target=report, from_state=from_state, to_state=to_state, action=action, comment=comment
    )
    audit_record(actor=actor, action=f"opinion_report_{action}", target=report, to_state=to_state)


def _require_state(report: OpinionReport, *states, action: str) -> None:
    if report.state not in states:
        raise TransitionNotAllowed(f"当前状态为“{report.get_state_display()}”，不能{action}。")


def _is_owner(actor, report: OpinionReport) -> bool:
    if report.created_by_id == actor.pk:
        return True
    member = getattr(actor, "member", None) if actor.effective_role == Role.MEMBER else None
    return member is not None and report.reflector_id == member.pk


def _require_owner(actor, report: OpinionReport) -> None:
    require_role(actor, Role.MEMBER, Role.STAFF)
    if not _is_owner(actor, report):
        raise PermissionDenied("只有反映人或录入人可以修改、提交这条社情民意。")


def _clean_text(title, content) -> tuple[str, str]:
    title, content = (title or "").strip(), (content or "").strip()
    if not title:
        raise InvalidInput("请填写标题。")
    if len(title) > 200:
        raise InvalidInput("标题不能超过200字。")
    if not content:
        raise InvalidInput("请填写内容。")
    limit = policy_current().opinion_content_max
    if len(content) > limit:
        raise InvalidInput(f"内容不能超过{limit}字（现有{len(content)}字），请精简后再提交。")
    return title, content


def _notify_reflector(report: OpinionReport, title: str, body: str) -> None:
    users = []
    if report.reflector_id and report.reflector.user_id:
        users.append(report.reflector.user)
    if report.created_by_id and report.created_by.effective_role == Role.MEMBER:
        users.append(report.created_by)
    if users:
        notify(recipients=users, title=title, body=body, link=f"/opinions/{report.pk}/")


def _staff_users() -> list:
    return list(User.objects.filter(role=Role.STAFF, is_active=True))


def _duty(report: OpinionReport, *, actor, kind: str, source, detail: str) -> None:
    """Duty points go to a member reflector only (parties, 界别 and staff are not scored)."""
    if report.reflector_kind == Kind.MEMBER and report.reflector_id:
        record_duty(
            actor=actor, member=report.reflector, kind=kind, date=_today(), source=source, detail=detail
        )


# --- reporting -------------------------------------------------------------------------------------


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
        reflector_kind=Kind.MEMBER if reflector is not None else Kind.ORGANIZATION,
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


@transaction.atomic
def opinion_report_create(
    *,
    actor,
    title: str,
    content: str,
    category: str = "",
    is_urgent: bool = False,
    reflector_kind: str | None = None,
    reflector: Member | int | None = None,
    reflector_name: str = "",
) -> OpinionReport:
    """A draft. A member reports in their own name; staff enter one for a member, a party, an
    organisation, a 界别 or 专委会, or in the office's own name."""
    require_role(actor, Role.MEMBER, Role.STAFF)
    title, content = _clean_text(title, content)
    reflector_name = (reflector_name or "").strip()
    if actor.effective_role == Role.MEMBER:
        member = getattr(actor, "member", None)
        if member is None:
            raise PermissionDenied("您的账号未关联委员信息。")
        kind, reflector, reflector_name = Kind.MEMBER, member, ""
    else:
        kind = reflector_kind or Kind.STAFF
        if kind not in Kind.values:
            raise InvalidInput("反映人类型只能是委员、民主党派、人民团体/组织、界别、专委会或机关工作人员。")
        if kind == Kind.MEMBER:
            if reflector in (None, ""):
                raise InvalidInput("请选择反映的委员。")
            pk = reflector.pk if isinstance(reflector, Member) else reflector
            reflector = Member.objects.filter(pk=pk).first() if str(pk).isdigit() else None
            if reflector is None:
                raise InvalidInput("反映的委员不存在。")
            reflector_name = ""
        else:
            reflector = None
            if kind == Kind.STAFF and not reflector_name:
                reflector_name = actor.display_name
            if not reflector_name:
                raise InvalidInput("请填写反映单位名称（党派、团体、界别或专委会）。")
    report = OpinionReport.objects.create(
        title=title,
        content=content,
        category=(category or "").strip()[:50],
        is_urgent=bool(is_urgent),
        reflector_kind=kind,
        reflector=reflector,
        reflector_name=reflector_name[:200],
        created_by=actor,
    )
    transition_record(actor=actor, target=report, from_state="", to_state=State.DRAFT, action="create")
    audit_record(actor=actor, action="opinion_report_create", target=report)
    return report


@transaction.atomic
def opinion_report_update(
    *, actor, report: OpinionReport | int, title=None, content=None, category=None, is_urgent=None
) -> OpinionReport:
    """The reflector (or whoever entered it) changes a draft or a returned report."""
    report = _lock(report)
    _require_owner(actor, report)
    _require_state(report, State.DRAFT, State.RETURNED, action="修改")
    title, content = _clean_text(
        report.title if title is None else title, report.content if content is None else content
    )
    report.title, report.content = title, content
    if category is not None:
        report.category = category.strip()[:50]
    if is_urgent is not None:
        report.is_urgent = bool(is_urgent)
    report.save(update_fields=["title", "content", "category", "is_urgent", "updated_at"])
    audit_record(actor=actor, action="opinion_report_update", target=report)
    return report


@transaction.atomic
def opinion_report_edit(
    *, actor, report: OpinionReport | int, title=None, content=None, category=None, is_urgent=None
) -> OpinionReport:
    """The office edits the text for the bulletin; the reflector's original stays as it was."""
    require_role(actor, Role.STAFF)
    report = _lock(report)
    _require_state(report, *OpinionReport.EDITABLE_BY_STAFF, action="编辑")
    _set_edited_text(report, title, content)
    if category is not None:
        report.category = category.strip()[:50]
    if is_urgent is not None:
        report.is_urgent = bool(is_urgent)
    report.save(update_fields=["edited_title", "edited_content", "category", "is_urgent", "updated_at"])
    audit_record(actor=actor, action="opinion_report_edit", target=report)
    return report


def _set_edited_text(report: OpinionReport, title, content) -> None:
    """An edit equal to the original is stored as no edit, so "edited" means something changed."""
    new_title = report.final_title if title in (None, "") else title
    new_content = report.final_content if content in (None, "") else content
    new_title, new_content = _clean_text(new_title, new_content)
    report.edited_title = "" if new_title == report.title else new_title
    report.edited_content = "" if new_content == report.content else new_content


@transaction.atomic
def opinion_report_attachment_add(*, actor, report: OpinionReport | int, file) -> OpinionAttachment:
    report = _lock(report)
    if not has_staff_role(actor):
        _require_owner(actor, report)
        _require_state(report, State.DRAFT, State.RETURNED, action="上传附件")
    if file is None:
        raise InvalidInput("请选择附件。")
    check_upload(file, label="附件")
    name = file.name.rsplit("/", 1)[-1][:200]
    attachment = OpinionAttachment(report=report, name=name, size=file.size, uploaded_by=actor)
    attachment.file.save(name, file, save=False)
    attachment.save()
    audit_record(actor=actor, action="opinion_report_attachment_add", target=report, name=name)
    return attachment


def has_staff_role(actor) -> bool:
    return bool(actor.is_authenticated and actor.effective_role == Role.STAFF)


@transaction.atomic
def opinion_report_submit(*, actor, report: OpinionReport | int) -> OpinionReport:
    report = _lock(report)
    _require_owner(actor, report)
    _require_state(report, State.DRAFT, State.RETURNED, action="提交")
    _clean_text(report.title, report.content)  # the policy may have shortened the limit since
    action = "resubmit" if report.state == State.RETURNED else "submit"
    report.submitted_at = timezone.now()
    report.return_reason = ""
    _move(
        report, actor=actor, to_state=State.SUBMITTED, action=action, fields=["submitted_at", "return_reason"]
    )
    _duty(report, actor=actor, kind=DutyRecord.Kind.OPINION_SUBMITTED, source=report, detail=report.title)
    if report.is_urgent:
        notify(
            recipients=_staff_users(),
            title=f"急事急报：{report.title}",
            body=f"{report.reflector_display}报送了一条急事急报的社情民意，请尽快处理。",
            link=f"/workbench/opinions/{report.pk}/",
        )
    return report


@transaction.atomic
def opinion_report_return(*, actor, report: OpinionReport | int, reason: str) -> OpinionReport:
    require_role(actor, Role.STAFF)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("退回修改须说明理由。")
    report = _lock(report)
    _require_state(report, State.SUBMITTED, action="退回")
    report.return_reason = reason
    _move(
        report,
        actor=actor,
        to_state=State.RETURNED,
        action="return",
        comment=reason,
        fields=["return_reason"],
    )
    _notify_reflector(report, f"社情民意退回修改：{report.title}", f"理由：{reason}")
    return report


@transaction.atomic
def opinion_report_adopt(*, actor, report: OpinionReport | int, title=None, content=None) -> OpinionReport:
    """采用, optionally with the office's edited title and text."""
    require_role(actor, Role.STAFF)
    report = _lock(report)
    if report.state == State.ADOPTED:
        raise TransitionNotAllowed("这条社情民意已经采用，不能重复采用。")
    _require_state(report, State.SUBMITTED, action="采用")
    _set_edited_text(report, title, content)
    report.adopted_at, report.adopted_by = timezone.now(), actor
    _move(
        report,
        actor=actor,
        to_state=State.ADOPTED,
        action="adopt",
        fields=["edited_title", "edited_content", "adopted_at", "adopted_by"],
    )
    _duty(report, actor=actor, kind=DutyRecord.Kind.OPINION_ADOPTED, source=report, detail=report.title)
    _notify_reflector(
        report, f"社情民意已采用：{report.title}", "您反映的社情民意信息已被采用，将编入《社情民意》。"
    )
    return report


@transaction.atomic
def opinion_report_reject(*, actor, report: OpinionReport | int, reason: str) -> OpinionReport:
    require_role(actor, Role.STAFF)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("不予采用须说明理由。")
    report = _lock(report)
    _require_state(report, State.SUBMITTED, action="不予采用")
    report.rejection_reason = reason
    _move(
        report,
        actor=actor,
        to_state=State.NOT_ADOPTED,
        action="reject",
        comment=reason,
        fields=["rejection_reason"],
    )
    _notify_reflector(report, f"社情民意未采用：{report.title}", f"理由：{reason}")
    return report


# --- 批示, 报送, 上级采用 ----------------------------------------------------------------------------


@transaction.atomic
def opinion_report_add_instruction(
    *, actor, report: OpinionReport | int, leader: str, level: str, content: str, date=None
) -> Instruction:
    require_role(actor, Role.STAFF, Role.LEADER)
    leader, content = (leader or "").strip(), (content or "").strip()
    if not leader:
        raise InvalidInput("请填写批示领导。")
    if level not in Instruction.Level.values:
        raise InvalidInput("批示级别只能是区级、市级、省级或国家级。")
    if not content:
        raise InvalidInput("请填写批示内容。")
    day = parse_date(date, "批示日期", default=_today())
    if day > _today():
        raise InvalidInput("批示日期不能晚于今天。")
    report = _lock(report)
    _require_state(report, *OpinionReport.INSTRUCTABLE, State.CLOSED, action="录入批示")
    instruction = Instruction.objects.create(
        report=report, leader=leader[:100], level=level, content=content, date=day, recorded_by=actor
    )
    label = f"{instruction.get_level_display()}领导{leader}批示"
    transition_record(
        actor=actor,
        target=report,
        from_state=report.state,
        to_state=report.state,
        action="instruct",
        comment=label,
    )
    audit_record(actor=actor, action="opinion_report_instruct", target=report, leader=leader, level=level)
    _duty(report, actor=actor, kind=DutyRecord.Kind.OPINION_INSTRUCTED, source=instruction, detail=label)
    _notify_reflector(report, f"社情民意获批示：{report.final_title}", f"{label}：{content[:200]}")
    return instruction


def _forward(report: OpinionReport, *, actor, to: str, day: date, bulletin: Bulletin | None) -> Forwarding:
    forwarding = Forwarding.objects.create(
        report=report, bulletin=bulletin, to=to, date=day, created_by=actor
    )
    if report.state == State.PUBLISHED:
        report.forwarded_at = timezone.now()
        _move(
            report,
            actor=actor,
            to_state=State.FORWARDED,
            action="forward",
            comment=f"报送{to}",
            fields=["forwarded_at"],
        )
    else:
        transition_record(
            actor=actor,
            target=report,
            from_state=report.state,
            to_state=report.state,
            action="forward",
            comment=f"报送{to}",
        )
    return forwarding


def _clean_to(to) -> str:
    to = (to or "").strip()
    if not to:
        raise InvalidInput("请填写报送单位（如市委办公室、市政府办公室、省政协）。")
    return to[:300]


@transaction.atomic
def opinion_report_forward(*, actor, report: OpinionReport | int, to: str, date=None) -> Forwarding:
    """报送 one published report on its own (a bulletin is forwarded as a whole by bulletin_forward)."""
    require_role(actor, Role.STAFF)
    to, day = _clean_to(to), parse_date(date, "报送日期", default=_today())
    report = _lock(report)
    _require_state(report, State.PUBLISHED, State.FORWARDED, State.TRANSFERRED, action="报送")
    forwarding = _forward(report, actor=actor, to=to, day=day, bulletin=None)
    audit_record(actor=actor, action="opinion_report_forward", target=report, to=to)
    return forwarding


@transaction.atomic
def opinion_report_record_upper_adoption(
    *, actor, report: OpinionReport | int, body: str, kind: str, date=None, note: str = ""
) -> UpperAdoption:
    """上级采用: a body it was sent to took it up, alone (单篇采用) or in a compilation (转送采用)."""
    require_role(actor, Role.STAFF)
    body = (body or "").strip()
    if not body:
        raise InvalidInput("请填写采用单位。")
    if kind not in UpperAdoption.Kind.values:
        raise InvalidInput("采用方式只能是单篇采用或转送采用。")
    day = parse_date(date, "采用日期", default=_today())
    report = _lock(report)
    if not report.forwardings.exists():
        raise TransitionNotAllowed("这条社情民意尚未报送，不能登记上级采用。")
    adoption = UpperAdoption.objects.create(
        report=report,
        body=body[:200],
        kind=kind,
        date=day,
        note=(note or "").strip()[:300],
        recorded_by=actor,
    )
    label = f"{body}{adoption.get_kind_display()}"
    transition_record(
        actor=actor,
        target=report,
        from_state=report.state,
        to_state=report.state,
        action="upper_adopt",
        comment=label,
    )
    audit_record(actor=actor, action="opinion_report_upper_adopt", target=report, body=body, kind=kind)
    _duty(report, actor=actor, kind=DutyRecord.Kind.OPINION_UPPER_ADOPTED, source=adoption, detail=label)
    _notify_reflector(report, f"社情民意被上级采用：{report.final_title}", label)
    return adoption


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


# --- 《社情民意》 bulletins -------------------------------------------------------------------------


def _next_issue_number(year: int) -> int:
    """Lock the year's sequence row in the caller's transaction: no repeats, and a rollback leaves no gap."""
    sequence = BulletinSequence.objects.select_for_update().filter(year=year).first()
    if sequence is None:
        try:
            with transaction.atomic():
                BulletinSequence.objects.create(year=year, last_number=0)
        except IntegrityError:
            pass  # another editor created it first; lock theirs below
        sequence = BulletinSequence.objects.select_for_update().get(year=year)
    sequence.last_number += 1
    sequence.save(update_fields=["last_number"])
    return sequence.last_number


def _bulletin_move(
    bulletin: Bulletin, *, actor, to_state: str, action: str, comment: str = "", fields=()
) -> None:
    from_state = bulletin.state
    bulletin.state = to_state
    bulletin.save(update_fields=["state", *fields])
    transition_record(
        actor=actor, target=bulletin, from_state=from_state, to_state=to_state, action=action, comment=comment
    )
    audit_record(actor=actor, action=f"bulletin_{action}", target=bulletin, to_state=to_state)


@transaction.atomic
def bulletin_create(*, actor, year=None, date=None, title: str = "", editor_note: str = "") -> Bulletin:
    """A new issue with the next number of its year (2026年第12期)."""
    require_role(actor, Role.STAFF)
    day = parse_date(date, "日期", default=_today())
    if year in (None, ""):
        year = day.year
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise InvalidInput("年份无效。") from None
    if not 2000 <= year <= 2100:
        raise InvalidInput("年份无效。")
    if date in (None, "") and year != day.year:
        day = (
            day.replace(year=year, month=12, day=31)
            if year < day.year
            else day.replace(year=year, month=1, day=1)
        )
    if day.year != year:
        raise InvalidInput("期刊日期须在所属年份内。")
    bulletin = Bulletin.objects.create(
        year=year,
        number=_next_issue_number(year),
        title=(title or "").strip()[:100] or "社情民意",
        date=day,
        editor_note=(editor_note or "").strip(),
        created_by=actor,
    )
    transition_record(
        actor=actor, target=bulletin, from_state="", to_state=Bulletin.State.DRAFT, action="create"
    )
    audit_record(actor=actor, action="bulletin_create", target=bulletin)
    return bulletin


@transaction.atomic
def bulletin_update(*, actor, bulletin: Bulletin | int, date=None, title=None, editor_note=None) -> Bulletin:
    require_role(actor, Role.STAFF)
    bulletin = _lock_bulletin(bulletin)
    if bulletin.state != Bulletin.State.DRAFT:
        raise TransitionNotAllowed("期刊已刊发，不能再修改。")
    if date not in (None, ""):
        day = parse_date(date, "日期", default=_today())
        if day.year != bulletin.year:
            raise InvalidInput("期刊日期须在所属年份内。")
        bulletin.date = day
    if title is not None:
        bulletin.title = title.strip()[:100] or "社情民意"
    if editor_note is not None:
        bulletin.editor_note = editor_note.strip()
    bulletin.save(update_fields=["date", "title", "editor_note"])
    audit_record(actor=actor, action="bulletin_update", target=bulletin)
    return bulletin


def _require_draft(bulletin: Bulletin) -> None:
    if bulletin.state != Bulletin.State.DRAFT:
        raise TransitionNotAllowed(f"{bulletin.issue_label}已刊发，不能再调整篇目。")


@transaction.atomic
def bulletin_add_report(
    *, actor, bulletin: Bulletin | int, report: OpinionReport | int, position: int | None = None
) -> BulletinItem:
    require_role(actor, Role.STAFF)
    bulletin = _lock_bulletin(bulletin)
    _require_draft(bulletin)
    try:
        report = _lock(report)
    except OpinionReport.DoesNotExist:
        raise InvalidInput("社情民意不存在。") from None
    if report.state != State.ADOPTED:
        raise InvalidInput(
            f"只有已采用的社情民意才能编入期刊（《{report.title}》当前为“{report.get_state_display()}”）。"
        )
    existing = BulletinItem.objects.filter(report=report).select_related("bulletin").first()
    if existing is not None:
        raise InvalidInput(f"《{report.final_title}》已编入{existing.bulletin.issue_label}。")
    items = list(BulletinItem.objects.filter(bulletin=bulletin).order_by("order", "id"))
    item = BulletinItem(bulletin=bulletin, report=report)
    index = len(items) if position is None else max(0, min(int(position) - 1, len(items)))
    items.insert(index, item)
    item.order = index + 1
    item.save()
    _renumber(items)
    audit_record(actor=actor, action="bulletin_add_report", target=bulletin, report=report.pk)
    return item


def _renumber(items: list[BulletinItem]) -> None:
    for order, item in enumerate(items, start=1):
        item.order = order
    BulletinItem.objects.bulk_update(items, ["order"])


@transaction.atomic
def bulletin_remove_report(*, actor, bulletin: Bulletin | int, report: OpinionReport | int) -> None:
    require_role(actor, Role.STAFF)
    bulletin = _lock_bulletin(bulletin)
    _require_draft(bulletin)
    report_id = report.pk if isinstance(report, OpinionReport) else report
    deleted, _ = BulletinItem.objects.filter(bulletin=bulletin, report_id=report_id).delete()
    if not deleted:
        raise InvalidInput("这条社情民意不在本期中。")
    _renumber(list(BulletinItem.objects.filter(bulletin=bulletin).order_by("order", "id")))
    audit_record(actor=actor, action="bulletin_remove_report", target=bulletin, report=report_id)


@transaction.atomic
def bulletin_reorder(*, actor, bulletin: Bulletin | int, report_ids: list) -> Bulletin:
    """Set the order of the issue's reports: `report_ids` must list each of them exactly once."""
    require_role(actor, Role.STAFF)
    bulletin = _lock_bulletin(bulletin)
    _require_draft(bulletin)
    try:
        wanted = [int(pk) for pk in report_ids]
    except (TypeError, ValueError):
        raise InvalidInput("篇目顺序无效。") from None
    items = {item.report_id: item for item in BulletinItem.objects.filter(bulletin=bulletin)}
    if len(wanted) != len(set(wanted)) or set(wanted) != set(items):
        raise InvalidInput("排序须包含本期全部篇目，且每篇只出现一次。")
    _renumber([items[pk] for pk in wanted])
    audit_record(actor=actor, action="bulletin_reorder", target=bulletin, order=wanted)
    return bulletin


@transaction.atomic
def bulletin_publish(*, actor, bulletin: Bulletin | int) -> Bulletin:
    """刊发: the issue and each of its reports become published."""
    require_role(actor, Role.STAFF)
    bulletin = _lock_bulletin(bulletin)
    if bulletin.state != Bulletin.State.DRAFT:
        raise TransitionNotAllowed(f"{bulletin.issue_label}已刊发。")
    report_ids = list(BulletinItem.objects.filter(bulletin=bulletin).values_list("report_id", flat=True))
    if not report_ids:
        raise InvalidInput("本期还没有篇目，不能刊发。")
    now = timezone.now()
    for report in (
        OpinionReport.objects.select_for_update(of=("self",))
        .select_related("reflector__user", "created_by")
        .filter(pk__in=report_ids)
    ):
        if report.state != State.ADOPTED:
            raise TransitionNotAllowed(
                f"《{report.final_title}》当前为“{report.get_state_display()}”，不能刊发。"
            )
        report.published_at = now
        _move(
            report,
            actor=actor,
            to_state=State.PUBLISHED,
            action="publish",
            comment=bulletin.issue_label,
            fields=["published_at"],
        )
        _notify_reflector(
            report,
            f"社情民意已刊发：{report.final_title}",
            f"编入《{bulletin.title}》{bulletin.issue_label}。",
        )
    bulletin.published_at = now
    _bulletin_move(
        bulletin, actor=actor, to_state=Bulletin.State.PUBLISHED, action="publish", fields=["published_at"]
    )
    return bulletin


@transaction.atomic
def bulletin_forward(*, actor, bulletin: Bulletin | int, to: str, date=None) -> Bulletin:
    """报送 the issue (to the Party committee, the government, the 上级政协): a 报送 record per report."""
    require_role(actor, Role.STAFF)
    to, day = _clean_to(to), parse_date(date, "报送日期", default=_today())
    bulletin = _lock_bulletin(bulletin)
    if bulletin.state == Bulletin.State.DRAFT:
        raise TransitionNotAllowed("期刊刊发后才能报送。")
    reports = (
        OpinionReport.objects.select_for_update(of=("self",))
        .filter(bulletin_item__bulletin=bulletin)
        .order_by("bulletin_item__order")
    )
    for report in reports:
        _forward(report, actor=actor, to=to, day=day, bulletin=bulletin)
    bulletin.forwarded_to = "；".join(filter(None, [bulletin.forwarded_to, to]))[:300]
    bulletin.forwarded_on = day
    if bulletin.state == Bulletin.State.PUBLISHED:
        _bulletin_move(
            bulletin,
            actor=actor,
            to_state=Bulletin.State.FORWARDED,
            action="forward",
            comment=to,
            fields=["forwarded_to", "forwarded_on"],
        )
    else:
        bulletin.save(update_fields=["forwarded_to", "forwarded_on"])
        transition_record(
            actor=actor,
            target=bulletin,
            from_state=bulletin.state,
            to_state=bulletin.state,
            action="forward",
            comment=to,
        )
        audit_record(actor=actor, action="bulletin_forward", target=bulletin, to=to)
    return bulletin


@transaction.atomic
def opinion_report_save(
    *, actor, report: OpinionReport | int | None = None, submit: bool = False, attachment=None, **fields
) -> OpinionReport:
    """The report form's one call: create (or change) the draft, keep its attachment, and submit it
    when asked — all or nothing, so a refused submission leaves no half-saved draft behind."""
    if report is None:
        report = opinion_report_create(actor=actor, **fields)
    else:
        allowed = {k: fields[k] for k in ("title", "content", "category", "is_urgent") if k in fields}
        report = opinion_report_update(actor=actor, report=report, **allowed)
    if attachment is not None:
        opinion_report_attachment_add(actor=actor, report=report, file=attachment)
    if submit:
        report = opinion_report_submit(actor=actor, report=report)
    return report
