"""协商 pages: staff board, topic and meeting pages; members' invitations, answers, speeches, check-in."""

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

BOARD = "/workbench/consultations/"


@pytest.fixture
def plan(staff_user):
    return services.plan_create(actor=staff_user, year=2026)


@pytest.fixture
def topic(plan, staff_user):
    services.plan_approve(actor=staff_user, plan=plan, date=date(2026, 1, 5))
    return services.topic_create(
        actor=staff_user, plan=plan, title="乡村振兴", type="counterpart", planned_month=6
    )


@pytest.fixture
def meeting(staff_user, topic, member):
    return services.meeting_create(
        actor=staff_user,
        topic=topic,
        title="乡村振兴对口协商会",
        type="counterpart",
        start=timezone.now() + timedelta(days=2),
        place="市政协会议室",
        invitees=[member],
    )


def login(client, user):
    client.force_login(user)
    return client


def shift(meeting, minutes):
    start = timezone.now() + timedelta(minutes=minutes)
    Meeting.objects.filter(pk=meeting.pk).update(start=start, end=start + timedelta(hours=3))
    meeting.refresh_from_db()


def test_staff_create_and_approve_plan_add_topic(client, staff_user):
    login(client, staff_user)
    r = client.post(f"{BOARD}plans/new/", {"year": 2026, "title": ""}, follow=True)
    assert "2026年度政协协商工作计划" in r.content.decode()
    plan = ConsultationPlan.objects.get()
    r = client.post(
        f"{BOARD}plans/{plan.pk}/topics/new/",
        {"title": "营商环境", "type": "special_topic", "planned_month": "5"},
        follow=True,
    )
    assert Topic.objects.get().state == "proposed"
    r = client.post(f"{BOARD}plans/{plan.pk}/approve/", {"date": "2026-01-05"}, follow=True)
    assert "计划已批准" in r.content.decode()
    assert Topic.objects.get().state == "approved"
    r = client.get(f"{BOARD}plans/{plan.pk}/docx/")
    doc = Document(io.BytesIO(r.content))
    assert "营商环境" in [c.text for row in doc.tables[0].rows for c in row.cells]


def test_bad_approval_date_changes_nothing(client, staff_user, plan):
    login(client, staff_user)
    future = (timezone.localdate() + timedelta(days=5)).isoformat()
    r = client.post(f"{BOARD}plans/{plan.pk}/approve/", {"date": future}, follow=True)
    assert "不能晚于今天" in r.content.decode()
    plan.refresh_from_db()
    assert plan.state == "draft"


def test_board_groups_by_state_and_month(client, staff_user, topic, leader_user):
    login(client, leader_user)
    body = client.get(f"{BOARD}?year=2026").content.decode()
    assert "乡村振兴" in body and "6月" in body and "登记批准" not in body
    assert 'data-testid="topic-form"' not in body  # leaders read only


def test_workbench_pages_refuse_members_and_departments(client, member_user, department_user, topic, meeting):
    for user in (member_user, department_user):
        login(client, user)
        assert client.get(BOARD).status_code == 403
        assert client.get(f"{BOARD}topics/{topic.pk}/").status_code == 403
        assert client.get(f"{BOARD}meetings/{meeting.pk}/").status_code == 403
        assert client.post(f"{BOARD}topics/{topic.pk}/start-research/").status_code == 403


def test_leader_cannot_act(client, leader_user, topic, meeting, plan):
    login(client, leader_user)
    assert client.post(f"{BOARD}topics/{topic.pk}/start-research/").status_code == 403
    assert client.post(f"{BOARD}meetings/{meeting.pk}/hold/").status_code == 403
    assert client.post(f"{BOARD}plans/new/", {"year": 2040}).status_code == 403
    topic.refresh_from_db()
    assert topic.state == "approved"


