"""The department's reply in a real browser: the form is closed with its reason until a 面商 is recorded
(面商 first on the page), a refused submit keeps the typed text and asks for the file again; then the
member finds the reply to rate on the home page's 待办 and opens the letter."""

from datetime import date

import pytest
from django.utils import timezone

from conftest import PASSWORD, make_user
from members.models import Member, Plenary, Sector, Term
from proposals import services
from proposals.models import Assignment, ProposalCategory, Reply
from zhengxie.accounts.models import Department, Role

from .conftest import PHONE_VIEWPORT

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _login(browser, live_server, username):
    context = browser.new_context(viewport=PHONE_VIEWPORT, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()
    return context, page


def _open_form(page, name):
    form = page.get_by_test_id(f"form-{name}")
    if not form.evaluate("el => el.open"):
        form.locator("summary").click()
    return form


def test_reply_rules_are_shown_first_and_nothing_typed_is_lost(browser, live_server, artifacts_dir, tmp_path):
    term = Term.objects.create(number=15, start_date=date(2022, 1, 10), is_current=True)
    plenary = Plenary.objects.create(
        term=term, number=2, start_date=date(2026, 1, 12), end_date=date(2026, 1, 15)
    )
    sector = Sector.objects.create(name="教育界", order=1)
    member = Member.objects.create(
        user=make_user("wei_li", Role.MEMBER, name="李委员"), name="李委员", sector=sector
    )
    staff = make_user("clerk", Role.STAFF, name="张干事")
    dept = Department.objects.create(name="市教育局", code="JYJ")
    clerk = make_user("jyj", Role.DEPARTMENT, name="王科长", department=dept)
    p = services.proposal_create(
        actor=member.user,
        title="关于增加学位供给的建议",
        content="建议新建和扩建一批中小学。",
        category=ProposalCategory.objects.get(name="社会"),
        during_plenary=True,
        plenary=plenary,
    )
    services.proposal_submit(actor=member.user, proposal=p)
    services.proposal_register(actor=staff, proposal=p)
    services.proposal_assign(actor=staff, proposal=p, assignments=[{"department": dept.pk, "role": "lead"}])
    lead = Assignment.objects.get(proposal=p)
    services.assignment_accept(actor=clerk, assignment=lead)

    # 1. Before any 面商 the reply form says why it is closed, and 面商 comes first.
    ctx, page = _login(browser, live_server, "jyj")
    page.goto(f"{live_server.url}/portal/assignments/{lead.pk}/")
    reply = _open_form(page, "reply")
    assert "答复前须至少有一次面商记录" in page.get_by_test_id("form-reply-blocked").inner_text()
    assert reply.get_by_label("答复内容").is_disabled()
    assert reply.get_by_role("button", name="提交答复").is_disabled()
    contact_top = page.get_by_test_id("form-contact").bounding_box()["y"]
    assert contact_top < page.get_by_test_id("form-reply").bounding_box()["y"]
    page.screenshot(path=str(artifacts_dir / "reply-rules-1-closed.png"), full_page=True)

    # 2. Record the 面商: the reply form opens.
    form = _open_form(page, "contact")
    form.get_by_label("面商日期").fill(timezone.localdate().isoformat())
    form.get_by_label("方式").select_option("face_to_face")
    form.get_by_label("面商情况").fill("与李委员当面交换意见。")
    form.get_by_role("button", name="保存面商记录").click()
    page.wait_for_load_state()
    reply = _open_form(page, "reply")
    assert page.get_by_test_id("form-reply-blocked").count() == 0
    assert not reply.get_by_label("答复内容").is_disabled()

    # 3. A refused submit (a letter of the wrong type) keeps the text and asks for the file again.
    bad = tmp_path / "答复函.exe"
    bad.write_bytes(b"MZ")
    text = "已列入明年计划，新建两所学校，扩建三所。"
    reply.get_by_label("B", exact=False).first.check()
    reply.get_by_label("答复内容").fill(text)
    reply.locator("input[type=file]").set_input_files(str(bad))
    reply.get_by_role("button", name="提交答复").click()
    page.wait_for_load_state()
    reply = page.get_by_test_id("form-reply")
    assert reply.evaluate("el => el.open")
    assert reply.get_by_label("答复内容").input_value() == text
    assert "请重新选择文件" in reply.inner_text()
    assert not Reply.objects.exists()
    page.screenshot(path=str(artifacts_dir / "reply-rules-2-refused.png"), full_page=True)
    letter = tmp_path / "答复函.pdf"
    letter.write_bytes(b"%PDF-1.4 reply letter")
    reply.locator("input[type=file]").set_input_files(str(letter))
    reply.get_by_role("button", name="提交答复").click()
    page.wait_for_load_state()
    assert Reply.objects.get().content == text
    ctx.close()

    # 4. The member sees the reply to rate among the 待办 and opens its letter.
    ctx, page = _login(browser, live_server, "wei_li")
    page.goto(f"{live_server.url}/")
    todo = page.get_by_test_id("todo-rate")
    assert "答复待测评" in todo.inner_text()
    todo.get_by_role("link", name="关于增加学位供给的建议").click()
    page.wait_for_url(f"{live_server.url}/proposals/{p.pk}/")
    with page.expect_download() as download:
        page.get_by_test_id("reply-letter").click()
    assert download.value.suggested_filename.endswith(".pdf")
    ctx.close()
