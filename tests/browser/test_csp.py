"""Every role's main pages run under the strict Content-Security-Policy without a single violation, and
the behaviour moved out of inline handlers (confirm dialogs, auto-submitting filters, 全选) still works."""

import re

import pytest
from django.core.management import call_command

from members.demo import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


class Watched:
    """A desktop page that records CSP violations (console and securitypolicyviolation) and JS errors."""

    def __init__(self, browser, live_server):
        self.base = live_server.url
        self.context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        self.context.add_init_script(
            "document.addEventListener('securitypolicyviolation', e => console.error("
            "'Content Security Policy violation: ' + e.violatedDirective + ' ' + e.blockedURI));"
        )
        self.page = self.context.new_page()
        self.page.set_default_timeout(15_000)
        self.violations = []
        self.errors = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda exc: self.errors.append(f"{self.page.url}: {exc}"))

    def _console(self, message):
        if "Content Security Policy" in message.text:
            self.violations.append(f"{self.page.url}: {message.text}")

    def login(self, username):
        self.page.goto(f"{self.base}/accounts/login/")
        self.page.get_by_label("用户名").fill(username)
        self.page.get_by_label("密码").fill(DEMO_PASSWORD)
        self.page.get_by_role("button", name="登录").click()
        self.page.wait_for_load_state()
        assert "/accounts/login/" not in self.page.url, username

    def visit(self, path):
        response = self.page.goto(f"{self.base}{path}")
        assert response.status == 200, (path, response.status)
        policy = response.headers.get("content-security-policy", "")
        assert "script-src 'self'" in policy, (path, policy)
        self.page.wait_for_load_state("networkidle")
        return response

    def close(self):
        self.context.close()


@pytest.fixture
def demo(db):
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115 - discard the account list


@pytest.fixture
def watched(browser, live_server):
    pages = []

    def make():
        w = Watched(browser, live_server)
        pages.append(w)
        return w

    yield make
    for w in pages:
        w.close()


def test_member_pages_have_no_csp_violation_and_filters_still_submit(demo, watched):
    from proposals.models import Proposal

    w = watched()
    w.login("member1")
    for path in (
        "/",
        "/proposals/",
        "/proposals/new/",
        "/proposals/published/",
        "/opinions/",
        "/meetings/",
        "/duty/",
    ):
        w.visit(path)
    mine = Proposal.objects.filter(proposer__user__username="member1").first()
    if mine:
        w.visit(f"/proposals/{mine.pk}/")
    # The state filter submits itself on change (was onchange="this.form.submit()").
    w.visit("/proposals/")
    select = w.page.locator("#state-filter")
    value = select.locator("option").nth(1).get_attribute("value")
    with w.page.expect_navigation():
        select.select_option(value)
    assert f"state={value}" in w.page.url
    assert not w.violations, w.violations
    assert not w.errors, w.errors


def test_staff_pages_have_no_csp_violation_and_confirm_still_guards(demo, watched):
    from proposals.models import Proposal

    w = watched()
    w.login("staff")
    paths = [
        "/workbench/",
        "/workbench/proposals/",
        "/workbench/proposals/all/",
        "/workbench/handling/board/",
        "/workbench/opinions/",
        "/workbench/opinions/bulletins/",
        "/workbench/consultations/",
        "/workbench/duty/",
        "/workbench/duty/pending/",
        "/workbench/stats/",
        "/workbench/reminders/",
        "/admin/",
        "/admin/accounts/user/",
        "/admin/proposals/proposal/",
        "/admin/members/member/",
        "/admin/members/member/export/",
        "/api/docs/",
    ]
    for path in paths:
        w.visit(path)
        if path == "/workbench/stats/":
            w.page.wait_for_function(
                "() => [...document.querySelectorAll('[data-chart]')].every(el => el.querySelector('canvas'))"
            )
        if path == "/admin/members/member/export/":
            # The select-all toggle (an inline onchange in django-import-export's template) still works.
            toggle = w.page.locator("input.select-toggle")
            if toggle.count():
                fields = w.page.locator(".selectable-field-export-row input[type=checkbox]:visible")
                toggle.uncheck()
                assert fields.count() and not any(fields.nth(i).is_checked() for i in range(fields.count()))
                toggle.check()
                assert all(fields.nth(i).is_checked() for i in range(fields.count()))
        if path == "/api/docs/":
            w.page.wait_for_selector(".swagger-ui .opblock", timeout=30_000)

    # 批量立案 asks first (was onclick="return confirm(...)"): dismissing it changes nothing...
    waiting = list(Proposal.objects.filter(state=Proposal.State.SUBMITTED).values_list("pk", flat=True))
    assert waiting, "seed_demo should leave proposals to review"
    w.visit("/workbench/proposals/")
    w.page.get_by_label("全选").check()  # data-check-all (was an inline onclick)
    boxes = w.page.locator("input[name=ids]")
    assert boxes.count() >= 1 and all(boxes.nth(i).is_checked() for i in range(boxes.count()))
    asked = []

    def dismiss(dialog):
        asked.append(dialog.message)
        dialog.dismiss()

    w.page.once("dialog", dismiss)
    w.page.get_by_role("button", name="批量立案").click()
    w.page.wait_for_timeout(500)
    assert asked == ["确定将勾选的提案立案吗？"]
    assert Proposal.objects.filter(pk__in=waiting, state=Proposal.State.SUBMITTED).count() == len(waiting)

    # ...accepting it registers (on the review page's 立案 button).
    target = waiting[0]
    w.visit(f"/workbench/proposals/{target}/")
    w.page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    with w.page.expect_navigation():
        w.page.get_by_role("button", name="立案", exact=True).click()
    assert asked[-1] == "确定立案并编号吗？"
    assert Proposal.objects.get(pk=target).state != Proposal.State.SUBMITTED
    assert not w.violations, w.violations
    assert not w.errors, w.errors


def test_department_portal_has_no_csp_violation(demo, watched):
    from proposals.models import Assignment

    w = watched()
    w.login("dept_jyj")
    w.visit("/portal/")
    links = w.page.locator("a[href*='/portal/assignments/'], a[href*='/portal/transfers/']")
    hrefs = {re.sub(r"^https?://[^/]+", "", links.nth(i).get_attribute("href")) for i in range(links.count())}
    if not hrefs:
        task = Assignment.objects.filter(department__users__username="dept_jyj").first()
        if task:
            hrefs = {f"/portal/assignments/{task.pk}/"}
    for href in sorted(hrefs)[:4]:
        w.visit(href)
    assert not w.violations, w.violations
    assert not w.errors, w.errors
