"""Every action that changes consultation work: one function per action, keyword-only, actor first.

Each runs in a transaction, locks the row it moves, checks the role and the state, writes the transition
log and audit row, records duty points through members.services and notifies the people concerned.
"""

from datetime import date as date_type
from datetime import timedelta

from django.core import signing
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from members.models import DutyRecord, Member, Plenary
from members.services import record_duty
from zhengxie.accounts.models import Role
from zhengxie.accounts.permissions import require_role
from zhengxie.notifications.services import notify
from zhengxie.workflow.calendar import WorkCalendar
from zhengxie.workflow.errors import InvalidInput, TransitionNotAllowed
from zhengxie.workflow.inputs import check_upload
from zhengxie.workflow.services import audit_record, transition_record

from .models import (
    SESSION_TYPES,
    Attendance,
    ConsultationPlan,
    ConsultationType,
    Feedback,
    Meeting,
    Outcome,
    ResearchActivity,
    Speech,
    Topic,
)

# Deadlines around a meeting, in 工作日 (DOMAIN.md: notice ~15 ahead, materials ~10 ahead, minutes ~7
# after). Kept here rather than in zhengxie.workflow.HandlingPolicy, which belongs to another app.
NOTICE_WORKDAYS_BEFORE = 15
MATERIALS_WORKDAYS_BEFORE = 10
MINUTES_WORKDAYS_AFTER = 7
# Members arrive before the start: the door QR code opens this long before the meeting and closes at its end.
CHECKIN_OPENS_BEFORE = timedelta(minutes=30)
DEFAULT_MEETING_LENGTH = timedelta(hours=3)
CHECKIN_SALT = "consultations.meeting.checkin"

STAFF_ONLY = "只有机关工作人员可以执行此操作。"
NOT_INVITED = "您未受邀参加此次协商活动。"

TopicState = Topic.State


def _staff(actor):
    require_role(actor, Role.STAFF, message=STAFF_ONLY)


def _lock(model, obj):
    return model.objects.select_for_update().get(pk=obj.pk)


def _move(*, actor, obj, to_state: str, action: str, comment: str = ""):
    from_state = obj.state
    obj.state = to_state
    obj.save(update_fields=["state", "updated_at"])
    transition_record(
        actor=actor, target=obj, from_state=from_state, to_state=to_state, action=action, comment=comment
    )


def _local_day(moment) -> date_type:
    return timezone.localtime(moment).date()


def _member_of(actor) -> Member | None:
    if not (actor and actor.is_authenticated):
        return None
    return Member.objects.filter(user=actor).first()


def _invited(actor, meeting) -> Attendance:
    """The actor's invitation row, locked; only invited members may answer, speak or check in."""
    require_role(actor, Role.MEMBER, message="只有受邀委员可以执行此操作。")
    member = _member_of(actor)
    row = (
        Attendance.objects.select_for_update().filter(meeting=meeting, member=member).first()
        if member is not None
        else None
    )
    if row is None:
        raise PermissionDenied(NOT_INVITED)
    return row


# --- plans -------------------------------------------------------------------------------------------


@transaction.atomic
def plan_create(*, actor, year: int, title: str = "") -> ConsultationPlan:
    _staff(actor)
    if not 2000 <= int(year) <= 2100:
        raise InvalidInput("年度不正确。")
    if ConsultationPlan.objects.filter(year=year).exists():
        raise InvalidInput(f"{year}年度已有协商计划。")
    try:
        with transaction.atomic():
            plan = ConsultationPlan.objects.create(
                year=year, title=(title or "").strip() or f"{year}年度政协协商工作计划", created_by=actor
            )
    except IntegrityError as exc:  # a concurrent create of the same year
        raise InvalidInput(f"{year}年度已有协商计划。") from exc
    transition_record(actor=actor, target=plan, from_state="", to_state=plan.state, action="create")
    audit_record(actor=actor, action="consultation_plan_create", target=plan, year=year)
    return plan


@transaction.atomic
def plan_approve(*, actor, plan: ConsultationPlan, date: date_type) -> ConsultationPlan:
    """The 党委 decided the plan on `date`: the plan and every topic still proposed become approved."""
    _staff(actor)
    plan = _lock(ConsultationPlan, plan)
    if plan.state != ConsultationPlan.State.DRAFT:
        raise TransitionNotAllowed("该计划已批准。")
    if date is None:
        raise InvalidInput("请填写党委批准日期。")
    if date > timezone.localdate():
        raise InvalidInput("批准日期不能晚于今天。")
    plan.approved_on, plan.approved_by = date, actor
    plan.save(update_fields=["approved_on", "approved_by", "updated_at"])
    _move(
        actor=actor,
        obj=plan,
        to_state=ConsultationPlan.State.APPROVED,
        action="approve",
        comment=f"党委于{date:%Y年%m月%d日}批准",
    )
    topics = list(Topic.objects.select_for_update().filter(plan=plan, state=TopicState.PROPOSED))
    for topic in topics:
        _move(actor=actor, obj=topic, to_state=TopicState.APPROVED, action="plan_approve")
    audit_record(
        actor=actor, action="consultation_plan_approve", target=plan, date=str(date), topics=len(topics)
    )
    return plan


