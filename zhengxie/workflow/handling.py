"""申请调整 and 申请延期: the rules every HandlingTask kind (proposal Assignment, 社情民意 Transfer) shares.

The functions take a task the caller has already locked (select_for_update) and has checked belongs to the
actor; they validate and change the task in memory and say what to save. The caller saves, records the
transition and audit row under its own action names, creates any replacement task and notifies — those
differ by kind. Errors are InvalidInput/TransitionNotAllowed with the Chinese message shown to users."""

from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from zhengxie.accounts.models import Department

from .calendar import WorkCalendar, add_months
from .errors import InvalidInput, TransitionNotAllowed
from .inputs import parse_date
from .models import HandlingTask
from .selectors import policy_current

State = HandlingTask.State
ExtensionState = HandlingTask.ExtensionState

__all__ = [
    "Move",
    "adjustment_reason_clean",
    "check_adjustment_allowed",
    "apply_adjustment_request",
    "check_adjustment_pending",
    "apply_adjustment_refusal",
    "adjustment_department",
    "apply_adjustment_approval",
    "extension_input_clean",
    "extension_request_check",
    "apply_extension_request",
    "check_extension_pending",
    "apply_extension_decision",
]


@dataclass(frozen=True)
class Move:
    """A state change to save and record: the caller passes these to its own move helper."""

    to_state: str
    action: str
    fields: tuple[str, ...] = ()
    comment: str = ""


def _assigned_on(task: HandlingTask) -> date:
    return timezone.localtime(task.assigned_at).date()


# --- 申请调整 ---------------------------------------------------------------------------------------


def adjustment_reason_clean(reason) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("申请调整须说明理由。")
    return reason


def check_adjustment_allowed(task: HandlingTask, today: date) -> None:
    """Only before replying, and within the policy's window of working days after 交办."""
    if task.state not in (State.PENDING, State.ACCEPTED):
        raise TransitionNotAllowed(f"当前状态为“{task.get_state_display()}”，不能申请调整。")
    window = policy_current().adjustment_window_workdays
    assigned_on = _assigned_on(task)
    elapsed = WorkCalendar.around(assigned_on, 1).workdays_between(assigned_on, today)
    if elapsed > window:
        raise InvalidInput(f"已超过交办后{window}个工作日的申请调整期限。")


def apply_adjustment_request(task: HandlingTask, reason: str) -> Move:
    """Remember the state to go back to if staff refuse."""
    task.adjustment_reason = reason
    task.adjustment_from_state = task.state
    return Move(
        to_state=State.ADJUSTMENT_REQUESTED,
        action="request_adjustment",
        fields=("adjustment_reason", "adjustment_from_state"),
        comment=reason,
    )


def check_adjustment_pending(task: HandlingTask) -> None:
    if task.state != State.ADJUSTMENT_REQUESTED:
        raise TransitionNotAllowed(f"该{task.TASK_NOUN}没有待处理的调整申请。")


def apply_adjustment_refusal(task: HandlingTask) -> Move:
    """Back to where the task was when the department asked."""
    return Move(to_state=task.adjustment_from_state or State.PENDING, action="refuse_adjustment")


def adjustment_department(department) -> Department:
    """The active department an approved adjustment goes to (a Department or its id)."""
    dept_id = department.pk if isinstance(department, Department) else department
    found = Department.objects.filter(pk=dept_id, is_active=True).first() if dept_id else None
    if found is None:
        raise InvalidInput("同意调整须选择新的承办单位。")
    return found


def apply_adjustment_approval(task: HandlingTask, replacement: HandlingTask) -> Move:
    """This task is cancelled and points at the one that replaces it."""
    task.replaced_by = replacement
    return Move(
        to_state=State.CANCELLED,
        action="approve_adjustment",
        fields=("replaced_by",),
        comment=f"改由{replacement.department.name}承办",
    )


# --- 申请延期 ---------------------------------------------------------------------------------------


def extension_input_clean(reason, requested_date) -> tuple[str, date]:
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("申请延期须说明理由。")
    return reason, parse_date(requested_date, "延期日期")


def extension_request_check(task: HandlingTask, requested_date: date) -> None:
    """While open, one request at a time, later than now and never past the cap after 交办."""
    if not task.is_open:
        raise TransitionNotAllowed(f"当前状态为“{task.get_state_display()}”，不能申请延期。")
    if task.extension_state == ExtensionState.PENDING:
        raise TransitionNotAllowed("已有延期申请待审批。")
    if requested_date <= task.due_date:
        raise InvalidInput("延期日期须晚于现在的办理期限。")
    months = policy_current().extension_cap_months
    cap = add_months(_assigned_on(task), months)
    if requested_date > cap:
        raise InvalidInput(f"延期后期限不能晚于{cap:%Y年%m月%d日}（交办后{months}个月）。")


def apply_extension_request(task: HandlingTask, reason: str, requested_date: date) -> list[str]:
    """Only the request is stored: the due date moves when staff approve."""
    task.extension_state = ExtensionState.PENDING
    task.extension_reason = reason
    task.extension_due_date = requested_date
    return ["extension_state", "extension_reason", "extension_due_date"]


def check_extension_pending(task: HandlingTask) -> None:
    if task.extension_state != ExtensionState.PENDING:
        raise TransitionNotAllowed(f"该{task.TASK_NOUN}没有待审批的延期申请。")


def apply_extension_decision(task: HandlingTask, approve: bool) -> tuple[list[str], str]:
    """The fields to save and, when approved, the history comment ("" when refused). An approved date is
    fixed (no span), so a calendar change does not recompute it."""
    if not approve:
        task.extension_state = ExtensionState.REFUSED
        return ["extension_state"], ""
    old = task.due_date
    task.due_date, task.due_span, task.due_provisional = task.extension_due_date, "", False
    task.extension_state = ExtensionState.APPROVED
    comment = f"期限由{old:%Y-%m-%d}延至{task.due_date:%Y-%m-%d}"
    return ["extension_state", "due_date", "due_span", "due_provisional"], comment
