"""Roster imports (API.md "Operations"): import_members, import_departments, create_user."""

import csv
import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command

from members.models import Member, Party, Sector, SpecialCommittee, Term
from members.services import members_import
from tests.fixtures.rosters import (
    EXCEL_DATE,
    MEMBER_PASSWORD,
    csv_bytes,
    department_row,
    member_row,
    write,
    xlsx_bytes,
)
from zhengxie.accounts.imports import DEPARTMENT_COLUMNS, TableError, parse_date, parse_mobile, read_table
from zhengxie.accounts.models import Department, Role, User
from zhengxie.workflow.models import AuditEntry

pytestmark = pytest.mark.django_db


def run(command, *args, **options):
    out, err = io.StringIO(), io.StringIO()
    call_command(command, *[str(a) for a in args], stdout=out, stderr=err, **options)
    return out.getvalue()


def read_credentials(path):
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def snapshot():
    """Everything an import may touch, to show a second run changes nothing."""
    return {
        "members": list(Member.objects.order_by("pk").values_list("pk", "updated_at")),
        "users": list(User.objects.order_by("pk").values_list("pk", "password", "name", "email", "phone")),
        "departments": list(Department.objects.order_by("pk").values_list("pk", "updated_at")),
        "committees": list(Member.committees.through.objects.order_by("pk").values_list("pk", flat=True)),
        "parties": Party.objects.count(),
        "sectors": Sector.objects.count(),
        "audit": AuditEntry.objects.count(),
    }


# --- import_members -------------------------------------------------------------------------------


class TestImportMembersGoodFiles:
    def test_xlsx_creates_members_accounts_and_reference_entries(self, tmp_path):
        rows = [
            member_row(1, 初始密码=MEMBER_PASSWORD),
            # An Excel date cell and a phone typed as a number, as people's sheets have them.
            member_row(2, 出生日期=EXCEL_DATE, 手机=13900000002, 委员职务="常委", 党派="致公党新支部"),
            member_row(3, 专委会="经济委员会，文史委员会,提案委员会", 委员职务="副主席", 性别="女"),
        ]
        path = write(tmp_path, "roster.xlsx", xlsx_bytes(rows))
        creds = tmp_path / "creds.csv"

        out = run("import_members", path, credentials_out=str(creds))

        assert Member.objects.count() == 3
        m1 = Member.objects.select_related("user", "party", "sector").get(name="委员001")
        assert m1.user.username == "wy001" and m1.user.role == Role.MEMBER and not m1.user.is_staff
        assert m1.gender == Member.Gender.MALE
        assert m1.birth_date == dt.date(1970, 5, 2)
        assert m1.party.name == "中国民主同盟" and m1.sector.name == "教育界"
        assert m1.position == Member.Position.MEMBER
        assert m1.employer == "市第1中学 校长" and m1.mobile == "13900000001" and m1.email == "m1@example.com"
        assert {c.name for c in m1.committees.all()} == {"提案委员会", "经济委员会"}
        assert m1.user.check_password(MEMBER_PASSWORD)
        assert m1.user.name == "委员001" and m1.user.phone == "13900000001"

        m2 = Member.objects.get(name="委员002")
        assert m2.birth_date == dt.date(1968, 3, 9)
        assert m2.mobile == "13900000002"
        assert m2.position == Member.Position.STANDING
        assert m2.party.name == "致公党新支部"  # unknown spelling: created, not refused
        m3 = Member.objects.get(name="委员003")
        assert {c.name for c in m3.committees.all()} == {"经济委员会", "文史委员会", "提案委员会"}
        assert m3.position == Member.Position.VICE_CHAIRMAN and m3.gender == Member.Gender.FEMALE

        assert "新建委员 3 个" in out and "委员001" in out and "委员003" in out
        assert "更新委员 0 个" in out
        assert "新建党派 1 个：致公党新支部" in out
        # Activation links went to the file only (row 1 had its own 初始密码); no password was generated.
        written = read_credentials(creds)
        assert [r["用户名"] for r in written] == ["wy002", "wy003"]
        for r in written:
            assert not User.objects.get(username=r["用户名"]).has_usable_password()
            assert "/accounts/activate/" in r["激活链接"] and r["激活链接"] not in out
        assert MEMBER_PASSWORD not in out

    @pytest.mark.parametrize("bom", [True, False], ids=["with-bom", "without-bom"])
    def test_csv_utf8_with_and_without_bom(self, tmp_path, bom):
        data = csv_bytes([member_row(1, 出生日期="1970/5/1"), member_row(2, 出生日期="1971.05.01")], bom=bom)
        if bom:
            assert data.startswith(b"\xef\xbb\xbf")
        path = write(tmp_path, "roster.csv", data)

        run("import_members", path, credentials_out=str(tmp_path / "c.csv"))

        assert Member.objects.get(user__username="wy001").birth_date == dt.date(1970, 5, 1)
        assert Member.objects.get(user__username="wy002").birth_date == dt.date(1971, 5, 1)
        # The BOM must not end up glued to the first header (姓名 would be "missing" then).
        assert Member.objects.get(user__username="wy001").name == "委员001"

    def test_new_members_join_the_current_term(self, tmp_path):
        term = Term.objects.create(number=15, start_date=dt.date(2022, 1, 1), is_current=True)
        path = write(tmp_path, "r.csv", csv_bytes([member_row(1, 初始密码=MEMBER_PASSWORD)]))
        run("import_members", path)
        assert Member.objects.get().term == term

    def test_short_party_name_matches_the_seeded_party(self, tmp_path):
        path = write(tmp_path, "r.csv", csv_bytes([member_row(1, 党派="民盟", 初始密码=MEMBER_PASSWORD)]))
        before = Party.objects.count()
        run("import_members", path)
        assert Member.objects.get().party.name == "中国民主同盟"
        assert Party.objects.count() == before

    def test_300_members_in_one_run(self, tmp_path):
        rows = [member_row(n, 界别=f"界别{n % 7}") for n in range(1, 301)]
        path = write(tmp_path, "big.xlsx", xlsx_bytes(rows))
        creds = tmp_path / "creds.csv"
        out = run("import_members", path, credentials_out=str(creds))
        assert Member.objects.count() == 300
        assert User.objects.filter(role=Role.MEMBER).count() == 300
        assert len(read_credentials(creds)) == 300
        assert "新建委员 300 个" in out
        assert Sector.objects.filter(name__startswith="界别").count() == 7