# --- topics ------------------------------------------------------------------------------------------


def _check_month(planned_month):
    if planned_month is not None and not 1 <= int(planned_month) <= 12:
        raise InvalidInput("计划月份应为1至12。")


@transaction.atomic
def topic_create(
    *,
    actor,
    plan: ConsultationPlan,
    title: str,
    type: str,
    lead_committee=None,
    departments=(),
    planned_month: int | None = None,
    description: str = "",
) -> Topic:
    """A topic created in an approved plan starts approved (it was added to the decided plan)."""
    _staff(actor)
    plan = ConsultationPlan.objects.select_for_update().get(pk=plan.pk)
    title = (title or "").strip()
    if not title:
        raise InvalidInput("请填写议题名称。")
    if type not in ConsultationType.values:
        raise InvalidInput("协商形式不正确。")
    _check_month(planned_month)
    state = TopicState.APPROVED if plan.is_approved else TopicState.PROPOSED
    topic = Topic.objects.create(
        plan=plan,
        title=title,
        type=type,
        lead_committee=lead_committee,
        planned_month=planned_month,
        description=description or "",
        state=state,
        created_by=actor,
    )
    if departments:
        topic.departments.set(departments)
    transition_record(actor=actor, target=topic, from_state="", to_state=state, action="create")
    audit_record(actor=actor, action="consultation_topic_create", target=topic, plan=plan.year)
    return topic


def _topic_departments(topic: Topic) -> list:
    return sorted(topic.departments.values_list("pk", flat=True))


def topic_changes(
    topic: Topic,
    *,
    title: str,
    type: str,
    lead_committee=None,
    departments=(),
    planned_month: int | None = None,
    description: str | None = None,
) -> dict:
    """Check an edit of a topic without writing: {field: (old, new)} for what differs.

    The admin form calls this to show the service's own Chinese messages before anything is saved."""
    if topic.state == TopicState.CLOSED:
        raise TransitionNotAllowed("议题已办结，不能再修改。")
    title = (title or "").strip()
    if not title:
        raise InvalidInput("请填写议题名称。")
    if type not in ConsultationType.values:
        raise InvalidInput("协商形式不正确。")
    _check_month(planned_month)
    new = {
        "title": title,
        "type": type,
        "lead_committee_id": lead_committee.pk if lead_committee is not None else None,
        "planned_month": int(planned_month) if planned_month is not None else None,
    }
    if description is not None:
        new["description"] = description.strip()
    changes = {f: (getattr(topic, f), v) for f, v in new.items() if getattr(topic, f) != v}
    old_departments, new_departments = _topic_departments(topic), sorted(d.pk for d in departments)
    if old_departments != new_departments:
        changes["departments"] = (old_departments, new_departments)
    return changes


@transaction.atomic
def topic_update(
    *,
    actor,
    topic: Topic,
    title: str,
    type: str,
    lead_committee=None,
    departments=(),
    planned_month: int | None = None,
    description: str | None = None,
) -> Topic:
    """Edit a topic's particulars at any state before it is closed; its state is never changed here."""
    _staff(actor)
    topic = _lock(Topic, topic)
    departments = list(departments)
    changes = topic_changes(
        topic,
        title=title,
        type=type,
        lead_committee=lead_committee,
        departments=departments,
        planned_month=planned_month,
        description=description,
    )
    if not changes:
        return topic
    fields = [f for f in changes if f != "departments"]
    for field in fields:
        setattr(topic, field, changes[field][1])
    if fields:
        topic.save(update_fields=[*fields, "updated_at"])
    if "departments" in changes:
        topic.departments.set(departments)
    labels = {
        "title": "议题",
        "type": "协商形式",
        "lead_committee_id": "牵头专委会",
        "planned_month": "计划月份",
        "description": "说明",
        "departments": "协同单位",
    }
    transition_record(
        actor=actor,
        target=topic,
        from_state=topic.state,
        to_state=topic.state,
        action="update",
        comment="修改" + "、".join(labels[f] for f in changes),
    )
    audit_record(
        actor=actor,
        action="consultation_topic_update",
        target=topic,
        changes={f: [str(old), str(new)] for f, (old, new) in changes.items()},
    )
    return topic


@transaction.atomic
def topic_start_research(*, actor, topic: Topic) -> Topic:
    _staff(actor)
    topic = _lock(Topic, topic)
    if topic.state != TopicState.APPROVED:
        raise TransitionNotAllowed("只有已列入批准计划的议题可以开始调研。")
    _move(actor=actor, obj=topic, to_state=TopicState.RESEARCHING, action="start_research")
    audit_record(actor=actor, action="consultation_topic_start_research", target=topic)
    return topic


