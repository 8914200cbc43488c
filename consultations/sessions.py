"""Sessions of the committee (全会, 常委会, 主席会议) as paperless meetings: leave requests, agenda,
materials with reading receipts, the order of 大会发言 and the group-discussion opinions on the work reports.

Every function is a service in the house style (keyword-only, actor first, one transaction, the row
locked, role and state checked, audit row written, people told on commit through notify()).
"""

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from members.models import Member
from zhengxie.accounts.models import Role
from zhengxie.accounts.permissions import require_role
from zhengxie.notifications.services import notify
from zhengxie.workflow.errors import InvalidInput, TransitionNotAllowed
from zhengxie.workflow.inputs import check_upload, file_name
from zhengxie.workflow.services import audit_record

from .models import AgendaItem, Attendance, LeaveRequest, Material, MaterialRead, Meeting, ReportOpinion
from .services import STAFF_ONLY, _invited, _lock, _record_attendance_duty

MATERIAL_EXTENSIONS = frozenset({"pdf", "docx", "xlsx"})


def _staff(actor):
    require_role(actor, Role.STAFF, message=STAFF_ONLY)


def _staff_users():
    from zhengxie.accounts.models import User

    return list(User.objects.filter(role=Role.STAFF, is_active=True))


# --- leave ---------------------------------------------------------------------------------------


def leave_request_open(*, actor, meeting: Meeting, row: Attendance, kind: str, reason: str) -> LeaveRequest:
    """The body of leave_request_create, for callers already holding the meeting and invitation locks."""
    if meeting.state == Meeting.State.CANCELLED:
        raise TransitionNotAllowed("该会议已取消。")
    if meeting.state == Meeting.State.HELD or meeting.end <= timezone.now():
        raise InvalidInput("会议已结束，不能再请假。")
    if kind not in LeaveRequest.Kind.values:
        raise InvalidInput("请假类别应为事假、病假或公务。")
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("请假须填写事由。")
    if row.status == Attendance.Status.PRESENT:
        raise InvalidInput("您已签到出席，不能再请假。")
    try:
        with transaction.atomic():
            request = LeaveRequest.objects.create(
                meeting=meeting, member=row.member, kind=kind, reason=reason[:200]
            )
    except IntegrityError:
        raise InvalidInput("您已提交过请假申请，请等待审批结果。") from None
    row.reply, row.leave_reason, row.replied_at = Attendance.Reply.LEAVE, reason[:200], timezone.now()
    row.save(update_fields=["reply", "leave_reason", "replied_at"])
    notify(
        recipients=_staff_users(),
        title=f"请假申请：{meeting.title}",
        body=f"{row.member.name}申请{request.get_kind_display()}：{request.reason}",
        link=f"/workbench/consultations/meetings/{meeting.pk}/",
    )
    audit_record(actor=actor, action="leave_request_create", target=request, meeting=meeting.pk, kind=kind)
    return request


@transaction.atomic
def leave_request_create(*, actor, meeting: Meeting, reason: str, kind: str = "personal") -> LeaveRequest:
    """An invitee asks for leave (事假/病假/公务) with a reason, until the meeting ends; staff decide."""
    meeting = _lock(Meeting, meeting)
    row = _invited(actor, meeting)
    row.member = Member.objects.get(pk=row.member_id)
    return leave_request_open(actor=actor, meeting=meeting, row=row, kind=kind, reason=reason)


def _decide(actor, leave: LeaveRequest) -> tuple[LeaveRequest, Meeting]:
    _staff(actor)
    leave = (
        LeaveRequest.objects.select_for_update(of=("self",)).select_related("member__user").get(pk=leave.pk)
    )
    meeting = Meeting.objects.select_for_update().get(pk=leave.meeting_id)
    if meeting.state == Meeting.State.CANCELLED:
        raise TransitionNotAllowed("该会议已取消。")
    if leave.state != LeaveRequest.State.PENDING:
        raise TransitionNotAllowed(f"该请假申请{leave.get_state_display()}，不能重复审批。")
    return leave, meeting


