"""The Django admin: roles at the door, roster import/export through the services, constant list queries."""

import csv
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import make_user
from members.imports import MEMBER_COLUMNS
from members.models import Member, Party, Sector, SpecialCommittee, Term
from tests.fixtures.rosters import MEMBER_PASSWORD, csv_bytes, department_row, member_row, xlsx_bytes
from zhengxie.accounts.imports import DEPARTMENT_COLUMNS
from zhengxie.accounts.models import Department, Role, User
from zhengxie.notifications.models import Notification
from zhengxie.workflow.models import AuditEntry
from zhengxie.workflow.services import audit_record

pytestmark = pytest.mark.django_db

MEMBER_IMPORT = "/admin/members/member/import/"
MEMBER_EXPORT = "/admin/members/member/export/"
XLSX, CSV = "0", "1"  # positions in ROSTER_FORMATS


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


def upload(client, url, data: bytes, name: str, fmt: str):
    return client.post(url, {"resource": "0", "format": fmt, "import_file": SimpleUploadedFile(name, data)})


class TestAccess:
    @pytest.mark.parametrize("fixture", ["member_user", "department_user"])
    def test_members_and_departments_are_kept_out_of_the_admin(self, client, request, fixture):
        client.force_login(request.getfixturevalue(fixture))
        response = client.get("/admin/")
        assert response.status_code == 302 and "/admin/login/" in response["Location"]
        response = client.get("/admin/members/member/")
        assert response.status_code == 302 and "/admin/login/" in response["Location"]

    def test_admin_is_in_chinese_for_staff(self, staff_client):
        response = staff_client.get("/admin/")
        assert response.status_code == 200
        html = response.content.decode()
        assert "政协履职工作平台 管理后台" in html
        for label in (
            "委员",
            "承办单位",
            "用户",
            "操作审计",
            "流转记录",
            "通知",
            "党派",
            "界别",
            "专委会",
            "届",
        ):
            assert label in html

    def test_leader_may_view_but_not_import_or_export(self, client, leader_user, member):
        client.force_login(leader_user)
        assert client.get("/admin/members/member/").status_code == 200
        assert client.get(MEMBER_IMPORT).status_code == 403
        response = upload(client, MEMBER_IMPORT, csv_bytes([member_row(1)]), "r.csv", CSV)
        assert response.status_code == 403
        # The roster export carries phone, e-mail and birth date: staff only.
        response = client.post(MEMBER_EXPORT, {"resource": "0", "format": XLSX})
        assert response.status_code == 403
        assert Member.objects.count() == 1

    def test_audit_log_is_read_only(self, staff_client, staff_user):
        entry = audit_record(actor=staff_user, action="something", target=staff_user)
        assert staff_client.get("/admin/workflow/auditentry/").status_code == 200
        assert staff_client.get("/admin/workflow/auditentry/add/").status_code == 403
        response = staff_client.get(f"/admin/workflow/auditentry/{entry.pk}/change/")
        assert response.status_code == 200 and b'name="action"' not in response.content
        assert (
            staff_client.post(f"/admin/workflow/auditentry/{entry.pk}/delete/", {"post": "yes"}).status_code
            == 403
        )
        assert AuditEntry.objects.filter(pk=entry.pk).exists()


def run_job(response):
    """Run the background job a page started (the worker's part) and return it."""
    from zhengxie.jobs.models import Job
    from zhengxie.jobs.services import job_run

    assert response.status_code == 302 and response["Location"].startswith("/jobs/"), response
    pk = int(response["Location"].strip("/").split("/")[-1])
    job_run(job_id=pk)
    return Job.objects.get(pk=pk)


def confirm(client, preview_job):
    return client.post(preview_job.params["action"]["url"])