@transaction.atomic
def research_activity_add(
    *,
    actor,
    topic: Topic,
    kind: str,
    date: date_type,
    place: str,
    participants=(),
    notes: str = "",
) -> ResearchActivity:
    """A 调研/视察 for the topic; each participating member earns a research/inspection record."""
    _staff(actor)
    topic = _lock(Topic, topic)
    if topic.state not in (TopicState.RESEARCHING, TopicState.HELD):
        raise TransitionNotAllowed("议题尚未开始调研，不能登记调研视察活动。")
    if kind not in ResearchActivity.Kind.values:
        raise InvalidInput("活动类型不正确。")
    if date is None:
        raise InvalidInput("请填写活动日期。")
    if date > timezone.localdate():
        raise InvalidInput("活动日期不能晚于今天：请在活动结束后登记。")
    if not (place or "").strip():
        raise InvalidInput("请填写活动地点。")
    participants = list(participants)
    activity = ResearchActivity.objects.create(
        topic=topic, kind=kind, date=date, place=place.strip(), notes=notes or "", created_by=actor
    )
    activity.participants.set(participants)
    duty_kind = DutyRecord.Kind.RESEARCH if kind == "research" else DutyRecord.Kind.INSPECTION
    for member in participants:
        record_duty(actor=actor, member=member, kind=duty_kind, date=date, source=activity, note=topic.title)
    audit_record(
        actor=actor,
        action="consultation_research_add",
        target=topic,
        activity=activity.pk,
        participants=len(participants),
    )
    return activity


@transaction.atomic
def topic_submit_outcome(
    *,
    actor,
    topic: Topic,
    content: str = "",
    file=None,
    suggestion_count: int = 0,
    submitted_to: str = "",
) -> Topic:
    """成果报送: only after the meeting has taken place."""
    _staff(actor)
    topic = _lock(Topic, topic)
    if topic.state in (TopicState.PROPOSED, TopicState.APPROVED, TopicState.RESEARCHING):
        raise TransitionNotAllowed("协商活动尚未举行，不能报送协商成果。")
    if topic.state != TopicState.HELD:
        raise TransitionNotAllowed("该议题已报送成果。")
    if not (content or "").strip() and not file:
        raise InvalidInput("请填写成果内容或上传成果文件。")
    if suggestion_count is None or int(suggestion_count) < 0:
        raise InvalidInput("建议条数不能为负数。")
    if file:
        check_upload(file, label="成果文件")
    counted = Outcome.objects.select_for_update().filter(topic=topic).first()
    if counted is None:
        Outcome.objects.create(
            topic=topic,
            content=(content or "").strip(),
            file=file or "",
            suggestion_count=int(suggestion_count),
            submitted_to=(submitted_to or "").strip(),
            submitted_by=actor,
        )
    else:  # suggestions already counted in from an online deliberation (topic_add_suggestions)
        counted.content = (content or "").strip()
        counted.file = file or ""
        counted.suggestion_count += int(suggestion_count)
        counted.submitted_to = (submitted_to or "").strip()
        counted.submitted_by = actor
        counted.save()
    _move(
        actor=actor,
        obj=topic,
        to_state=TopicState.OUTCOME_SUBMITTED,
        action="submit_outcome",
        comment=f"报送{submitted_to}，建议{suggestion_count}条"
        if submitted_to
        else f"建议{suggestion_count}条",
    )
    audit_record(actor=actor, action="consultation_outcome_submit", target=topic)
    return topic


@transaction.atomic
def topic_add_suggestions(*, actor, topic: Topic, count: int, source: str) -> Outcome:
    """Suggestions gathered elsewhere (an online deliberation's summary) count into the topic's outcome:
    its row is made on first use and the outcome submitted later adds its own count."""
    _staff(actor)
    topic = _lock(Topic, topic)
    if int(count) < 0:
        raise InvalidInput("建议条数不能为负数。")
    outcome, _ = Outcome.objects.select_for_update().get_or_create(topic=topic)
    outcome.suggestion_count += int(count)
    outcome.save(update_fields=["suggestion_count"])
    audit_record(
        actor=actor,
        action="consultation_outcome_add_suggestions",
        target=topic,
        count=int(count),
        source=source,
    )
    return outcome


@transaction.atomic
def topic_feedback(
    *,
    actor,
    topic: Topic,
    content: str,
    adopted_count: int = 0,
    instruction: str = "",
    received_on: date_type | None = None,
) -> Topic:
    """采纳反馈 (adopted suggestions, leaders' 批示)."""
    _staff(actor)
    topic = _lock(Topic, topic)
    if topic.state != TopicState.OUTCOME_SUBMITTED:
        raise TransitionNotAllowed("协商成果报送后才能登记采纳反馈。")
    if not (content or "").strip():
        raise InvalidInput("请填写反馈情况。")
    adopted_count = int(adopted_count or 0)
    if adopted_count < 0:
        raise InvalidInput("采纳条数不能为负数。")
    if adopted_count > topic.outcome.suggestion_count:
        raise InvalidInput(f"采纳条数不能超过报送的建议条数（{topic.outcome.suggestion_count}条）。")
    Feedback.objects.create(
        topic=topic,
        content=content.strip(),
        adopted_count=adopted_count,
        instruction=(instruction or "").strip(),
        received_on=received_on or timezone.localdate(),
        recorded_by=actor,
    )
    _move(
        actor=actor,
        obj=topic,
        to_state=TopicState.FEEDBACK_RECEIVED,
        action="feedback",
        comment=f"采纳{adopted_count}条",
    )
    audit_record(actor=actor, action="consultation_feedback", target=topic, adopted=adopted_count)
    return topic


