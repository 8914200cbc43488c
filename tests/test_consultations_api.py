"""协商 API (API.md "协商"): contract paths and fields, permissions, Chinese 400s, query counts."""

import io
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from docx import Document

from consultations import services
from consultations.models import Attendance, ConsultationPlan, Meeting, Speech, Topic
from members.models import DutyRecord

pytestmark = pytest.mark.django_db

API = "/api/v1"


@pytest.fixture
def plan(staff_user):
    plan = services.plan_create(actor=staff_user, year=2026, title="2026年度政协协商工作计划")
    return services.plan_approve(actor=staff_user, plan=plan, date=date(2026, 1, 5))


@pytest.fixture
def topic(plan, staff_user):
    return services.topic_create(actor=staff_user, plan=plan, title="优化营商环境", type="special_topic")


@pytest.fixture
def meeting(staff_user, topic, member):
    return services.meeting_create(
        actor=staff_user,
        topic=topic,
        title="专题协商会",
        type="special_topic",
        start=timezone.now() + timedelta(days=2),
        place="三楼会议室",
        invitees=[member],
    )


def shift(meeting, minutes):
    start = timezone.now() + timedelta(minutes=minutes)
    Meeting.objects.filter(pk=meeting.pk).update(start=start, end=start + timedelta(hours=3))
    meeting.refresh_from_db()


def test_plan_create_approve_and_topics(api, staff_user):
    client = api(staff_user)
    r = client.post(f"{API}/consultation-plans/", {"year": 2027, "title": "2027年度计划"}, format="json")
    assert r.status_code == 201, r.data
    plan_id = r.data["id"]
    assert r.data["state"] == "draft"
    r = client.post(f"{API}/topics/", {"plan": plan_id, "title": "议题甲", "type": "plenary"}, format="json")
    assert r.status_code == 201 and r.data["state"] == "proposed"
    topic_id = r.data["id"]
    r = client.post(f"{API}/consultation-plans/{plan_id}/approve/", {"date": "2026-01-05"}, format="json")
    assert r.status_code == 200 and r.data["state"] == "approved" and r.data["approved_on"] == "2026-01-05"
    assert client.get(f"{API}/topics/{topic_id}/").data["state"] == "approved"
    r = client.post(f"{API}/topics/", {"plan": plan_id, "title": "议题乙", "type": "remote"}, format="json")
    assert r.data["state"] == "approved"
    r = client.post(f"{API}/consultation-plans/", {"year": 2027}, format="json")
    assert r.status_code == 400 and "已有协商计划" in r.data["detail"]
    history = client.get(f"{API}/consultation-plans/{plan_id}/history/").data
    assert [h["to_state"] for h in history] == ["draft", "approved"]


def test_plan_docx_export_reads_back(api, staff_user, plan, topic, leader_user, member_user):
    r = api(staff_user).get(f"{API}/consultation-plans/{plan.pk}/export/")
    assert r.status_code == 200
    doc = Document(io.BytesIO(r.content))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert plan.title in text and "2026年01月05日" in text
    cells = [c.text for row in doc.tables[0].rows for c in row.cells]
    assert "优化营商环境" in cells and "专题协商会" in cells
    assert api(leader_user).get(f"{API}/consultation-plans/{plan.pk}/export/").status_code == 200
    assert api(member_user).get(f"{API}/consultation-plans/{plan.pk}/export/").status_code == 403


def test_plan_permissions(api, staff_user, member_user, leader_user, department_user):
    draft = services.plan_create(actor=staff_user, year=2030)
    for user in (member_user, leader_user, department_user):
        r = api(user).post(f"{API}/consultation-plans/", {"year": 2031}, format="json")
        assert r.status_code == 403
    assert (
        api(leader_user)
        .post(f"{API}/consultation-plans/{draft.pk}/approve/", {"date": "2026-01-05"})
        .status_code
        == 403
    )
    # a draft plan is invisible to members
    assert api(member_user).get(f"{API}/consultation-plans/{draft.pk}/").status_code == 404
    assert api(None).get(f"{API}/consultation-plans/").status_code == 401
    assert not ConsultationPlan.objects.filter(year=2031).exists()
    draft.refresh_from_db()
    assert draft.state == "draft"


