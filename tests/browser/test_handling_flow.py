"""Handling across three roles in a real browser: staff assign to a lead and a co unit, both clerks sign,
the co unit gives its opinion, the lead records 面商 and replies with a letter, the member rates it
不满意, the lead replies again, the member rates it 满意 and the proposal shows 办结."""

from datetime import date

import pytest
from django.utils import timezone

from conftest import PASSWORD, make_user
from members.models import Member, Plenary, Sector, Term
from proposals import services
from proposals.models import Assignment, Proposal, ProposalCategory
from zhengxie.accounts.models import Department, Role

from .conftest import PHONE_VIEWPORT, external_requests

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _login(browser, live_server, username, viewport=PHONE_VIEWPORT):
    context = browser.new_context(viewport=viewport, locale="zh-CN")
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


def _open_form(page, name):
    form = page.get_by_test_id(f"form-{name}")
    if form.evaluate("el => el.tagName") == "DETAILS" and not form.evaluate("el => el.open"):
        form.locator("summary").click()
    return form


def _registered_proposal(member, staff):
    """A member's proposal of the current session, submitted and registered by `staff`."""
    term = Term.objects.create(number=15, start_date=date(2022, 1, 10), is_current=True)
    plenary = Plenary.objects.create(
        term=term, number=2, start_date=date(2026, 1, 12), end_date=date(2026, 1, 15)
    )
    p = services.proposal_create(
        actor=member.user,
        title="关于增加学位供给的建议",
        content="建议新建和扩建一批中小学。",
        category=ProposalCategory.objects.get(name="社会"),
        during_plenary=True,
        plenary=plenary,
    )
    services.proposal_submit(actor=member.user, proposal=p)
    return services.proposal_register(actor=staff, proposal=p)