@transaction.atomic
def topic_close(*, actor, topic: Topic, comment: str = "") -> Topic:
    _staff(actor)
    topic = _lock(Topic, topic)
    if topic.state != TopicState.FEEDBACK_RECEIVED:
        raise TransitionNotAllowed("收到采纳反馈后才能办结议题。")
    _move(actor=actor, obj=topic, to_state=TopicState.CLOSED, action="close", comment=comment or "")
    audit_record(actor=actor, action="consultation_topic_close", target=topic)
    return topic


# --- meetings ----------------------------------------------------------------------------------------


def meeting_deadlines(start_day: date_type) -> dict:
    """Notice and materials N 工作日 before the meeting, minutes N 工作日 after (stored on the meeting)."""
    cal = WorkCalendar(start_day.year - 1, start_day.year + 1)

    def before(n):
        day = cal.sub_workdays(start_day, n)
        while not cal.is_workday(day):  # the n-th working day before, not the weekend after it
            day -= timedelta(days=1)
        return day

    return {
        "notice_due": before(NOTICE_WORKDAYS_BEFORE),
        "materials_due": before(MATERIALS_WORKDAYS_BEFORE),
        "minutes_due": cal.add_workdays(start_day, MINUTES_WORKDAYS_AFTER).date,
    }


def _notify_invited(meeting: Meeting, members) -> None:
    users = [m.user for m in members if m.user_id]
    when = timezone.localtime(meeting.start)
    notify(
        recipients=users,
        title=f"协商活动邀请：{meeting.title}",
        body=f"{when:%Y年%m月%d日 %H:%M}在{meeting.place}举行，请及时回复是否参加。",
        link=f"/meetings/{meeting.pk}/",
    )


def default_invitees(type: str):
    """Who a session invites when staff name nobody: every serving member (全会); every serving 常委 and
    leader (常委会); 主席、副主席、秘书长 (主席会议). Consultation meetings have no default."""
    positions = {
        ConsultationType.STANDING_COMMITTEE: [
            Member.Position.STANDING,
            Member.Position.CHAIRMAN,
            Member.Position.VICE_CHAIRMAN,
            Member.Position.SECRETARY_GENERAL,
        ],
        ConsultationType.CHAIR_MEETING: [
            Member.Position.CHAIRMAN,
            Member.Position.VICE_CHAIRMAN,
            Member.Position.SECRETARY_GENERAL,
        ],
    }
    if type not in SESSION_TYPES:
        return Member.objects.none()
    serving = Member.objects.filter(status=Member.Status.SERVING).select_related("user")
    if type in positions:
        serving = serving.filter(position__in=positions[type])
    return serving.order_by("id")


def _add_invitees(actor, meeting: Meeting, members, *, backfill: bool = False) -> list[Member]:
    """Invite members; a meeting recorded after it happened (补录) lists them without any notice."""
    if meeting.state != Meeting.State.PLANNED and not backfill:
        raise TransitionNotAllowed("该活动已举行或已取消，不能再发出邀请。")
    if meeting.start <= timezone.now() and not backfill:
        raise InvalidInput("会议开始时间已过，不能发出邀请。")
    existing = set(Attendance.objects.filter(meeting=meeting).values_list("member_id", flat=True))
    new = []
    for member in members:
        if member.pk in existing:
            continue
        if not member.is_serving:
            raise InvalidInput(f"{member.name}不是在任委员，不能邀请。")
        existing.add(member.pk)
        new.append(member)
    Attendance.objects.bulk_create([Attendance(meeting=meeting, member=m) for m in new])
    if new and not backfill:
        _notify_invited(meeting, new)
    return new


@transaction.atomic
def meeting_create(
    *,
    actor,
    title: str,
    type: str,
    start,
    place: str,
    end=None,
    topic: Topic | None = None,
    invitees=None,
    invited_officials: str = "",
    plenary: Plenary | None = None,
) -> Meeting:
    """A meeting of any kind. Sessions (全会/常委会/主席会议) without named invitees invite their default
    circle. A start already past is 补录 — a meeting recorded after it happened: allowed, and nobody is
    notified; its attendance, speeches and opinions are then recorded as for any held meeting."""
    _staff(actor)
    title, place = (title or "").strip(), (place or "").strip()
    if not title:
        raise InvalidInput("请填写活动名称。")
    if not place:
        raise InvalidInput("请填写活动地点。")
    if type not in ConsultationType.values:
        raise InvalidInput("协商形式不正确。")
    if start is None:
        raise InvalidInput("请填写开始时间。")
    end = end or start + DEFAULT_MEETING_LENGTH
    if end <= start:
        raise InvalidInput("结束时间应晚于开始时间。")
    backfill = start <= timezone.now()
    if plenary is not None and type != ConsultationType.PLENARY:
        raise InvalidInput("只有全体会议属于会次。")
    if type == ConsultationType.PLENARY and plenary is None:
        plenary = (
            Plenary.objects.filter(start_date__lte=_local_day(start), end_date__gte=_local_day(start))
            .order_by("-term__number")
            .first()
        )
    invitees = list(default_invitees(type) if invitees is None else invitees)
    if topic is not None:
        topic = _lock(Topic, topic)
        if topic.state not in (TopicState.APPROVED, TopicState.RESEARCHING, TopicState.HELD):
            raise InvalidInput("议题须已列入批准的计划且尚未报送成果，才能安排协商活动。")
    meeting = Meeting.objects.create(
        topic=topic,
        title=title,
        type=type,
        plenary=plenary,
        start=start,
        end=end,
        place=place,
        invited_officials=(invited_officials or "").strip(),
        created_by=actor,
        **meeting_deadlines(_local_day(start)),
    )
    transition_record(
        actor=actor,
        target=meeting,
        from_state="",
        to_state=meeting.state,
        action="create",
        comment="补录（会议已举行，未发送邀请）" if backfill else "",
    )
    _add_invitees(actor, meeting, invitees, backfill=backfill)
    audit_record(
        actor=actor,
        action="consultation_meeting_create",
        target=meeting,
        invitees=len(invitees),
        backfill=backfill,
    )
    return meeting