def test_topic_actions_full_flow(api, staff_user, topic, meeting, member):
    client = api(staff_user)
    r = client.post(
        f"{API}/topics/{topic.pk}/submit-outcome/", {"content": "专报", "suggestion_count": 3}, format="json"
    )
    assert r.status_code == 400 and "尚未举行" in r.data["detail"]
    assert client.post(f"{API}/topics/{topic.pk}/start-research/").data["state"] == "researching"
    r = client.post(
        f"{API}/topics/{topic.pk}/research/",
        {
            "kind": "research",
            "date": str(timezone.localdate()),
            "place": "高新区",
            "participants": [member.pk],
        },
        format="json",
    )
    assert r.status_code == 200 and r.data["research_activities"][0]["participants"] == [member.pk]
    shift(meeting, -30)
    assert client.post(f"{API}/meetings/{meeting.pk}/hold/").data["state"] == "held"
    r = client.post(
        f"{API}/topics/{topic.pk}/submit-outcome/",
        {"content": "专报", "suggestion_count": 3, "submitted_to": "市委"},
        format="json",
    )
    assert r.data["state"] == "outcome_submitted" and r.data["outcome"]["suggestion_count"] == 3
    r = client.post(
        f"{API}/topics/{topic.pk}/feedback/", {"content": "采纳", "adopted_count": 2}, format="json"
    )
    assert r.data["state"] == "feedback_received" and r.data["feedback"]["adopted_count"] == 2
    assert client.post(f"{API}/topics/{topic.pk}/close/").data["state"] == "closed"
    history = client.get(f"{API}/topics/{topic.pk}/history/").data
    assert [h["to_state"] for h in history][-3:] == ["outcome_submitted", "feedback_received", "closed"]
    assert set(history[0]) >= {"from_state", "to_state", "actor", "at", "comment"}


def test_topic_action_permissions(
    api, topic, member_user, leader_user, department_user, department, staff_user
):
    for user in (member_user, leader_user):
        assert api(user).post(f"{API}/topics/{topic.pk}/start-research/").status_code == 403
        assert (
            api(user)
            .post(f"{API}/topics/", {"plan": topic.plan_id, "title": "x", "type": "forum"})
            .status_code
            == 403
        )
    # a department sees only the topics it cooperates on
    assert api(department_user).get(f"{API}/topics/{topic.pk}/").status_code == 404
    topic.departments.add(department)
    assert api(department_user).get(f"{API}/topics/{topic.pk}/").status_code == 200
    assert api(department_user).post(f"{API}/topics/{topic.pk}/start-research/").status_code == 403
    topic.refresh_from_db()
    assert topic.state == "approved"


def test_meeting_create_and_invitation_rules(api, staff_user, topic, member, member_user):
    client = api(staff_user)
    start = timezone.localtime() + timedelta(days=3)
    r = client.post(
        f"{API}/meetings/",
        {
            "topic": topic.pk,
            "title": "协商座谈会",
            "type": "forum",
            "start": start.isoformat(),
            "place": "二楼",
            "invitees": [member.pk],
        },
        format="json",
    )
    assert r.status_code == 201, r.data
    assert [i["member"] for i in r.data["invitees"]] == [member.pk]
    assert r.data["notice_due"] and r.data["materials_due"] and r.data["minutes_due"]
    past = (timezone.localtime() - timedelta(hours=2)).isoformat()
    r = client.post(
        f"{API}/meetings/",
        {"title": "过去的会", "type": "forum", "start": past, "place": "x", "invitees": [member.pk]},
        format="json",
    )
    # 补录: a meeting that already happened is recorded with its invitees, and nobody is notified of it.
    from zhengxie.notifications.models import Notification

    notices = Notification.objects.count()
    assert r.status_code == 201, r.data
    assert [i["member"] for i in r.data["invitees"]] == [member.pk]
    assert Notification.objects.count() == notices
    assert Meeting.objects.count() == 2
    assert (
        api(member_user)
        .post(
            f"{API}/meetings/",
            {"title": "x", "type": "forum", "start": start.isoformat(), "place": "x"},
            format="json",
        )
        .status_code
        == 403
    )


