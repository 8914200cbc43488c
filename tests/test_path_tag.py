"""`{% path %}` (zhengxie/path_tags.py): the navigation's argument-less URLs reversed once per URLconf and script
prefix, with the same answer as `{% url %}`."""

import re

import pytest
from django.template import Context, Template
from django.urls import reverse, set_script_prefix

pytestmark = pytest.mark.django_db

NAV = ["home", "workbench", "proposals:review_queue", "sqyy:inbox", "notifications:list", "accounts:logout"]


def _render(name):
    return Template("{% load path_tags %}{% path '" + name + "' %}").render(Context())


def test_path_is_what_url_gives_under_each_script_prefix():
    for name in NAV:
        assert _render(name) == Template("{% url '" + name + "' %}").render(Context()) == reverse(name)
    try:
        set_script_prefix("/zhengxie/")
        for name in NAV:
            assert _render(name) == reverse(name) and _render(name).startswith("/zhengxie/")
    finally:
        set_script_prefix("/")
    assert _render("workbench") == reverse("workbench") and not _render("workbench").startswith("/zhengxie/")


def test_every_page_link_of_the_navigation_resolves(client, staff_user, member_user):
    for user in (staff_user, member_user):
        client.force_login(user)
        page = client.get("/", follow=True).content.decode()
        nav = page.split('aria-label="主导航"', 1)[1].split("</nav>", 1)[0]
        links = re.findall(r'href="(/[^"#?]*)"', nav)
        assert len(links) >= 8
        for link in links:
            assert client.get(link).status_code in (200, 302), link
