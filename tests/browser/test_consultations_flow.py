"""协商 in a real browser: staff create and approve the plan, add a topic and a meeting; the member accepts
the invitation and submits a speech, then checks in through the door QR link; staff hold the meeting and
record the outcome and the feedback. Phone-sized for the member."""

from datetime import timedelta

import pytest
from django.utils import timezone

from conftest import PASSWORD, make_user
from consultations.models import Attendance, ConsultationPlan, Meeting, Speech, Topic
from members.models import DutyRecord, Member, Sector
from zhengxie.accounts.models import Role

from .conftest import PHONE_VIEWPORT, external_requests

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _login(browser, live_server, username, viewport):  # noqa: F811 - browser is the fixture
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.requested_urls = []
    page.on("request", lambda req: page.requested_urls.append(req.url))
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    # Signed in once the browser has left the login page (the load state alone may be the login page's
    # own, and a click that follows lands on a page about to be replaced).
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    page.wait_for_load_state()
    return context, page


def test_plan_topic_meeting_speech_checkin_outcome(browser, live_server, tmp_path):  # noqa: F811
    from pathlib import Path

    artifacts = Path(__file__).resolve().parent / "artifacts"
    artifacts.mkdir(exist_ok=True)
    sector = Sector.objects.create(name="经济界", order=1)
    member = Member.objects.create(
        user=make_user("wei_chen", Role.MEMBER, name="陈委员"), name="陈委员", sector=sector
    )
    make_user("clerk", Role.STAFF, name="张干事")
    year = timezone.localdate().year
    base = live_server.url

    staff_ctx, staff = _login(browser, live_server, "clerk", {"width": 1280, "height": 900})
    staff.goto(f"{base}/workbench/consultations/?year={year}")
    form = staff.get_by_test_id("plan-form")
    form.get_by_label("年度").fill(str(year))
    form.get_by_role("button", name="创建计划").click()
    staff.get_by_text("年度协商计划已创建").wait_for()
    topic_form = staff.get_by_test_id("topic-form")
    topic_form.get_by_label("议题").fill("优化营商环境")
    topic_form.get_by_label("协商形式").select_option("special_topic")
    topic_form.get_by_role("button", name="添加议题").click()
    staff.get_by_text("议题已添加").wait_for()
    staff.get_by_role("button", name="登记批准").click()
    staff.get_by_text("计划已批准").wait_for()
    assert ConsultationPlan.objects.get().state == "approved"
    topic = Topic.objects.get()
    assert topic.state == "approved"

    staff.goto(f"{base}/workbench/consultations/meetings/?topic={topic.pk}")
    meeting_form = staff.get_by_test_id("meeting-form")
    meeting_form.get_by_label("活动名称").fill("优化营商环境专题协商会")
    meeting_form.get_by_label("协商形式").select_option("special_topic")
    start = timezone.localtime() + timedelta(days=2)
    meeting_form.get_by_label("开始时间").fill(start.strftime("%Y-%m-%dT%H:%M"))
    meeting_form.locator("#id_place").fill("三楼会议室")
    meeting_form.get_by_label("邀请委员").fill("陈")  # the member picker searches, then one is ticked
    meeting_form.get_by_role("checkbox", name="陈委员").check()
    meeting_form.get_by_role("button", name="创建并发出邀请").click()
    staff.get_by_text("协商活动已创建").wait_for()
    meeting = Meeting.objects.get()

    member_ctx, phone = _login(browser, live_server, "wei_chen", PHONE_VIEWPORT)
    phone.goto(f"{base}/meetings/")
    phone.get_by_role("link", name="优化营商环境专题协商会").click()
    phone.get_by_test_id("reply").get_by_text("参加", exact=True).click()
    phone.get_by_role("button", name="提交回复").click()
    phone.get_by_text("已回复参加").wait_for()
    phone.get_by_label("发言题目").fill("关于涉企检查综合查一次的建议")
    phone.get_by_label("发言材料").fill("建议建立跨部门联合检查清单。")
    phone.get_by_role("button", name="提交发言材料").click()
    phone.get_by_text("发言材料已提交").wait_for()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    phone.screenshot(path=str(artifacts / "consultations-member-meeting.png"), full_page=True)
    assert Attendance.objects.get().reply == "attend" and Speech.objects.count() == 1

    # The meeting begins (the clock is moved by moving the meeting); the door QR's link checks in.
    begin = timezone.now() - timedelta(minutes=5)
    Meeting.objects.filter(pk=meeting.pk).update(start=begin, end=begin + timedelta(hours=2))
    staff.goto(f"{base}/workbench/consultations/meetings/{meeting.pk}/")
    assert staff.get_by_test_id("checkin-qr").locator("svg").count() == 1
    checkin_url = staff.get_by_test_id("checkin-url").inner_text()
    phone.goto(checkin_url)
    phone.get_by_role("button", name="确认签到").click()
    phone.get_by_text("签到成功").wait_for()
    assert Attendance.objects.get().status == "present"

    staff.reload()
    staff.get_by_role("button", name="确认已举行").click()
    staff.get_by_text("已确认活动举行").wait_for()
    staff.screenshot(path=str(artifacts / "consultations-meeting-sheet.png"), full_page=True)
    staff.goto(f"{base}/workbench/consultations/topics/{topic.pk}/")
    outcome = staff.get_by_test_id("outcome")
    outcome.get_by_label("成果内容").fill("关于优化营商环境的专报")
    outcome.get_by_label("建议条数").fill("6")
    outcome.get_by_role("button", name="报送成果").click()
    staff.get_by_text("协商成果已报送").wait_for()
    feedback = staff.get_by_test_id("feedback")
    feedback.get_by_label("反馈情况").fill("市政府已采纳并部署落实")
    feedback.get_by_label("采纳建议条数").fill("4")
    feedback.get_by_role("button", name="登记反馈").click()
    staff.get_by_text("采纳反馈已登记").wait_for()
    topic.refresh_from_db()
    assert topic.state == "feedback_received" and topic.feedback.adopted_count == 4
    assert set(DutyRecord.objects.filter(member=member).values_list("kind", "detail")) == {
        ("meeting_attendance", "present"),
        ("speech", "written"),
    }
    staff.screenshot(path=str(artifacts / "consultations-topic.png"), full_page=True)
    assert external_requests(phone.requested_urls, base) == []
    member_ctx.close()
    staff_ctx.close()
