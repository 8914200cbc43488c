"""API conventions: token sign-in, 401, /me/, departments, pagination, the OpenAPI schema and docs."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from conftest import PASSWORD, make_user
from members.models import Sector
from zhengxie.accounts.models import Department, Role

TOKEN_URL = "/api/v1/auth/token/"
ME_URL = "/api/v1/me/"


@pytest.mark.django_db
class TestToken:
    def test_username_and_password_give_a_token_that_authenticates(self, member_user):
        response = APIClient().post(TOKEN_URL, {"username": "member1", "password": PASSWORD}, format="json")
        assert response.status_code == 200
        token = response.json()["token"]
        assert token

        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        me = client.get(ME_URL)
        assert me.status_code == 200
        assert me.json()["username"] == "member1"

    def test_each_sign_in_gets_its_own_token_and_both_work(self, member_user):
        # One token per device, so logging out one device leaves the others signed in (issue 12).
        first = APIClient().post(TOKEN_URL, {"username": "member1", "password": PASSWORD}).json()["token"]
        second = APIClient().post(TOKEN_URL, {"username": "member1", "password": PASSWORD}).json()["token"]
        assert first != second
        for token in (first, second):
            client = APIClient()
            client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
            assert client.get(ME_URL).status_code == 200

    def test_wrong_password_is_400_with_a_chinese_detail_and_no_token(self, member_user):
        response = APIClient().post(TOKEN_URL, {"username": "member1", "password": "wrong-password"})
        assert response.status_code == 400
        body = response.json()
        assert "token" not in body
        assert body["detail"] == "用户名或密码错误。"

    def test_unknown_user_gets_the_same_answer_as_a_wrong_password(self, db):
        response = APIClient().post(TOKEN_URL, {"username": "nobody", "password": PASSWORD})
        assert response.status_code == 400
        assert response.json() == {"detail": "用户名或密码错误。"}

    def test_inactive_account_gets_no_token(self, member_user):
        member_user.is_active = False
        member_user.save()
        response = APIClient().post(TOKEN_URL, {"username": "member1", "password": PASSWORD})
        assert response.status_code == 400
        assert "token" not in response.json()

    def test_repeated_failures_lock_the_account_even_for_the_right_password(self, member_user, settings):
        client = APIClient()
        for _ in range(settings.AXES_FAILURE_LIMIT):
            client.post(TOKEN_URL, {"username": "member1", "password": "wrong-password"})
        response = client.post(TOKEN_URL, {"username": "member1", "password": PASSWORD})
        assert response.status_code == 429
        assert response.json() == {"detail": "登录失败次数过多，账号已暂时锁定，请稍后再试。"}

    def test_missing_password_is_a_field_error(self, member_user):
        response = APIClient().post(TOKEN_URL, {"username": "member1"}, format="json")
        assert response.status_code == 400
        assert "password" in response.json()
        assert "token" not in response.json()


@pytest.mark.django_db
class TestUnauthenticated:
    @pytest.mark.parametrize(
        "url",
        [ME_URL, "/api/v1/departments/", "/api/v1/members/", "/api/v1/notifications/", "/api/v1/terms/"],
    )
    def test_no_credentials_is_401_with_chinese_detail(self, url):
        response = APIClient().get(url)
        assert response.status_code == 401
        assert response.json()["detail"] == "请先登录。"
        assert response["WWW-Authenticate"].startswith("Token")

    def test_bad_token_is_401(self):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
        response = client.get(ME_URL)
        assert response.status_code == 401
        assert response.json()["detail"] == "身份认证失败，请重新登录。"


@pytest.mark.django_db
class TestMe:
    def test_staff(self, api, staff_user):
        body = api(staff_user).get(ME_URL).json()
        assert body == {
            "id": staff_user.pk,
            "username": "staff1",
            "name": "张干事",
            "role": "staff",
            "member": None,
            "department": None,
        }

    def test_leader(self, api, leader_user):
        body = api(leader_user).get(ME_URL).json()
        assert body["role"] == "leader"
        assert body["member"] is None
        assert body["department"] is None

    def test_member_gets_their_member_id(self, api, member):
        body = api(member.user).get(ME_URL).json()
        assert body["role"] == "member"
        assert body["member"] == member.pk
        assert body["name"] == "李委员"
        assert body["department"] is None

    def test_department_user_gets_their_department_id(self, api, department_user, department):
        body = api(department_user).get(ME_URL).json()
        assert body["role"] == "department"
        assert body["department"] == department.pk
        assert body["member"] is None

    def test_superuser_is_staff_whatever_the_stored_role(self, api, db):
        admin = make_user("root", Role.MEMBER, is_superuser=True)
        assert api(admin).get(ME_URL).json()["role"] == "staff"


@pytest.mark.django_db
class TestDepartments:
    def test_any_signed_in_user_lists_them(self, api, member_user, department, other_department):
        response = api(member_user).get("/api/v1/departments/")
        assert response.status_code == 200
        body = response.json()
        assert body["count"] == 2
        assert {row["code"] for row in body["results"]} == {"JYJ", "WJW"}
        assert set(body) == {"count", "next", "previous", "results"}

    def test_detail(self, api, department_user, department):
        response = api(department_user).get(f"/api/v1/departments/{department.pk}/")
        assert response.status_code == 200
        assert response.json()["name"] == "市教育局"

    def test_unknown_id_is_404_with_chinese_detail(self, api, member_user):
        response = api(member_user).get("/api/v1/departments/999999/")
        assert response.status_code == 404
        assert response.json()["detail"] == "对象不存在。"

    def test_read_only(self, api, staff_user):
        response = api(staff_user).post("/api/v1/departments/", {"name": "新单位", "code": "X"})
        assert response.status_code == 405
        assert response.json()["detail"] == "不支持该请求方法。"
        assert not Department.objects.filter(code="X").exists()

    def test_query_count_does_not_grow_with_rows(self, api, member_user):
        client = api(member_user)
        Department.objects.bulk_create(Department(name=f"单位{i}", code=f"D{i:03}") for i in range(2))
        with CaptureQueriesContext(connection) as few:
            assert client.get("/api/v1/departments/").status_code == 200
        Department.objects.bulk_create(Department(name=f"单位{i}", code=f"D{i:03}") for i in range(2, 20))
        with CaptureQueriesContext(connection) as many:
            assert client.get("/api/v1/departments/").json()["count"] == 20
        assert len(many) == len(few)


@pytest.mark.django_db
class TestPagination:
    def test_page_size_is_capped_at_200(self, api, leader_user):
        Sector.objects.bulk_create(Sector(name=f"界别{i:03}", order=i) for i in range(205))
        body = api(leader_user).get("/api/v1/sectors/", {"page_size": 1000}).json()
        assert body["count"] == 205
        assert len(body["results"]) == 200
        assert body["next"] is not None

    def test_page_and_page_size(self, api, leader_user):
        Sector.objects.bulk_create(Sector(name=f"界别{i:03}", order=i) for i in range(12))
        body = api(leader_user).get("/api/v1/sectors/", {"page_size": 5, "page": 3}).json()
        assert [row["name"] for row in body["results"]] == ["界别010", "界别011"]
        assert body["next"] is None
        assert "page=2" in body["previous"]

    def test_default_page_size_is_20(self, api, leader_user):
        Sector.objects.bulk_create(Sector(name=f"界别{i:03}", order=i) for i in range(25))
        assert len(api(leader_user).get("/api/v1/sectors/").json()["results"]) == 20


OUR_PATHS = [
    "/api/v1/auth/token/",
    "/api/v1/me/",
    "/api/v1/departments/",
    "/api/v1/departments/{id}/",
    "/api/v1/sectors/",
    "/api/v1/parties/",
    "/api/v1/terms/",
    "/api/v1/terms/{id}/",
    "/api/v1/members/",
    "/api/v1/members/{id}/",
    "/api/v1/notifications/",
    "/api/v1/notifications/{id}/read/",
]


@pytest.mark.django_db
class TestSchemaAndDocs:
    def test_schema_describes_our_paths(self):
        response = APIClient().get("/api/schema/", {"format": "json"})
        assert response.status_code == 200
        paths = response.json()["paths"]
        for path in OUR_PATHS:
            assert path in paths, path
        member_params = {p["name"] for p in paths["/api/v1/members/"]["get"]["parameters"]}
        assert {"sector", "party", "status", "q", "page", "page_size"} <= member_params
        notification_params = {p["name"] for p in paths["/api/v1/notifications/"]["get"]["parameters"]}
        assert "unread" in notification_params

    def test_schema_generates_without_warnings_and_validates(self, tmp_path):
        # --fail-on-warn turns any warning (an undescribed view, an unresolvable field) into an error.
        call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
        assert "/api/v1/members/" in (tmp_path / "schema.yaml").read_text()

    def test_swagger_ui_is_served_from_the_sidecar_not_a_cdn(self):
        response = APIClient().get("/api/docs/")
        assert response.status_code == 200
        html = response.content.decode()
        assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in html
        for cdn in ("cdn.jsdelivr.net", "unpkg.com", "cdnjs.cloudflare.com"):
            assert cdn not in html


def test_display_field_gives_the_choice_label_without_inspecting_signatures(monkeypatch):
    """DisplayField("state") is obj.get_state_display(), read-only; DRF's `source="get_state_display"`
    inspected the display method's signature on every row of every list."""
    import inspect

    from rest_framework import serializers

    from proposals.api.proposals import ProposalSerializer
    from proposals.models import Proposal
    from zhengxie.api import DisplayField

    class StateSerializer(serializers.Serializer):
        state_display = DisplayField("state")

    def no_inspect(*args, **kwargs):
        raise AssertionError("inspect.signature called")

    monkeypatch.setattr(inspect, "signature", no_inspect)
    row = Proposal(state=Proposal._meta.get_field("state").choices[0][0])
    assert StateSerializer(row).data == {"state_display": Proposal._meta.get_field("state").choices[0][1]}
    assert StateSerializer().fields["state_display"].read_only
    assert isinstance(ProposalSerializer().fields["state_display"], DisplayField)
