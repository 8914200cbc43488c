"""A fresh office can start: open_term, 会次 on the workbench, the first-run checklist, leader figures,
and README's production steps through to a member's first submitted proposal without the admin."""

import csv
from datetime import date, timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from members.models import Member, Plenary, Term
from proposals.models import Proposal, ProposalCategory
from zhengxie.accounts.models import Department, User
from zhengxie.workflow.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_open_term_creates_the_current_term_with_plenaries_and_is_idempotent(capsys):
    old = Term.objects.create(number=14, start_date=date(2017, 1, 10), is_current=True)
    args = ["open_term", "15", "--start", "2022-01-10", "--plenary", "1:2022-01-10:2022-01-14"]
    call_command(*args, "--plenary", "2:2023-01-09:2023-01-13")
    out = capsys.readouterr().out
    assert "第十五届" in out
    term = Term.objects.get(is_current=True)
    assert term.number == 15 and term.start_date == date(2022, 1, 10) and term.end_date is None
    old.refresh_from_db()
    assert not old.is_current
    assert [(p.number, p.start_date) for p in term.plenaries.order_by("number")] == [
        (1, date(2022, 1, 10)),
        (2, date(2023, 1, 9)),
    ]
    audits = AuditEntry.objects.count()
    assert AuditEntry.objects.filter(action="term_open").count() == 1
    assert AuditEntry.objects.filter(action="plenary_create").count() == 2

    call_command(*args, "--plenary", "2:2023-01-09:2023-01-13")
    assert Term.objects.count() == 2 and Plenary.objects.count() == 2
    assert AuditEntry.objects.count() == audits  # nothing changed, nothing logged

    call_command(
        "open_term",
        "15",
        "--start",
        "2022-01-10",
        "--end",
        "2027-01-10",
        "--plenary",
        "2:2023-01-10:2023-01-13",
    )
    term.refresh_from_db()
    assert term.end_date == date(2027, 1, 10)
    assert Plenary.objects.get(term=term, number=2).start_date == date(2023, 1, 10)


@pytest.mark.parametrize(
    "args",
    [
        ["15", "--start", "2022-13-01"],
        ["15", "--start", "2022-01-10", "--end", "2021-01-01"],
        ["15", "--start", "2022-01-10", "--plenary", "1:2022-01-14:2022-01-10"],
        ["15", "--start", "2022-01-10", "--plenary", "first"],
    ],
)
def test_open_term_refuses_bad_input_in_chinese(args):
    with pytest.raises(CommandError) as caught:
        call_command("open_term", *args)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in str(caught.value))


def test_staff_add_a_plenary_on_the_workbench(client, staff_user, term):
    client.force_login(staff_user)
    response = client.post(
        "/workbench/terms/",
        {
            "action": "plenary",
            "plenary-number": "3",
            "plenary-start_date": "2027-01-11",
            "plenary-end_date": "2027-01-15",
        },
    )
    assert response.status_code == 302
    plenary = Plenary.objects.get(term=term, number=3)
    assert plenary.end_date == date(2027, 1, 15)
    assert AuditEntry.objects.filter(action="plenary_create", actor=staff_user).exists()
    assert "第三次会议" in client.get("/workbench/terms/").content.decode()


def test_staff_open_a_term_on_the_workbench(client, staff_user):
    client.force_login(staff_user)
    response = client.post(
        "/workbench/terms/", {"action": "term", "term-number": "16", "term-start_date": "2027-01-10"}
    )
    assert response.status_code == 302
    assert Term.objects.get(is_current=True).number == 16


def test_terms_page_permissions(client, leader_user, member_user, department_user, term):
    client.force_login(leader_user)
    assert client.get("/workbench/terms/").status_code == 200
    post = {
        "action": "plenary",
        "plenary-number": "3",
        "plenary-start_date": "2027-01-11",
        "plenary-end_date": "2027-01-15",
    }
    assert client.post("/workbench/terms/", post).status_code == 403
    for user in (member_user, department_user):
        client.force_login(user)
        assert client.get("/workbench/terms/").status_code == 403
        assert client.post("/workbench/terms/", post).status_code == 403
    assert not Plenary.objects.exists()


def test_checklist_shows_until_everything_is_done(client, staff_user, leader_user, department, member):
    client.force_login(staff_user)
    body = client.get("/workbench/").content.decode()
    assert 'data-testid="first-run-checklist"' in body
    assert 'data-testid="checklist-term" data-done="0"' in body
    assert 'data-testid="checklist-calendar" data-done="0"' in body
    assert 'data-testid="checklist-departments" data-done="1"' in body
    assert 'data-testid="checklist-members" data-done="1"' in body

    call_command("open_term", "15", "--start", "2022-01-10", "--plenary", "1:2022-01-10:2022-01-14")
    from zhengxie.workflow.models import WorkCalendarDay

    WorkCalendarDay.objects.create(date=date(timezone.localdate().year, 1, 1), is_workday=False, name="元旦")
    body = client.get("/workbench/").content.decode()
    assert "first-run-checklist" not in body

    client.force_login(leader_user)
    assert "first-run-checklist" not in client.get("/workbench/").content.decode()


