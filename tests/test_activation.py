"""Roster import without password hashing; members activate through a link (issue 14)."""

import csv
import io
import time

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.core.management import call_command

from members.models import Member
from tests.fixtures.rosters import MEMBER_PASSWORD, csv_bytes, member_row, write, xlsx_bytes
from zhengxie.accounts.activation import activation_path, activation_token
from zhengxie.accounts.models import User

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "Huodong-Mima-2026"


class CountingHasher(MD5PasswordHasher):
    """Counts every hash computed (the expensive step an import must not repeat per row)."""

    algorithm = "counting_md5"
    calls = 0

    def encode(self, password, salt):
        CountingHasher.calls += 1
        return super().encode(password, salt)


@pytest.fixture
def counting_hasher(settings):
    settings.PASSWORD_HASHERS = ["tests.test_activation.CountingHasher"]
    CountingHasher.calls = 0
    return CountingHasher


def import_members(tmp_path, rows, name="roster.xlsx"):
    creds = tmp_path / f"creds-{time.monotonic_ns()}.csv"
    data = xlsx_bytes(rows) if name.endswith(".xlsx") else csv_bytes(rows)
    out = io.StringIO()
    call_command("import_members", str(write(tmp_path, name, data)), credentials_out=str(creds), stdout=out)
    if not creds.exists():  # nobody to activate: no file
        return [], out.getvalue()
    with open(creds, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f)), out.getvalue()


def test_300_members_are_imported_without_computing_one_hash(tmp_path, counting_hasher):
    written, out = import_members(tmp_path, [member_row(n) for n in range(1, 301)])
    assert Member.objects.count() == 300
    assert counting_hasher.calls == 0
    assert len(written) == 300 and "300 个新账号的激活链接已写入" in out
    assert not User.objects.filter(username="wy001").get().has_usable_password()


def test_a_given_initial_password_is_hashed(tmp_path, counting_hasher):
    import_members(tmp_path, [member_row(1, 初始密码=MEMBER_PASSWORD)], name="r.csv")
    assert counting_hasher.calls == 1
    assert User.objects.get(username="wy001").check_password(MEMBER_PASSWORD)


def test_the_link_sets_a_password_once_and_the_member_signs_in(tmp_path, client):
    written, _ = import_members(tmp_path, [member_row(1)], name="r.csv")
    link = written[0]["激活链接"]
    path = link[link.index("/accounts/activate/") :]
    form_page = client.get(path, follow=True)
    assert (
        form_page.status_code == 200
        and "为账号 <strong>wy001</strong> 设置登录密码" in form_page.content.decode()
    )
    done = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert done.status_code == 302 and done["Location"] == "/accounts/login/"
    assert User.objects.get(username="wy001").check_password(NEW_PASSWORD)

    login = client.post("/accounts/login/", {"username": "wy001", "password": NEW_PASSWORD})
    assert login.status_code == 302 and "/accounts/login/" not in login["Location"]

    # Used once: the same link no longer works.
    client.post("/accounts/logout/")
    again = client.get(path, follow=True)
    assert 'data-testid="activation-invalid"' in again.content.decode()


def test_expired_link_and_accounts_with_a_password_are_refused(tmp_path, client, settings, member):
    import_members(tmp_path, [member_row(1)], name="r.csv")
    user = User.objects.get(username="wy001")
    from django.utils.http import urlsafe_base64_encode

    uid = urlsafe_base64_encode(str(user.pk).encode())
    past = (
        activation_token._num_seconds(activation_token._now())
        - (settings.ACCOUNT_ACTIVATION_DAYS + 1) * 86400
    )
    expired = activation_token._make_token_with_timestamp(user, past, activation_token.secret)
    page = client.get(f"/accounts/activate/{uid}/{expired}/", follow=True)
    assert 'data-testid="activation-invalid"' in page.content.decode()
    # Not a back door to reset a password someone already has.
    page = client.get(activation_path(member.user), follow=True)
    assert 'data-testid="activation-invalid"' in page.content.decode()


def test_staff_issue_a_fresh_link_from_the_admin(
    tmp_path, client, staff_user, leader_user, member, department_user
):
    import_members(tmp_path, [member_row(1)], name="r.csv")
    waiting = User.objects.get(username="wy001")
    action = {"action": "activation_links", "_selected_action": [waiting.pk, member.user.pk]}
    client.force_login(department_user)
    assert client.post("/admin/accounts/user/", action).status_code in (302, 403)
    client.force_login(leader_user)  # reads the accounts, may not hand out links
    response = client.post("/admin/accounts/user/", action)
    assert not response.get("Content-Type", "").startswith("text/csv")
    client.force_login(staff_user)
    response = client.post("/admin/accounts/user/", action)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [r["用户名"] for r in rows] == ["wy001"]  # the member with a password is skipped
    link = rows[0]["激活链接"]
    page = client.get(link[link.index("/accounts/activate/") :], follow=True)
    assert "设置登录密码" in page.content.decode()