@transaction.atomic
def meeting_invite(*, actor, meeting: Meeting, members) -> list[Member]:
    """Invite more members (each is notified once); the meeting must still be ahead."""
    _staff(actor)
    meeting = _lock(Meeting, meeting)
    new = _add_invitees(actor, meeting, list(members))
    audit_record(actor=actor, action="consultation_meeting_invite", target=meeting, added=len(new))
    return new


# `meeting_update` arguments left as None keep their current value (none of these fields may be empty).
_MEETING_FIELD_LABELS = {
    "title": "名称",
    "type": "协商形式",
    "start": "开始时间",
    "end": "结束时间",
    "place": "地点",
    "invited_officials": "邀请党政领导及部门",
}


def meeting_changes(
    meeting: Meeting,
    *,
    title: str | None = None,
    start=None,
    end=None,
    place: str | None = None,
    type: str | None = None,
    invited_officials: str | None = None,
) -> dict:
    """Check an edit of a planned meeting without writing: {field: (old, new)} for what differs.

    Moving the start keeps the meeting's length unless a new end is given. The admin form calls this to
    show the service's own Chinese messages before anything is saved."""
    if meeting.state != Meeting.State.PLANNED:
        raise TransitionNotAllowed("该活动已举行或已取消，不能再修改。")
    new = {}
    if title is not None:
        new["title"] = title.strip()
        if not new["title"]:
            raise InvalidInput("请填写活动名称。")
    if place is not None:
        new["place"] = place.strip()
        if not new["place"]:
            raise InvalidInput("请填写活动地点。")
    if type is not None:
        if type not in ConsultationType.values:
            raise InvalidInput("协商形式不正确。")
        new["type"] = type
    if invited_officials is not None:
        new["invited_officials"] = invited_officials.strip()
    new_start = start if start is not None else meeting.start
    if start is not None and start != meeting.start:
        if start <= timezone.now():
            raise InvalidInput("新的开始时间已过，请选择今后的时间。")
        new["start"] = start
    if end is not None:
        new["end"] = end
    elif "start" in new:
        new["end"] = new_start + (meeting.end - meeting.start)
    if new.get("end", meeting.end) <= new_start:
        raise InvalidInput("结束时间应晚于开始时间。")
    return {f: (getattr(meeting, f), v) for f, v in new.items() if getattr(meeting, f) != v}


def _notify_changed(meeting: Meeting, changes: dict) -> int:
    """Tell every invitee who has not asked for leave the new time or place; returns how many."""
    users = [
        a.member.user
        for a in Attendance.objects.filter(meeting=meeting)
        .exclude(reply=Attendance.Reply.LEAVE)
        .select_related("member__user")
        if a.member.user_id
    ]
    when = timezone.localtime(meeting.start)
    parts = []
    if "start" in changes:
        old = timezone.localtime(changes["start"][0])
        parts.append(f"时间由{old:%m月%d日 %H:%M}改为{when:%Y年%m月%d日 %H:%M}")
    if "place" in changes:
        parts.append(f"地点由{changes['place'][0]}改为{meeting.place}")
    notify(
        recipients=users,
        title=f"协商活动变更：{meeting.title}",
        body=(
            "，".join(parts)
            + f"。现定于{when:%Y年%m月%d日 %H:%M}在{meeting.place}举行，如不能参加请在平台上请假。"
        ),
        link=f"/meetings/{meeting.pk}/",
    )
    return len(users)


