"""Exports: the printable 提案 form (DOCX) and the register with its handling status (Excel), on the
workbench and in the admin."""

import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from docx import Document
from openpyxl import load_workbook

from proposals import selectors, services
from proposals.documents import proposal_form_docx
from proposals.models import Assignment, Evaluation, Proposal, ProposalCategory, Reply

pytestmark = pytest.mark.django_db
State = Proposal.State
REGISTER = "/workbench/handling/register.xlsx"
HEADERS = [
    "编号",
    "案由",
    "提案人",
    "类型",
    "类别",
    "会次",
    "状态",
    "提交时间",
    "立案时间",
    "承办单位(主办/会办/分办)",
    "办理期限",
    "答复类别",
    "满意度",
    "是否重点",
]


@pytest.fixture
def joint(member, other_member, staff_user, plenary, department):
    p = services.proposal_create(
        actor=member.user,
        title="关于加强校园周边交通安全的建议",
        content="建议增设护学岗。\n建议完善交通标志。",
        category=ProposalCategory.objects.get(name="社会"),
        kind="joint",
        cosigners=[other_member.pk],
        during_plenary=True,
        plenary=plenary,
    )
    services.proposal_submit(actor=member.user, proposal=p)
    services.proposal_cosign(actor=other_member.user, proposal=p, agree=True)
    services.proposal_register(actor=staff_user, proposal=p)
    services.proposal_assign(
        actor=staff_user, proposal=p, assignments=[{"department": department.pk, "role": "lead"}]
    )
    return Proposal.objects.get(pk=p.pk)


def docx_text(content: bytes) -> str:
    document = Document(io.BytesIO(content))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


# --- the 提案 form -------------------------------------------------------------------------------------


def test_form_docx_holds_the_particulars_and_the_text(joint, staff_user):
    content = proposal_form_docx(selectors.access_proposal(staff_user, joint.pk))
    text = docx_text(content)
    assert "第十五届委员会第二次会议" in text and "提  案" in text
    # The number already reads 十五届二次会议第0001号: printed once, not wrapped in another 第 … 号.
    assert f"编号：{joint.number}" in text.splitlines()
    assert f"第 {joint.number}" not in text and f"{joint.number} 号" not in text
    assert "关于加强校园周边交通安全的建议" in text
    assert "李委员" in text and "赵委员" in text
    assert "社会" in text and "大会期间" in text
    assert "市教育局（主办）" in text
    assert "建议增设护学岗。" in text and "建议完善交通标志。" in text
    # The Chinese fonts are set for East Asian text, not just the Latin name.
    document = Document(io.BytesIO(content))
    run = document.tables[0].rows[0].cells[1].paragraphs[0].runs[0]
    assert run.text == joint.title
    assert (
        run._element.rPr.rFonts.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia")
        == "仿宋"
    )


@pytest.mark.parametrize("who", ["staff_user", "leader_user", "member_user", "department_user"])
def test_form_download_for_those_who_may_see_it(client, request, who, joint):
    client.force_login(request.getfixturevalue(who))
    response = client.get(f"/workbench/handling/proposals/{joint.pk}/form.docx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.wordprocessing")
    assert "attachment" in response["Content-Disposition"]
    assert joint.number in docx_text(response.content)


def test_form_download_is_404_for_others(client, joint, make_member, other_department):
    from conftest import make_user
    from zhengxie.accounts.models import Role

    client.force_login(make_member("钱委员").user)
    assert client.get(f"/workbench/handling/proposals/{joint.pk}/form.docx").status_code == 404
    client.force_login(make_user("wjw", Role.DEPARTMENT, department=other_department))
    assert client.get(f"/workbench/handling/proposals/{joint.pk}/form.docx").status_code == 404


def test_between_sessions_form(staff_user, term):
    p = services.proposal_create(
        actor=staff_user,
        title="关于发展县域经济的建议",
        content="正文",
        category=ProposalCategory.objects.get(name="经济"),
        kind="collective",
        organization="民盟市委会",
        during_plenary=False,
    )
    text = docx_text(proposal_form_docx(p))
    assert "提案单位" in text and "民盟市委会" in text and "闭会期间" in text and "（未编号）" in text


# --- the register ---------------------------------------------------------------------------------------


