"""委员履职 in a real browser: a member reports a constituency-contact activity (联系界别群众) on a 375-px
phone, staff confirm it on the pending list, and the member's score and rank on /duty/ change."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from conftest import PASSWORD, make_user
from members.models import DutyRecord, Member, Sector
from members.services import refresh_duty_scores
from zhengxie.accounts.models import Role

from .conftest import PHONE_VIEWPORT, external_requests

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

K = DutyRecord.Kind
LAPTOP_VIEWPORT = {"width": 1280, "height": 900}


def _login(browser, live_server, username, viewport):
    context = browser.new_context(viewport=viewport, locale="zh-CN", device_scale_factor=2)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.requested_urls = []
    page.on("request", lambda req: page.requested_urls.append(req.url))
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()
    return context, page


def _score(page):
    return (
        page.get_by_test_id("duty-total").inner_text().strip(),
        page.get_by_test_id("duty-rank").inner_text().strip(),
    )


def test_contact_report_confirmed_moves_score_and_rank(browser, live_server, artifacts_dir):
    today = timezone.localdate()
    day = min(date(today.year, 1, 5), today)
    sector = Sector.objects.create(name="社会福利和社会保障界", order=1)
    li = Member.objects.create(
        user=make_user("wei_li", Role.MEMBER, name="李委员"), name="李委员", sector=sector
    )
    wang = Member.objects.create(name="王委员", sector=sector)
    zhao = Member.objects.create(name="赵委员", sector=sector)
    make_user("clerk", Role.STAFF, name="张干事")

    def record(member, kind, detail="", share="1"):
        DutyRecord.objects.create(member=member, kind=kind, detail=detail, date=day, share=Decimal(share))
        refresh_duty_scores([(member.pk, day.year)])  # made by hand: keep the yearly scores as services do

    # 赵 60 (plenary 50 + 社情民意 10), 王 53 (plenary 50 + a third of a joint proposal's 10),
    # 李 52 (plenary 50 + research 2): 李 is third; a confirmed contact activity (+2) makes 李 second.
    record(zhao, K.PLENARY_ATTENDANCE, "present")
    record(zhao, K.OPINION_SUBMITTED)
    record(wang, K.PLENARY_ATTENDANCE, "present")
    record(wang, K.PROPOSAL_SUBMITTED, share="0.3")
    record(li, K.PLENARY_ATTENDANCE, "present")
    record(li, K.RESEARCH)

    def shot(page, name):
        page.screenshot(path=str(artifacts_dir / f"duty-{name}.png"), full_page=True)

    def fits_phone(page):
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_VIEWPORT["width"]

    # 1. The member's own 履职档案 before: 52 points, third.
    member_ctx, page = _login(browser, live_server, "wei_li", PHONE_VIEWPORT)
    page.goto(f"{live_server.url}/duty/")
    page.wait_for_url(f"{live_server.url}/duty/members/{li.pk}/*")
    assert _score(page) == ("52.00", "第3名")
    assert "有活动的季度：0 / 4" in page.content() and "联系群众：0 / 40 人" in page.content()
    fits_phone(page)
    shot(page, "1-member-before")

    # 2. The member reports a contact activity with 25 people on the phone form.
    page.get_by_role("link", name="填报履职活动").click()
    page.wait_for_url(f"{live_server.url}/duty/report/")
    page.get_by_label("活动类型").select_option(label="联系界别群众")
    page.get_by_label("活动日期").fill(day.isoformat())
    page.get_by_label("联系群众人数").fill("25")
    page.get_by_label("活动说明").fill("走访界别群众，听取养老服务方面的意见建议。")
    fits_phone(page)
    shot(page, "2-member-report")
    page.get_by_role("button", name="提交").click()
    page.wait_for_url(f"{live_server.url}/duty/members/{li.pk}/*")
    assert "机关工作人员确认后计入履职积分" in page.content()
    # Pending: listed, but it does not count yet.
    assert _score(page) == ("52.00", "第3名")
    assert "待确认" in page.content()
    report = DutyRecord.objects.get(member=li, kind=K.CONSTITUENCY_CONTACT)
    assert report.status == DutyRecord.Status.PENDING and report.people == 25
    shot(page, "3-member-pending")

    # 3. Staff confirm it on the pending list.
    staff_ctx, desk = _login(browser, live_server, "clerk", LAPTOP_VIEWPORT)
    desk.goto(f"{live_server.url}/workbench/duty/pending/")
    rows = desk.get_by_test_id("pending-row")
    assert rows.count() == 1 and "走访界别群众" in rows.first.inner_text()
    desk.get_by_label(f"选择 李委员 {day.isoformat()}").check()
    shot(desk, "4-staff-pending")
    desk.get_by_role("button", name="确认所选", exact=True).click()
    desk.wait_for_url(f"{live_server.url}/workbench/duty/pending/")
    assert "已确认1条履职记录" in desk.content()
    assert "没有待确认的履职填报" in desk.content()
    report.refresh_from_db()
    assert report.status == DutyRecord.Status.CONFIRMED and report.reviewed_by.username == "clerk"

    # The staff ranking shows the new order.
    desk.goto(f"{live_server.url}/workbench/duty/?year={day.year}")
    names = [row.inner_text() for row in desk.get_by_test_id("ranking-row").all()]
    assert [n for who in ("赵委员", "李委员", "王委员") for n in names if who in n] == names
    shot(desk, "5-staff-ranking")

    # 4. The member's page after: 54 points, second, 25 of 40 people contacted.
    page.goto(f"{live_server.url}/duty/")
    page.wait_for_url(f"{live_server.url}/duty/members/{li.pk}/*")
    assert _score(page) == ("54.00", "第2名")
    assert "有活动的季度：1 / 4" in page.content() and "联系群众：25 / 40 人" in page.content()
    fits_phone(page)
    shot(page, "6-member-after")

    assert external_requests(page.requested_urls, live_server.url) == []
    assert external_requests(desk.requested_urls, live_server.url) == []
    member_ctx.close()
    staff_ctx.close()
