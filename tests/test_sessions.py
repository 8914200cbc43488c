"""Sessions of the committee (全会, 常委会, 主席会议): default invitees, 补录, leave that needs approval,
absence that counts, agenda, materials with reading receipts and a reader-named copy, report opinions,
the 大会发言汇编 — through services, API and pages, with the wrong roles refused."""

import io
from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from docx import Document
from openpyxl import load_workbook
from pypdf import PdfReader, PdfWriter

from consultations import services, sessions
from consultations.models import Attendance, LeaveRequest, Material, MaterialRead, Meeting
from members import scoring
from members.models import DutyRecord, Member
from zhengxie.notifications.models import Notification

pytestmark = pytest.mark.django_db

API = "/api/v1"


def pdf_bytes(pages: int = 1) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def pdf_upload(name="材料.pdf"):
    return SimpleUploadedFile(name, pdf_bytes(), content_type="application/pdf")


@pytest.fixture
def roster(make_member):
    """A chairman, a vice chairman, two 常委 and three ordinary members, all serving."""
    P = Member.Position
    return {
        "chair": make_member("主席甲", position=P.CHAIRMAN),
        "vice": make_member("副主席乙", position=P.VICE_CHAIRMAN),
        "standing1": make_member("常委丙", position=P.STANDING),
        "standing2": make_member("常委丁", position=P.STANDING),
        "m1": make_member("委员戊"),
        "m2": make_member("委员己"),
        "m3": make_member("委员庚"),
    }


@pytest.fixture
def standing_meeting(staff_user, roster):
    return services.meeting_create(
        actor=staff_user,
        title="常委会第十一次会议",
        type="standing_committee",
        start=timezone.now() + timedelta(days=3),
        place="三楼会议室",
    )


def groups(year) -> dict:
    """Each member's points per block of the scoring scheme (全会, 常委会…)."""
    rows = scoring.with_breakdown(scoring.scheme_for(year), scoring.year_scores(year))
    return {row.member_id: row.by_group for row in rows}


def invitee_ids(meeting) -> set[int]:
    return set(meeting.attendances.values_list("member_id", flat=True))


def move_to_now(meeting):
    start = timezone.now() - timedelta(minutes=5)
    Meeting.objects.filter(pk=meeting.pk).update(start=start, end=start + timedelta(hours=3))
    meeting.refresh_from_db()


# --- kinds and default invitees ---------------------------------------------------------------------


def test_default_invitees_by_kind(staff_user, roster, plenary):
    r = roster
    start = timezone.now() + timedelta(days=2)
    make = lambda type, **kw: services.meeting_create(  # noqa: E731
        actor=staff_user, title=type, type=type, start=start, place="x", **kw
    )
    assert invitee_ids(make("plenary", plenary=plenary)) == {m.pk for m in r.values()}
    assert invitee_ids(make("standing_committee")) == {
        r["chair"].pk,
        r["vice"].pk,
        r["standing1"].pk,
        r["standing2"].pk,
    }
    assert invitee_ids(make("chair_meeting")) == {r["chair"].pk, r["vice"].pk}
    # Staff may still name the invitees; a consultation meeting has no default circle.
    assert invitee_ids(make("standing_committee", invitees=[r["m1"]])) == {r["m1"].pk}
    assert invitee_ids(make("forum")) == set()


def test_api_session_without_invitees_uses_default_and_reports_kind(api, staff_user, roster, plenary):
    start = (timezone.localtime() + timedelta(days=2)).isoformat()
    body = {"title": "开幕大会", "type": "plenary", "start": start, "place": "大礼堂", "plenary": plenary.pk}
    r = api(staff_user).post(f"{API}/meetings/", body, format="json")
    assert r.status_code == 201, r.data
    assert r.data["is_session"] is True and r.data["plenary"] == plenary.pk
    assert len(r.data["invitees"]) == len(roster)


# --- 补录 and attendance that counts --------------------------------------------------------------