class TestReimport:
    def test_same_file_twice_changes_nothing(self, tmp_path):
        rows = [member_row(n) for n in range(1, 6)] + [member_row(6, 初始密码=MEMBER_PASSWORD)]
        path = write(tmp_path, "roster.xlsx", xlsx_bytes(rows))
        run("import_members", path, credentials_out=str(tmp_path / "first.csv"))
        before = snapshot()

        second_creds = tmp_path / "second.csv"
        out = run("import_members", path, credentials_out=str(second_creds))

        assert snapshot() == before  # no row, timestamp, password or audit entry changed
        assert "新建委员 0 个" in out and "更新委员 0 个" in out and "未变化 6 个" in out
        assert not second_creds.exists()  # no new accounts, so no passwords to hand out

    def test_changed_row_updates_only_that_member_and_keeps_the_password(self, tmp_path):
        path = write(tmp_path, "r.csv", csv_bytes([member_row(1), member_row(2)]))
        creds = tmp_path / "c.csv"
        run("import_members", path, credentials_out=str(creds))
        password = User.objects.get(username="wy002").password  # not activated yet: still unusable
        untouched = Member.objects.get(user__username="wy001").updated_at

        changed = [
            member_row(1),
            member_row(2, 手机="13711112222", 专委会="文史委员会", 初始密码="Other-Pass-999"),
        ]
        out = run("import_members", write(tmp_path, "r2.csv", csv_bytes(changed)))

        m2 = Member.objects.select_related("user").get(user__username="wy002")
        assert m2.mobile == "13711112222" and m2.user.phone == "13711112222"
        assert [c.name for c in m2.committees.all()] == ["文史委员会"]
        assert m2.user.password == password  # 初始密码 is for new accounts only: no resets
        assert Member.objects.get(user__username="wy001").updated_at == untouched
        assert "更新委员 1 个：委员002" in out and "新建委员 0 个" in out
        assert AuditEntry.objects.filter(action="member_update", object_id=str(m2.pk)).exists()