def test_member_reply_speech_and_check_in(api, meeting, member, member_user, staff_user):
    client = api(member_user)
    r = client.post(f"{API}/meetings/{meeting.pk}/reply/", {"attend": True}, format="json")
    assert r.status_code == 200 and r.data["invitees"][0]["reply"] == "attend"
    r = client.post(
        f"{API}/meetings/{meeting.pk}/speeches/", {"title": "发言", "content": "内容"}, format="json"
    )
    assert r.status_code == 200 and r.data["speeches"][0]["title"] == "发言"
    speech = Speech.objects.get()
    r = api(staff_user).post(
        f"{API}/meetings/{meeting.pk}/pick-speech/", {"speech": speech.pk, "oral": True}, format="json"
    )
    assert r.data["speeches"][0]["is_oral"] is True
    token = api(staff_user).get(f"{API}/meetings/{meeting.pk}/checkin-code/").data["token"]
    r = client.post(f"{API}/meetings/{meeting.pk}/check-in/", {"token": token}, format="json")
    assert r.status_code == 400 and "签到时间" in r.data["detail"]
    shift(meeting, -5)
    token = api(staff_user).get(f"{API}/meetings/{meeting.pk}/checkin-code/").data
    assert token["svg"].startswith("<svg") and f"/meetings/{meeting.pk}/check-in/?t=" in token["url"]
    r = client.post(f"{API}/meetings/{meeting.pk}/check-in/", {"token": token["token"]}, format="json")
    assert r.status_code == 200 and r.data["invitees"][0]["status"] == "present"
    r = client.post(
        f"{API}/meetings/{meeting.pk}/speeches/", {"title": "晚了", "content": "x"}, format="json"
    )
    assert r.status_code == 400 and "不能再提交" in r.data["detail"]
    assert Speech.objects.get().title == "发言"
    assert DutyRecord.objects.get(member=member, kind="speech").detail == "oral"
    assert DutyRecord.objects.get(member=member, kind="meeting_attendance").detail == "present"


def test_only_invited_members_may_speak_or_check_in(
    api, meeting, other_member, staff_user, department_user, leader_user
):
    shift(meeting, 60)
    token = services.checkin_token(meeting)
    outsider = api(other_member.user)
    assert outsider.get(f"{API}/meetings/{meeting.pk}/").status_code == 404
    assert (
        outsider.post(f"{API}/meetings/{meeting.pk}/speeches/", {"title": "t", "content": "c"}).status_code
        == 404
    )
    assert outsider.post(f"{API}/meetings/{meeting.pk}/check-in/", {"token": token}).status_code == 404
    assert api(department_user).get(f"{API}/meetings/{meeting.pk}/").status_code == 404
    assert (
        api(staff_user)
        .post(f"{API}/meetings/{meeting.pk}/speeches/", {"title": "t", "content": "c"})
        .status_code
        == 403
    )
    assert api(leader_user).post(f"{API}/meetings/{meeting.pk}/hold/").status_code == 403
    assert api(leader_user).get(f"{API}/meetings/{meeting.pk}/checkin-code/").status_code == 403
    assert not Speech.objects.exists()


def test_attendance_endpoint(api, meeting, member, staff_user, member_user, other_member):
    client = api(staff_user)
    r = client.post(
        f"{API}/meetings/{meeting.pk}/attendance/", {"member": member.pk, "status": "present"}, format="json"
    )
    assert r.status_code == 400 and "尚未开始" in r.data["detail"]
    shift(meeting, -10)
    r = client.post(
        f"{API}/meetings/{meeting.pk}/attendance/", {"member": member.pk, "status": "absent"}, format="json"
    )
    assert r.status_code == 200 and r.data["invitees"][0]["status"] == "absent"
    r = client.post(
        f"{API}/meetings/{meeting.pk}/attendance/",
        {"member": other_member.pk, "status": "present"},
        format="json",
    )
    assert r.status_code == 400 and "未受邀" in r.data["detail"]
    assert (
        api(member_user)
        .post(f"{API}/meetings/{meeting.pk}/attendance/", {"member": member.pk, "status": "present"})
        .status_code
        == 403
    )
    assert Attendance.objects.get(member=member).status == "absent"
    r = client.post(f"{API}/meetings/{meeting.pk}/hold/")
    assert r.data["state"] == "held"
    assert [h["to_state"] for h in client.get(f"{API}/meetings/{meeting.pk}/history/").data] == [
        "planned",
        "held",
    ]