@transaction.atomic
def leave_request_approve(*, actor, leave: LeaveRequest) -> LeaveRequest:
    """Approval makes the invitee's attendance 请假 (the scheme's leave value applies)."""
    leave, meeting = _decide(actor, leave)
    row = Attendance.objects.select_for_update().get(meeting=meeting, member=leave.member)
    if row.status == Attendance.Status.PRESENT:
        raise InvalidInput("该委员已签到出席，无需批准请假。")
    leave.state, leave.decided_by, leave.decided_at = LeaveRequest.State.APPROVED, actor, timezone.now()
    leave.save(update_fields=["state", "decided_by", "decided_at", "updated_at"])
    row.status, row.recorded_by = Attendance.Status.LEAVE, actor
    row.save(update_fields=["status", "recorded_by"])
    row.member = leave.member
    _record_attendance_duty(actor, meeting, row)
    if leave.member.user_id:
        notify(
            recipients=[leave.member.user],
            title=f"请假已批准：{meeting.title}",
            body=f"您的{leave.get_kind_display()}申请已批准。",
            link=f"/meetings/{meeting.pk}/",
        )
    audit_record(actor=actor, action="leave_request_approve", target=leave, meeting=meeting.pk)
    return leave


@transaction.atomic
def leave_request_decline(*, actor, leave: LeaveRequest, reason: str) -> LeaveRequest:
    """Declined: the invitee is expected; without a check-in the member is absent when the meeting is held."""
    leave, meeting = _decide(actor, leave)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("请填写未批准的原因。")
    leave.state, leave.decided_by, leave.decided_at = LeaveRequest.State.DECLINED, actor, timezone.now()
    leave.decline_reason = reason[:200]
    leave.save(update_fields=["state", "decided_by", "decided_at", "decline_reason", "updated_at"])
    Attendance.objects.filter(meeting=meeting, member=leave.member).update(
        reply=Attendance.Reply.PENDING, leave_reason=""
    )
    if leave.member.user_id:
        notify(
            recipients=[leave.member.user],
            title=f"请假未批准：{meeting.title}",
            body=f"原因：{leave.decline_reason}。请按时出席。",
            link=f"/meetings/{meeting.pk}/",
        )
    audit_record(actor=actor, action="leave_request_decline", target=leave, reason=leave.decline_reason)
    return leave


# --- agenda and materials ------------------------------------------------------------------------


@transaction.atomic
def agenda_item_add(*, actor, meeting: Meeting, order: int, title: str, presenter: str = "") -> AgendaItem:
    _staff(actor)
    meeting = _lock(Meeting, meeting)
    if meeting.state == Meeting.State.CANCELLED:
        raise TransitionNotAllowed("该会议已取消。")
    title = (title or "").strip()
    if not title:
        raise InvalidInput("请填写议程。")
    try:
        order = int(order)
    except (TypeError, ValueError):
        raise InvalidInput("议程顺序应为正整数。") from None
    if not 1 <= order <= 999:
        raise InvalidInput("议程顺序应为1至999的整数。")
    item = AgendaItem.objects.create(
        meeting=meeting, order=order, title=title[:300], presenter=(presenter or "").strip()[:100]
    )
    audit_record(actor=actor, action="agenda_item_add", target=item, meeting=meeting.pk)
    return item


def _tell_invitees_of(meeting: Meeting, material: Material) -> None:
    users = [
        a.member.user
        for a in Attendance.objects.filter(meeting=meeting).select_related("member__user")
        if a.member.user_id
    ]
    notify(
        recipients=users,
        title=f"会议材料：{meeting.title}",
        body=f"已发布会议材料《{material.title}》，请在手机上阅读。",
        link=f"/meetings/{meeting.pk}/",
    )


