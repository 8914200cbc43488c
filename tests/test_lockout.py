"""Failed-login lockout (django-axes): 5 failures for one username from one address lock it."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from conftest import PASSWORD

LOGIN_URL = reverse("accounts:login")


def attempt(client, username, password, ip="127.0.0.1"):
    return client.post(LOGIN_URL, {"username": username, "password": password}, REMOTE_ADDR=ip)


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


@pytest.fixture
def locked_member(client, member_user):
    """member1 after five wrong passwords from 127.0.0.1."""
    assert settings.AXES_FAILURE_LIMIT == 5
    for _ in range(4):
        response = attempt(client, member_user.username, "wrong-password")
        # Still the ordinary login form with its error, not yet locked.
        assert response.status_code == 200
        assert "请输入一个正确的" in response.content.decode()
    response = attempt(client, member_user.username, "wrong-password")
    assert response.status_code == 429
    return member_user


@pytest.mark.django_db
def test_sixth_attempt_with_the_right_password_is_refused(client, locked_member):
    response = attempt(client, locked_member.username, PASSWORD)

    assert response.status_code == 429
    body = response.content.decode()
    assert "账号已被暂时锁定" in body
    assert "连续 5 次登录失败" in body
    assert "30 分钟后再试" in body
    assert '<html lang="zh-hans">' in body
    assert not signed_in(client)
    assert client.get("/").status_code == 302


@pytest.mark.django_db
def test_another_username_from_the_same_address_is_not_locked(client, locked_member, other_member):
    response = attempt(client, other_member.user.username, PASSWORD)

    assert response.status_code == 302
    assert signed_in(client)


@pytest.mark.django_db
def test_same_username_from_another_address_is_not_locked(client, locked_member):
    # The lock is per username + address, so one attacker cannot lock a member out everywhere.
    response = attempt(client, locked_member.username, PASSWORD, ip="10.0.0.8")

    assert response.status_code == 302
    assert signed_in(client)


@pytest.mark.django_db
def test_a_successful_login_resets_the_failure_count(client, member_user):
    for _ in range(4):
        attempt(client, member_user.username, "wrong-password")
    assert attempt(client, member_user.username, PASSWORD).status_code == 302
    client.post("/accounts/logout/")

    for _ in range(4):
        assert attempt(client, member_user.username, "wrong-password").status_code == 200
    assert attempt(client, member_user.username, PASSWORD).status_code == 302


# --- behind the reverse proxy (DJANGO_TRUSTED_PROXIES) -------------------------------------------------

PROXY = "10.1.0.5"


def via_proxy(client, username, password, forwarded_for, proxy=PROXY):
    return client.post(
        LOGIN_URL,
        {"username": username, "password": password},
        REMOTE_ADDR=proxy,
        HTTP_X_FORWARDED_FOR=forwarded_for,
    )


@pytest.fixture
def behind_proxy(settings):
    settings.TRUSTED_PROXIES = ["10.1.0.0/24"]


@pytest.mark.django_db
def test_behind_the_proxy_failures_from_one_client_do_not_lock_another(behind_proxy, client, member_user):
    for _ in range(4):
        assert via_proxy(client, member_user.username, "wrong-password", "203.0.113.5").status_code == 200
    assert via_proxy(client, member_user.username, "wrong-password", "203.0.113.5").status_code == 429

    # Another client behind the same proxy signs in; the attacker's address stays locked.
    other = Client()
    assert via_proxy(other, member_user.username, PASSWORD, "198.51.100.20").status_code == 302
    assert via_proxy(Client(), member_user.username, PASSWORD, "203.0.113.5").status_code == 429


@pytest.mark.django_db
def test_behind_the_proxy_a_forged_forwarded_for_does_not_escape_the_lock(behind_proxy, client, member_user):
    # The client writes its own X-Forwarded-For; the proxy appends the address it really saw (right-most).
    for n in range(5):
        via_proxy(client, member_user.username, "wrong-password", f"192.0.2.{n}, 203.0.113.5")
    response = via_proxy(client, member_user.username, PASSWORD, "192.0.2.99, 203.0.113.5")
    assert response.status_code == 429


@pytest.mark.django_db
def test_without_a_trusted_proxy_forwarded_for_is_ignored(settings, client, member_user):
    settings.TRUSTED_PROXIES = []
    for n in range(5):
        attempt_from = {"REMOTE_ADDR": "198.51.100.7", "HTTP_X_FORWARDED_FOR": f"192.0.2.{n}"}
        client.post(
            LOGIN_URL, {"username": member_user.username, "password": "wrong-password"}, **attempt_from
        )
    response = client.post(
        LOGIN_URL,
        {"username": member_user.username, "password": PASSWORD},
        REMOTE_ADDR="198.51.100.7",
        HTTP_X_FORWARDED_FOR="192.0.2.200",
    )
    assert response.status_code == 429


@pytest.mark.django_db
def test_forwarded_for_from_an_untrusted_address_is_ignored(behind_proxy, client, member_user):
    for n in range(5):
        via_proxy(client, member_user.username, "wrong-password", f"192.0.2.{n}", proxy="198.51.100.7")
    response = via_proxy(client, member_user.username, PASSWORD, "192.0.2.200", proxy="198.51.100.7")
    assert response.status_code == 429