def read_xlsx(content: bytes) -> list[list]:
    sheet = load_workbook(io.BytesIO(content)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def _register_rows(n, *, staff_user, member, other_member, term, plenary, department, start=0, **extra):
    """n proposals, each assigned and replied and rated, built directly for speed."""
    category = ProposalCategory.objects.get(name="经济")
    today = timezone.localdate()
    for i in range(start, start + n):
        p = Proposal.objects.create(
            title=f"提案{i:03}",
            content="正文",
            category=category,
            kind="joint",
            proposer=member,
            created_by=member.user,
            term=term,
            plenary=plenary,
            state=State.CLOSED,
            serial=i + 101,
            number=f"十五届二次会议第{i + 101:04}号",
            submitted_at=timezone.now(),
            registered_at=timezone.now(),
            **extra,
        )
        p.cosigners.create(member=other_member, status="confirmed")
        task = Assignment.objects.create(
            proposal=p,
            department=department,
            role="lead",
            state="replied",
            assigned_at=timezone.now(),
            assigned_by=staff_user,
            due_basis=today,
            due_date=today + timedelta(days=90),
        )
        Reply.objects.create(assignment=task, result="B", content="答复", replied_by=staff_user)
        Evaluation.objects.create(proposal=p, member=member, satisfaction="satisfied")


@pytest.fixture
def rows_kwargs(staff_user, member, other_member, term, plenary, department):
    return dict(
        staff_user=staff_user,
        member=member,
        other_member=other_member,
        term=term,
        plenary=plenary,
        department=department,
    )


def test_register_columns_and_values(client, staff_user, rows_kwargs):
    _register_rows(1, is_key=True, **rows_kwargs)
    client.force_login(staff_user)
    response = client.get(REGISTER)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheet")
    rows = read_xlsx(response.content)
    assert rows[0] == HEADERS
    row = dict(zip(HEADERS, rows[1], strict=True))
    assert row["编号"] == "十五届二次会议第0101号"
    assert row["案由"] == "提案000"
    assert row["提案人"] == "李委员、赵委员"
    assert (row["类型"], row["类别"], row["会次"], row["状态"]) == (
        "委员联名",
        "经济",
        "十五届二次会议",
        "已办结",
    )
    assert row["承办单位(主办/会办/分办)"] == "市教育局（主办）"
    assert row["办理期限"].date() == timezone.localdate() + timedelta(days=90)
    assert (row["答复类别"], row["满意度"], row["是否重点"]) == ("B", "满意", "是")
    assert abs(row["提交时间"] - timezone.localtime().replace(tzinfo=None)) < timedelta(minutes=5)


def test_register_applies_the_list_filters(client, staff_user, rows_kwargs, joint):
    _register_rows(2, **rows_kwargs)
    _register_rows(1, start=2, is_key=True, **rows_kwargs)
    client.force_login(staff_user)

    numbers = lambda params: [r[0] for r in read_xlsx(client.get(REGISTER, params).content)[1:]]  # noqa: E731
    assert len(numbers({})) == 4
    assert numbers({"key": "1"}) == ["十五届二次会议第0103号"]
    assert numbers({"state": "assigned"}) == [joint.number]
    assert numbers({"q": "校园"}) == [joint.number]
    assert numbers({"q": "提案001"}) == ["十五届二次会议第0102号"]
    assert len(numbers({"department": rows_kwargs["department"].pk})) == 4
    assert numbers({"category": ProposalCategory.objects.get(name="社会").pk}) == [joint.number]
    assert numbers({"kind": "individual"}) == []


@pytest.mark.parametrize("who", ["member_user", "department_user"])
def test_register_is_refused_to_members_and_departments(client, request, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(REGISTER).status_code == 403


def test_leader_may_export_the_register(client, leader_user, rows_kwargs):
    _register_rows(1, **rows_kwargs)
    client.force_login(leader_user)
    assert len(read_xlsx(client.get(REGISTER).content)) == 2


def test_register_queries_do_not_grow_with_rows(client, staff_user, rows_kwargs):
    client.force_login(staff_user)
    _register_rows(2, **rows_kwargs)
    with CaptureQueriesContext(connection) as few:
        assert len(read_xlsx(client.get(REGISTER).content)) == 3
    _register_rows(18, start=2, **rows_kwargs)
    with CaptureQueriesContext(connection) as many:
        assert len(read_xlsx(client.get(REGISTER).content)) == 21
    assert len(many) == len(few)


# --- the admin ------------------------------------------------------------------------------------------


def test_admin_export_action_writes_the_register(client, rows_kwargs):
    from conftest import make_user
    from zhengxie.accounts.models import Role

    admin_user = make_user("root", Role.STAFF, is_staff=True, is_superuser=True)
    _register_rows(3, **rows_kwargs)
    client.force_login(admin_user)
    picked = list(Proposal.objects.order_by("serial").values_list("pk", flat=True)[:2])
    response = client.post(
        "/admin/proposals/proposal/export/",
        {
            "format": "0",
            "export_items": picked,
            "resource": "0",
            **{
                f"proposalregisterresource_{f}": "on"
                for f in [
                    "number",
                    "title",
                    "proposers",
                    "kind",
                    "category",
                    "session",
                    "state",
                    "submitted_at",
                    "registered_at",
                    "departments",
                    "due_date",
                    "reply_result",
                    "satisfaction",
                    "is_key",
                ]
            },
        },
    )
    assert response.status_code == 200, response.content[:500]
    rows = read_xlsx(response.content)
    assert rows[0] == HEADERS
    assert sorted(r[0] for r in rows[1:]) == ["十五届二次会议第0101号", "十五届二次会议第0102号"]


def test_admin_lists_assignments(client, rows_kwargs, django_assert_max_num_queries):
    from conftest import make_user
    from zhengxie.accounts.models import Role

    admin_user = make_user("root", Role.STAFF, is_staff=True, is_superuser=True)
    _register_rows(5, **rows_kwargs)
    client.force_login(admin_user)
    with django_assert_max_num_queries(12):
        response = client.get("/admin/proposals/assignment/", {"q": "提案00"})
    assert response.status_code == 200
    assert response.content.decode().count("市教育局") >= 5