class TestBadFiles:
    def test_every_bad_row_is_named_and_nothing_is_imported(self, tmp_path):
        rows = [
            member_row(1, 党派="新党派甲"),  # row 2: good (its new party must not survive either)
            member_row(2, 姓名=""),  # row 3: missing 姓名
            member_row(3, 出生日期="1970-13-45"),  # row 4: bad date
            member_row(4, 手机="1234567"),  # row 5: bad phone
            member_row(5, 用户名="WY001"),  # row 6: duplicate 用户名 (case-insensitive) of row 2
            member_row(6, 性别="未知", 委员职务="组长", 邮箱="not-an-email"),  # row 7: three reasons
            member_row(7, 出生日期="昨天"),  # row 8
        ]
        path = write(tmp_path, "bad.xlsx", xlsx_bytes(rows))
        users_before, parties_before, audit_before = (
            User.objects.count(),
            Party.objects.count(),
            AuditEntry.objects.count(),
        )

        with pytest.raises(CommandError) as exc:
            run("import_members", path, credentials_out=str(tmp_path / "c.csv"))

        message = str(exc.value)
        assert "共 6 行有错误，未导入任何数据" in message
        assert "第3行：姓名不能为空" in message
        assert "第4行：出生日期" in message and "1970-13-45" in message
        assert "第5行：手机号码格式不正确" in message and "1234567" in message
        assert "第6行：用户名 WY001 与第2行重复" in message
        assert "第7行：性别只能填" in message and "委员职务只能是" in message and "邮箱格式不正确" in message
        assert "第8行：出生日期" in message
        assert "第2行" not in message.replace("与第2行重复", "")
        assert Member.objects.count() == 0
        assert User.objects.count() == users_before
        assert Party.objects.count() == parties_before
        assert AuditEntry.objects.count() == audit_before
        assert not (tmp_path / "c.csv").exists()

    def test_username_of_another_role_is_a_bad_row(self, tmp_path, staff_user, department_user):
        rows = [member_row(1, 用户名="staff1"), member_row(2, 用户名="dept1")]
        with pytest.raises(CommandError) as exc:
            run(
                "import_members",
                write(tmp_path, "r.csv", csv_bytes(rows)),
                credentials_out=str(tmp_path / "c"),
            )
        assert "第2行：用户名 staff1 已被机关工作人员账号使用" in str(exc.value)
        assert "第3行：用户名 dept1 已被承办单位账号使用" in str(exc.value)
        assert not Member.objects.exists()

    def test_weak_initial_password_is_a_bad_row(self, tmp_path):
        path = write(tmp_path, "r.csv", csv_bytes([member_row(1, 初始密码="123")]))
        with pytest.raises(CommandError, match="第2行：初始密码不符合要求"):
            run("import_members", path)

    def test_missing_column_is_reported(self, tmp_path):
        row = member_row(1)
        del row["出生日期"]
        data = csv_bytes([row], columns=[c for c in row])
        with pytest.raises(CommandError, match="缺少列：出生日期"):
            run("import_members", write(tmp_path, "r.csv", data))

    def test_gbk_csv_is_refused_with_a_hint(self, tmp_path):
        path = write(tmp_path, "r.csv", csv_bytes([member_row(1)], encoding="gbk"))
        with pytest.raises(CommandError, match="不是 UTF-8 编码.*CSV UTF-8"):
            run("import_members", path)
        assert not Member.objects.exists()

    def test_other_file_types_are_refused(self, tmp_path):
        with pytest.raises(CommandError, match="只支持 .xlsx 和 .csv"):
            run("import_members", write(tmp_path, "r.xls", b"whatever"))

    def test_random_passwords_need_credentials_out_and_nothing_is_imported_without(self, tmp_path):
        path = write(tmp_path, "r.csv", csv_bytes([member_row(1), member_row(2, 初始密码=MEMBER_PASSWORD)]))
        with pytest.raises(CommandError, match="--credentials-out"):
            run("import_members", path)
        assert not Member.objects.exists() and not User.objects.exists()

    def test_credentials_file_is_never_overwritten(self, tmp_path):
        creds = tmp_path / "c.csv"
        creds.write_text("earlier passwords")
        with pytest.raises(CommandError, match="已存在"):
            run(
                "import_members",
                write(tmp_path, "r.csv", csv_bytes([member_row(1)])),
                credentials_out=str(creds),
            )
        assert creds.read_text() == "earlier passwords"
        assert not Member.objects.exists()

    def test_row_numbers_count_blank_lines(self, tmp_path):
        data = (
            csv_bytes([member_row(1)]) + b"\r\n" + csv_bytes([member_row(2, 手机="12")]).split(b"\r\n", 1)[1]
        )
        with pytest.raises(CommandError) as exc:
            run("import_members", write(tmp_path, "r.csv", data), credentials_out=str(tmp_path / "c"))
        assert "第4行：手机号码格式不正确" in str(exc.value)

    def test_dry_run_writes_nothing(self, tmp_path):
        out = run("import_members", write(tmp_path, "r.csv", csv_bytes([member_row(1)])), dry_run=True)
        assert "新建委员 1 个" in out and "未写入数据库" in out
        assert not Member.objects.exists() and not User.objects.exists()