def test_assign_sign_contact_reply_rate_rehandle_close(browser, live_server, artifacts_dir, tmp_path):
    sector = Sector.objects.create(name="教育界", order=1)
    member = Member.objects.create(
        user=make_user("wei_li", Role.MEMBER, name="李委员"), name="李委员", sector=sector
    )
    staff = make_user("clerk", Role.STAFF, name="张干事")
    lead_dept = Department.objects.create(name="市教育局", code="JYJ", contact="王科长", phone="13700000001")
    co_dept = Department.objects.create(name="市财政局", code="CZJ")
    make_user("jyj", Role.DEPARTMENT, name="王科长", department=lead_dept)
    make_user("czj", Role.DEPARTMENT, name="钱科长", department=co_dept)
    p = _registered_proposal(member, staff)

    def shot(page, name):
        page.screenshot(path=str(artifacts_dir / f"handling-{name}.png"), full_page=True)

    # 1. Staff assign: 市教育局 leads, 市财政局 co-handles (on a desktop screen).
    staff_ctx, page = _login(browser, live_server, "clerk", viewport={"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/workbench/proposals/{p.pk}/")
    form = page.get_by_test_id("assign-form")
    form.locator("#assign-dept-0").select_option(label="市教育局")
    form.locator("#assign-role-0").select_option("lead")
    form.locator("#assign-dept-1").select_option(label="市财政局")
    form.locator("#assign-role-1").select_option("co")
    form.get_by_role("button", name="交办").click()
    page.wait_for_load_state()
    assert Proposal.objects.get(pk=p.pk).state == "assigned"
    shot(page, "1-staff-assigned")
    staff_ctx.close()
    lead = Assignment.objects.get(proposal=p, role="lead")
    co = Assignment.objects.get(proposal=p, role="co")

    # 2. The co unit signs and sends its opinion to the lead.
    co_ctx, page = _login(browser, live_server, "czj")
    page.get_by_text("关于增加学位供给的建议").first.click()
    page.wait_for_url(f"{live_server.url}/portal/assignments/{co.pk}/")
    page.get_by_test_id("form-accept").get_by_role("button", name="签收").click()
    page.wait_for_load_state()
    form = _open_form(page, "co_opinion")
    form.get_by_label("会办意见").fill("财政将统筹安排学位建设资金。")
    form.get_by_role("button", name="送主办单位").click()
    page.wait_for_load_state()
    assert Assignment.objects.get(pk=co.pk).state == "replied"
    co_ctx.close()

    # 3. The lead signs, records 面商, downloads the letter draft and replies with a letter.
    lead_ctx, page = _login(browser, live_server, "jyj")
    page.goto(f"{live_server.url}/portal/assignments/{lead.pk}/")
    assert "财政将统筹安排学位建设资金" in page.get_by_test_id("co-opinions").inner_text()
    page.get_by_test_id("form-accept").get_by_role("button", name="签收").click()
    page.wait_for_load_state()
    form = _open_form(page, "contact")
    form.get_by_label("面商日期").fill(timezone.localdate().isoformat())
    form.get_by_label("方式").select_option("face_to_face")
    form.get_by_label("面商情况").fill("与李委员当面交换意见。")
    form.get_by_role("button", name="保存面商记录").click()
    page.wait_for_load_state()
    with page.expect_download() as download:
        page.get_by_test_id("letter-draft").click()
    assert download.value.suggested_filename.endswith(".docx")
    letter = tmp_path / "答复函.pdf"
    letter.write_bytes(b"%PDF-1.4 reply letter")
    form = _open_form(page, "reply")
    form.get_by_label("B", exact=False).first.check()
    form.get_by_label("答复内容").fill("已列入明年计划，新建两所学校。")
    form.locator("input[type=file]").set_input_files(str(letter))
    form.get_by_role("button", name="提交答复").click()
    page.wait_for_load_state()
    assert Proposal.objects.get(pk=p.pk).state == "replied"
    shot(page, "2-lead-replied")

    # 4. The member rates it 不满意: it goes back to the lead.
    member_ctx, mpage = _login(browser, live_server, "wei_li")
    mpage.goto(f"{live_server.url}/proposals/{p.pk}/")
    rating = mpage.get_by_test_id("evaluation-form")
    rating.get_by_label("不满意").check()
    rating.locator("textarea").fill("学位缺口仍然较大。")
    rating.get_by_role("button").click()
    mpage.wait_for_load_state()
    assert Proposal.objects.get(pk=p.pk).state == "rehandling"

    # 5. The lead replies again (the 面商 record stands).
    page.goto(f"{live_server.url}/portal/assignments/{lead.pk}/")
    assert "第2轮" in page.get_by_test_id("task-state").inner_text()
    form = _open_form(page, "reply")
    form.get_by_label("A", exact=False).first.check()
    form.get_by_label("答复内容").fill("新建学校已开工，明年秋季招生。")
    form.get_by_role("button", name="提交答复").click()
    page.wait_for_load_state()
    lead_ctx.close()

    # 6. The member rates it 满意 and sees 已办结.
    mpage.goto(f"{live_server.url}/proposals/{p.pk}/")
    rating = mpage.get_by_test_id("evaluation-form")
    rating.get_by_label("满意", exact=True).check()
    rating.get_by_role("button").click()
    mpage.wait_for_load_state()
    assert Proposal.objects.get(pk=p.pk).state == "closed"
    assert "已办结" in mpage.content()
    shot(mpage, "3-member-closed")
    assert not external_requests(mpage.requested_urls, live_server.url)
    member_ctx.close()


def test_board_adjustment_picks_the_new_unit_from_the_shared_list(browser, live_server):
    """The 督办台 writes the units once; each 调整申请's select is filled from it in the browser, and the
    unit picked there is the one the task moves to."""
    member = Member.objects.create(user=make_user("wei_li", Role.MEMBER, name="李委员"), name="李委员")
    staff = make_user("clerk", Role.STAFF, name="张干事")
    first = Department.objects.create(name="市教育局", code="JYJ")
    Department.objects.create(name="市财政局", code="CZJ")
    clerk = make_user("jyj", Role.DEPARTMENT, name="王科长", department=first)
    p = _registered_proposal(member, staff)
    services.proposal_assign(actor=staff, proposal=p, assignments=[{"department": first.pk, "role": "lead"}])
    task = Assignment.objects.get(proposal=p)
    services.assignment_request_adjustment(actor=clerk, assignment=task, reason="非本单位职责")

    context, page = _login(browser, live_server, "clerk", viewport={"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/workbench/handling/board/?type=adjustments")
    select = page.locator(f"#adjust-dept-{task.pk}")
    select.locator("option", has_text="市财政局").wait_for(state="attached")
    labels = select.locator("option").all_inner_texts()
    assert "市财政局" in labels and "市教育局" not in labels  # filled, without the unit that asked
    select.select_option(label="市财政局")
    page.get_by_test_id("adjustment-request").get_by_role("button", name="同意调整").click()
    page.wait_for_load_state()
    moved = Assignment.objects.filter(proposal=p).exclude(state="cancelled").get()
    assert moved.department.name == "市财政局"
    context.close()