def test_leader_home_shows_the_figures_in_constant_queries(client, leader_user, member, plenary, department):
    from proposals import services

    client.force_login(leader_user)

    def load():
        with CaptureQueriesContext(connection) as ctx:
            body = client.get("/workbench/").content.decode()
        return body, len(ctx.captured_queries)

    body, few = load()
    assert 'data-testid="workbench-figures"' in body
    assert "超期未答复" in body and "立案率" in body and "答复率" in body and "满意率" in body
    assert "暂无在办的重点提案" in body

    category = ProposalCategory.objects.filter(is_active=True).first()

    def add_key(i):
        p = services.proposal_create(
            actor=member.user,
            title=f"重点提案{i}",
            content="建议",
            category=category,
            during_plenary=True,
            plenary=plenary,
        )
        p = services.proposal_submit(actor=member.user, proposal=p)
        Proposal.objects.filter(pk=p.pk).update(is_key=True)

    add_key(0)
    body, few = load()
    assert "重点提案0" in body
    for i in range(1, 6):
        add_key(i)
    body, many = load()
    assert "重点提案3" in body
    assert 'data-testid="key-proposals"' in body
    assert many == few


def _write_csv(path, header, rows):
    with open(path, "w", newline="", encoding="utf-8-sig") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)


def test_readme_production_steps_reach_a_members_first_submitted_proposal(client, tmp_path):
    """migrate (done by the test DB), open_term, load_work_calendar, import_departments, import_members,
    create_user — then everything through pages, never /admin/."""
    readme = (pytest.importorskip("pathlib").Path(__file__).resolve().parent.parent / "README.md").read_text()
    for command in ("open_term", "load_work_calendar", "import_departments", "import_members", "create_user"):
        assert f"manage.py {command}" in readme, command

    today = timezone.localdate()
    year = today.year
    closing = today + timedelta(days=4)
    call_command("open_term", "15", "--start", f"{year - 1}-01-10", "--plenary", f"1:{today}:{closing}")
    try:
        call_command("load_work_calendar", str(year))
    except CommandError:
        pass  # the package may not know this year yet; the fallback is Monday–Friday
    departments = tmp_path / "departments.csv"
    _write_csv(
        departments,
        ["单位名称", "单位代码", "联系人", "手机", "邮箱", "用户名", "初始密码"],
        [["市教育局", "JYJ", "王科长", "13800000001", "jyj@example.cn", "dept_jyj", "Dept-pass-2026!"]],
    )
    call_command("import_departments", str(departments))
    members = tmp_path / "members.csv"
    _write_csv(
        members,
        [
            "姓名",
            "性别",
            "民族",
            "出生日期",
            "党派",
            "界别",
            "专委会",
            "委员职务",
            "工作单位及职务",
            "手机",
            "邮箱",
            "用户名",
            "初始密码",
        ],
        [
            [
                "李文华",
                "女",
                "汉族",
                "1970-05-01",
                "中国民主同盟",
                "教育界",
                "提案委员会",
                "委员",
                "市一中校长",
                "13900000001",
                "li@example.cn",
                "liwenhua",
                "Member-pass-2026!",
            ]
        ],
    )
    call_command("import_members", str(members))
    call_command(
        "create_user", "office", "--role", "staff", "--name", "提案委", "--password", "Office-pass-2026!"
    )
    assert Department.objects.count() == 1 and Member.objects.count() == 1
    assert User.objects.filter(username="office").exists()

    staff = User.objects.get(username="office")
    client.force_login(staff)
    body = client.get("/workbench/").content.decode()
    assert "first-run-checklist" not in body  # every first-run step is done

    client.logout()
    assert (
        client.post("/accounts/login/", {"username": "liwenhua", "password": "Member-pass-2026!"}).status_code
        == 302
    )
    form = client.get("/proposals/new/")
    assert form.status_code == 200
    plenary = Plenary.objects.get(term__number=15, number=1)
    category = ProposalCategory.objects.filter(is_active=True).first()
    response = client.post(
        "/proposals/new/",
        {
            "title": "关于加强中小学生课后服务的建议",
            "category": category.pk,
            "kind": "individual",
            "during_plenary": "1",
            "plenary": plenary.pk,
            "content": "建议如下。" * 20,
            "action": "submit",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    proposal = Proposal.objects.get(title="关于加强中小学生课后服务的建议")
    if proposal.state == Proposal.State.DRAFT:
        client.post(f"/proposals/{proposal.pk}/submit/")
        proposal.refresh_from_db()
    assert proposal.state == Proposal.State.SUBMITTED
    assert proposal.term.number == 15
