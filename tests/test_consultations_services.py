"""协商 services: plan approval, the topic's life, meetings, attendance, speeches, duty records, reminders."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from consultations import services
from consultations.models import Attendance, ConsultationPlan, Meeting, Speech, Topic
from consultations.reminders import MeetingTomorrow
from members.models import DutyRecord, SpecialCommittee
from zhengxie.notifications.models import Notification
from zhengxie.workflow.errors import DomainError, InvalidInput, TransitionNotAllowed
from zhengxie.workflow.models import TransitionLog

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(staff_user):
    return services.plan_create(actor=staff_user, year=2026, title="2026年度政协协商工作计划")


@pytest.fixture
def approved_plan(plan, staff_user):
    return services.plan_approve(actor=staff_user, plan=plan, date=date(2026, 1, 5))


@pytest.fixture
def topic(approved_plan, staff_user):
    return services.topic_create(
        actor=staff_user, plan=approved_plan, title="优化营商环境", type="special_topic", planned_month=5
    )


def future(hours=48):
    return timezone.now() + timedelta(hours=hours)


@pytest.fixture
def meeting(staff_user, topic, member):
    return services.meeting_create(
        actor=staff_user,
        topic=topic,
        title="优化营商环境专题协商会",
        type="special_topic",
        start=future(),
        place="市政协三楼会议室",
        invitees=[member],
    )


def shift(meeting, *, start_delta, length=timedelta(hours=3)):
    """Move a meeting in time (as if the clock had advanced) without going through services."""
    start = timezone.now() + start_delta
    Meeting.objects.filter(pk=meeting.pk).update(start=start, end=start + length)
    meeting.refresh_from_db()
    return meeting


def duty(member, kind):
    return list(DutyRecord.objects.filter(member=member, kind=kind))


# --- plans and topics --------------------------------------------------------------------------------


def test_plan_approval_approves_proposed_topics_and_later_topics_start_approved(plan, staff_user):
    first = services.topic_create(actor=staff_user, plan=plan, title="议题一", type="forum")
    assert first.state == Topic.State.PROPOSED
    services.plan_approve(actor=staff_user, plan=plan, date=date(2026, 1, 5))
    plan.refresh_from_db()
    first.refresh_from_db()
    assert plan.state == ConsultationPlan.State.APPROVED and plan.approved_on == date(2026, 1, 5)
    assert first.state == Topic.State.APPROVED
    later = services.topic_create(actor=staff_user, plan=plan, title="议题二", type="remote")
    assert later.state == Topic.State.APPROVED
    assert TransitionLog.objects.filter(object_id=first.pk, to_state="approved").exists()
    with pytest.raises(TransitionNotAllowed):
        services.plan_approve(actor=staff_user, plan=plan, date=date(2026, 1, 6))


def test_plan_rules(plan, staff_user, member_user, leader_user):
    with pytest.raises(InvalidInput, match="已有协商计划"):
        services.plan_create(actor=staff_user, year=2026)
    with pytest.raises(InvalidInput, match="不能晚于今天"):
        services.plan_approve(actor=staff_user, plan=plan, date=timezone.localdate() + timedelta(days=1))
    for user in (member_user, leader_user):
        with pytest.raises(PermissionDenied):
            services.plan_approve(actor=user, plan=plan, date=date(2026, 1, 5))
        with pytest.raises(PermissionDenied):
            services.plan_create(actor=user, year=2030)
    plan.refresh_from_db()
    assert plan.state == "draft"


def test_topic_input_rules(approved_plan, staff_user):
    with pytest.raises(InvalidInput):
        services.topic_create(actor=staff_user, plan=approved_plan, title="x", type="nonsense")
    with pytest.raises(InvalidInput):
        services.topic_create(actor=staff_user, plan=approved_plan, title="x", type="forum", planned_month=13)
    assert not Topic.objects.exists()


def test_topic_whole_story_with_duty_records(topic, meeting, staff_user, member, other_member):
    services.topic_start_research(actor=staff_user, topic=topic)
    activity = services.research_activity_add(
        actor=staff_user,
        topic=topic,
        kind="inspection",
        date=timezone.localdate(),
        place="经开区",
        participants=[member, other_member],
    )
    assert {r.member_id for r in DutyRecord.objects.filter(kind="inspection")} == {member.pk, other_member.pk}
    with pytest.raises(TransitionNotAllowed, match="尚未举行"):
        services.topic_submit_outcome(actor=staff_user, topic=topic, content="专报", suggestion_count=5)
    shift(meeting, start_delta=-timedelta(hours=1))
    services.meeting_hold(actor=staff_user, meeting=meeting)
    topic.refresh_from_db()
    assert topic.state == Topic.State.HELD
    with pytest.raises(InvalidInput, match="成果内容"):
        services.topic_submit_outcome(actor=staff_user, topic=topic, content="", suggestion_count=5)
    services.topic_submit_outcome(
        actor=staff_user, topic=topic, content="专报", suggestion_count=5, submitted_to="市委市政府"
    )
    with pytest.raises(InvalidInput, match="不能超过"):
        services.topic_feedback(actor=staff_user, topic=topic, content="已采纳", adopted_count=6)
    services.topic_feedback(
        actor=staff_user, topic=topic, content="已采纳", adopted_count=4, instruction="请认真研究落实"
    )
    services.topic_close(actor=staff_user, topic=topic)
    topic.refresh_from_db()
    assert topic.state == Topic.State.CLOSED
    assert topic.outcome.suggestion_count == 5 and topic.feedback.adopted_count == 4
    states = list(
        TransitionLog.objects.filter(object_id=topic.pk, content_type__model="topic").values_list(
            "to_state", flat=True
        )
    )
    assert states == ["approved", "researching", "held", "outcome_submitted", "feedback_received", "closed"]
    # research records are idempotent per activity
    assert DutyRecord.objects.filter(object_id=activity.pk, kind="inspection").count() == 2


def test_research_requires_research_state_and_past_date(topic, staff_user, member):
    with pytest.raises(TransitionNotAllowed):
        services.research_activity_add(
            actor=staff_user, topic=topic, kind="research", date=timezone.localdate(), place="x"
        )
    services.topic_start_research(actor=staff_user, topic=topic)
    with pytest.raises(InvalidInput):
        services.research_activity_add(
            actor=staff_user,
            topic=topic,
            kind="research",
            date=timezone.localdate() + timedelta(days=3),
            place="x",
            participants=[member],
        )
    assert not DutyRecord.objects.exists()


# --- meetings ----------------------------------------------------------------------------------------


def test_meeting_create_notifies_and_stores_deadlines(meeting, member):
    assert Attendance.objects.filter(meeting=meeting, member=member, reply="pending").exists()
    note = Notification.objects.get(recipient=member.user)
    assert meeting.title in note.title and note.link == f"/meetings/{meeting.pk}/"
    day = timezone.localtime(meeting.start).date()
    assert meeting.notice_due < meeting.materials_due < day < meeting.minutes_due


def test_meeting_deadlines_count_working_days():
    # 2026-05-15 is a Friday: 7 working days later is Tuesday 26th (Mon–Fri fallback without a calendar).
    d = services.meeting_deadlines(date(2026, 5, 15))
    assert d["minutes_due"] == date(2026, 5, 26)
    assert d["materials_due"] == date(2026, 5, 1)
    assert d["notice_due"] == date(2026, 4, 24)


def test_past_meeting_is_recorded_without_invitations(staff_user, member):
    """补录: a meeting that already happened is accepted with its invitees, and nobody is notified."""
    meeting = services.meeting_create(
        actor=staff_user,
        title="往期活动",
        type="forum",
        start=timezone.now() - timedelta(hours=1),
        place="x",
        invitees=[member],
    )
    assert list(meeting.attendances.values_list("member", flat=True)) == [member.pk]
    assert not Notification.objects.exists()
    services.meeting_record_attendance(actor=staff_user, meeting=meeting, member=member, status="present")
    services.meeting_hold(actor=staff_user, meeting=meeting)
    meeting.refresh_from_db()
    assert meeting.state == Meeting.State.HELD


def test_invite_after_start_refused(meeting, staff_user, other_member):
    shift(meeting, start_delta=-timedelta(minutes=5))
    with pytest.raises(InvalidInput):
        services.meeting_invite(actor=staff_user, meeting=meeting, members=[other_member])
    assert not Attendance.objects.filter(member=other_member).exists()


def test_member_reply_and_leave_needs_reason(meeting, member_user, other_member):
    with pytest.raises(InvalidInput, match="事由"):
        services.meeting_reply(actor=member_user, meeting=meeting, attend=False, reason="")
    row = services.meeting_reply(actor=member_user, meeting=meeting, attend=False, reason="出差")
    assert row.reply == "leave" and row.leave_reason == "出差"
    with pytest.raises(PermissionDenied):
        services.meeting_reply(actor=other_member.user, meeting=meeting, attend=True)


def test_speech_only_invited_and_before_start(meeting, member, member_user, other_member, staff_user):
    with pytest.raises(PermissionDenied):
        services.speech_submit(actor=other_member.user, meeting=meeting, title="t", content="c")
    with pytest.raises(PermissionDenied):
        services.speech_submit(actor=staff_user, meeting=meeting, title="t", content="c")
    speech = services.speech_submit(
        actor=member_user, meeting=meeting, title="关于减税降费", content="建议……"
    )
    again = services.speech_submit(
        actor=member_user, meeting=meeting, title="关于减税降费（修改）", content="建议"
    )
    assert again.pk == speech.pk and Speech.objects.count() == 1
    [record] = duty(member, "speech")
    assert record.detail == "written"
    services.speech_pick(actor=staff_user, speech=speech, oral=True)
    [record] = duty(member, "speech")
    assert record.detail == "oral"
    shift(meeting, start_delta=-timedelta(minutes=1))
    with pytest.raises(InvalidInput, match="不能再提交"):
        services.speech_submit(actor=member_user, meeting=meeting, title="迟到", content="x")
    assert Speech.objects.get().title == "关于减税降费（修改）"


def test_check_in_window_token_and_idempotent_duty(meeting, member, member_user, other_member, staff_user):
    token = services.checkin_token(meeting)
    with pytest.raises(InvalidInput, match="不在签到时间内"):
        services.meeting_check_in(actor=member_user, meeting=meeting, token=token)
    shift(meeting, start_delta=-timedelta(minutes=10))
    token = services.checkin_token(meeting)
    with pytest.raises(InvalidInput, match="签到码无效"):
        services.meeting_check_in(actor=member_user, meeting=meeting, token="forged")
    with pytest.raises(PermissionDenied):
        services.meeting_check_in(actor=other_member.user, meeting=meeting, token=token)
    row = services.meeting_check_in(actor=member_user, meeting=meeting, token=token)
    services.meeting_check_in(actor=member_user, meeting=meeting, token=token)
    assert row.status == "present" and row.checked_in_at
    [record] = duty(member, "meeting_attendance")
    assert record.detail == "present"
    shift(meeting, start_delta=-timedelta(hours=4))
    token = services.checkin_token(meeting)
    Attendance.objects.filter(pk=row.pk).update(status="", checked_in_at=None)
    with pytest.raises(InvalidInput, match="不在签到时间内"):
        services.meeting_check_in(actor=member_user, meeting=meeting, token=token)
    assert Attendance.objects.get(pk=row.pk).status == ""


def test_token_of_another_meeting_refused(meeting, staff_user, member, member_user):
    other = services.meeting_create(
        actor=staff_user, title="另一个会", type="forum", start=future(), place="x", invitees=[member]
    )
    shift(meeting, start_delta=-timedelta(minutes=10))
    with pytest.raises(InvalidInput):
        services.meeting_check_in(actor=member_user, meeting=meeting, token=services.checkin_token(other))


def test_hold_fills_attendance_and_records_duty_once(meeting, staff_user, member, other_member, make_member):
    late = make_member("钱委员")
    services.meeting_invite(actor=staff_user, meeting=meeting, members=[other_member, late])
    services.meeting_reply(actor=other_member.user, meeting=meeting, attend=False, reason="出差")
    with pytest.raises(InvalidInput, match="尚未开始"):
        services.meeting_hold(actor=staff_user, meeting=meeting)
    with pytest.raises(InvalidInput, match="尚未开始"):
        services.meeting_record_attendance(actor=staff_user, meeting=meeting, member=member, status="present")
    shift(meeting, start_delta=-timedelta(hours=1))
    services.meeting_record_attendance(actor=staff_user, meeting=meeting, member=member, status="present")
    services.meeting_hold(actor=staff_user, meeting=meeting)
    statuses = dict(Attendance.objects.filter(meeting=meeting).values_list("member_id", "status"))
    assert statuses == {member.pk: "present", other_member.pk: "leave", late.pk: "absent"}
    details = dict(DutyRecord.objects.filter(kind="meeting_attendance").values_list("member_id", "detail"))
    assert details == statuses
    # Correcting an attendance later updates the same record.
    services.meeting_record_attendance(actor=staff_user, meeting=meeting, member=late, status="leave")
    assert DutyRecord.objects.filter(kind="meeting_attendance").count() == 3
    assert DutyRecord.objects.get(member=late, kind="meeting_attendance").detail == "leave"
    with pytest.raises(TransitionNotAllowed):
        services.meeting_hold(actor=staff_user, meeting=meeting)
    services.meeting_minutes_save(actor=staff_user, meeting=meeting, minutes="会议纪要……")
    meeting.refresh_from_db()
    assert meeting.minutes == "会议纪要……"


def test_minutes_before_hold_refused(meeting, staff_user):
    with pytest.raises(DomainError):
        services.meeting_minutes_save(actor=staff_user, meeting=meeting, minutes="x")


def test_cancel_withdraws_speech_duty_and_notifies(meeting, staff_user, member, member_user):
    services.speech_submit(actor=member_user, meeting=meeting, title="t", content="c")
    services.meeting_cancel(actor=staff_user, meeting=meeting, reason="改期")
    assert not duty(member, "speech")
    assert Notification.objects.filter(recipient=member_user, title__startswith="协商活动取消").exists()


def test_wrong_roles_refused_for_staff_actions(
    meeting, topic, member_user, leader_user, department_user, member
):
    for user in (member_user, leader_user, department_user):
        with pytest.raises(PermissionDenied):
            services.topic_start_research(actor=user, topic=topic)
        with pytest.raises(PermissionDenied):
            services.meeting_record_attendance(actor=user, meeting=meeting, member=member, status="leave")
        with pytest.raises(PermissionDenied):
            services.meeting_hold(actor=user, meeting=meeting)
        with pytest.raises(PermissionDenied):
            services.meeting_invite(actor=user, meeting=meeting, members=[member])


# --- reminders ---------------------------------------------------------------------------------------


def test_day_before_reminder(meeting, staff_user, member, other_member):
    services.meeting_invite(actor=staff_user, meeting=meeting, members=[other_member])
    services.meeting_reply(actor=other_member.user, meeting=meeting, attend=False, reason="出差")
    source = MeetingTomorrow()
    day = timezone.localtime(meeting.start).date()
    assert list(source.candidates(day - timedelta(days=3))) == []
    candidates = list(source.candidates(day - timedelta(days=1)))
    assert [c.object_id for c in candidates] == [Attendance.objects.get(member=member).pk]

    from zhengxie.notifications.services import reminders_scan

    Notification.objects.all().delete()
    reminders_scan(today=day - timedelta(days=1))
    reminders_scan(today=day - timedelta(days=1))
    notes = list(Notification.objects.filter(title__startswith="明日协商活动"))
    assert [n.recipient_id for n in notes] == [member.user_id]


def test_lead_committee_and_departments(approved_plan, staff_user, department):
    committee = SpecialCommittee.objects.create(name="经济委员会")
    topic = services.topic_create(
        actor=staff_user,
        plan=approved_plan,
        title="x",
        type="counterpart",
        lead_committee=committee,
        departments=[department],
    )
    assert topic.lead_committee == committee and list(topic.departments.all()) == [department]


def test_demo_seed_is_idempotent():
    from consultations.demo import seed_consultations_demo
    from members.demo import seed_roster

    seed_roster()
    assert seed_consultations_demo() == 1
    assert seed_consultations_demo() == 0
    assert Topic.objects.filter(state="outcome_submitted").count() == 1
    assert Meeting.objects.filter(state="held").count() == 1
    # The demo's meeting is a 专题议政性常委会会议: its attendance counts in the 常委会 block.
    assert DutyRecord.objects.filter(kind="standing_attendance").count() == 5