def test_topic_page_tells_the_whole_story(client, staff_user, topic, meeting, member):
    login(client, staff_user)
    client.post(f"{BOARD}topics/{topic.pk}/start-research/")
    client.post(
        f"{BOARD}topics/{topic.pk}/research/",
        {
            "kind": "research",
            "date": timezone.localdate().isoformat(),
            "place": "青山镇",
            "participants": [member.pk],
        },
    )
    r = client.post(
        f"{BOARD}topics/{topic.pk}/outcome/", {"content": "专报", "suggestion_count": 4}, follow=True
    )
    assert "尚未举行" in r.content.decode()
    shift(meeting, -60)
    client.post(f"{BOARD}meetings/{meeting.pk}/hold/")
    client.post(
        f"{BOARD}topics/{topic.pk}/outcome/", {"content": "关于乡村振兴的专报", "suggestion_count": 4}
    )
    client.post(
        f"{BOARD}topics/{topic.pk}/feedback/",
        {"content": "市政府已采纳", "adopted_count": 3, "instruction": "认真落实"},
    )
    client.post(f"{BOARD}topics/{topic.pk}/close/", {"comment": ""})
    topic.refresh_from_db()
    assert topic.state == "closed"
    body = client.get(f"{BOARD}topics/{topic.pk}/").content.decode()
    for text in (
        "青山镇",
        "乡村振兴对口协商会",
        "关于乡村振兴的专报",
        "市政府已采纳",
        "认真落实",
        "已办结",
        "报送协商成果",
    ):
        assert text in body
    assert DutyRecord.objects.filter(member=member, kind="research").exists()
    assert client.post(f"{BOARD}topics/{topic.pk}/unknown/").status_code == 404


def test_meeting_page_sheet_qr_and_attendance(client, staff_user, meeting, member):
    login(client, staff_user)
    body = client.get(f"{BOARD}meetings/{meeting.pk}/").content.decode()
    assert 'data-testid="attendance-sheet"' in body and "李委员" in body and "<svg" in body
    r = client.post(
        f"{BOARD}meetings/{meeting.pk}/attendance/", {"member": member.pk, "status": "present"}, follow=True
    )
    assert "尚未开始" in r.content.decode()
    assert Attendance.objects.get().status == ""
    shift(meeting, -5)
    client.post(f"{BOARD}meetings/{meeting.pk}/attendance/", {"member": member.pk, "status": "present"})
    assert Attendance.objects.get().status == "present"
    client.post(f"{BOARD}meetings/{meeting.pk}/hold/")
    client.post(f"{BOARD}meetings/{meeting.pk}/minutes/", {"minutes": "纪要正文"})
    meeting.refresh_from_db()
    assert meeting.state == "held" and meeting.minutes == "纪要正文"