class TestMembersImportService:
    def test_only_staff_may_import(self, member_user):
        table = read_table(csv_bytes([member_row(1)]), name="r.csv")
        with pytest.raises(PermissionDenied):
            members_import(actor=member_user, table=table)
        assert Member.objects.count() == 1  # the fixture's own member only

    def test_staff_import_is_audited_with_the_actor(self, staff_user):
        table = read_table(csv_bytes([member_row(1, 初始密码=MEMBER_PASSWORD)]), name="r.csv")
        report = members_import(actor=staff_user, table=table)
        assert report.created == ["委员001"]
        entry = AuditEntry.objects.get(action="members_import")
        assert entry.actor == staff_user and entry.detail["created"] == ["委员001"]
        assert SpecialCommittee.objects.filter(name="提案委员会").exists()

    def test_table_error_for_an_empty_file(self):
        with pytest.raises(TableError):
            read_table(b"", name="r.csv")


@pytest.mark.parametrize(
    "value, expected",
    [
        ("1970-05-01", dt.date(1970, 5, 1)),
        ("1970/5/1", dt.date(1970, 5, 1)),
        ("1970.05.01", dt.date(1970, 5, 1)),
        ("1970年5月1日", dt.date(1970, 5, 1)),
        ("1970-05-01 00:00:00", dt.date(1970, 5, 1)),
        (dt.datetime(1970, 5, 1), dt.date(1970, 5, 1)),
        (25689, dt.date(1970, 5, 1)),  # an Excel serial number
        ("", None),
    ],
)
def test_parse_date_accepts_the_usual_spellings(value, expected):
    assert parse_date(value) == expected


@pytest.mark.parametrize("value", ["1970-02-30", "05/01/1970", "abc", "19700501x"])
def test_parse_date_refuses_the_rest(value):
    with pytest.raises(ValueError):
        parse_date(value)


@pytest.mark.parametrize(
    "value, expected",
    [
        ("13812345678", "13812345678"),
        (13812345678, "13812345678"),
        (13812345678.0, "13812345678"),
        ("138-1234-5678", "13812345678"),
        ("+8613812345678", "13812345678"),
        ("", ""),
    ],
)
def test_parse_mobile(value, expected):
    assert parse_mobile(value) == expected


@pytest.mark.parametrize("value", ["12812345678", "1381234567", "138123456789", "0556-1234567"])
def test_parse_mobile_refuses_non_mobiles(value):
    with pytest.raises(ValueError):
        parse_mobile(value)


# --- import_departments ---------------------------------------------------------------------------


