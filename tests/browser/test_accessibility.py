"""Every page of every role, at 1280 px and at 375 px: axe-core finds no serious or critical
accessibility violation, no page scrolls sideways on a phone, staff tables stay readable there
(no cell squeezed to a character or two) and the staff navbar fits one line at 1280 px.

axe-core is vendored from npm (scripts/vendor.sh) and injected only here."""

import re
import time
from collections import deque
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

import pytest
from django.core.management import call_command

from conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

AXE = Path(__file__).resolve().parents[2] / "static" / "vendor" / "axe-core" / "axe.min.js"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 812}
ROLES = ["staff", "leader", "member1", "dept_fgw"]
MAX_PAGES_PER_ROLE = 45
# Pages a role's crawl starts from besides "/" (reached by a link only deep in the crawl).
EXTRA_START = {"staff": ["/workbench/proposals/review-keys/"]}
SKIP = re.compile(
    r"^/(admin|api|static|media)/|/logout/|\.(docx|xlsx|csv|zip|pdf|png|jpg|svg)$|/export|/download|/attachments?/\d+|/(docx|xlsx|zip|csv|pdf)/"
)

AXE_RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations
    .filter(v => v.impact === "serious" || v.impact === "critical")
    .map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 3).map(n => n.target.join(" ") + " — " + (n.failureSummary || "").split("\\n").slice(0, 2).join(" "))}));
}"""

# Visible cells with some text must be at least about four characters wide.
SQUEEZED_CELLS = """() => {
  const out = [];
  for (const cell of document.querySelectorAll("main table td, main table th, table td")) {
    const text = cell.innerText.trim();
    if (text.length < 4 || cell.offsetParent === null) continue;
    if (cell.closest("table.table-stack > thead") && getComputedStyle(cell.closest("thead")).position === "absolute") continue;
    const em = parseFloat(getComputedStyle(cell).fontSize) || 16;
    if (cell.clientWidth < 4 * em) out.push(text.slice(0, 20) + " (" + cell.clientWidth + "px)");
  }
  return [...new Set(out)].slice(0, 5);
}"""


def _pattern(path: str) -> str:
    return re.sub(r"/\d+(?=/|$)", "/N", path)


def _login(context, base, username):
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()
    assert "/accounts/login/" not in page.url, f"{username} could not sign in"
    return page


def _links(page, base) -> list[str]:
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
    own = urlsplit(base).netloc
    out = []
    for href in hrefs:
        href, _ = urldefrag(href)
        parts = urlsplit(href)
        if parts.netloc != own or SKIP.search(parts.path):
            continue
        out.append(parts.path + (f"?{parts.query}" if parts.query and "page=" not in parts.query else ""))
    return out


def _crawl(page, base, role, problems, artifacts_dir):
    queue = deque(["/", *EXTRA_START.get(role, [])])
    seen_patterns, visited = set(), []
    while queue and len(visited) < MAX_PAGES_PER_ROLE:
        path = queue.popleft()
        key = _pattern(path.split("?")[0]) + ("?" if "?" in path else "")
        if key in seen_patterns:
            continue
        seen_patterns.add(key)
        page.set_viewport_size(DESKTOP)
        try:
            response = page.goto(base + path)
        except Exception as exc:  # a link to a file download
            if "Download is starting" in str(exc):
                continue
            raise
        if (
            response is None
            or response.status >= 400
            or "text/html" not in (response.headers.get("content-type") or "")
        ):
            continue
        visited.append(path)
        for link in _links(page, base):
            queue.append(link)
        for width, viewport in (("1280", DESKTOP), ("375", PHONE)):
            page.set_viewport_size(viewport)
            # Loaded from the site's own static files, so the Content-Security-Policy allows it.
            page.add_script_tag(url=f"{base}/static/vendor/axe-core/axe.min.js")
            for v in page.evaluate(AXE_RUN):
                problems.append(
                    f"[{role} {width}px] {path}: {v['id']} ({v['impact']}) {v['help']} :: {v['nodes']}"
                )
        # still at 375 px
        overflow = page.evaluate("document.documentElement.scrollWidth")
        if overflow > PHONE["width"]:
            problems.append(f"[{role} 375px] {path}: page is {overflow}px wide")
            page.screenshot(
                path=str(
                    artifacts_dir
                    / f"overflow-{role}-{_pattern(path).strip('/').replace('/', '_') or 'home'}.png"
                )
            )
        squeezed = page.evaluate(SQUEEZED_CELLS)
        if squeezed:
            problems.append(f"[{role} 375px] {path}: squeezed table cells {squeezed}")
        if role in ("staff", "leader"):
            page.set_viewport_size(DESKTOP)
            height = page.evaluate("document.querySelector('nav.zx-navbar').getBoundingClientRect().height")
            if height > 72:
                problems.append(f"[{role} 1280px] {path}: navbar wraps ({height:.0f}px high)")
    return visited


def test_every_page_of_every_role_is_accessible_and_fits_a_phone(browser, live_server, artifacts_dir):
    assert AXE.exists(), "run scripts/vendor.sh: static/vendor/axe-core/axe.min.js is missing"
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115 - discard the account list
    from zhengxie.accounts.models import User

    for user in User.objects.filter(username__in=ROLES):
        user.set_password(PASSWORD)
        user.save()

    problems, report = [], []
    started = time.monotonic()
    for role in ROLES:
        context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
        try:
            page = _login(context, live_server.url, role)
            visited = _crawl(page, live_server.url, role, problems, artifacts_dir)
            report.append(f"{role}: {len(visited)} pages")
            assert len(visited) >= 4, f"{role} reached only {visited}"
            if role == "staff":
                # Every staff list page is among those checked at 375 px.
                for path in (
                    "/workbench/proposals/",
                    "/workbench/proposals/all/",
                    "/workbench/proposals/review-keys/",
                    "/workbench/handling/board/",
                    "/workbench/duty/",
                    "/workbench/reminders/",
                    "/workbench/opinions/",
                    "/workbench/consultations/",
                ):
                    assert any(v.split("?")[0] == path for v in visited), f"{path} not crawled"
        finally:
            context.close()
    print("\n".join(report), f"({time.monotonic() - started:.0f} s)")
    (artifacts_dir / "accessibility.txt").write_text("\n".join(report + problems) + "\n")
    assert not problems, "\n".join(problems)
