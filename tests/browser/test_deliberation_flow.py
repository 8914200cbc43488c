"""网络议政 in a real browser: staff open it on the workbench; one member posts from a phone and the other
member's open phone page shows the post without a reload (htmx polling); the second member endorses and
replies; staff close it and summarize, citing the post; the member sees the suggestions. Nothing is
loaded from outside the site."""

from datetime import timedelta

import pytest
from django.utils import timezone

from conftest import make_user
from deliberations.models import Deliberation, Post, Suggestion
from members.models import DutyRecord, Member, Sector
from zhengxie.accounts.models import Role

from .conftest import PHONE_VIEWPORT, external_requests
from .test_consultations_flow import _login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_deliberation_on_phones(browser, live_server, artifacts_dir):  # noqa: F811
    sector = Sector.objects.create(name="经济界", order=1)
    first = Member.objects.create(
        user=make_user("weiyuan1", Role.MEMBER, name="王委员"), name="王委员", sector=sector
    )
    Member.objects.create(
        user=make_user("weiyuan2", Role.MEMBER, name="陈委员"), name="陈委员", sector=sector
    )
    make_user("clerk", Role.STAFF, name="张干事")
    base = live_server.url

    staff_ctx, staff = _login(browser, live_server, "clerk", {"width": 1280, "height": 900})
    staff.goto(f"{base}/workbench/deliberations/")
    staff.get_by_label("议政主题").fill("优化营商环境网络议政")
    staff.get_by_label("开始时间").fill(
        timezone.localtime(timezone.now() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    )
    staff.get_by_label("结束时间").fill(
        timezone.localtime(timezone.now() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    )
    staff.get_by_role("button", name="发起").click()
    staff.get_by_text("网络议政已发起").wait_for()
    deliberation = Deliberation.objects.get()
    assert deliberation.participants.count() == 2

    ctx1, phone1 = _login(browser, live_server, "weiyuan1", PHONE_VIEWPORT)
    ctx2, phone2 = _login(browser, live_server, "weiyuan2", PHONE_VIEWPORT)
    phone2.goto(f"{base}/deliberations/")
    phone2.get_by_role("link", name="优化营商环境网络议政").click()
    phone2.get_by_test_id("no-posts").wait_for()

    phone1.goto(f"{base}/deliberations/{deliberation.pk}/")
    phone1.get_by_label("发言内容").fill("建议推行企业开办一网通办。\n\n压缩审批时限。")
    phone1.get_by_role("button", name="发表").click()
    phone1.get_by_text("发言已发表").wait_for()
    post = Post.objects.get()
    assert DutyRecord.objects.filter(member=first, kind="online_deliberation").count() == 1

    # The second phone was never reloaded: the post arrives by polling.
    card = phone2.locator(f"#post-{post.pk}")
    card.get_by_text("建议推行企业开办一网通办。").wait_for(timeout=15_000)
    card.get_by_test_id("endorse").click()
    phone2.locator(f"#post-{post.pk}").get_by_text("已赞同 1").wait_for()
    phone2.locator(f"#post-{post.pk}").get_by_test_id("reply").click()
    phone2.get_by_test_id("replying").wait_for()
    phone2.get_by_label("发言内容").fill("赞同，还应公开办理时限。")
    phone2.get_by_role("button", name="发表").click()
    phone2.get_by_text("发言已发表").wait_for()
    phone2.screenshot(path=str(artifacts_dir / "deliberation-phone.png"), full_page=True)
    assert Post.objects.get(content="赞同，还应公开办理时限。").reply_to == post

    staff.goto(f"{base}/workbench/deliberations/{deliberation.pk}/")
    staff.get_by_role("button", name="提前结束").click()
    staff.get_by_text("网络议政已结束").wait_for()
    staff.get_by_label("建议").fill(f"推行企业开办一网通办【{post.pk}】\n\n公开办理时限")
    staff.get_by_role("button", name="形成成果").click()
    staff.get_by_text("已形成议政成果").wait_for()
    assert list(Suggestion.objects.values_list("number", flat=True)) == [1, 2]
    assert DutyRecord.objects.filter(member=first, kind="online_deliberation_adopted").count() == 1
    with staff.expect_download() as download:
        staff.get_by_role("link", name="下载成果专报（草稿）").click()
    assert download.value.suggested_filename.endswith(".docx")

    phone1.goto(f"{base}/deliberations/{deliberation.pk}/")
    phone1.get_by_test_id("suggestions").get_by_text("公开办理时限").wait_for()
    phone1.get_by_text("网络议政已结束").wait_for()
    for page in (staff, phone1, phone2):
        assert external_requests(page.requested_urls, base) == []
    for ctx in (staff_ctx, ctx1, ctx2):
        ctx.close()