def test_backfilled_plenary_counts_attendance_in_the_plenary_block(staff_user, roster, plenary):
    day = plenary.start_date
    start = timezone.make_aware(datetime.combine(day, time(9)))
    notices = Notification.objects.count()
    sitting = services.meeting_create(
        actor=staff_user, title="开幕大会", type="plenary", start=start, place="大礼堂", plenary=plenary
    )
    assert Notification.objects.count() == notices  # 补录 sends no invitations
    services.meeting_record_attendance(
        actor=staff_user, meeting=sitting, member=roster["m1"], status="present"
    )
    services.meeting_record_attendance(actor=staff_user, meeting=sitting, member=roster["m2"], status="leave")
    services.meeting_hold(actor=staff_user, meeting=sitting)
    records = {
        r.member_id: r.detail
        for r in DutyRecord.objects.filter(kind="plenary_attendance", object_id=sitting.pk)
    }
    assert records[roster["m1"].pk] == "present"
    assert records[roster["m2"].pk] == "leave"
    assert records[roster["m3"].pk] == "absent"  # never checked in, never on leave
    points = groups(day.year)
    assert points[roster["m1"].pk].get("plenary") == Decimal("50")
    assert points[roster["m2"].pk].get("plenary") == Decimal("30")
    assert points[roster["m3"].pk].get("plenary", Decimal("0")) == Decimal("0")


# --- leave ---------------------------------------------------------------------------------------------


def test_leave_needs_approval_and_silence_is_absence(api, staff_user, roster, standing_meeting):
    r = roster
    standing1, standing2, chair = r["standing1"], r["standing2"], r["chair"]
    resp = api(standing1.user).post(
        f"{API}/meetings/{standing_meeting.pk}/leave-requests/",
        {"kind": "sick", "reason": "住院治疗"},
        format="json",
    )
    assert resp.status_code == 201 and resp.data["state"] == "pending", resp.data
    leave_id = resp.data["id"]
    # A second request while one is open is a Chinese 400 and changes nothing.
    again = api(standing1.user).post(
        f"{API}/meetings/{standing_meeting.pk}/leave-requests/", {"reason": "再次"}, format="json"
    )
    assert again.status_code == 400 and "已提交" in again.data["detail"]
    assert LeaveRequest.objects.count() == 1
    # standing2 asks too (through the reply form) and is declined.
    services.meeting_reply(actor=standing2.user, meeting=standing_meeting, attend=False, reason="出差")
    declined = LeaveRequest.objects.get(member=standing2)
    resp = api(staff_user).post(
        f"{API}/leave-requests/{declined.pk}/decline/", {"reason": "会议重要"}, format="json"
    )
    assert resp.status_code == 200 and resp.data["state"] == "declined"
    resp = api(staff_user).post(f"{API}/leave-requests/{leave_id}/approve/", format="json")
    assert resp.status_code == 200 and resp.data["state"] == "approved"
    assert Attendance.objects.get(meeting=standing_meeting, member=standing1).status == "leave"
    # Deciding twice is refused.
    assert api(staff_user).post(f"{API}/leave-requests/{leave_id}/approve/").status_code == 400

    move_to_now(standing_meeting)
    services.meeting_record_attendance(
        actor=staff_user, meeting=standing_meeting, member=chair, status="present"
    )
    services.meeting_hold(actor=staff_user, meeting=standing_meeting)
    status = dict(Attendance.objects.filter(meeting=standing_meeting).values_list("member_id", "status"))
    assert status[standing1.pk] == "leave"
    assert status[standing2.pk] == "absent"  # declined leave and no check-in
    assert status[r["vice"].pk] == "absent"  # never asked, never came
    details = dict(
        DutyRecord.objects.filter(kind="standing_attendance", object_id=standing_meeting.pk).values_list(
            "member_id", "detail"
        )
    )
    assert details == {
        chair.pk: "present",
        standing1.pk: "leave",
        standing2.pk: "absent",
        r["vice"].pk: "absent",
    }
    year = timezone.localdate(standing_meeting.start).year
    points = groups(year)
    assert points[standing2.pk].get("standing") == Decimal("-5")
    assert points[standing1.pk].get("standing") == Decimal("-2")