@transaction.atomic
def meeting_update(
    *,
    actor,
    meeting: Meeting,
    title: str | None = None,
    start=None,
    end=None,
    place: str | None = None,
    type: str | None = None,
    invited_officials: str | None = None,
) -> Meeting:
    """Edit a planned meeting. A new start recomputes the 工作日 deadlines (as at creation) and, like a
    new place, is told to every invitee who has not asked for leave. The door QR code is signed with the
    start, so a reschedule also replaces it (the old printed code stops working); the day-before
    reminder is keyed by the meeting day, so the new day is reminded once more."""
    _staff(actor)
    meeting = _lock(Meeting, meeting)
    changes = meeting_changes(
        meeting,
        title=title,
        start=start,
        end=end,
        place=place,
        type=type,
        invited_officials=invited_officials,
    )
    if not changes:
        return meeting
    for field, (_old, value) in changes.items():
        setattr(meeting, field, value)
    fields = list(changes)
    if "start" in changes:
        deadlines = meeting_deadlines(_local_day(meeting.start))
        for field, value in deadlines.items():
            setattr(meeting, field, value)
        fields += list(deadlines)
    meeting.save(update_fields=[*fields, "updated_at"])
    told = _notify_changed(meeting, changes) if {"start", "place"} & changes.keys() else 0
    comment = "修改" + "、".join(_MEETING_FIELD_LABELS[f] for f in changes)
    if "start" in changes:
        comment += f"：改期至{timezone.localtime(meeting.start):%Y年%m月%d日 %H:%M}，签到二维码已更换"
    transition_record(
        actor=actor,
        target=meeting,
        from_state=meeting.state,
        to_state=meeting.state,
        action="reschedule" if "start" in changes else "update",
        comment=comment,
    )
    audit_record(
        actor=actor,
        action="consultation_meeting_update",
        target=meeting,
        changes={f: [str(old), str(new)] for f, (old, new) in changes.items()},
        notified=told,
    )
    return meeting


@transaction.atomic
def meeting_reply(*, actor, meeting: Meeting, attend: bool, reason: str = "") -> Attendance:
    """An invited member answers: attend, or ask for leave with a reason (before the meeting starts)."""
    meeting = _lock(Meeting, meeting)
    row = _invited(actor, meeting)
    if meeting.state != Meeting.State.PLANNED or meeting.start <= timezone.now():
        raise InvalidInput("会议已开始或已结束，不能再回复。")
    reason = (reason or "").strip()
    if not attend and not reason:
        raise InvalidInput("请假须填写事由。")
    if not attend and meeting.is_session:
        from .sessions import leave_request_open

        leave_request_open(actor=actor, meeting=meeting, row=row, kind="personal", reason=reason)
        return row
    row.reply = Attendance.Reply.ATTEND if attend else Attendance.Reply.LEAVE
    row.leave_reason = "" if attend else reason[:200]
    row.replied_at = timezone.now()
    row.save(update_fields=["reply", "leave_reason", "replied_at"])
    audit_record(
        actor=actor,
        action="consultation_meeting_reply",
        target=meeting,
        member=row.member_id,
        reply=row.reply,
    )
    return row


def attendance_duty_kind(meeting: Meeting) -> str:
    """全会 and 常委会 attendance count in their own blocks of the scoring scheme (with leave/absent values)."""
    return {
        ConsultationType.PLENARY: DutyRecord.Kind.PLENARY_ATTENDANCE,
        ConsultationType.STANDING_COMMITTEE: DutyRecord.Kind.STANDING_ATTENDANCE,
    }.get(meeting.type, DutyRecord.Kind.MEETING_ATTENDANCE)


def _record_attendance_duty(actor, meeting: Meeting, row: Attendance) -> None:
    record_duty(
        actor=actor,
        member=row.member,
        kind=attendance_duty_kind(meeting),
        date=_local_day(meeting.start),
        source=meeting,
        detail=row.status,
        note=f"{meeting.title}（远程参会）" if row.remote else meeting.title,
    )


@transaction.atomic
def meeting_record_attendance(
    *, actor, meeting: Meeting, member: Member, status: str, remote: bool = False
) -> Attendance:
    """Staff record present / leave / absent; present and absent only once the meeting has begun.
    `remote`: present through the remote link (远程协商), recorded as such; it counts like any presence."""
    _staff(actor)
    meeting = _lock(Meeting, meeting)
    if status not in (Attendance.Status.PRESENT, Attendance.Status.LEAVE, Attendance.Status.ABSENT):
        raise InvalidInput("出席情况应为出席、请假或缺席。")
    if meeting.state == Meeting.State.CANCELLED:
        raise TransitionNotAllowed("该活动已取消。")
    if status != Attendance.Status.LEAVE and timezone.now() < meeting.start - CHECKIN_OPENS_BEFORE:
        raise InvalidInput("会议尚未开始，不能登记出席或缺席。")
    row = (
        Attendance.objects.select_for_update()
        .select_related("member")
        .filter(meeting=meeting, member=member)
        .first()
    )
    if row is None:
        raise InvalidInput("该委员未受邀参加此次活动。")
    row.status, row.recorded_by = status, actor
    row.remote = bool(remote) and status == Attendance.Status.PRESENT
    row.save(update_fields=["status", "recorded_by", "remote"])
    _record_attendance_duty(actor, meeting, row)
    audit_record(
        actor=actor,
        action="consultation_attendance",
        target=meeting,
        member=member.pk,
        status=status,
        remote=row.remote,
    )
    return row


@transaction.atomic
def meeting_set_remote_url(*, actor, meeting: Meeting, url: str) -> Meeting:
    """远程协商: the meeting's link on the committee's own video platform ("" removes it)."""
    _staff(actor)
    meeting = _lock(Meeting, meeting)
    url = (url or "").strip()
    if url and not url.lower().startswith(("https://", "http://")):
        raise InvalidInput("远程会议链接应以 http:// 或 https:// 开头。")
    if len(url) > 200:
        raise InvalidInput("远程会议链接不能超过200个字符。")
    if meeting.state != Meeting.State.PLANNED:
        raise TransitionNotAllowed("只有筹备中的活动可以设置远程会议链接。")
    meeting.remote_url = url
    meeting.save(update_fields=["remote_url", "updated_at"])
    audit_record(actor=actor, action="consultation_remote_url", target=meeting, url=url)
    return meeting


