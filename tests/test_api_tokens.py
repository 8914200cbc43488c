"""API tokens expire, end with a password change (any path) or deactivation, and can be revoked:
`POST /api/v1/auth/logout/` (this device) and `POST /api/v1/auth/logout-all/` (every device)."""

from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from conftest import PASSWORD
from zhengxie.accounts.models import Role, User

TOKEN_URL = "/api/v1/auth/token/"
LOGOUT_URL = "/api/v1/auth/logout/"
LOGOUT_ALL_URL = "/api/v1/auth/logout-all/"
ME_URL = "/api/v1/me/"
NEW_PASSWORD = "another-Secret-2026"


def sign_in(username: str, password: str = PASSWORD, device: str = "掌上政协/1.0 (phone)") -> dict:
    response = APIClient().post(
        TOKEN_URL, {"username": username, "password": password}, format="json", HTTP_USER_AGENT=device
    )
    assert response.status_code == 200, response.content
    return response.json()


def with_token(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def me_status(token: str) -> int:
    return with_token(token).get(ME_URL).status_code


pytestmark = pytest.mark.django_db


def test_sign_in_gives_a_token_with_its_expiry(member_user, settings):
    before = timezone.now()
    body = sign_in("member1")
    assert set(body) == {"token", "expires"}
    expires = datetime.fromisoformat(body["expires"])
    ttl = timedelta(days=settings.API_TOKEN_TTL_DAYS)
    assert before + ttl - timedelta(minutes=1) <= expires <= timezone.now() + ttl
    assert settings.API_TOKEN_TTL_DAYS == 30
    assert me_status(body["token"]) == 200


def test_the_token_itself_is_not_stored(member_user):
    token = sign_in("member1")["token"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT digest, prefix, device FROM accounts_apitoken")
        rows = cursor.fetchall()
    assert len(rows) == 1
    assert token not in "".join(str(value) for value in rows[0])


def test_an_expired_token_is_401(member_user, settings):
    settings.API_TOKEN_TTL_DAYS = 0  # expires the moment it is issued
    token = sign_in("member1")["token"]
    response = with_token(token).get(ME_URL)
    assert response.status_code == 401
    assert response.json()["detail"] == "身份认证失败，请重新登录。"


def test_each_sign_in_is_its_own_device_and_logout_ends_only_that_one(member_user):
    phone = sign_in("member1", device="phone")["token"]
    laptop = sign_in("member1", device="laptop")["token"]
    assert phone != laptop

    response = with_token(phone).post(LOGOUT_URL)
    assert response.status_code == 204
    assert me_status(phone) == 401
    assert me_status(laptop) == 200
    assert with_token(phone).post(LOGOUT_URL).status_code == 401


def test_logout_all_ends_every_device(member_user, other_member):
    phone = sign_in("member1")["token"]
    laptop = sign_in("member1")["token"]
    someone_else = sign_in(other_member.user.username)["token"]

    assert with_token(phone).post(LOGOUT_ALL_URL).status_code == 204
    assert me_status(phone) == 401
    assert me_status(laptop) == 401
    assert me_status(someone_else) == 200


def test_logout_needs_a_signed_in_caller_and_a_token(member_user):
    assert APIClient().post(LOGOUT_URL).status_code == 401
    assert APIClient().post(LOGOUT_ALL_URL).status_code == 401
    session = APIClient()
    session.force_login(member_user)
    response = session.post(LOGOUT_URL)
    assert response.status_code == 400
    assert response.json()["detail"] == "本次请求未使用令牌。"


def test_password_change_on_the_page_ends_every_token(client, member_user):
    token = sign_in("member1")["token"]
    client.force_login(member_user)
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert me_status(token) == 401
    assert me_status(sign_in("member1", NEW_PASSWORD)["token"]) == 200


def test_password_set_in_the_admin_ends_every_token(client, member_user):
    token = sign_in("member1")["token"]
    admin = User.objects.create_superuser("root", password=PASSWORD)
    client.force_login(admin)
    response = client.post(
        reverse("admin:auth_user_password_change", args=[member_user.pk]),
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert me_status(token) == 401


def test_password_set_in_code_ends_every_token(member_user):
    token = sign_in("member1")["token"]
    user = User.objects.get(pk=member_user.pk)
    user.set_password(NEW_PASSWORD)
    user.save()
    assert me_status(token) == 401


def test_password_changed_by_a_bare_update_ends_every_token(member_user):
    token = sign_in("member1")["token"]
    other = User(username="x", role=Role.MEMBER)
    other.set_password(NEW_PASSWORD)
    User.objects.filter(pk=member_user.pk).update(password=other.password)
    assert me_status(token) == 401


def test_deactivation_ends_every_token_for_good(member_user):
    token = sign_in("member1")["token"]
    member_user.is_active = False
    member_user.save()
    assert me_status(token) == 401
    member_user.is_active = True
    member_user.save()
    assert me_status(token) == 401


def test_lockout_still_applies_to_the_token_endpoint(member_user, settings):
    client = APIClient()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        assert client.post(TOKEN_URL, {"username": "member1", "password": "wrong"}).status_code in (400, 429)
    response = client.post(TOKEN_URL, {"username": "member1", "password": PASSWORD})
    assert response.status_code == 429
    assert "token" not in response.json()
