"""Sign in through the real login form as each role, on a 375-px phone screen."""

import re

import pytest

from conftest import PASSWORD
from zhengxie.accounts.models import Role

from .conftest import external_requests

pytestmark = [
    pytest.mark.browser,
    # The live server needs committed rows; serialized rollback restores the seeded parties after each flush.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# fixture -> (landing path, heading, screenshot name)
ROLES = {
    "staff_user": ("/workbench/", "机关工作台", "staff"),
    "leader_user": ("/workbench/", "机关工作台", "leader"),
    "member_user": ("/", "委员首页", "member"),
    "department_user": ("/portal/", "承办单位门户", "department"),
}


@pytest.mark.parametrize("user_fixture", list(ROLES))
def test_login_lands_on_role_home(request, live_server, phone_page, artifacts_dir, user_fixture):
    user = request.getfixturevalue(user_fixture)
    path, heading, name = ROLES[user_fixture]
    page = phone_page

    page.goto(f"{live_server.url}/accounts/login/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    page.get_by_label("用户名").fill(user.username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}{path}")

    assert page.get_by_role("heading", level=1).inner_text() == heading
    # The vendored Bootstrap is loaded and applied (the navbar collapses behind a toggler on a phone).
    toggler = page.locator(".navbar-toggler")
    assert toggler.is_visible()
    assert page.evaluate("typeof bootstrap !== 'undefined' && typeof htmx !== 'undefined'")
    # Nothing is wider than the phone screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375

    page.screenshot(path=str(artifacts_dir / f"login-{name}.png"), full_page=True)

    # The collapsed menu opens (Bootstrap's JS works) and names the user and the role.
    toggler.click()
    page.locator("#zx-nav.show").wait_for()
    current_user = page.get_by_test_id("current-user")
    assert user.display_name in current_user.inner_text()
    assert Role(user.role).label in current_user.inner_text()
    page.screenshot(path=str(artifacts_dir / f"login-{name}-menu.png"))

    assert external_requests(page.requested_urls, live_server.url) == []
    assert any(re.search(r"/static/vendor/bootstrap/bootstrap\.min\.css$", u) for u in page.requested_urls)

    # Signing out is a POST from the navbar and lands on the login page again.
    page.get_by_role("button", name="退出登录").click()
    page.wait_for_url(f"{live_server.url}/accounts/login/")
    assert "您已安全退出" in page.content()