def test_leave_permissions(api, staff_user, leader_user, department_user, roster, standing_meeting):
    leave = sessions.leave_request_create(
        actor=roster["standing1"].user, meeting=standing_meeting, reason="公务", kind="official"
    )
    url = f"{API}/leave-requests/{leave.pk}/approve/"
    # A member (even the requester), a leader and a department cannot decide: 404, nothing changes.
    for user in (roster["standing1"].user, leader_user, department_user):
        assert api(user).post(url).status_code == 404
    # A member who is not invited cannot see the meeting or ask for leave.
    assert (
        api(roster["m1"].user)
        .post(f"{API}/meetings/{standing_meeting.pk}/leave-requests/", {"reason": "x"}, format="json")
        .status_code
        == 404
    )
    # The requester sees only their own requests; staff see the board.
    other = sessions.leave_request_create(actor=roster["chair"].user, meeting=standing_meeting, reason="事")
    mine = api(roster["standing1"].user).get(f"{API}/meetings/{standing_meeting.pk}/leave-requests/").data
    assert [row["id"] for row in mine] == [leave.pk]
    board = api(staff_user).get(f"{API}/meetings/{standing_meeting.pk}/leave-requests/").data
    assert {row["id"] for row in board} == {leave.pk, other.pk}
    leave.refresh_from_db()
    assert leave.state == "pending"
    assert api(staff_user).post(f"{API}/leave-requests/abc/approve/").status_code == 404


# --- agenda and materials ---------------------------------------------------------------------------


def test_materials_reach_invitees_only_and_record_reading(
    api, staff_user, leader_user, department_user, roster, standing_meeting
):
    client = api(staff_user)
    r = client.post(
        f"{API}/meetings/{standing_meeting.pk}/agenda/", {"order": 1, "title": "审议工作要点"}, format="json"
    )
    assert r.status_code == 201
    notices = Notification.objects.filter(recipient=roster["chair"].user).count()
    r = client.post(
        f"{API}/meetings/{standing_meeting.pk}/materials/",
        {"title": "工作要点（审议稿）", "file": pdf_upload(), "agenda_item": r.data["id"]},
        format="multipart",
    )
    assert r.status_code == 201, r.data
    material_id = r.data["id"]
    assert r.data["size"] > 0 and r.data["read_count"] == 0
    # Publishing pushed a notice to every invitee.
    assert Notification.objects.filter(recipient=roster["chair"].user).count() == notices + 1

    download = f"{API}/materials/{material_id}/download/"
    response = api(roster["chair"].user).get(download)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    api(roster["chair"].user).get(download)
    assert MaterialRead.objects.get(material_id=material_id, user=roster["chair"].user).times == 2
    assert api(leader_user).get(download).status_code == 200
    # Not invited, a department, anonymous: 404 / 401, and nothing is recorded.
    assert api(roster["m1"].user).get(download).status_code == 404
    assert api(department_user).get(download).status_code == 404
    assert api().get(download).status_code in (401, 403)
    assert not MaterialRead.objects.filter(user__in=[roster["m1"].user, department_user]).exists()
    readers = client.get(f"{API}/materials/{material_id}/readers/")
    assert readers.status_code == 200
    assert {row["user"] for row in readers.data} == {roster["chair"].user.pk, leader_user.pk}
    assert api(roster["chair"].user).get(f"{API}/materials/{material_id}/readers/").status_code == 403
    listing = api(roster["chair"].user).get(f"{API}/meetings/{standing_meeting.pk}/materials/").data
    assert [m["id"] for m in listing] == [material_id]
    # Members may not upload.
    refused = api(roster["chair"].user).post(
        f"{API}/meetings/{standing_meeting.pk}/materials/", {"file": pdf_upload()}, format="multipart"
    )
    assert refused.status_code == 403


