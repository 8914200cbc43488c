"""查重 while typing (issue 19): a member writing a proposal on the phone sees, under the form, the
published proposal on the same subject in other words — fetched by htmx, no inline script or style
(the page's strict CSP reports no violation)."""

from datetime import date

import pytest
from django.utils import timezone

from conftest import PASSWORD, make_user
from members.models import Member, Plenary, Sector, Term
from proposals import services
from proposals.models import Proposal, ProposalCategory
from proposals.search_data.paraphrase_pairs import PAIRS
from zhengxie.accounts.models import Role

from .conftest import PHONE_VIEWPORT

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_member_sees_a_similar_proposal_while_typing(browser, live_server, artifacts_dir):
    term = Term.objects.create(number=15, start_date=date(2022, 1, 10), is_current=True)
    Plenary.objects.create(term=term, number=2, start_date=date(2026, 1, 12), end_date=date(2026, 1, 15))
    sector = Sector.objects.create(name="经济界", order=1)
    author = Member.objects.create(
        user=make_user("wei_old", Role.MEMBER, name="王委员"), name="王委员", sector=sector
    )
    writer = Member.objects.create(
        user=make_user("wei_new", Role.MEMBER, name="李委员"), name="李委员", sector=sector
    )
    old_title, old_content, new_title, new_content = PAIRS[0]
    old = services.proposal_create(
        actor=author.user,
        title=old_title,
        content=old_content,
        category=ProposalCategory.objects.get(name="社会"),
    )
    Proposal.objects.filter(pk=old.pk).update(
        state=Proposal.State.REPLIED,
        is_published=True,
        submitted_at=timezone.now(),
        number="十五届一次第0031号",
    )
    unrelated = services.proposal_create(
        actor=author.user,
        title="关于发展乡村旅游的建议",
        content="打造精品民宿。",
        category=ProposalCategory.objects.get(name="经济"),
    )
    Proposal.objects.filter(pk=unrelated.pk).update(state=Proposal.State.REGISTERED, is_published=True)

    context = browser.new_context(viewport=PHONE_VIEWPORT, locale="zh-CN", device_scale_factor=2)
    page = context.new_page()
    page.set_default_timeout(15_000)
    violations = []
    page.on("console", lambda msg: "Content Security Policy" in msg.text and violations.append(msg.text))
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill(writer.user.username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()
    page.goto(f"{live_server.url}/proposals/new/")
    assert page.get_by_test_id("similar-hint").count() == 0
    page.get_by_label("案由").press_sequentially(new_title, delay=20)
    page.get_by_label("正文").fill(new_content)
    hint = page.get_by_test_id("similar-hint")
    hint.wait_for()
    text = hint.inner_text()
    assert "第0031号" in text and old_title in text
    assert "乡村旅游" not in text
    page.screenshot(path=str(artifacts_dir / "similar-hint.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_VIEWPORT["width"]
    assert violations == []
    context.close()