def test_staff_create_meeting_page_records_past_meeting(client, staff_user, member):
    login(client, staff_user)
    past = (timezone.localtime() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    r = client.post(
        f"{BOARD}meetings/new/",
        {"title": "x", "type": "forum", "start": past, "place": "x", "invitees": [member.pk]},
        follow=True,
    )
    # 补录: a past start is recorded (no invitation goes out) rather than refused.
    from zhengxie.notifications.models import Notification

    assert Meeting.objects.filter(title="x").exists() and not Notification.objects.exists()
    Meeting.objects.filter(title="x").delete()
    soon = (timezone.localtime() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    r = client.post(
        f"{BOARD}meetings/new/",
        {"title": "协商座谈会", "type": "forum", "start": soon, "place": "x", "invitees": [member.pk]},
    )
    meeting = Meeting.objects.get()
    assert r.status_code == 302 and r.url == f"{BOARD}meetings/{meeting.pk}/"


def test_member_answers_speaks_and_checks_in(client, member_user, meeting, member):
    login(client, member_user)
    body = client.get("/meetings/").content.decode()
    assert "乡村振兴对口协商会" in body and "未回复" in body
    r = client.post(f"/meetings/{meeting.pk}/reply/", {"attend": "0", "reason": ""}, follow=True)
    assert "事由" in r.content.decode()
    client.post(f"/meetings/{meeting.pk}/reply/", {"attend": "1"})
    assert Attendance.objects.get().reply == "attend"
    client.post(f"/meetings/{meeting.pk}/speech/", {"title": "我的发言", "content": "建议如下"})
    assert Speech.objects.get().title == "我的发言"
    token = services.checkin_token(meeting)
    r = client.post(f"/meetings/{meeting.pk}/check-in/", {"t": token}, follow=True)
    assert "不在签到时间内" in r.content.decode()
    shift(meeting, -10)
    token = services.checkin_token(meeting)
    assert "确认签到" in client.get(f"/meetings/{meeting.pk}/check-in/?t={token}").content.decode()
    r = client.post(f"/meetings/{meeting.pk}/check-in/", {"t": token}, follow=True)
    assert "签到成功" in r.content.decode()
    assert Attendance.objects.get().status == "present"
    r = client.post(f"/meetings/{meeting.pk}/speech/", {"title": "迟交", "content": "x"}, follow=True)
    assert "不能再提交" in r.content.decode() and Speech.objects.get().title == "我的发言"


def test_uninvited_member_gets_404(client, other_member, meeting):
    login(client, other_member.user)
    token = services.checkin_token(meeting)
    assert client.get(f"/meetings/{meeting.pk}/").status_code == 404
    assert client.post(f"/meetings/{meeting.pk}/speech/", {"title": "t", "content": "c"}).status_code == 404
    assert client.post(f"/meetings/{meeting.pk}/check-in/", {"t": token}).status_code == 404
    assert not Speech.objects.exists()


def test_staff_cannot_use_member_pages(client, staff_user, meeting):
    login(client, staff_user)
    assert client.get("/meetings/").status_code == 403
    assert client.post(f"/meetings/{meeting.pk}/speech/", {"title": "t", "content": "c"}).status_code == 403


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def _add(staff_user, plan, make_member, member, n, offset):
    people = [make_member(f"委员{offset}{i}") for i in range(2)] + [member]
    for i in range(n):
        t = services.topic_create(
            actor=staff_user, plan=plan, title=f"议题{offset}-{i}", type="forum", planned_month=i % 12 + 1
        )
        m = services.meeting_create(
            actor=staff_user,
            topic=t,
            title=f"会{offset}-{i}",
            type="forum",
            start=timezone.now() + timedelta(days=2),
            place="x",
            invitees=people,
        )
        services.speech_submit(actor=people[0].user, meeting=m, title="t", content="c")
    return m


def test_page_query_counts_do_not_grow(client, staff_user, topic, make_member, member):
    plan = topic.plan
    m = _add(staff_user, plan, make_member, member, 2, "a")
    login(client, staff_user)
    urls = [
        f"{BOARD}?year=2026",
        f"{BOARD}meetings/",
        f"{BOARD}meetings/{m.pk}/",
        f"{BOARD}topics/{topic.pk}/",
    ]
    before = [_queries(client, u) for u in urls]
    client.force_login(member.user)
    member_before = _queries(client, "/meetings/")
    m2 = _add(staff_user, plan, make_member, member, 10, "b")
    services.meeting_invite(actor=staff_user, meeting=m, members=[make_member(f"追加{i}") for i in range(5)])
    client.force_login(staff_user)
    after = [_queries(client, u) for u in urls]
    assert after == before
    client.force_login(member.user)
    assert _queries(client, "/meetings/") == member_before
    assert m2.pk
    # The list's summaries (one grouped query) are what each meeting's own rows add up to.
    from consultations import selectors as consultation_selectors

    summaries = consultation_selectors.attendance_summaries([m.pk, m2.pk])
    for meeting in (m, m2):
        assert summaries[meeting.pk] == consultation_selectors.attendance_summary(meeting.attendances.all())
    assert summaries[m.pk]["invited"] > 0


def test_admin_lists_and_hold_action(client, staff_user, meeting, topic):
    client.force_login(staff_user)
    for model in ("consultationplan", "topic", "meeting", "speech", "outcome", "feedback"):
        assert client.get(f"/admin/consultations/{model}/").status_code == 200
    assert client.get(f"/admin/consultations/meeting/{meeting.pk}/change/").status_code == 200
    r = client.post(
        "/admin/consultations/meeting/", {"action": "hold", "_selected_action": [meeting.pk]}, follow=True
    )
    assert "尚未开始" in r.content.decode()
    meeting.refresh_from_db()
    assert meeting.state == "planned"


def test_member_meetings_page_pages_the_past_invitations(client, staff_user, topic, member, meeting):
    """The coming invitations on every page; the past ones 30 a page (they grew with every year served)."""
    from consultations.views import PAST_INVITATIONS_PER_PAGE

    for i in range(PAST_INVITATIONS_PER_PAGE + 3):
        services.meeting_create(
            actor=staff_user,
            topic=topic,
            title=f"往次协商会{i:02d}",
            type="forum",
            start=timezone.now() - timedelta(days=10 + i),
            place="x",
            invitees=[member],
        )
    login(client, member.user)
    first = client.get("/meetings/").content.decode()
    second = client.get("/meetings/?page=2").content.decode()
    for body in (first, second):
        assert "乡村振兴对口协商会" in body  # the coming one, on every page
    assert first.count("往次协商会") == PAST_INVITATIONS_PER_PAGE and second.count("往次协商会") == 3
    assert "往次协商会00" in first and "往次协商会32" in second  # newest first
    assert "第 1 / 2 页" in first
    # A page past the end or not a number shows a page, not an error.
    assert client.get("/meetings/?page=99").status_code == 200
    assert client.get("/meetings/?page=x%00").status_code == 200