def test_unpublished_and_wrong_type_materials(api, staff_user, roster, standing_meeting):
    draft = sessions.material_upload(
        actor=staff_user, meeting=standing_meeting, title="草稿", file=pdf_upload(), publish=False
    )
    assert api(roster["chair"].user).get(f"{API}/materials/{draft.pk}/download/").status_code == 404
    assert api(staff_user).get(f"{API}/materials/{draft.pk}/download/").status_code == 200
    bad = SimpleUploadedFile("run.exe", b"MZ\x90\x00" * 10, content_type="application/octet-stream")
    r = api(staff_user).post(
        f"{API}/meetings/{standing_meeting.pk}/materials/", {"file": bad}, format="multipart"
    )
    assert r.status_code == 400 and "会议材料" in r.data["detail"]
    assert Material.objects.count() == 1


def test_internal_pdf_carries_the_readers_name(api, staff_user, roster, standing_meeting):
    material = sessions.material_upload(
        actor=staff_user, meeting=standing_meeting, title="内部通报", file=pdf_upload(), is_internal=True
    )
    reader = roster["chair"].user
    content = api(reader).get(f"{API}/materials/{material.pk}/download/").content
    pdf = PdfReader(io.BytesIO(content))
    assert reader.username in pdf.pages[0].extract_text()
    notes = [a.get_object().get("/Contents") for a in pdf.pages[0]["/Annots"]]
    assert any(reader.display_name in str(note) for note in notes)
    assert reader.display_name in pdf.metadata["/Reader"]


# --- speeches and opinions ------------------------------------------------------------------------


def test_speeches_in_order_export_as_docx(api, staff_user, roster, standing_meeting):
    first = services.speech_submit(
        actor=roster["chair"].user, meeting=standing_meeting, title="甲发言", content="甲的内容"
    )
    second = services.speech_submit(
        actor=roster["vice"].user, meeting=standing_meeting, title="乙发言", content="乙的内容"
    )
    sessions.speech_arrange(actor=staff_user, speech=second, oral=True, order=1)
    sessions.speech_arrange(actor=staff_user, speech=first, oral=True, order=2)
    response = api(staff_user).get(f"{API}/meetings/{standing_meeting.pk}/speeches/export/")
    assert response.status_code == 200
    text = [p.text for p in Document(io.BytesIO(response.content)).paragraphs]
    assert text.index("1. 乙发言") < text.index("2. 甲发言")
    assert any("副主席乙" in line and "口头发言" in line for line in text)
    assert (
        api(roster["chair"].user).get(f"{API}/meetings/{standing_meeting.pk}/speeches/export/").status_code
        == 403
    )


