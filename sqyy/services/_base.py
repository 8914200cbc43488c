"""Imports and helpers shared by the 社情民意 service modules (reports, transfers, bulletins).

The imports are re-exported for those modules, hence the file-wide F401 exemption."""

# ruff: noqa: F401

from datetime import date

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from members.models import DutyRecord, Member
from members.services import record_duty
from sqyy.models import (
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
from zhengxie.accounts.models import Department, Role, User
from zhengxie.accounts.permissions import require_role
from zhengxie.notifications.services import notify
from zhengxie.workflow import handling as rules
from zhengxie.workflow.calendar import WorkCalendar
from zhengxie.workflow.errors import InvalidInput, TransitionNotAllowed
from zhengxie.workflow.inputs import LETTER_EXTENSIONS, check_upload, parse_date
from zhengxie.workflow.selectors import policy_current
from zhengxie.workflow.services import audit_record, transition_record

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


def _clean_category(category, *, current: str = "") -> str:
    """A report's 类别: blank, or an entry of the managed list (社情民意类别) that is in use.

    A report keeps the category it already has even after staff retire that entry."""
    from ..models import OpinionCategory

    name = (category or "").strip()
    if not name or name == current:
        return name
    if not OpinionCategory.objects.filter(name=name, is_active=True).exists():
        offered = "、".join(OpinionCategory.objects.filter(is_active=True).values_list("name", flat=True))
        raise InvalidInput(f"类别“{name}”不在类别列表中，请从以下类别中选择：{offered}。")
    return name


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
