"""A member on a phone reports a 民情 case at a 委员工作站, staff resolve it on the workbench, and the member
sees it resolved — through the real pages, with the strict CSP and nothing loaded from the internet."""

import pytest

from activities import services
from activities.models import Case
from conftest import make_user
from members.models import DutyRecord, Member, Sector
from zhengxie.accounts.models import Role

from .conftest import PHONE_VIEWPORT, external_requests
from .test_consultations_flow import _login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_member_reports_a_case_at_a_station_and_sees_it_resolved(browser, live_server, artifacts_dir):  # noqa: F811
    sector = Sector.objects.create(name="经济界", order=1)
    member = Member.objects.create(
        user=make_user("minqing", Role.MEMBER, name="陈委员"), name="陈委员", sector=sector
    )
    staff_user = make_user("clerk", Role.STAFF, name="张干事")
    services.station_create(
        actor=staff_user, name="城关街道委员工作站", address="城关街道便民服务中心", members=[member]
    )
    base = live_server.url

    member_ctx, phone = _login(browser, live_server, "minqing", PHONE_VIEWPORT)
    csp_errors = []
    phone.on(
        "console", lambda msg: csp_errors.append(msg.text) if "Content Security Policy" in msg.text else None
    )
    phone.get_by_role("button", name="展开菜单").click()
    phone.get_by_role("link", name="活动与民情").click()
    phone.wait_for_url("**/activities/")
    phone.get_by_role("link", name="委员工作站").click()
    phone.get_by_role("link", name="在此登记民情").click()
    phone.get_by_label("标题").fill("小区东门路灯损坏")
    phone.get_by_label("群众反映的问题").fill("居民反映路灯损坏两周，夜间出行不便。")
    phone.get_by_label("涉及群众人数").fill("12")
    assert phone.get_by_label("接待地点（工作站）").input_value() != ""
    phone.get_by_role("button", name="登记").click()
    phone.get_by_text("民情已登记。").wait_for()
    assert phone.get_by_test_id("case-state").inner_text() == "办理中"
    case = Case.objects.get()
    assert case.station.name == "城关街道委员工作站" and case.people == 12
    assert DutyRecord.objects.filter(member=member, kind="constituency_contact", people=12).exists()

    staff_ctx, desk = _login(browser, live_server, "clerk", {"width": 1280, "height": 900})
    desk.goto(f"{base}/workbench/activities/")
    desk.get_by_role("link", name="民情", exact=True).click()
    desk.get_by_role("link", name="小区东门路灯损坏").click()
    desk.get_by_label("解决情况").fill("联系街道办，三天内修复，居民满意。")
    desk.get_by_role("button", name="办结").click()
    desk.get_by_text("已办结。").wait_for()

    phone.reload()
    assert phone.get_by_test_id("case-state").inner_text() == "已解决"
    assert "联系街道办，三天内修复" in phone.get_by_test_id("resolution").inner_text()
    phone.screenshot(path=str(artifacts_dir / "activities_case_resolved_phone.png"), full_page=True)
    # The phone page fits the screen: nothing wider than the viewport.
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE_VIEWPORT["width"]
    assert not csp_errors
    assert external_requests(phone.requested_urls + desk.requested_urls, base) == []
    member_ctx.close()
    staff_ctx.close()
