"""Writes for activities between sessions, stations, groups, the 监督员 register and 民情 cases.

Every function is keyword-only, runs in one transaction, locks the row it changes and writes an audit row
(and a transition log for state changes). Attendance is the only source of an activity's duty records.
"""

from datetime import date

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from members.models import DutyRecord, Member
from members.services import record_duty, withdraw_duty
from sqyy.services import opinion_report_create_submitted
from zhengxie.accounts.models import Role
from zhengxie.accounts.permissions import has_role, require_role
from zhengxie.notifications.services import notify
from zhengxie.workflow.errors import InvalidInput, TransitionNotAllowed
from zhengxie.workflow.services import audit_record, transition_record

from .models import Activity, Case, Group, Participant, Station, SupervisorAppointment


def _member_of(actor) -> Member:
    require_role(actor, Role.MEMBER)
    member = Member.objects.filter(user=actor).first()
    if member is None:
        raise PermissionDenied("您的账号未关联委员档案。")
    return member


def _lock_activity(activity) -> Activity:
    pk = activity.pk if isinstance(activity, Activity) else activity
    return Activity.objects.select_for_update().get(pk=pk)


def _lock_case(case) -> Case:
    pk = case.pk if isinstance(case, Case) else case
    return Case.objects.select_for_update(of=("self",)).select_related("member").get(pk=pk)