class TestImportDepartments:
    def test_creates_departments_and_department_accounts(self, tmp_path):
        rows = [department_row(1), department_row(2, 初始密码="Dept-Init-2026"), department_row(3, 用户名="")]
        path = write(tmp_path, "d.xlsx", xlsx_bytes(rows, columns=DEPARTMENT_COLUMNS))
        creds = tmp_path / "creds.csv"

        out = run("import_departments", path, credentials_out=str(creds))

        d1 = Department.objects.get(code="D001")
        assert (d1.name, d1.contact, d1.phone, d1.email) == (
            "市第1局",
            "联系人1",
            "13700000001",
            "d1@example.gov.cn",
        )
        u1 = User.objects.get(username="dept001")
        assert u1.role == Role.DEPARTMENT and u1.department == d1 and not u1.is_staff
        assert User.objects.get(username="dept002").check_password("Dept-Init-2026")
        assert Department.objects.get(code="D003").users.count() == 0  # listed without an account yet
        written = read_credentials(creds)
        assert [(r["用户名"], r["单位名称"]) for r in written] == [("dept001", "市第1局")]
        assert u1.check_password(written[0]["初始密码"])
        assert written[0]["初始密码"] not in out
        assert "新建承办单位 3 个：市第1局、市第2局、市第3局" in out

    def test_reimport_changes_nothing_and_a_change_updates_by_code(self, tmp_path):
        rows = [department_row(1, 初始密码="Dept-Init-2026"), department_row(2, 初始密码="Dept-Init-2026")]
        path = write(tmp_path, "d.csv", csv_bytes(rows, columns=DEPARTMENT_COLUMNS, bom=True))
        run("import_departments", path)
        before = snapshot()
        out = run("import_departments", path)
        assert snapshot() == before
        assert "新建承办单位 0 个" in out and "更新承办单位 0 个" in out

        rows[1] = department_row(2, 单位名称="市第二局（新名）", 初始密码="Changed-Pass-1")
        out = run(
            "import_departments", write(tmp_path, "d2.csv", csv_bytes(rows, columns=DEPARTMENT_COLUMNS))
        )
        assert Department.objects.get(code="D002").name == "市第二局（新名）"
        assert Department.objects.count() == 2
        assert User.objects.get(username="dept002").check_password("Dept-Init-2026")
        assert "更新承办单位 1 个：市第二局（新名）" in out

    def test_bad_rows(self, tmp_path, department, member_user):
        department_user = User.objects.create(username="jyj", role=Role.DEPARTMENT, department=department)
        rows = [
            department_row(1),  # row 2 good
            department_row(2, 单位代码="D001"),  # row 3 duplicate code
            department_row(3, 手机="110"),  # row 4 bad phone
            department_row(4, 用户名=department_user.username),  # row 5 account of another department
            department_row(5, 用户名="member1"),  # row 6 a member's account
            department_row(6, 单位名称=""),  # row 7
            department_row(7, 用户名="dept001"),  # row 8 duplicate username of row 2
        ]
        with pytest.raises(CommandError) as exc:
            run("import_departments", write(tmp_path, "d.csv", csv_bytes(rows, columns=DEPARTMENT_COLUMNS)))
        message = str(exc.value)
        assert "第3行：单位代码 D001 与第2行重复" in message
        assert "第4行：手机号码格式不正确" in message
        assert "第5行：用户名 jyj 已属于承办单位 市教育局" in message
        assert "第6行：用户名 member1 已被政协委员账号使用" in message
        assert "第7行：单位名称不能为空" in message
        assert "第8行：用户名 dept001 与第2行重复" in message
        assert list(Department.objects.values_list("code", flat=True)) == ["JYJ"]


# --- create_user ------------------------------------------------------------------------------------