def test_member_sees_only_own_row(api, meeting, member_user, staff_user, other_member):
    services.meeting_invite(actor=staff_user, meeting=meeting, members=[other_member])
    r = api(member_user).get(f"{API}/meetings/{meeting.pk}/")
    assert [i["name"] for i in r.data["invitees"]] == ["李委员"]
    assert len(api(staff_user).get(f"{API}/meetings/{meeting.pk}/").data["invitees"]) == 2


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(url)
    assert r.status_code == 200
    return len(ctx.captured_queries), r.data["count"]


def _grow(staff_user, plan, make_member, n):
    members = [make_member(f"委员{i}") for i in range(3)]
    for i in range(n):
        topic = services.topic_create(
            actor=staff_user, plan=plan, title=f"议题{i}", type="forum", planned_month=i % 12 + 1
        )
        services.topic_start_research(actor=staff_user, topic=topic)
        services.research_activity_add(
            actor=staff_user,
            topic=topic,
            kind="research",
            date=timezone.localdate(),
            place="x",
            participants=members,
        )
        m = services.meeting_create(
            actor=staff_user,
            topic=topic,
            title=f"会{i}",
            type="forum",
            start=timezone.now() + timedelta(days=2),
            place="x",
            invitees=members,
        )
        services.speech_submit(actor=members[0].user, meeting=m, title="t", content="c")


@pytest.mark.parametrize("path", ["/topics/", "/meetings/", "/consultation-plans/"])
def test_list_query_count_constant(api, staff_user, plan, make_member, path):
    client = api(staff_user)
    _grow(staff_user, plan, make_member, 2)
    few, n_few = _count(client, f"{API}{path}")
    _grow(staff_user, plan, make_member, 8)
    many, n_many = _count(client, f"{API}{path}")
    assert n_many >= n_few
    assert many == few


def test_member_meeting_list_query_count(api, staff_user, plan, make_member, member):
    _grow(staff_user, plan, make_member, 1)
    Topic.objects.update()
    for m in Meeting.objects.all():
        Attendance.objects.create(meeting=m, member=member)
    few, _ = _count(api(member.user), f"{API}/meetings/")
    _grow(staff_user, plan, make_member, 5)
    for m in Meeting.objects.exclude(attendances__member=member):
        Attendance.objects.create(meeting=m, member=member)
    many, n = _count(api(member.user), f"{API}/meetings/")
    assert n == 6 and many == few


def test_topic_list_filters_by_plan_year_and_type(api, staff_user, member_user, topic):
    """Regression: `?year=` on topics filtered on a meeting field (`start`) and answered 500."""
    other = services.plan_create(actor=staff_user, year=2027, title="2027年度计划")
    services.topic_create(actor=staff_user, plan=other, title="明年的议题", type="plenary")
    for user in (staff_user, member_user):
        r = api(user).get(f"{API}/topics/?year=2026")
        assert r.status_code == 200, r.content
        assert [t["title"] for t in r.data["results"]] == [topic.title]
    r = api(staff_user).get(f"{API}/topics/?type=plenary")
    assert r.status_code == 200 and [t["title"] for t in r.data["results"]] == ["明年的议题"]


def test_meeting_list_counts_invitees_instead_of_listing_them(
    api, staff_user, leader_user, meeting, member, other_member
):
    """A plenary invites every serving member: the list gives each meeting's counts and the reader's
    own row; the detail keeps every invitee for staff and leaders."""
    services.meeting_invite(actor=staff_user, meeting=meeting, members=[other_member])
    Attendance.objects.filter(meeting=meeting, member=other_member).update(status="leave")
    for user in (staff_user, leader_user):
        row = api(user).get(f"{API}/meetings/").json()["results"][0]
        assert row["attendance"] == {"invited": 2, "present": 0, "leave": 1, "absent": 0}
        assert row["invitees"] == []
        detail = api(user).get(f"{API}/meetings/{meeting.pk}/").json()
        assert {i["member"] for i in detail["invitees"]} == {member.pk, other_member.pk}
        assert detail["attendance"]["invited"] == 2
    mine = api(member.user).get(f"{API}/meetings/").json()["results"][0]
    assert [i["member"] for i in mine["invitees"]] == [member.pk] and mine["attendance"]["invited"] == 2
