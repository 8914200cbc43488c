"""Server-rendered pages of the foundation: sign-in, the role router, each role's home, error pages."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from conftest import PASSWORD, make_user
from zhengxie.accounts.models import Role
from zhengxie.notifications.models import Notification

LOGIN_URL = reverse("accounts:login")

# fixture name -> (landing URL, heading on that page)
ROLE_LANDING = {
    "staff_user": ("/workbench/", "机关工作台"),
    "leader_user": ("/workbench/", "机关工作台"),
    "member_user": ("/", "委员首页"),
    "department_user": ("/portal/", "承办单位门户"),
}


def login(client, username, password=PASSWORD, **extra):
    return client.post(LOGIN_URL, {"username": username, "password": password}, follow=True, **extra)


def html(response) -> str:
    return response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("user_fixture", list(ROLE_LANDING))
def test_each_role_lands_in_its_own_area_after_login(client, request, user_fixture):
    user = request.getfixturevalue(user_fixture)
    url, heading = ROLE_LANDING[user_fixture]

    response = login(client, user.username)

    assert response.status_code == 200
    assert response.redirect_chain[0] == (reverse("home"), 302)
    assert response.redirect_chain[-1][0] == url
    assert re.search(rf"<h1[^>]*>{heading}</h1>", html(response))
    # The navbar names the user and the role and offers a POST logout.
    assert user.display_name in html(response)
    assert Role(user.role).label in html(response)
    assert re.search(r'<form method="post" action="/accounts/logout/"', html(response))


@pytest.mark.django_db
def test_login_with_next_goes_to_next(client, department_user):
    response = client.post(
        LOGIN_URL + "?next=/portal/",
        {"username": department_user.username, "password": PASSWORD, "next": "/portal/"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/portal/"


@pytest.mark.django_db
def test_wrong_password_shows_chinese_error_and_does_not_sign_in(client, staff_user):
    response = login(client, staff_user.username, "wrong-password")

    assert response.status_code == 200
    assert "请输入一个正确的" in html(response)
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_login_page_sends_a_signed_in_user_home(client, staff_user):
    client.force_login(staff_user)
    response = client.get(LOGIN_URL)
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", "/home/", "/workbench/", "/portal/", "/accounts/password/"])
def test_anonymous_is_sent_to_login(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(f"{LOGIN_URL}?next=")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("user_fixture", "url"),
    [
        ("member_user", "/workbench/"),
        ("department_user", "/workbench/"),
        ("staff_user", "/portal/"),
        ("leader_user", "/portal/"),
        ("member_user", "/portal/"),
    ],
)
def test_wrong_role_gets_chinese_403(client, request, user_fixture, url):
    client.force_login(request.getfixturevalue(user_fixture))

    response = client.get(url)

    assert response.status_code == 403
    body = html(response)
    assert "无权访问此页面" in body
    assert "您的角色无权执行此操作" in body
    assert '<html lang="zh-hans">' in body


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("user_fixture", "area"),
    [("staff_user", "/workbench/"), ("leader_user", "/workbench/"), ("department_user", "/portal/")],
)
def test_member_site_sends_other_roles_to_their_own_area(client, request, user_fixture, area):
    client.force_login(request.getfixturevalue(user_fixture))

    response = client.get("/", follow=True)

    assert response.redirect_chain[-1][0] == area
    assert response.status_code == 200


@pytest.mark.django_db
def test_superuser_counts_as_staff(client):
    admin = make_user("root", Role.MEMBER, is_superuser=True)
    client.force_login(admin)
    assert client.get("/home/")["Location"] == "/workbench/"
    assert client.get("/workbench/").status_code == 200


@pytest.mark.django_db
def test_member_home_shows_my_info(client, member):
    client.force_login(member.user)

    body = html(client.get("/"))

    assert "李委员" in body
    assert "教育界" in body
    assert "中国民主同盟" in body
    assert "我的信息" in body


@pytest.mark.django_db
def test_member_account_without_roster_entry_is_told_so(client):
    client.force_login(make_user("lonely", Role.MEMBER))
    response = client.get("/")
    assert response.status_code == 200
    assert "尚未关联委员档案" in html(response)


@pytest.mark.django_db
def test_portal_shows_own_department_and_honest_empty_todo(client, department_user, other_department):
    client.force_login(department_user)

    body = html(client.get("/portal/"))

    assert "市教育局" in body
    assert "王科长" in body
    assert "13800000001" in body
    assert "暂无待办" in body
    assert other_department.name not in body


@pytest.mark.django_db
def test_workbench_has_cards_for_roster_departments_and_import(client, staff_user):
    client.force_login(staff_user)

    body = html(client.get("/workbench/"))

    for title, href in [
        ("委员名册", "/admin/members/member/"),
        ("承办单位", "/admin/accounts/department/"),
        ("导入", "/admin/members/member/import/"),
        ("管理后台", "/admin/"),
    ]:
        assert re.search(rf'href="{href}">{title}</a>', body), title


@pytest.mark.django_db
def test_unread_notifications_badge(client, staff_user):
    # through the services, which keep the user's unread counter (the bell reads the counter)
    from zhengxie.notifications.services import notification_mark_read, notify

    notify(recipients=[staff_user], title="有新的提案待审查", channels=False)
    (read,) = notify(recipients=[staff_user], title="已读的通知", channels=False)
    notification_mark_read(actor=staff_user, notification_id=read.pk)
    client.force_login(staff_user)

    assert "1 条未读" in html(client.get("/workbench/"))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("user_fixture", "url", "max_queries"),
    [
        # session + user, then the page's own reads (department, or member card + committees; unread count).
        # The workbench adds this year's figures (4 rollup queries, 1 for the 成果转化 counts + key
        # proposals) and the first-run checklist (5 exists() queries) — constant, whatever the number of
        # rows (tests/test_first_run.py); and the database snapshot the figures are remembered under.
        ("staff_user", "/workbench/", 12),
        # session, user, department, unread count + three queries per kind of department task registered with
        # the portal: its counts, the database snapshot they are remembered under, its rows.
        ("department_user", "/portal/", None),
        # member: 5, + one query per 待办 group (co-sign, rate, returned proposals, meetings, returned 社情民意),
        # + the database snapshot their co-signed proposals are remembered under.
        ("member_user", "/", 12),
    ],
)
def test_home_pages_cost_constant_queries(
    client, request, django_assert_max_num_queries, user_fixture, url, max_queries
):
    user = request.getfixturevalue(user_fixture)
    for i in range(20):
        Notification.objects.create(recipient=user, title=f"通知{i}")
    client.force_login(user)

    if max_queries is None:
        from zhengxie.workflow.portal import portal_sources

        max_queries = 4 + 3 * len(portal_sources())
    with django_assert_max_num_queries(max_queries):
        response = client.get(url)

    assert response.status_code == 200


@pytest.mark.django_db
def test_logout_needs_post_and_signs_out(client, staff_user):
    client.force_login(staff_user)

    assert client.get("/accounts/logout/").status_code == 405
    assert "_auth_user_id" in client.session

    response = client.post("/accounts/logout/", follow=True)

    assert response.redirect_chain[-1][0] == LOGIN_URL
    assert "您已安全退出" in html(response)
    assert "_auth_user_id" not in client.session
    assert client.get("/workbench/").status_code == 302


@pytest.mark.django_db
def test_password_change_replaces_the_old_password(client, member_user):
    new_password = "Xin-mima-2026!"
    login(client, member_user.username)

    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": new_password, "new_password2": new_password},
        follow=True,
    )

    assert response.redirect_chain[-1][0] == reverse("accounts:password_change_done")
    assert "密码已修改" in html(response)
    # The session survives the change.
    assert client.get("/").status_code == 200

    client.post("/accounts/logout/")
    assert "_auth_user_id" not in login(client, member_user.username, PASSWORD).client.session
    response = login(client, member_user.username, new_password)
    assert response.redirect_chain[-1][0] == "/"
    assert "_auth_user_id" in client.session


@pytest.mark.django_db
def test_password_change_rejects_a_wrong_old_password(client, member_user):
    client.force_login(member_user)

    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": "not-it", "new_password1": "Xin-mima-2026!", "new_password2": "Xin-mima-2026!"},
    )

    assert response.status_code == 200
    assert "is-invalid" in html(response)
    member_user.refresh_from_db()
    assert member_user.check_password(PASSWORD)


@pytest.mark.django_db
@pytest.mark.parametrize("user_fixture", [None, *ROLE_LANDING])
def test_pages_use_only_local_static_assets(client, request, user_fixture):
    """No CDN: every stylesheet, script and icon is served from /static/ and exists there."""
    if user_fixture:
        client.force_login(request.getfixturevalue(user_fixture))
        url = ROLE_LANDING[user_fixture][0]
    else:
        url = LOGIN_URL

    body = html(client.get(url))

    assert '<html lang="zh-hans">' in body
    assert 'name="viewport" content="width=device-width, initial-scale=1"' in body
    assert not re.search(r"(?:src|href)=\"(?:https?:)?//", body)
    assets = re.findall(r"<(?:script|link)\b[^>]*\b(?:src|href)=\"([^\"]+)\"", body)
    assert "/static/vendor/bootstrap/bootstrap.min.css" in assets
    assert "/static/vendor/bootstrap/bootstrap.bundle.min.js" in assets
    assert "/static/vendor/htmx/htmx.min.js" in assets
    for asset in assets:
        assert asset.startswith("/static/"), asset
        assert finders.find(asset.removeprefix("/static/")), f"missing static file {asset}"


@pytest.mark.django_db
def test_404_page_is_chinese(client, staff_user):
    client.force_login(staff_user)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "页面不存在" in html(response)


def test_500_page_renders_without_a_request():
    from django.template import loader

    body = loader.get_template("500.html").render()
    assert "服务器出错了" in body
    assert "/static/vendor/bootstrap/bootstrap.min.css" in body
