"""The statistics dashboard draws its charts in a real browser, from vendored ECharts only."""

import pytest
from django.core.management import call_command

from conftest import PASSWORD

from .conftest import external_requests

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_dashboard_draws_every_chart(browser, live_server, artifacts_dir):
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115 - discard the account list
    from zhengxie.accounts.models import User

    staff = User.objects.get(username="staff")
    staff.set_password(PASSWORD)
    staff.save()
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    requested = []
    page.on("request", lambda req: requested.append(req.url))
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill("staff")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()
    page.goto(f"{live_server.url}/workbench/stats/")
    charts = page.locator("[data-chart]")
    assert charts.count() >= 4
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-chart]')].every(el => el.querySelector('canvas'))"
    )
    assert "共收到提案" in page.get_by_test_id("stats-summary").inner_text()
    page.screenshot(path=str(artifacts_dir / "stats-dashboard.png"), full_page=True)
    assert not errors
    assert not external_requests(requested, live_server.url)
    context.close()