@transaction.atomic
def meeting_attend_remotely(*, actor, meeting: Meeting) -> Attendance:
    """An invited member joins through the remote link during the check-in window: present, remote."""
    meeting = _lock(Meeting, meeting)
    row = _invited(actor, meeting)
    if meeting.state == Meeting.State.CANCELLED:
        raise TransitionNotAllowed("该活动已取消。")
    if not meeting.remote_url:
        raise InvalidInput("该活动未开通远程参会。")
    opens, closes = checkin_window(meeting)
    now = timezone.now()
    if not opens <= now <= closes:
        raise InvalidInput(
            f"不在参会时间内：远程参会时间为{timezone.localtime(opens):%m月%d日 %H:%M}"
            f"至{timezone.localtime(closes):%H:%M}。"
        )
    if row.status == Attendance.Status.PRESENT:
        return row  # joining again (or after checking in at the door) changes nothing
    row.status, row.checked_in_at, row.recorded_by, row.remote = Attendance.Status.PRESENT, now, actor, True
    row.save(update_fields=["status", "checked_in_at", "recorded_by", "remote"])
    row.member = Member.objects.get(pk=row.member_id)
    _record_attendance_duty(actor, meeting, row)
    audit_record(actor=actor, action="consultation_attend_remotely", target=meeting, member=row.member_id)
    return row


def checkin_token(meeting: Meeting) -> str:
    """The signed value in the door QR code; bound to the meeting and its start time."""
    return signing.dumps({"m": meeting.pk, "s": int(meeting.start.timestamp())}, salt=CHECKIN_SALT)


def checkin_window(meeting: Meeting):
    return meeting.start - CHECKIN_OPENS_BEFORE, meeting.end


@transaction.atomic
def meeting_check_in(*, actor, meeting: Meeting, token: str) -> Attendance:
    """QR check-in at the door: a valid code for this meeting, by an invited member, during the meeting."""
    meeting = _lock(Meeting, meeting)
    try:
        payload = signing.loads(token or "", salt=CHECKIN_SALT)
    except signing.BadSignature as exc:
        raise InvalidInput("签到码无效，请扫描会场的签到二维码。") from exc
    if payload.get("m") != meeting.pk or payload.get("s") != int(meeting.start.timestamp()):
        raise InvalidInput("签到码无效，请扫描会场的签到二维码。")
    row = _invited(actor, meeting)
    if meeting.state == Meeting.State.CANCELLED:
        raise TransitionNotAllowed("该活动已取消。")
    opens, closes = checkin_window(meeting)
    now = timezone.now()
    if not opens <= now <= closes:
        raise InvalidInput(
            f"不在签到时间内：签到时间为{timezone.localtime(opens):%m月%d日 %H:%M}"
            f"至{timezone.localtime(closes):%H:%M}。"
        )
    if row.status == Attendance.Status.PRESENT and row.checked_in_at:
        return row  # scanning twice changes nothing
    row.status, row.checked_in_at, row.recorded_by = Attendance.Status.PRESENT, now, actor
    row.save(update_fields=["status", "checked_in_at", "recorded_by"])
    row.member = Member.objects.get(pk=row.member_id)
    _record_attendance_duty(actor, meeting, row)
    audit_record(actor=actor, action="consultation_check_in", target=meeting, member=row.member_id)
    return row


def _speech_duty(actor, speech: Speech, meeting: Meeting) -> None:
    record_duty(
        actor=actor,
        member=speech.member,
        kind=DutyRecord.Kind.SPEECH,
        date=_local_day(meeting.start),
        source=speech,
        detail="oral" if speech.is_oral else "written",
        note=f"{meeting.title}：{speech.title}",
    )


@transaction.atomic
def speech_submit(*, actor, meeting: Meeting, title: str, content: str) -> Speech:
    """发言材料 from an invited member, before the meeting starts; submitting again replaces it."""
    meeting = _lock(Meeting, meeting)
    row = _invited(actor, meeting)
    if meeting.state != Meeting.State.PLANNED or meeting.start <= timezone.now():
        raise InvalidInput("会议已开始或已结束，不能再提交发言材料。")
    title, content = (title or "").strip(), (content or "").strip()
    if not title or not content:
        raise InvalidInput("请填写发言题目和内容。")
    speech, created = Speech.objects.select_for_update().get_or_create(
        meeting=meeting, member=row.member, defaults={"title": title[:200], "content": content}
    )
    if not created:
        speech.title, speech.content = title[:200], content
        speech.save(update_fields=["title", "content", "updated_at"])
    speech.member = row.member
    _speech_duty(actor, speech, meeting)
    audit_record(actor=actor, action="consultation_speech_submit", target=speech, meeting=meeting.pk)
    return speech


