"""社情民意 end to end on a phone screen: a member reports, staff adopt and edit, compose and publish a
bulletin, record a 批示, transfer to a department that replies, and the member sees the feedback."""

import pytest

from conftest import PASSWORD
from sqyy.models import OpinionReport

from .conftest import PHONE_VIEWPORT

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _signed_in(browser, live_server, user):
    context = browser.new_context(viewport=PHONE_VIEWPORT, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill(user.username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()
    return context, page


def test_opinion_report_year_in_miniature(
    browser, live_server, artifacts_dir, member, staff_user, department_user
):
    url = live_server.url
    m_ctx, m = _signed_in(browser, live_server, member.user)
    m.goto(f"{url}/opinions/new/")
    m.get_by_label("标题").fill("关于增设社区食堂的建议")
    m.get_by_label("内容").fill("老年人就餐难。建议在每个街道增设社区食堂，给予场地和运营补贴。")
    m.get_by_role("button", name="提交").click()
    m.get_by_test_id("report-title").wait_for()
    assert "已报送" in m.get_by_test_id("state").inner_text()
    report = OpinionReport.objects.get()

    s_ctx, s = _signed_in(browser, live_server, staff_user)
    s.goto(f"{url}/workbench/opinions/{report.pk}/")
    s.get_by_label("编辑后标题").fill("社区食堂建设亟待加快")
    s.screenshot(path=str(artifacts_dir / "sqyy-edit.png"), full_page=True)
    s.get_by_role("button", name="采用").click()
    s.get_by_text("已采用，可编入《社情民意》。").wait_for()

    s.goto(f"{url}/workbench/opinions/bulletins/")
    s.locator("[data-testid=bulletin-create] summary").click()
    s.get_by_role("button", name="新建").click()
    s.get_by_test_id("bulletin-title").wait_for()
    s.get_by_role("button", name="编入").click()
    s.get_by_text("已编入本期。").wait_for()
    s.once("dialog", lambda dialog: dialog.accept())
    s.get_by_role("button", name="刊发").click()
    s.get_by_text("已刊发。", exact=False).wait_for()
    assert s.get_by_test_id("bulletin-state").inner_text() == "已刊发"
    s.screenshot(path=str(artifacts_dir / "sqyy-bulletin.png"), full_page=True)

    s.goto(f"{url}/workbench/opinions/{report.pk}/")
    s.locator("[data-testid=form-instruct] summary").click()
    s.get_by_label("批示领导").fill("王市长")
    s.get_by_label("批示内容").fill("请民政局研究落实。")
    s.get_by_role("button", name="保存批示").click()
    s.get_by_text("批示已录入。").wait_for()
    s.locator("[data-testid=form-transfer] summary").click()
    s.get_by_label("承办单位").select_option(str(department_user.department_id))
    s.get_by_role("button", name="转办").click()
    s.get_by_text("已转办", exact=False).first.wait_for()

    d_ctx, d = _signed_in(browser, live_server, department_user)
    d.goto(f"{url}/portal/")
    d.get_by_text("社区食堂建设亟待加快").first.click()
    d.get_by_role("button", name="签收").click()
    d.get_by_text("已签收", exact=False).first.wait_for()
    d.locator("[data-testid=form-reply] summary").click()
    d.get_by_label("A 所提问题已经解决或基本解决").check()
    d.get_by_label("答复内容").fill("已在三个街道试点社区食堂。")
    d.get_by_role("button", name="提交答复").click()
    d.get_by_test_id("reply").wait_for()

    s.goto(f"{url}/workbench/opinions/{report.pk}/")
    s.locator("[data-testid=form-feedback] summary").click()
    s.get_by_label("向反映人反馈").fill("民政局已在三个街道试点，感谢您的建议。")
    s.get_by_role("button", name="反馈办结").click()
    s.get_by_text("本件办结").wait_for()

    m.goto(f"{url}/opinions/{report.pk}/")
    assert "王市长" in m.get_by_test_id("instructions").inner_text()
    assert "感谢您的建议" in m.get_by_test_id("feedback").inner_text()
    assert m.evaluate("document.documentElement.scrollWidth") <= 375
    m.screenshot(path=str(artifacts_dir / "sqyy-member-feedback.png"), full_page=True)
    for ctx in (m_ctx, s_ctx, d_ctx):
        ctx.close()