class TestMemberImportPage:
    def test_bad_file_shows_every_bad_row_and_imports_nothing(self, staff_client):
        rows = [
            member_row(1),
            member_row(2, 姓名=""),
            member_row(3, 出生日期="1970-02-30"),
            member_row(4, 手机="1381234"),
            member_row(5, 用户名="wy001"),
        ]
        job = run_job(upload(staff_client, MEMBER_IMPORT, xlsx_bytes(rows), "bad.xlsx", XLSX))

        assert job.state == "failed" and "action" not in job.params
        html = staff_client.get(f"/jobs/{job.pk}/").content.decode()
        assert "第3行：姓名不能为空" in html
        assert "第4行：出生日期" in html
        assert "第5行：手机号码格式不正确" in html
        assert "第6行：用户名 wy001 与第2行重复" in html
        assert "确认导入" not in html
        assert not Member.objects.exists() and not User.objects.filter(role=Role.MEMBER).exists()

    def test_gbk_csv_gets_a_chinese_explanation(self, staff_client):
        response = upload(
            staff_client, MEMBER_IMPORT, csv_bytes([member_row(1)], encoding="gbk"), "r.csv", CSV
        )
        job = run_job(response)
        assert job.state == "failed" and "不是 UTF-8 编码" in job.message
        assert not Member.objects.exists()

    def test_missing_file_stays_on_the_form(self, staff_client):
        response = staff_client.post(MEMBER_IMPORT, {"resource": "0", "format": CSV})
        assert response.status_code == 200 and response.context["form"].errors

    def test_good_file_previews_then_imports_after_confirm(self, staff_client, staff_user):
        rows = [
            member_row(1, 初始密码=MEMBER_PASSWORD),
            member_row(2, 党派="新党派", 初始密码=MEMBER_PASSWORD),
        ]
        preview = run_job(upload(staff_client, MEMBER_IMPORT, csv_bytes(rows, bom=True), "good.csv", CSV))

        assert preview.state == "done" and "新建委员 2 个：委员001、委员002" in preview.message
        page = staff_client.get(f"/jobs/{preview.pk}/").content.decode()
        assert "确认导入" in page and MEMBER_PASSWORD not in page
        # The preview is a rolled-back run: nothing exists yet, not even the new party.
        assert not Member.objects.exists() and not Party.objects.filter(name="新党派").exists()

        done = run_job(confirm(staff_client, preview))

        assert done.state == "done" and not done.result  # given passwords: nothing to hand out
        assert set(Member.objects.values_list("name", flat=True)) == {"委员001", "委员002"}
        assert User.objects.get(username="wy001").check_password(MEMBER_PASSWORD)
        assert Party.objects.filter(name="新党派").exists()
        assert AuditEntry.objects.get(action="members_import").actor == staff_user
        page = staff_client.get(f"/jobs/{done.pk}/").content.decode()
        assert "导入完成" in page and "新建委员 2 个" in page and "确认导入" not in page
        # A preview is confirmed once.
        again = confirm(staff_client, preview)
        assert again.status_code == 302 and again["Location"] == f"/jobs/{preview.pk}/"
        assert Member.objects.count() == 2

    def test_activation_links_are_handed_over_as_a_download_once(self, staff_client):
        preview = run_job(
            upload(staff_client, MEMBER_IMPORT, xlsx_bytes([member_row(1), member_row(2)]), "r.xlsx", XLSX)
        )
        job = run_job(confirm(staff_client, preview))

        done = staff_client.get(f"/jobs/{job.pk}/download/")
        assert done.status_code == 200
        assert done["Content-Type"].startswith("text/csv")
        assert "attachment" in done["Content-Disposition"] and "no-store" in done["Cache-Control"]
        rows = list(csv.DictReader(io.StringIO(done.content.decode("utf-8-sig"))))
        assert {r["用户名"] for r in rows} == {"wy001", "wy002"}
        for r in rows:
            # No password was generated (no hash at import): each member activates through the link.
            assert not User.objects.get(username=r["用户名"]).has_usable_password()
            assert "/accounts/activate/" in r["激活链接"] and r["有效期至"]
        # The links are not kept on the server: a second download finds nothing.
        assert staff_client.get(f"/jobs/{job.pk}/download/").status_code == 404
        assert "已下载并从服务器删除" in staff_client.get(f"/jobs/{job.pk}/").content.decode()

    def test_confirm_refuses_when_the_data_changed_since_the_preview(self, staff_client):
        preview = run_job(
            upload(
                staff_client,
                MEMBER_IMPORT,
                csv_bytes([member_row(1, 初始密码=MEMBER_PASSWORD)]),
                "r.csv",
                CSV,
            )
        )
        make_user("wy001", Role.STAFF)  # someone took the username meanwhile
        job = run_job(confirm(staff_client, preview))
        assert job.state == "failed" and not Member.objects.exists()
        assert (
            "第2行：用户名 wy001 已被机关工作人员账号使用"
            in staff_client.get(f"/jobs/{job.pk}/").content.decode()
        )

    def test_only_the_uploader_confirms_and_leaders_cannot_import(self, client, staff_user, leader_user):
        client.force_login(staff_user)
        preview = run_job(upload(client, MEMBER_IMPORT, csv_bytes([member_row(1)]), "r.csv", CSV))
        other = make_user("staff2", Role.STAFF, is_staff=True)
        client.force_login(other)
        assert confirm(client, preview).status_code == 404
        client.force_login(leader_user)
        assert confirm(client, preview).status_code == 403
        assert upload(client, MEMBER_IMPORT, csv_bytes([member_row(1)]), "r.csv", CSV).status_code == 403
        assert not Member.objects.exists()


