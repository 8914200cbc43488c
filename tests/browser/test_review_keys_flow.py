"""The keyboard 立案审查 screen (issue 19): staff press R to register one proposal and J, a number key and
Enter to reject the next with a standard reason; the day's counter goes up; no CSP violation."""

from datetime import date

import pytest
from django.utils import timezone

from conftest import PASSWORD, make_user
from members.models import Member, Plenary, Sector, Term
from proposals import services
from proposals.models import Proposal, ProposalCategory, RejectionReason
from zhengxie.accounts.models import Role

from .test_accessibility import AXE_RUN

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_register_and_reject_with_the_keyboard(browser, live_server, artifacts_dir):
    term = Term.objects.create(number=15, start_date=date(2022, 1, 10), is_current=True)
    plenary = Plenary.objects.create(
        term=term, number=2, start_date=date(2026, 1, 12), end_date=date(2026, 1, 15)
    )
    sector = Sector.objects.create(name="经济界", order=1)
    author = Member.objects.create(
        user=make_user("wei_keys", Role.MEMBER, name="王委员"), name="王委员", sector=sector
    )
    staff = make_user("staff_keys", Role.STAFF, name="张干事")
    rows = []
    for title in ("关于加快老旧小区改造的建议", "关于推广某品牌净水器的建议"):
        p = services.proposal_create(
            actor=author.user,
            title=title,
            content="情况、分析和建议。",
            category=ProposalCategory.objects.get(name="社会"),
            during_plenary=True,
            plenary=plenary,
        )
        rows.append(services.proposal_submit(actor=author.user, proposal=p))
        Proposal.objects.filter(pk=p.pk).update(submitted_at=timezone.now())
    first, second = rows
    reasons = list(RejectionReason.objects.filter(is_active=True).order_by("order", "id"))

    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    violations = []
    page.on("console", lambda msg: "Content Security Policy" in msg.text and violations.append(msg.text))
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill(staff.username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()

    page.goto(f"{live_server.url}/workbench/proposals/review-keys/")
    assert page.get_by_test_id("proposal-title").inner_text() == first.title
    assert page.locator('[data-count="total"]').inner_text() == "0"
    # accessible (axe: no serious or critical violation) and fits a phone, panels open
    page.locator("#panel-reject").evaluate("el => el.open = true")
    for viewport in ({"width": 1280, "height": 900}, {"width": 375, "height": 812}):
        page.set_viewport_size(viewport)
        page.add_script_tag(url=f"{live_server.url}/static/vendor/axe-core/axe.min.js")
        assert page.evaluate(AXE_RUN) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.locator("#panel-reject").evaluate("el => el.open = false")
    page.set_viewport_size({"width": 1280, "height": 900})

    # Typing an R into the return reason must not register: keys act only outside text fields.
    page.keyboard.press("t")
    page.locator("#return-reason").wait_for()
    page.keyboard.type("r")
    assert page.locator("#return-reason").input_value() == "r"
    page.keyboard.press("Escape")

    with page.expect_navigation():
        page.keyboard.press("r")
    assert page.get_by_test_id("proposal-title").inner_text() == second.title
    assert page.locator('[data-count="register"]').inner_text() == "1"

    page.keyboard.press("j")
    page.locator("#panel-reject[open]").wait_for()
    page.keyboard.press("4")
    assert page.locator(f"#reason-{reasons[3].pk}").is_checked()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.get_by_test_id("queue-empty").wait_for()
    assert page.locator('[data-count="reject"]').inner_text() == "1"
    assert page.locator('[data-count="total"]').inner_text() == "2"
    page.screenshot(path=str(artifacts_dir / "review-keys.png"), full_page=True)

    first.refresh_from_db()
    second.refresh_from_db()
    assert first.state == Proposal.State.REGISTERED and first.number
    assert second.state == Proposal.State.NOT_REGISTERED and second.rejection_reason == reasons[3]
    assert violations == []
    context.close()
