"""Failed-login lockout (django-axes): 5 failures for one username from one address lock it."""

import pytest
from django.conf import settings
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