class TestExport:
    def test_member_export_has_the_import_columns_and_imports_back_unchanged(self, staff_client, tmp_path):
        call_command(
            "import_members",
            str(
                _write(
                    tmp_path, "r.csv", csv_bytes([member_row(n, 初始密码=MEMBER_PASSWORD) for n in (1, 2, 3)])
                )
            ),
            stdout=io.StringIO(),
        )
        response = staff_client.post(MEMBER_EXPORT, {"resource": "0", "format": XLSX})

        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
        rows = list(sheet.iter_rows(values_only=True))
        assert tuple(rows[0]) == MEMBER_COLUMNS
        assert len(rows) == 4
        first = dict(zip(rows[0], rows[1], strict=True))
        assert first["用户名"] == "wy001" and first["性别"] == "男" and first["委员职务"] == "委员"
        assert first["专委会"] == "提案委员会、经济委员会"

        before = list(Member.objects.order_by("pk").values_list("pk", "updated_at"))
        out = io.StringIO()
        call_command("import_members", str(_write(tmp_path, "export.xlsx", response.content)), stdout=out)
        assert "新建委员 0 个" in out.getvalue() and "更新委员 0 个" in out.getvalue()
        assert list(Member.objects.order_by("pk").values_list("pk", "updated_at")) == before

    def test_member_csv_export_has_a_bom_for_excel(self, staff_client, member):
        response = staff_client.post(MEMBER_EXPORT, {"resource": "0", "format": CSV})
        assert response.content.startswith(b"\xef\xbb\xbf")
        header = next(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert tuple(header) == MEMBER_COLUMNS

    def test_department_export_matches_the_import_columns(self, staff_client, tmp_path):
        call_command(
            "import_departments",
            str(
                _write(
                    tmp_path,
                    "d.csv",
                    csv_bytes([department_row(1, 初始密码="Dept-Init-2026")], columns=DEPARTMENT_COLUMNS),
                )
            ),
            stdout=io.StringIO(),
        )
        response = staff_client.post("/admin/accounts/department/export/", {"resource": "0", "format": XLSX})
        rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
        assert tuple(rows[0]) == DEPARTMENT_COLUMNS
        assert rows[1] == ("市第1局", "D001", "联系人1", "13700000001", "d1@example.gov.cn", "dept001")

    def test_department_import_page_goes_through_the_service(self, staff_client):
        data = csv_bytes([department_row(1, 初始密码="Dept-Init-2026")], columns=DEPARTMENT_COLUMNS)
        preview = run_job(upload(staff_client, "/admin/accounts/department/import/", data, "d.csv", CSV))
        assert preview.state == "done" and "新建承办单位 1 个" in preview.message, preview.message
        done = run_job(confirm(staff_client, preview))
        assert done.state == "done"
        user = User.objects.get(username="dept001")
        assert user.role == Role.DEPARTMENT and user.department.code == "D001"


def _write(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data)
    return path


# --- list pages cost a constant number of queries ------------------------------------------------------


def _members(n, start=0):
    sector = Sector.objects.get_or_create(name="经济界")[0]
    committee = SpecialCommittee.objects.get_or_create(name="经济委员会")[0]
    term = Term.objects.get_or_create(number=15, defaults={"start_date": "2022-01-01"})[0]
    party = Party.objects.first()
    for i in range(start, start + n):
        user = make_user(f"m{i}", Role.MEMBER)
        m = Member.objects.create(user=user, name=f"委员{i}", sector=sector, party=party, term=term)
        m.committees.add(committee)
        dept = Department.objects.create(name=f"单位{i}", code=f"C{i}")
        make_user(f"d{i}", Role.DEPARTMENT, department=dept)
        audit_record(actor=user, action="test", target=m)
        Notification.objects.create(recipient=user, title=f"通知{i}")


@pytest.mark.parametrize(
    "url",
    [
        "/admin/members/member/",
        "/admin/accounts/user/",
        "/admin/accounts/department/",
        "/admin/workflow/auditentry/",
        "/admin/notifications/notification/",
        "/admin/workflow/transitionlog/",
        "/admin/members/sector/",
        "/admin/members/term/",
    ],
)
def test_changelist_queries_do_not_grow_with_rows(staff_client, url):
    _members(2)
    with CaptureQueriesContext(connection) as few:
        assert staff_client.get(url).status_code == 200
    _members(18, start=2)
    with CaptureQueriesContext(connection) as many:
        assert staff_client.get(url).status_code == 200
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


def test_member_export_queries_do_not_grow_with_rows(staff_client):
    _members(2)
    with CaptureQueriesContext(connection) as few:
        assert staff_client.post(MEMBER_EXPORT, {"resource": "0", "format": CSV}).status_code == 200
    _members(18, start=2)
    with CaptureQueriesContext(connection) as many:
        response = staff_client.post(MEMBER_EXPORT, {"resource": "0", "format": CSV})
    assert len(response.content.decode("utf-8-sig").strip().splitlines()) == 21
    assert len(many) == len(few)


class TestEditPages:
    @pytest.mark.parametrize(
        "url",
        [
            "/admin/members/member/add/",
            "/admin/members/term/add/",
            "/admin/members/party/add/",
            "/admin/accounts/user/add/",
            "/admin/accounts/department/add/",
            "/admin/notifications/notification/add/",
            "/admin/workflow/handlingpolicy/add/",
        ],
    )
    def test_add_pages_render(self, staff_client, url):
        assert staff_client.get(url).status_code == 200

    def test_change_pages_render(self, staff_client, member, department_user):
        for url in (
            f"/admin/members/member/{member.pk}/change/",
            f"/admin/accounts/user/{department_user.pk}/change/",
            f"/admin/accounts/department/{department_user.department_id}/change/",
        ):
            assert staff_client.get(url).status_code == 200, url

    def test_department_account_without_department_is_refused_in_chinese(self, staff_client):
        response = staff_client.post(
            "/admin/accounts/user/add/",
            {
                "username": "newdept",
                "name": "新单位联系人",
                "role": Role.DEPARTMENT,
                "password1": "Strong-Pass-2026",
                "password2": "Strong-Pass-2026",
                "usable_password": "true",
            },
        )
        assert response.status_code == 200
        assert "承办单位账号必须指定所属单位" in response.content.decode()
        assert not User.objects.filter(username="newdept").exists()

    def test_staff_who_is_not_superuser_cannot_grant_superuser(self, staff_client, member_user):
        response = staff_client.get(f"/admin/accounts/user/{member_user.pk}/change/")
        assert b'name="is_superuser"' not in response.content
        assert b'name="role"' in response.content

    def test_member_list_filters_and_search(self, staff_client, member, other_member):
        response = staff_client.get("/admin/members/member/", {"q": "李委员"})
        assert list(response.context["cl"].result_list) == [member]
        response = staff_client.get("/admin/members/member/", {"party__id__exact": other_member.party_id})
        assert list(response.context["cl"].result_list) == [other_member]


def test_staff_creates_a_department_account_in_the_admin(staff_client, department):
    response = staff_client.post(
        "/admin/accounts/user/add/",
        {
            "username": "newdept",
            "name": "新单位联系人",
            "role": Role.DEPARTMENT,
            "department": department.pk,
            "usable_password": "true",
            "password1": "Strong-Pass-2026",
            "password2": "Strong-Pass-2026",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(username="newdept")
    assert user.department == department and user.role == Role.DEPARTMENT and not user.is_staff
    assert user.check_password("Strong-Pass-2026")
    assert AuditEntry.objects.filter(action="user_admin_create", object_id=str(user.pk)).exists()


@pytest.mark.django_db
def test_leader_reads_the_roster_without_private_fields(client, leader_user, staff_user, member):
    client.force_login(leader_user)
    listing = client.get("/admin/members/member/").content.decode()
    detail = client.get(f"/admin/members/member/{member.pk}/change/").content.decode()
    assert member.name in listing
    assert member.mobile not in listing and member.mobile not in detail and member.email not in detail
    assert client.get("/admin/members/member/export/").status_code == 403
    client.force_login(staff_user)
    assert member.mobile in client.get(f"/admin/members/member/{member.pk}/change/").content.decode()


class TestCodesReadAsWords:
    """Every code a person reads in the admin changelists has its Chinese label."""

    def test_transition_log_audit_and_sequence_changelists(self, staff_client, staff_user, term, plenary):
        from django.contrib.contenttypes.models import ContentType

        from proposals.models import NumberSequence, Proposal
        from zhengxie.workflow.models import TransitionLog

        ct = ContentType.objects.get_for_model(Proposal)
        TransitionLog.objects.create(
            content_type=ct, object_id=1, from_state="in_progress", to_state="replied", action="reply"
        )
        TransitionLog.objects.create(content_type=ct, object_id=1, from_state="", to_state="draft", action="")
        audit_record(actor=staff_user, action="proposal_publish", target=staff_user)
        audit_record(actor=staff_user, action="work_calendar_load_year", target=staff_user)
        audit_record(actor=staff_user, action="assignment_request_extension", target=staff_user)
        NumberSequence.objects.create(key=f"term{term.pk}-plenary{plenary.pk}", last_serial=12)
        NumberSequence.objects.create(key=f"term{term.pk}-between", last_serial=3)

        html = staff_client.get("/admin/workflow/transitionlog/").content.decode()
        assert "办理中" in html and "已答复" in html
        for code in (">in_progress<", ">replied<", ">reply<", ">draft<"):
            assert code not in html
        assert "答复" in html and "草稿" in html
        html = staff_client.get("/admin/workflow/auditentry/").content.decode()
        for code in ("proposal_publish", "work_calendar_load_year", "assignment_request_extension"):
            assert f">{code}<" not in html
        assert (
            "提案：公开/刊发" in html and "工作日历：载入年度节假日" in html and "提案交办：申请延期" in html
        )
        html = staff_client.get("/admin/proposals/numbersequence/").content.decode()
        assert f"term{term.pk}-" not in html
        assert f"{term.name}{plenary.name}" in html and f"{term.name}闭会期间" in html


def test_audit_entry_page_names_the_action_in_words(staff_client, staff_user):
    entry = audit_record(actor=staff_user, action="proposal_mark_key", target=staff_user)
    html = staff_client.get(f"/admin/workflow/auditentry/{entry.pk}/change/").content.decode()
    assert "提案：设为重点提案" in html and "proposal_mark_key" not in html