def test_report_opinions_recorded_counted_and_exported(api, staff_user, leader_user, roster, plenary):
    start = timezone.now() - timedelta(hours=1)
    group = services.meeting_create(
        actor=staff_user, title="分组讨论", type="plenary", start=start, place="x", plenary=plenary
    )
    client = api(staff_user)
    for report, content in [
        ("government", '=HYPERLINK("x")建议一'),
        ("government", "建议二"),
        ("court", "建议三"),
    ]:
        r = client.post(
            f"{API}/meetings/{group.pk}/report-opinions/",
            {"report": report, "content": content, "member": roster["m1"].pk},
            format="json",
        )
        assert r.status_code == 201, r.data
    assert (
        client.post(
            f"{API}/meetings/{group.pk}/report-opinions/", {"report": "senate", "content": "x"}, format="json"
        ).status_code
        == 400
    )
    listed = (
        api(leader_user).get(f"{API}/meetings/{group.pk}/report-opinions/", {"report": "government"}).data
    )
    assert len(listed) == 2
    response = client.get(f"{API}/meetings/{group.pk}/report-opinions/export/", {"report": "government"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    assert len(rows) == 2 and rows[0][2].startswith("'=")  # never a live formula
    assert api(roster["m1"].user).get(f"{API}/meetings/{group.pk}/report-opinions/").status_code == 403


# --- pages -------------------------------------------------------------------------------------------


def login(client, user):
    client.force_login(user)


def test_staff_board_and_member_page(client, staff_user, roster, standing_meeting):
    sessions.agenda_item_add(actor=staff_user, meeting=standing_meeting, order=1, title="审议工作要点")
    material = sessions.material_upload(
        actor=staff_user, meeting=standing_meeting, title="工作要点", file=pdf_upload()
    )
    login(client, roster["standing1"].user)
    page = client.get(f"/meetings/{standing_meeting.pk}/").content.decode()
    assert "审议工作要点" in page and "工作要点" in page and "提交请假申请" in page
    r = client.post(
        f"/meetings/{standing_meeting.pk}/leave/", {"kind": "sick", "reason": "住院"}, follow=True
    )
    assert "请假申请已提交" in r.content.decode()
    assert client.get(f"/meetings/materials/{material.pk}/").status_code == 200
    client.logout()
    login(client, roster["m1"].user)  # not invited
    assert client.get(f"/meetings/materials/{material.pk}/").status_code == 404
    client.logout()
    login(client, staff_user)
    board = client.get(f"/workbench/consultations/meetings/{standing_meeting.pk}/").content.decode()
    assert "请假审批" in board and "住院" in board and "已读 1" in board
    leave = LeaveRequest.objects.get()
    r = client.post(
        f"/workbench/consultations/meetings/{standing_meeting.pk}/session/leave/",
        {"leave": leave.pk, "approve": "1"},
        follow=True,
    )
    assert "请假审批已保存" in r.content.decode()
    leave.refresh_from_db()
    assert leave.state == "approved"
    readers = client.get(f"/workbench/consultations/materials/{material.pk}/readers/").content.decode()
    assert "常委丙" in readers


def test_staff_board_query_count_does_not_grow(client, staff_user, roster, make_member, standing_meeting):
    login(client, staff_user)
    url = f"/workbench/consultations/meetings/{standing_meeting.pk}/"

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    sessions.material_upload(actor=staff_user, meeting=standing_meeting, title="一", file=pdf_upload())
    before = count()
    for i in range(5):
        extra = make_member(f"新常委{i}", position=Member.Position.STANDING)
        services.meeting_invite(actor=staff_user, meeting=standing_meeting, members=[extra])
        sessions.leave_request_create(actor=extra.user, meeting=standing_meeting, reason="事")
        sessions.agenda_item_add(actor=staff_user, meeting=standing_meeting, order=i + 2, title=f"议程{i}")
        sessions.material_upload(
            actor=staff_user, meeting=standing_meeting, title=f"材料{i}", file=pdf_upload()
        )
    assert count() == before


# --- reminders and demo ------------------------------------------------------------------------------


def test_morning_reminder_for_todays_session(staff_user, roster, standing_meeting):
    from zhengxie.notifications.services import reminders_scan

    # Tomorrow's morning scan (a session "today" at 23:00 had ended when the suite ran after 23:50).
    today = timezone.localdate() + timedelta(days=1)
    later = timezone.make_aware(datetime.combine(today, time(9, 0)))
    Meeting.objects.filter(pk=standing_meeting.pk).update(start=later, end=later + timedelta(minutes=50))
    leave = sessions.leave_request_create(actor=roster["chair"].user, meeting=standing_meeting, reason="事")
    sessions.leave_request_approve(actor=staff_user, leave=leave)
    reminders_scan(today=today)
    told = set(
        Notification.objects.filter(title__startswith="今日会议").values_list("recipient_id", flat=True)
    )
    assert roster["vice"].user.pk in told and roster["standing1"].user.pk in told
    assert roster["chair"].user.pk not in told  # on approved leave


def test_demo_has_sessions_and_real_grades():
    call_command("seed_demo", verbosity=0)
    assert Meeting.objects.filter(type="plenary").count() == 3
    assert Meeting.objects.filter(type="standing_committee", state="held").exists()
    assert Meeting.objects.filter(type="chair_meeting").exists()
    assert DutyRecord.objects.filter(kind="plenary_attendance", detail="present").exists()
    assert LeaveRequest.objects.filter(state="pending").exists()
    call_command("seed_demo", verbosity=0)  # idempotent
    assert Meeting.objects.filter(type="plenary").count() == 3
