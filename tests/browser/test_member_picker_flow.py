"""The member picker in a real browser on a phone: staff search serving members by name, tick one,
search again (the first stays chosen), press Enter in the box (it searches, it does not submit), and
create the 网络议政 with exactly the two chosen members."""

from datetime import timedelta

import pytest
from django.utils import timezone

from conftest import make_user
from deliberations.models import Deliberation
from members.models import Member, Sector
from zhengxie.accounts.models import Role

from .conftest import PHONE_VIEWPORT
from .test_consultations_flow import _login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_pick_members_on_a_phone(browser, live_server):
    sector = Sector.objects.create(name="经济界", order=1)
    wang, chen = (
        Member.objects.create(user=make_user(f"wy{i}", Role.MEMBER, name=n), name=n, sector=sector)
        for i, n in enumerate(["王委员", "陈委员"])
    )
    Member.objects.create(user=make_user("wy9", Role.MEMBER, name="刘委员"), name="刘委员", sector=sector)
    make_user("clerk", Role.STAFF, name="张干事")
    ctx, page = _login(browser, live_server, "clerk", PHONE_VIEWPORT)
    page.goto(f"{live_server.url}/workbench/deliberations/")
    page.get_by_label("议政主题").fill("优化营商环境")
    page.get_by_label("开始时间").fill(timezone.localtime().strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("结束时间").fill(
        timezone.localtime(timezone.now() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    )
    search = page.get_by_label("参与委员")
    search.fill("王")
    page.get_by_role("checkbox", name="王委员").check()
    search.fill("陈")
    search.press("Enter")
    page.get_by_role("checkbox", name="陈委员").check()
    assert page.get_by_role("checkbox", name="王委员").is_checked()
    assert not Deliberation.objects.exists()
    page.get_by_role("button", name="发起").click()
    page.get_by_text("网络议政已发起").wait_for()
    d = Deliberation.objects.get()
    assert set(d.participants.values_list("pk", flat=True)) == {wang.pk, chen.pk}
    ctx.close()
