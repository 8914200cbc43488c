"""After the reply in a real browser (issue 20): staff record a 回访 from the revisit queue, and the member
fills in the 民主评议 form for the department on a 375-px phone; nothing loads from outside."""

import pytest

from conftest import PASSWORD
from proposals import services
from proposals.models import Assignment, DepartmentReview
from proposals.tests.test_after_reply import _close, _proposal

from .conftest import PHONE_VIEWPORT, external_requests

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
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


def test_revisit_then_member_reviews_the_department_on_a_phone(
    browser, live_server, artifacts_dir, member, staff_user, plenary, department, department_user
):
    proposal = _close(_proposal(member, staff_user, plenary), staff_user, department, department_user, member)

    # staff: the queue lists the closed proposal; the panel records the 回访; the queue empties
    context, page = _login(browser, live_server, staff_user.username, LAPTOP_VIEWPORT)
    page.goto(f"{live_server.url}/workbench/proposals/after/revisits/")
    page.get_by_test_id("revisit-queue").get_by_role("link", name="回访").click()
    page.get_by_label("方式").select_option("face_to_face")
    page.get_by_label("回访情况").fill("上门回访，护学岗已设")
    page.get_by_label("提案人意见").fill("满意")
    page.get_by_role("button", name="记录回访").click()
    page.wait_for_load_state()
    assert "上门回访，护学岗已设" in page.get_by_test_id("revisits").inner_text()
    page.goto(f"{live_server.url}/workbench/proposals/after/revisits/")
    assert "没有待回访的提案" in page.content()
    assert not external_requests(page.requested_urls, live_server.url)
    context.close()
    assert proposal.revisits.count() == 1

    year = Assignment.objects.get(proposal=proposal).stat_year
    round_ = services.review_round_create(actor=staff_user, year=year)
    services.review_round_open(actor=staff_user, round=round_)

    # the member, on a phone: one form for the department, two dimensions, submit
    context, page = _login(browser, live_server, member.user.username, PHONE_VIEWPORT)
    page.goto(f"{live_server.url}/proposals/reviews/")
    form = page.get_by_test_id(f"review-form-{department.pk}")
    assert department.name in form.inner_text()
    button = form.get_by_role("button", name="提交评议")
    box = button.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE_VIEWPORT["width"]  # fits the phone
    form.locator("fieldset").nth(0).get_by_label("满意", exact=True).check()
    form.locator("fieldset").nth(1).get_by_label("基本满意").check()
    form.get_by_label("意见建议（可选）").fill("希望加快进度")
    button.click()
    page.wait_for_load_state()
    assert "评议已提交" in page.content()
    page.screenshot(path=str(artifacts_dir / "after-reply-review-phone.png"), full_page=True)
    assert not external_requests(page.requested_urls, live_server.url)
    context.close()
    review = DepartmentReview.objects.get()
    assert (review.member_id, review.attitude, review.result, review.comment) == (
        member.pk,
        "satisfied",
        "basically_satisfied",
        "希望加快进度",
    )
