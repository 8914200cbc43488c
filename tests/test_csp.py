"""Content-Security-Policy: a strict policy on every page, and nothing inline that it would refuse
(templates carry no inline event handlers, <script> blocks, <style> blocks or style="" attributes)."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib import admin
from django.urls import NoReverseMatch, reverse

from conftest import make_user
from zhengxie.accounts.models import Role

TEMPLATE_DIRS = [Path(settings.BASE_DIR) / "templates"]
COMMENT = re.compile(r"\{#.*?#\}|\{%\s*comment\s*%\}.*?\{%\s*endcomment\s*%\}", re.S)
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)
SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script>", re.S | re.I)
STYLE_ELEMENT = re.compile(r"<style\b", re.I)
STYLE_ATTRIBUTE = re.compile(r"\sstyle\s*=", re.I)

EXPECTED = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "object-src": "'none'",
    "base-uri": "'self'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
}


def inline_problems(html: str) -> list[str]:
    """What in this HTML a script-src/style-src 'self' policy would refuse."""
    problems = [f"inline handler: {m.group(0).strip()}" for m in INLINE_HANDLER.finditer(html)]
    for m in SCRIPT.finditer(html):
        attrs, body = m.group(1), m.group(2)
        if body.strip() and "application/json" not in attrs:
            problems.append(f"inline script: {body.strip()[:60]}")
    problems += ["<style> element" for _ in STYLE_ELEMENT.finditer(html)]
    problems += [
        f"style attribute near: {html[m.start() : m.start() + 40]}" for m in STYLE_ATTRIBUTE.finditer(html)
    ]
    return problems


def policy(response) -> dict[str, str]:
    header = response.headers.get("Content-Security-Policy", "")
    directives = {}
    for part in header.split(";"):
        name, _, value = part.strip().partition(" ")
        if name:
            directives[name] = value.strip()
    return directives


def assert_strict(response):
    got = policy(response)
    for name, value in EXPECTED.items():
        assert got.get(name) == value, (response.wsgi_request.path, name, got)
    assert "unsafe" not in response.headers["Content-Security-Policy"]


def test_no_template_has_inline_script_style_or_handler():
    found = {}
    for folder in TEMPLATE_DIRS:
        for path in sorted(folder.rglob("*.html")):
            text = COMMENT.sub("", path.read_text(encoding="utf-8"))
            problems = inline_problems(text)
            if problems:
                found[str(path.relative_to(settings.BASE_DIR))] = problems
    assert not found, found


def test_the_checker_catches_what_the_policy_refuses():
    assert inline_problems('<button onclick="return confirm(1)">')
    assert inline_problems("<select onchange='this.form.submit()'>")
    assert inline_problems("<script>alert(1)</script>")
    assert inline_problems('<div style="height:1px">')
    assert inline_problems("<style>p{}</style>")
    assert not inline_problems('<script src="/static/js/site.js"></script><button data-confirm="确定？">')
    assert not inline_problems('<script id="x" type="application/json">{"a": 1}</script>')


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "paths"),
    [
        (None, ["/accounts/login/"]),
        (
            Role.MEMBER,
            [
                "/",
                "/proposals/",
                "/proposals/new/",
                "/proposals/published/",
                "/opinions/",
                "/duty/",
                "/deliberations/",
                "/proposals/reviews/",
            ],
        ),
        (
            Role.STAFF,
            [
                "/workbench/",
                "/workbench/proposals/",
                "/workbench/stats/",
                "/workbench/deliberations/",
                "/admin/",
                "/api/docs/",
            ],
        ),
        (
            Role.STAFF,
            [
                "/workbench/proposals/after/revisits/",
                "/workbench/proposals/after/awards/",
                "/workbench/proposals/after/key-rounds/",
                "/workbench/proposals/after/reviews/",
            ],
        ),
        (Role.DEPARTMENT, ["/portal/"]),
    ],
)
def test_pages_send_the_strict_policy_and_nothing_inline(client, request, role, paths):
    if role == Role.MEMBER:
        client.force_login(request.getfixturevalue("member_user"))
    elif role == Role.STAFF:
        client.force_login(request.getfixturevalue("staff_user"))
    elif role == Role.DEPARTMENT:
        client.force_login(request.getfixturevalue("department_user"))
    for path in paths:
        response = client.get(path, follow=True)
        assert response.status_code == 200, (path, response.status_code)
        assert_strict(response)
        assert not inline_problems(response.content.decode()), (
            path,
            inline_problems(response.content.decode()),
        )


@pytest.mark.django_db
def test_swagger_ui_start_up_script_is_a_file_under_the_policy(client, staff_user):
    client.force_login(staff_user)
    page = client.get("/api/docs/")
    script = re.search(r'<script src="([^"]*script=[^"]*)"', page.content.decode())
    assert script, "the Swagger UI page should load its start-up script from a URL"
    response = client.get(script.group(1).replace("&amp;", "&"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in response.content.decode()


@pytest.mark.django_db
def test_every_admin_list_add_and_export_page_has_the_policy_and_nothing_inline(client):
    """Django's change list adds an inline <style> when a list has no actions; import-export's export page
    has an inline onchange. Both are overridden in templates/admin/."""
    superuser = make_user("root", Role.STAFF, is_staff=True, is_superuser=True)
    client.force_login(superuser)
    checked = 0
    for model in admin.site._registry:
        opts = model._meta
        for name in ("changelist", "add", "export"):
            try:
                url = reverse(f"admin:{opts.app_label}_{opts.model_name}_{name}")
            except NoReverseMatch:
                continue
            response = client.get(url)
            if response.status_code != 200:
                continue  # an admin that allows no adding, say
            checked += 1
            assert_strict(response)
            problems = inline_problems(response.content.decode())
            assert not problems, (url, problems)
    assert checked >= 20