@transaction.atomic
def material_upload(
    *,
    actor,
    meeting: Meeting,
    title: str,
    file,
    agenda_item: AgendaItem | None = None,
    is_internal: bool = False,
    publish: bool = True,
) -> Material:
    """A PDF, DOCX or XLSX (content-checked) for the meeting or one agenda item; published at once
    unless `publish` is false, which pushes a notice to every invitee."""
    _staff(actor)
    meeting = _lock(Meeting, meeting)
    if meeting.state == Meeting.State.CANCELLED:
        raise TransitionNotAllowed("该会议已取消。")
    title = (title or "").strip() or file_name(file).rsplit(".", 1)[0]
    if file is None:
        raise InvalidInput("请选择材料文件。")
    check_upload(file, label="会议材料", extensions=MATERIAL_EXTENSIONS)
    if agenda_item is not None and agenda_item.meeting_id != meeting.pk:
        raise InvalidInput("议程不属于该会议。")
    material = Material(
        meeting=meeting,
        agenda_item=agenda_item,
        title=title[:200],
        size=file.size,
        is_internal=bool(is_internal),
        uploaded_by=actor,
    )
    material.file.save(file_name(file)[-120:], file, save=False)
    material.save()
    audit_record(actor=actor, action="material_upload", target=material, meeting=meeting.pk)
    if publish:
        material_publish(actor=actor, material=material)
    return material


@transaction.atomic
def material_publish(*, actor, material: Material) -> Material:
    _staff(actor)
    material = Material.objects.select_for_update().get(pk=material.pk)
    if material.published_at is not None:
        return material
    material.published_at = timezone.now()
    material.save(update_fields=["published_at"])
    _tell_invitees_of(material.meeting, material)
    audit_record(actor=actor, action="material_publish", target=material)
    return material


def material_mark_read(*, actor, material: Material) -> None:
    """阅读回执: first read creates the row, later reads count up; concurrent reads never double it."""
    created = MaterialRead.objects.get_or_create(material=material, user=actor)[1]
    if not created:
        MaterialRead.objects.filter(material=material, user=actor).update(
            times=F("times") + 1, last_read_at=timezone.now()
        )


# --- speeches and opinions -----------------------------------------------------------------------


@transaction.atomic
def speech_arrange(*, actor, speech, oral: bool, order: int | None = None):
    """Staff choose 口头 or 书面 and the order of 大会发言 (the 汇编 follows it)."""
    from .services import speech_pick

    speech = speech_pick(actor=actor, speech=speech, oral=oral)
    if order is not None:
        if not 1 <= int(order) <= 999:
            raise InvalidInput("发言顺序应为1至999的整数。")
        speech.order = int(order)
        speech.save(update_fields=["order", "updated_at"])
        audit_record(actor=actor, action="speech_order", target=speech, order=speech.order)
    return speech


@transaction.atomic
def report_opinion_add(
    *, actor, meeting: Meeting, report: str, content: str, member: Member | None = None
) -> ReportOpinion:
    """Staff record one group-discussion opinion on a work report, once the meeting has begun."""
    _staff(actor)
    meeting = _lock(Meeting, meeting)
    if meeting.state == Meeting.State.CANCELLED:
        raise TransitionNotAllowed("该会议已取消。")
    if timezone.now() < meeting.start:
        raise InvalidInput("会议尚未开始，不能记录讨论意见。")
    if report not in ReportOpinion.Report.values:
        raise InvalidInput("报告应为政府、法院、检察院或其他工作报告。")
    content = (content or "").strip()
    if not content:
        raise InvalidInput("请填写意见内容。")
    if member is not None and not Attendance.objects.filter(meeting=meeting, member=member).exists():
        raise InvalidInput("提出意见的委员不在本次会议的受邀名单中。")
    opinion = ReportOpinion.objects.create(
        meeting=meeting, report=report, content=content, member=member, recorded_by=actor
    )
    audit_record(actor=actor, action="report_opinion_add", target=opinion, report=report)
    return opinion


def require_reader(user, material: Material) -> None:
    """Invitees, staff and leaders may read a published material; raise PermissionDenied otherwise."""
    if user.is_office_staff or getattr(user, "role", None) == Role.LEADER:
        return
    if material.published_at is None:
        raise PermissionDenied
    if not Attendance.objects.filter(meeting_id=material.meeting_id, member__user=user).exists():
        raise PermissionDenied
