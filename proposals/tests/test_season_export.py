"""Issue 19: the 交办会's Excel of all assignments (page link and GET /api/v1/assignments/export/)."""

import io

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from proposals import services
from proposals.models import Proposal, ProposalCategory

pytestmark = pytest.mark.django_db


@pytest.fixture
def assigned(term, plenary, member, other_member, staff_user, department, other_department):
    """Registered proposals of the plenary, assigned in one bulk call; returns a maker."""

    def make(n, *, titles=None):
        category = ProposalCategory.objects.get(name="社会")
        items, rows = [], []
        for i in range(n):
            title = (titles or {}).get(i, f"关于第{i}项事务的建议")
            p = services.proposal_create(
                actor=member.user,
                title=title,
                content="正文",
                category=category,
                during_plenary=True,
                plenary=plenary,
            )
            services.proposal_submit(actor=member.user, proposal=p)
            p = services.proposal_register(actor=staff_user, proposal=p)
            rows.append(p)
            items.append(
                {
                    "proposal": p.pk,
                    "assignments": [
                        {"department": department.pk, "role": "lead"},
                        {"department": other_department.pk, "role": "co"},
                    ],
                }
            )
        services.proposals_assign_bulk(actor=staff_user, items=items)
        return rows

    return make


def _sheet(content):
    return load_workbook(io.BytesIO(content)).active


def test_excel_of_all_assignments_reads_back(
    api, assigned, staff_user, plenary, department, other_department
):
    a, b = assigned(2, titles={1: '=HYPERLINK("http://evil.example","点我")'})
    res = api(staff_user).get(f"/api/v1/assignments/export/?plenary={plenary.pk}&format=xlsx")
    assert res.status_code == 200
    assert res["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    sheet = _sheet(res.content)
    rows = list(sheet.iter_rows(values_only=True))
    assert "共4项" in rows[0][0]
    assert list(rows[1]) == [
        "序号",
        "提案编号",
        "案由",
        "提案人",
        "承办单位",
        "办理方式",
        "办理期限",
        "交办时间",
        "状态",
    ]
    body = rows[2:]
    assert [(r[1], r[4], r[5]) for r in body] == [
        (a.number, department.name, "主办"),
        (a.number, other_department.name, "会办"),
        (b.number, department.name, "主办"),
        (b.number, other_department.name, "会办"),
    ]
    assert body[0][2] == a.title and body[0][3] == a.proposer.name and body[0][8] == "待签收"
    assert body[0][6] is not None  # the due date, a real date cell
    # A formula-looking title stays text: stored with a leading quote, never as a formula.
    formula_cell = sheet.cell(row=5, column=3)
    assert formula_cell.data_type == "s" and formula_cell.value.startswith("'=HYPERLINK")


def test_excel_filters_by_plenary_and_year(api, assigned, staff_user, plenary, term):
    from members.models import Plenary

    assigned(1)
    other = Plenary.objects.create(
        term=term,
        number=3,
        start_date=plenary.start_date.replace(year=2027),
        end_date=plenary.end_date.replace(year=2027),
    )
    res = api(staff_user).get(f"/api/v1/assignments/export/?plenary={other.pk}")
    assert res.status_code == 200 and len(list(_sheet(res.content).iter_rows())) == 2
    assert api(staff_user).get("/api/v1/assignments/export/?format=csv").status_code == 400
    assert api(staff_user).get("/api/v1/assignments/export/?year=abc").status_code == 400


def test_excel_query_count_does_not_grow_with_rows(api, assigned, staff_user, plenary):
    assigned(1)
    client = api(staff_user)
    with CaptureQueriesContext(connection) as few:
        assert client.get(f"/api/v1/assignments/export/?plenary={plenary.pk}").status_code == 200
    assigned(6)
    with CaptureQueriesContext(connection) as many:
        assert client.get(f"/api/v1/assignments/export/?plenary={plenary.pk}").status_code == 200
    assert len(many) == len(few)


def test_excel_is_staff_only(api, assigned, member_user, department_user, leader_user):
    assigned(1)
    for user in (member_user, department_user, leader_user):
        assert api(user).get("/api/v1/assignments/export/").status_code == 403
    assert api().get("/api/v1/assignments/export/").status_code in (401, 403)


def test_excel_page_link_on_the_bulk_screen(assigned, staff_user, member_user, department_user, plenary):
    assigned(1)
    client = Client()
    client.force_login(staff_user)
    page = client.get(f"/workbench/proposals/assign-bulk/?plenary={plenary.pk}")
    assert f"/workbench/proposals/assignments-export/?plenary={plenary.pk}" in page.content.decode()
    res = client.get(f"/workbench/proposals/assignments-export/?plenary={plenary.pk}")
    assert res.status_code == 200 and _sheet(res.content).cell(row=3, column=5).value
    for user in (member_user, department_user):
        other = Client()
        other.force_login(user)
        assert other.get("/workbench/proposals/assignments-export/").status_code == 403
    assert Proposal.objects.filter(state=Proposal.State.ASSIGNED).count() == 1


def test_more_than_the_inline_limit_becomes_a_job_that_writes_the_same_sheet(
    api, assigned, staff_user, leader_user, plenary, settings
):
    """No scope (every assignment ever) or a big season: the request answers with a job (202 / the job
    page), the worker streams the sheet, and it reads back like the inline one."""
    from zhengxie.jobs import services as job_services
    from zhengxie.jobs.models import Job

    settings.EXPORT_INLINE_MAX_ROWS = 3
    a, b = assigned(2, titles={1: "=1+1"})
    res = api(staff_user).get("/api/v1/assignments/export/")
    assert res.status_code == 202, res.content[:300]
    job = Job.objects.get(pk=res.json()["id"])
    assert (job.kind, job.owner, job.params) == (
        "all_assignments",
        staff_user,
        {"term": None, "plenary": None, "year": None},
    )
    client = Client()
    client.force_login(staff_user)
    page = client.get(f"/workbench/proposals/assignments-export/?plenary={plenary.pk}")
    assert page.status_code == 302 and page["Location"].startswith("/jobs/")

    job_services.job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.state == "done", job.message
    download = api(staff_user).get(f"/api/v1/jobs/{job.pk}/download/")
    rows = list(_sheet(b"".join(download.streaming_content)).iter_rows(values_only=True))
    assert "全部" in rows[0][0] and "共4项" in rows[0][0]
    assert [(r[1], r[5]) for r in rows[2:]] == [
        (a.number, "主办"),
        (a.number, "会办"),
        (b.number, "主办"),
        (b.number, "会办"),
    ]
    assert rows[4][2] == "'=1+1"
    # a leader may not start it, nor read the staff member's job
    assert api(leader_user).get("/api/v1/assignments/export/").status_code == 403
    assert api(leader_user).get(f"/api/v1/jobs/{job.pk}/").status_code == 404