@transaction.atomic
def speech_pick(*, actor, speech: Speech, oral: bool = True) -> Speech:
    """Staff pick (or unpick) a submitted speech for oral delivery; the duty record's detail follows."""
    _staff(actor)
    speech = Speech.objects.select_for_update().select_related("member").get(pk=speech.pk)
    meeting = Meeting.objects.get(pk=speech.meeting_id)
    if meeting.state == Meeting.State.CANCELLED:
        raise TransitionNotAllowed("该活动已取消。")
    speech.is_oral = bool(oral)
    speech.save(update_fields=["is_oral", "updated_at"])
    _speech_duty(actor, speech, meeting)
    audit_record(actor=actor, action="consultation_speech_pick", target=speech, oral=speech.is_oral)
    return speech


@transaction.atomic
def meeting_hold(*, actor, meeting: Meeting) -> Meeting:
    """Confirm the meeting took place: unrecorded invitees become leave (if they asked; for a session,
    only an approved leave request counts) or absent, every
    invitee's attendance is recorded as duty, and the topic moves to held."""
    _staff(actor)
    meeting = _lock(Meeting, meeting)
    if meeting.state != Meeting.State.PLANNED:
        raise TransitionNotAllowed("该活动已举行或已取消。")
    if timezone.now() < meeting.start:
        raise InvalidInput("会议尚未开始，不能确认举行。")
    meeting.held_at = timezone.now()
    meeting.save(update_fields=["held_at", "updated_at"])
    _move(actor=actor, obj=meeting, to_state=Meeting.State.HELD, action="hold")
    rows = list(Attendance.objects.select_for_update().select_related("member").filter(meeting=meeting))
    for row in rows:
        if not row.status:
            # A session's leave counts only once approved (approval sets the status itself).
            asked_leave = row.reply == Attendance.Reply.LEAVE and not meeting.is_session
            row.status = Attendance.Status.LEAVE if asked_leave else Attendance.Status.ABSENT
            row.recorded_by = actor
            row.save(update_fields=["status", "recorded_by"])
        _record_attendance_duty(actor, meeting, row)
    if meeting.topic_id:
        topic = Topic.objects.select_for_update().get(pk=meeting.topic_id)
        if topic.state in (TopicState.APPROVED, TopicState.RESEARCHING):
            _move(actor=actor, obj=topic, to_state=TopicState.HELD, action="hold", comment=meeting.title)
    audit_record(actor=actor, action="consultation_meeting_hold", target=meeting, attendances=len(rows))
    return meeting


@transaction.atomic
def meeting_minutes_save(*, actor, meeting: Meeting, minutes: str) -> Meeting:
    """会议纪要, written after the meeting was held."""
    _staff(actor)
    meeting = _lock(Meeting, meeting)
    if meeting.state != Meeting.State.HELD:
        raise TransitionNotAllowed("会议举行后才能填写纪要。")
    if not (minutes or "").strip():
        raise InvalidInput("请填写纪要内容。")
    meeting.minutes, meeting.minutes_at = minutes.strip(), timezone.now()
    meeting.save(update_fields=["minutes", "minutes_at", "updated_at"])
    audit_record(actor=actor, action="consultation_minutes", target=meeting)
    return meeting


@transaction.atomic
def meeting_cancel(*, actor, meeting: Meeting, reason: str) -> Meeting:
    """Cancel a planned meeting; invitees are told, and speech records made for it are withdrawn."""
    from members.services import withdraw_duty

    _staff(actor)
    meeting = _lock(Meeting, meeting)
    if meeting.state != Meeting.State.PLANNED:
        raise TransitionNotAllowed("只有筹备中的活动可以取消。")
    if not (reason or "").strip():
        raise InvalidInput("请填写取消原因。")
    _move(actor=actor, obj=meeting, to_state=Meeting.State.CANCELLED, action="cancel", comment=reason)
    for speech in Speech.objects.filter(meeting=meeting):
        withdraw_duty(actor=actor, kind=DutyRecord.Kind.SPEECH, source=speech)
    withdraw_duty(actor=actor, kind=attendance_duty_kind(meeting), source=meeting)
    users = [
        a.member.user
        for a in Attendance.objects.filter(meeting=meeting).select_related("member__user")
        if a.member.user_id
    ]
    notify(
        recipients=users,
        title=f"协商活动取消：{meeting.title}",
        body=f"原定{timezone.localtime(meeting.start):%Y年%m月%d日 %H:%M}举行的活动取消。原因：{reason}",
        link=f"/meetings/{meeting.pk}/",
    )
    audit_record(actor=actor, action="consultation_meeting_cancel", target=meeting, reason=reason)
    return meeting


@transaction.atomic
def plan_update(*, actor, plan: ConsultationPlan, title: str) -> ConsultationPlan:
    """Staff correct a plan's title (the admin); the year and the state are not edited by hand."""
    _staff(actor)
    plan = _lock(ConsultationPlan, plan)
    title = (title or "").strip()
    if not title:
        raise InvalidInput("请填写计划标题。")
    if title != plan.title:
        plan.title = title
        plan.save(update_fields=["title"])
        audit_record(actor=actor, action="consultation_plan_update", target=plan, fields=["title"])
    return plan