def _text(value, label: str, *, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise InvalidInput(f"请填写{label}。")
    return value


def _ids(members) -> list[int]:
    return sorted({m.pk if isinstance(m, Member) else int(m) for m in members or ()})


# --- stations, groups, 监督员 ---------------------------------------------------------------------------


@transaction.atomic
def station_create(
    *, actor, name: str, kind: str = Station.Kind.STATION, address: str = "", members=(), schedule: str = ""
) -> Station:
    require_role(actor, Role.STAFF)
    name = _text(name, "名称")
    if kind not in Station.Kind.values:
        raise InvalidInput("请选择工作站类型。")
    if Station.objects.filter(name=name).exists():
        raise InvalidInput(f"已有名为“{name}”的工作站。")
    station = Station.objects.create(name=name, kind=kind, address=address.strip(), schedule=schedule.strip())
    station.members.set(_ids(members))
    audit_record(actor=actor, action="station_create", target=station, members=_ids(members))
    return station


@transaction.atomic
def group_create(
    *, actor, name: str, kind: str, convener=None, members=(), sector=None, committee=None
) -> Group:
    require_role(actor, Role.STAFF)
    name = _text(name, "名称")
    if kind not in Group.Kind.values:
        raise InvalidInput("请选择活动组类型。")
    if Group.objects.filter(name=name).exists():
        raise InvalidInput(f"已有名为“{name}”的活动组。")
    ids = _ids(members)
    if convener is not None and convener.pk not in ids:
        ids.append(convener.pk)
    group = Group.objects.create(name=name, kind=kind, convener=convener, sector=sector, committee=committee)
    group.members.set(ids)
    audit_record(actor=actor, action="group_create", target=group, members=sorted(ids))
    return group


@transaction.atomic
def supervisor_appoint(
    *,
    actor,
    member: Member,
    office: str,
    start_date: date,
    kind=SupervisorAppointment.Kind.DEMOCRATIC,
    end_date: date | None = None,
    department=None,
) -> SupervisorAppointment:
    require_role(actor, Role.STAFF)
    office = _text(office, "受聘单位")
    if kind not in SupervisorAppointment.Kind.values:
        raise InvalidInput("请选择监督员类型。")
    if end_date is not None and end_date < start_date:
        raise InvalidInput("任期届满日期不能早于聘任日期。")
    row = SupervisorAppointment.objects.create(
        member=member,
        kind=kind,
        office=office,
        start_date=start_date,
        end_date=end_date,
        department=department,
    )
    audit_record(actor=actor, action="supervisor_appoint", target=row, member=member.pk, office=office)
    return row


# --- activities ----------------------------------------------------------------------------------------


@transaction.atomic
def activity_create(
    *,
    actor,
    kind: str,
    title: str,
    start,
    end=None,
    place: str = "",
    participants=(),
    station: Station | None = None,
    group: Group | None = None,
    committee=None,
    topic=None,
) -> Activity:
    """A new activity; participants (or, without any, the group's members) are invited. A start in the
    past is 补录: nothing is sent, attendance is recorded afterwards."""
    require_role(actor, Role.STAFF)
    title = _text(title, "活动名称")
    if kind not in Activity.Kind.values:
        raise InvalidInput("请选择活动类型。")
    if end is not None and end < start:
        raise InvalidInput("结束时间不能早于开始时间。")
    if kind == Activity.Kind.RECEPTION and station is None:
        raise InvalidInput("委员接待日须选择工作站。")
    if not place and station is not None:
        place = station.address or station.name
    activity = Activity.objects.create(
        kind=kind,
        title=title,
        start=start,
        end=end,
        place=place.strip(),
        station=station,
        group=group,
        committee=committee,
        topic=topic,
        created_by=actor,
    )
    ids = _ids(participants)
    if not ids and group is not None:
        ids = list(group.members.values_list("pk", flat=True))
    Participant.objects.bulk_create(Participant(activity=activity, member_id=pk) for pk in ids)
    transition_record(actor=actor, target=activity, from_state="", to_state=activity.state, action="create")
    audit_record(actor=actor, action="activity_create", target=activity, kind=kind, participants=ids)
    if start > timezone.now() and ids:
        users = [m.user for m in Member.objects.filter(pk__in=ids, user__isnull=False).select_related("user")]
        when = timezone.localtime(start)
        notify(
            recipients=users,
            title=f"{activity.get_kind_display()}活动通知：{title}",
            body=f"请于{when:%m月%d日 %H:%M}到{activity.place or '指定地点'}参加。",
            link=f"/activities/{activity.pk}/",
        )
    return activity


@transaction.atomic
def activity_cancel(*, actor, activity: Activity | int, reason: str = "") -> Activity:
    require_role(actor, Role.STAFF)
    activity = _lock_activity(activity)
    if activity.state != Activity.State.PLANNED:
        raise TransitionNotAllowed("只有计划中的活动可以取消。")
    if activity.participants.filter(status=Participant.Status.PRESENT).exists():
        raise TransitionNotAllowed("已有委员出席记录，不能取消。")
    activity.state = Activity.State.CANCELLED
    activity.save(update_fields=["state"])
    transition_record(
        actor=actor,
        target=activity,
        from_state=Activity.State.PLANNED,
        to_state=activity.state,
        action="cancel",
        comment=reason,
    )
    audit_record(actor=actor, action="activity_cancel", target=activity, reason=reason)
    return activity


@transaction.atomic
def activity_sign_up(*, actor, activity: Activity | int) -> Participant:
    """A member signs up for a planned activity that has not started."""
    member = _member_of(actor)
    activity = _lock_activity(activity)
    if activity.state != Activity.State.PLANNED or activity.start <= timezone.now():
        raise TransitionNotAllowed("该活动已开始或已结束，不能报名。")
    row, created = Participant.objects.get_or_create(
        activity=activity, member=member, defaults={"signed_up": True}
    )
    if not created:
        raise InvalidInput("您已在参加名单中。")
    audit_record(actor=actor, action="activity_sign_up", target=activity, member=member.pk)
    return row


@transaction.atomic
def activity_set_attendance(*, actor, activity: Activity | int, member: Member, status: str) -> Participant:
    """Staff take attendance: present → a confirmed duty record of the activity's kind; anything else
    removes that record again (a correction)."""
    require_role(actor, Role.STAFF)
    if status not in Participant.Status.values or status == Participant.Status.INVITED:
        raise InvalidInput("出席情况须为 出席/请假/缺席。")
    activity = _lock_activity(activity)
    if activity.state == Activity.State.CANCELLED:
        raise TransitionNotAllowed("活动已取消，不能登记出席。")
    if timezone.localtime(activity.start).date() > timezone.localdate():
        raise TransitionNotAllowed("活动尚未开始，不能登记出席。")
    row, _ = Participant.objects.select_for_update().get_or_create(activity=activity, member=member)
    before = row.status
    row.status = status
    row.save(update_fields=["status"])
    if status == Participant.Status.PRESENT:
        record_duty(
            actor=actor,
            member=member,
            kind=activity.duty_kind,
            date=timezone.localtime(activity.start).date(),
            source=activity,
            note=activity.title,
        )
    elif before == Participant.Status.PRESENT:
        withdraw_duty(actor=actor, kind=activity.duty_kind, source=activity, members=[member])
    audit_record(
        actor=actor,
        action="activity_attendance",
        target=activity,
        member=member.pk,
        status=status,
        before=before,
    )
    return row


@transaction.atomic
def activity_report(*, actor, activity: Activity | int, content: str, suggestion_count: int = 0) -> Activity:
    """The 调研报告/视察报告 with its suggestions; the activity is then done."""
    require_role(actor, Role.STAFF)
    content = _text(content, "报告内容")
    if suggestion_count is None or int(suggestion_count) < 0:
        raise InvalidInput("意见建议条数不能为负数。")
    activity = _lock_activity(activity)
    if activity.state == Activity.State.CANCELLED:
        raise TransitionNotAllowed("活动已取消。")
    before = activity.state
    activity.report_content = content
    activity.suggestion_count = int(suggestion_count)
    activity.reported_at = timezone.now()
    activity.state = Activity.State.DONE
    activity.save(update_fields=["report_content", "suggestion_count", "reported_at", "state"])
    if before != activity.state:
        transition_record(
            actor=actor, target=activity, from_state=before, to_state=activity.state, action="report"
        )
    audit_record(
        actor=actor, action="activity_report", target=activity, suggestion_count=int(suggestion_count)
    )
    return activity


# --- 民情 cases ------------------------------------------------------------------------------------------


@transaction.atomic
def case_create(
    *, actor, title: str, content: str, station: Station | None = None, people: int | None = None
) -> Case:
    """A member records a problem the people brought; it counts as 联系群众 (with the people reached)."""
    member = _member_of(actor)
    title = _text(title, "标题")[:200]
    content = _text(content, "问题内容")
    if people is not None and int(people) < 0:
        raise InvalidInput("人数不能为负数。")
    case = Case.objects.create(member=member, title=title, content=content, station=station, people=people)
    transition_record(actor=actor, target=case, from_state="", to_state=case.state, action="create")
    audit_record(actor=actor, action="case_create", target=case)
    record_duty(
        actor=actor,
        member=member,
        kind=DutyRecord.Kind.CONSTITUENCY_CONTACT,
        date=timezone.localdate(),
        source=case,
        people=people,
        note=f"民情：{title}",
    )
    return case


def _may_handle(actor, case: Case) -> bool:
    if has_role(actor, Role.STAFF):
        return True
    return has_role(actor, Role.MEMBER) and case.member.user_id == actor.pk


@transaction.atomic
def case_resolve(*, actor, case: Case | int, content: str) -> Case:
    """Who solved it and how; the member who recorded the case or staff close it."""
    case = _lock_case(case)
    if not _may_handle(actor, case):
        raise PermissionDenied("只有登记该民情的委员或机关工作人员可以办结。")
    content = _text(content, "解决情况")
    if case.state != Case.State.OPEN:
        raise TransitionNotAllowed("该民情已办结或已转社情民意。")
    case.state = Case.State.RESOLVED
    case.resolution = content
    case.resolved_by = actor
    case.resolved_at = timezone.now()
    case.save(update_fields=["state", "resolution", "resolved_by", "resolved_at"])
    transition_record(
        actor=actor, target=case, from_state=Case.State.OPEN, to_state=case.state, action="resolve"
    )
    audit_record(actor=actor, action="case_resolve", target=case)
    if case.member.user_id and case.member.user_id != actor.pk:
        notify(
            recipients=[case.member.user],
            title=f"民情已解决：{case.title}",
            body=content[:200],
            link=f"/cases/{case.pk}/",
        )
    return case


@transaction.atomic
def case_to_opinion(*, actor, case: Case | int):
    """In one step: a submitted 社情民意 report by the case's member, linked to the case."""
    case = _lock_case(case)
    if not (has_role(actor, Role.MEMBER) and case.member.user_id == actor.pk):
        raise PermissionDenied("只有登记该民情的委员可以转为社情民意。")
    if case.state != Case.State.OPEN:
        raise TransitionNotAllowed("该民情已办结或已转社情民意。")
    report = opinion_report_create_submitted(
        actor=actor,
        title=case.title,
        content=case.content,
        reflector=case.member,
        comment=f"由民情《{case.title}》转来",
    )
    record_duty(
        actor=actor,
        member=case.member,
        kind=DutyRecord.Kind.OPINION_SUBMITTED,
        date=timezone.localdate(),
        source=report,
        detail="",
        note=report.title,
    )
    case.state = Case.State.CONVERTED
    case.opinion_report = report
    case.save(update_fields=["state", "opinion_report"])
    transition_record(
        actor=actor, target=case, from_state=Case.State.OPEN, to_state=case.state, action="to_opinion"
    )
    audit_record(actor=actor, action="case_to_opinion", target=case, report=report.pk)
    return report