class TestCreateUser:
    @pytest.mark.parametrize("role", [Role.STAFF, Role.LEADER])
    def test_creates_staff_and_leader_and_prints_a_generated_password(self, role):
        out = run("create_user", "zhang", role=role, name="张三")
        user = User.objects.get(username="zhang")
        assert user.role == role and user.name == "张三" and user.is_staff
        password = out.split("初始密码：")[1].strip()
        assert user.check_password(password)
        assert AuditEntry.objects.filter(action="user_create", object_id=str(user.pk)).exists()

    def test_given_password_is_used_and_not_printed(self):
        out = run("create_user", "li", role="staff", password="Given-Pass-2026")
        assert User.objects.get(username="li").check_password("Given-Pass-2026")
        assert "Given-Pass-2026" not in out and "初始密码" not in out

    @pytest.mark.parametrize("role", ["member", "department", "admin"])
    def test_refuses_other_roles(self, role):
        with pytest.raises(CommandError, match="角色只能是 staff 或 leader"):
            run("create_user", "wang", role=role)
        assert not User.objects.filter(username="wang").exists()

    def test_refuses_an_existing_username_and_a_weak_password(self, staff_user):
        with pytest.raises(CommandError, match="已存在"):
            run("create_user", "STAFF1", role="staff")
        with pytest.raises(CommandError, match="密码不符合要求"):
            run("create_user", "zhao", role="leader", password="123")
        assert not User.objects.filter(username="zhao").exists()


# --- cost: a fixed number of queries, whatever the number of rows ----------------------------------


def _writes(queries) -> list[str]:
    return [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]


class TestImportCost:
    def _import(self, staff_user, rows):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        table = read_table(csv_bytes(rows), name="r.csv")
        with CaptureQueriesContext(connection) as ctx:
            report = members_import(actor=staff_user, table=table)
        return report, ctx.captured_queries

    def test_2000_new_members_cost_a_bounded_number_of_queries(self, staff_user):
        rows = [member_row(n, 界别=f"界别{n % 5}", 党派=("民盟", "致公党")[n % 2]) for n in range(1, 2001)]
        report, queries = self._import(staff_user, rows)
        assert len(report.created) == 2000 and len(report.credentials) == 2000
        # users, members, committee links and audit rows go in batches of 1,000: not one query per row
        assert len(queries) < 60, len(queries)
        assert Member.objects.filter(user__role=Role.MEMBER).count() == 2000
        m = Member.objects.select_related("party", "sector", "user").get(user__username="wy1999")
        assert m.sector.name == "界别4" and m.party.name == "中国致公党" and m.term is None
        assert {c.name for c in m.committees.all()} == {"提案委员会", "经济委员会"}
        assert not m.user.has_usable_password() and not m.user.is_staff
        assert AuditEntry.objects.filter(action="member_create").count() == 2000
        assert AuditEntry.objects.filter(action="user_create", actor=staff_user).count() == 2000
        assert AuditEntry.objects.filter(action="sector_create").count() == 5

        # The same file again: only reads, no write of any kind, and still a fixed number of queries.
        again, queries = self._import(staff_user, rows)
        assert again.unchanged == 2000 and not again.created and not again.updated
        assert _writes(queries) == [] and len(queries) < 15, len(queries)

        # Two rows changed: two members updated (one profile, one committee), nothing else written.
        rows[9] = member_row(10, 界别="界别0", 党派="民盟", 手机="13722223333")
        rows[19] = member_row(20, 界别="界别0", 党派="民盟", 专委会="文史委员会")
        changed, queries = self._import(staff_user, rows)
        assert sorted(changed.updated) == ["委员010", "委员020"] and changed.unchanged == 1998
        assert len(queries) < 30, len(queries)
        m10 = Member.objects.select_related("user").get(user__username="wy010")
        assert m10.mobile == "13722223333" and m10.user.phone == "13722223333"
        m20 = Member.objects.get(user__username="wy020")
        assert [c.name for c in m20.committees.all()] == ["文史委员会"]
        entry = AuditEntry.objects.get(action="member_update", object_id=str(m20.pk))
        assert entry.detail["fields"] == ["committees"] and entry.actor == staff_user
        entry = AuditEntry.objects.get(action="member_update", object_id=str(m10.pk))
        assert entry.detail["fields"] == ["mobile"]
        assert AuditEntry.objects.filter(action="user_profile_update").count() == 1
