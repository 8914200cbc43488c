"""A 常委会 as a paperless meeting in a real browser: staff create it through the page (default invitees),
add the agenda and upload a material; a 常委 on a phone reads the material and asks for leave; staff
approve it on the session board; the member sees 已批准 and nothing was loaded from the internet."""

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from pypdf import PdfWriter

from conftest import make_user
from consultations.models import Attendance, LeaveRequest, Material, MaterialRead, Meeting
from members.models import Member, Sector
from zhengxie.accounts.models import Role

from .conftest import PHONE_VIEWPORT, external_requests
from .test_consultations_flow import _login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_standing_committee_session_on_a_phone(browser, live_server, tmp_path):  # noqa: F811
    sector = Sector.objects.create(name="经济界", order=1)
    standing = Member.objects.create(
        user=make_user("changwei", Role.MEMBER, name="王常委"),
        name="王常委",
        sector=sector,
        position=Member.Position.STANDING,
    )
    Member.objects.create(
        user=make_user("putong", Role.MEMBER, name="普通委员"), name="普通委员", sector=sector
    )
    make_user("clerk", Role.STAFF, name="张干事")
    base = live_server.url

    staff_ctx, staff = _login(browser, live_server, "clerk", {"width": 1280, "height": 900})
    staff.goto(f"{base}/workbench/consultations/meetings/")
    start = timezone.localtime() + timedelta(days=3)
    staff.get_by_label("活动名称").fill("常委会第十一次会议")
    staff.get_by_label("协商形式").select_option("standing_committee")
    staff.get_by_label("开始时间").fill(start.strftime("%Y-%m-%dT%H:%M"))
    staff.get_by_label("地点").fill("三楼会议室")
    staff.get_by_role("button", name="创建").click()
    staff.get_by_test_id("meeting-state").wait_for()
    meeting = Meeting.objects.get()
    # Only the 常委 is invited by default, not the ordinary member.
    assert list(Attendance.objects.filter(meeting=meeting).values_list("member_id", flat=True)) == [
        standing.pk
    ]

    agenda = staff.get_by_test_id("agenda")
    agenda.get_by_text("添加议程").click()
    agenda.get_by_label("议程").fill("审议政协常委会工作要点")
    agenda.get_by_role("button", name="添加").click()
    staff.get_by_text("议程已添加").wait_for()

    pdf = tmp_path / "要点.pdf"
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    pdf.write_bytes(buffer.getvalue())
    materials = staff.get_by_test_id("materials")
    materials.get_by_text("上传材料").click()
    materials.get_by_label("材料标题").fill("工作要点（审议稿）")
    materials.locator("input[type=file]").set_input_files(str(pdf))
    materials.get_by_role("button", name="上传并推送").click()
    staff.get_by_text("材料已上传并推送给参会人员").wait_for()
    material = Material.objects.get()

    member_ctx, phone = _login(browser, live_server, "changwei", PHONE_VIEWPORT)
    phone.goto(f"{base}/meetings/{meeting.pk}/")
    phone.get_by_test_id("member-agenda").get_by_text("审议政协常委会工作要点").wait_for()
    with phone.expect_response(lambda r: f"/meetings/materials/{material.pk}/" in r.url) as opened:
        phone.evaluate(f"fetch('/meetings/materials/{material.pk}/')")
    assert opened.value.status == 200
    assert MaterialRead.objects.filter(material=material, user=standing.user).exists()

    leave = phone.get_by_test_id("member-leave")
    leave.get_by_label("请假类别").select_option("official")
    leave.get_by_label("请假事由").fill("赴省里参加培训")
    leave.get_by_role("button", name="提交请假申请").click()
    phone.get_by_text("请假申请已提交").wait_for()
    phone.screenshot(path=str(tmp_path / "session-phone.png"), full_page=True)
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE_VIEWPORT["width"]

    staff.goto(f"{base}/workbench/consultations/meetings/{meeting.pk}/")
    board = staff.get_by_test_id("leave-board")
    board.get_by_text("赴省里参加培训").wait_for()
    board.get_by_role("button", name="批准", exact=True).click()
    staff.get_by_text("请假审批已保存").wait_for()
    assert LeaveRequest.objects.get().state == "approved"
    assert Attendance.objects.get(meeting=meeting).status == "leave"

    phone.reload()
    phone.get_by_test_id("my-leave").get_by_text("已批准").wait_for()
    assert not external_requests(phone.requested_urls, base)
    assert not external_requests(staff.requested_urls, base)
    member_ctx.close()
    staff_ctx.close()
