"""The intake flow in a real browser on a 375-px phone: a member drafts and submits a joint proposal,
the co-signer confirms, staff return it, the member edits and resubmits, staff register it, and the
member sees its number."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from conftest import PASSWORD, make_user
from members.models import Member, Plenary, Sector, Term
from proposals.models import Proposal
from zhengxie.accounts.models import Role

from .conftest import PHONE_VIEWPORT, external_requests

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

TITLE = "关于加快老旧小区加装电梯的建议"


def _login(browser, live_server, username):
    context = browser.new_context(viewport=PHONE_VIEWPORT, locale="zh-CN", device_scale_factor=2)
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


def _fits_phone(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_VIEWPORT["width"]


def test_joint_proposal_from_draft_to_registration(browser, live_server, artifacts_dir):
    term = Term.objects.create(number=15, start_date=date(2022, 1, 10), is_current=True)
    today = timezone.localdate()
    # A closed plenary is not offered; the open one is.
    Plenary.objects.create(term=term, number=1, start_date=date(2025, 1, 12), end_date=date(2025, 1, 15))
    Plenary.objects.create(
        term=term, number=2, start_date=today - timedelta(days=1), end_date=today + timedelta(days=3)
    )
    sector = Sector.objects.create(name="经济界", order=1)
    proposer = Member.objects.create(
        user=make_user("wei_li", Role.MEMBER, name="李委员"),
        name="李委员",
        sector=sector,
        mobile="13900001111",
    )
    cosigner = Member.objects.create(
        user=make_user("wei_zhao", Role.MEMBER, name="赵委员"), name="赵委员", sector=sector
    )
    make_user("clerk", Role.STAFF, name="张干事")

    def shot(page, name):
        page.screenshot(path=str(artifacts_dir / f"proposal-{name}.png"), full_page=True)

    # 1. The member drafts a joint proposal on the phone and submits it.
    member_ctx, page = _login(browser, live_server, proposer.user.username)
    page.locator(".navbar-toggler").click()
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="我的提案").click()
    page.wait_for_url(f"{live_server.url}/proposals/")
    page.get_by_role("link", name="撰写提案").click()
    page.wait_for_url(f"{live_server.url}/proposals/new/")  # waits for "load": the form's script has run
    page.get_by_label("案由").fill(TITLE)
    assert page.get_by_test_id("title-count").inner_text() == str(len(TITLE))
    page.get_by_label("类别").select_option(label="社会")
    page.get_by_label("委员联名").check()
    page.get_by_label("筛选联名人").fill("赵")
    # Touch-friendly picker: the filter hides other names, a tap ticks the box.
    assert page.get_by_label("李委员（经济界）").count() == 0
    page.get_by_label("赵委员（经济界）").check()
    assert page.get_by_test_id("cosigner-count").inner_text() == "1"
    assert page.locator("select[name=plenary]").input_value() != ""
    assert "第一次会议" not in page.locator("select[name=plenary]").inner_text()
    page.get_by_label("正文").fill("情况：不少老旧小区没有电梯。建议：财政补贴与居民共担，简化审批。")
    _fits_phone(page)
    shot(page, "1-member-form")
    # 提交 asks first: dismissing keeps the page, accepting submits.
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_role("button", name="提交").click()
    assert page.url == f"{live_server.url}/proposals/new/"
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="提交").click()
    page.wait_for_url(f"{live_server.url}/proposals/*/")
    assert "正在等待联名人确认" in page.content()
    proposal = Proposal.objects.get(title=TITLE)
    assert proposal.state == Proposal.State.AWAITING_COSIGNERS
    assert "待联名确认" in page.get_by_test_id("state-badge").first.inner_text()
    shot(page, "2-member-submitted")

    # 2. The co-signer sees the invitation and agrees.
    co_ctx, co_page = _login(browser, live_server, cosigner.user.username)
    co_page.goto(f"{live_server.url}/proposals/")
    invitations = co_page.get_by_test_id("invitations")
    assert TITLE in invitations.inner_text()
    _fits_phone(co_page)
    shot(co_page, "3-cosigner-invitation")
    invitations.get_by_role("button", name="同意联名").click()
    co_page.wait_for_url(f"{live_server.url}/proposals/")
    assert "已同意联名" in co_page.content()
    proposal.refresh_from_db()
    assert proposal.state == Proposal.State.SUBMITTED

    # 3. Staff return it with a reason.
    staff_ctx, staff_page = _login(browser, live_server, "clerk")
    staff_page.goto(f"{live_server.url}/workbench/proposals/")
    staff_page.get_by_role("link", name=TITLE).click()
    staff_page.wait_for_url(f"{live_server.url}/workbench/proposals/{proposal.pk}/")
    _fits_phone(staff_page)
    shot(staff_page, "4-staff-review-page")
    staff_page.get_by_text("退回修改", exact=True).click()
    staff_page.get_by_label("退回理由").fill("请补充补贴标准的具体建议。")
    staff_page.get_by_role("button", name="退回", exact=True).click()
    staff_page.wait_for_url(f"{live_server.url}/workbench/proposals/{proposal.pk}/")
    assert "已退回提案人修改" in staff_page.content()
    _fits_phone(staff_page)
    shot(staff_page, "4b-staff-returned")

    # 4. The member reads the reason, edits, and resubmits; leaving with unsaved edits warns first.
    page.goto(f"{live_server.url}/proposals/{proposal.pk}/")
    assert "请补充补贴标准的具体建议。" in page.get_by_test_id("return-reason").inner_text()
    page.get_by_role("link", name="修改", exact=True).click()
    page.wait_for_url(f"{live_server.url}/proposals/{proposal.pk}/edit/")
    content = page.get_by_label("正文")
    content.fill(content.input_value() + "补贴标准：每台电梯财政补贴不超过20万元。")
    dialogs = []

    def stay(dialog):
        dialogs.append(dialog.type)
        dialog.dismiss()

    page.once("dialog", stay)
    page.get_by_role("link", name="取消").click()
    for _ in range(50):  # the dialog event may arrive a moment after the click returns
        if dialogs:
            break
        page.wait_for_timeout(100)
    assert dialogs == ["beforeunload"]
    assert page.url.endswith(f"/proposals/{proposal.pk}/edit/")
    shot(page, "5-member-editing")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="提交").click()
    page.wait_for_url(f"{live_server.url}/proposals/{proposal.pk}/")
    assert "等待提案委员会审查" in page.content()
    proposal.refresh_from_db()
    assert proposal.state == Proposal.State.SUBMITTED and "20万元" in proposal.content

    # 5. Staff register it.
    staff_page.goto(f"{live_server.url}/workbench/proposals/{proposal.pk}/")
    staff_page.once("dialog", lambda dialog: dialog.accept())
    staff_page.get_by_role("button", name="立案", exact=True).click()
    staff_page.wait_for_load_state()
    assert "十五届二次会议第0001号" in staff_page.content()
    shot(staff_page, "6-staff-registered")

    # 6. The member sees the number, and the history of every step.
    page.goto(f"{live_server.url}/proposals/{proposal.pk}/")
    assert page.get_by_test_id("proposal-number").inner_text() == "十五届二次会议第0001号"
    history = page.get_by_test_id("history").inner_text()
    for step in ("创建草稿", "提交", "联名确认完成", "退回修改", "立案"):
        assert step in history
    assert "13900001111" not in page.content()
    _fits_phone(page)
    shot(page, "7-member-sees-number")

    for p in (page, co_page, staff_page):
        assert external_requests(p.requested_urls, live_server.url) == []
    for ctx in (member_ctx, co_ctx, staff_ctx):
        ctx.close()
