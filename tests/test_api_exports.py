"""Every download is also an API endpoint with token auth and the page's permissions (issue 14)."""

import io
import zipfile

import pytest
from django.utils import timezone
from docx import Document
from openpyxl import load_workbook
from rest_framework.test import APIClient

from conftest import PASSWORD
from proposals import services
from proposals.models import Assignment, Proposal, ProposalCategory

pytestmark = pytest.mark.django_db
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def token_client(user) -> APIClient:
    """Signed in the way an app is: a token from /auth/token/, no session."""
    client = APIClient()
    token = client.post(
        "/api/v1/auth/token/", {"username": user.username, "password": PASSWORD}, format="json"
    ).json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def docx_text(content: bytes) -> str:
    document = Document(io.BytesIO(content))
    parts = [p.text for p in document.paragraphs]
    parts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def sheet_values(content: bytes) -> list[list]:
    return [list(row) for row in load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True)]


@pytest.fixture
def assigned(member, staff_user, plenary, department):
    p = services.proposal_create(
        actor=member.user,
        title="关于加强校园周边交通安全的建议",
        content="建议增设护学岗。",
        category=ProposalCategory.objects.get(name="社会"),
        during_plenary=True,
        plenary=plenary,
    )
    services.proposal_submit(actor=member.user, proposal=p)
    services.proposal_register(actor=staff_user, proposal=p)
    services.proposal_assign(
        actor=staff_user, proposal=p, assignments=[{"department": department.pk, "role": "lead"}]
    )
    return Proposal.objects.get(pk=p.pk)


def test_register_excel_with_a_token_and_the_list_filters(assigned, staff_user, leader_user):
    for user in (staff_user, leader_user):
        response = token_client(user).get("/api/v1/proposals/export/", {"state": "assigned"})
        assert response.status_code == 200, response.content[:200]
        assert response["Content-Type"] == XLSX
        assert "attachment" in response["Content-Disposition"]
        rows = sheet_values(response.content)
        assert any(row[0] == assigned.number and row[1] == assigned.title for row in rows)
    rows = sheet_values(token_client(staff_user).get("/api/v1/proposals/export/", {"state": "draft"}).content)
    assert not any(row[0] == assigned.number for row in rows)


def test_register_excel_is_refused_to_members_and_departments(assigned, member, department_user):
    for user in (member.user, department_user):
        assert token_client(user).get("/api/v1/proposals/export/").status_code == 403
    assert APIClient().get("/api/v1/proposals/export/").status_code == 401


def test_proposal_form_docx_for_whoever_may_see_it(
    assigned, member, staff_user, other_member, department_user
):
    for user in (member.user, staff_user, department_user):
        response = token_client(user).get(f"/api/v1/proposals/{assigned.pk}/form/")
        assert response.status_code == 200
        assert response["Content-Type"] == DOCX
        text = docx_text(response.content)
        assert assigned.title in text and assigned.number in text
    assert token_client(other_member.user).get(f"/api/v1/proposals/{assigned.pk}/form/").status_code == 404


def test_reply_letter_draft_for_the_department(
    assigned, department_user, other_department, staff_user, member
):
    task = Assignment.objects.get(proposal=assigned)
    url = f"/api/v1/assignments/{task.pk}/reply-letter-draft/"
    response = token_client(department_user).get(url, HTTP_ACCEPT=DOCX)
    assert response.status_code == 200
    assert response["Content-Type"] == DOCX
    assert assigned.number in docx_text(response.content)
    from conftest import make_user
    from zhengxie.accounts.models import Role

    stranger = make_user("dept2", Role.DEPARTMENT, department=other_department)
    assert token_client(stranger).get(url).status_code == 404
    for user in (staff_user, member.user):
        assert token_client(user).get(url).status_code == 403


def test_stats_table_exports(assigned, staff_user, department_user, member):
    client = token_client(staff_user)
    response = client.get("/api/v1/stats/proposals/export/", {"table": "department"})
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    values = sheet_values(response.content)
    assert any(row[0] == "市教育局" and row[1] == 1 for row in values)
    response = client.get("/api/v1/stats/proposals/export/", {"table": "state", "filetype": "csv"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "已交办" in response.content.decode("utf-8-sig")
    assert client.get("/api/v1/stats/proposals/export/", {"table": "nope"}).status_code == 404
    bad = client.get("/api/v1/stats/proposals/export/", {"table": "state", "filetype": "pdf"})
    assert bad.status_code == 400 and "detail" in bad.json()
    for user in (department_user, member.user):
        assert (
            token_client(user).get("/api/v1/stats/proposals/export/", {"table": "state"}).status_code == 403
        )


def test_assessment_json_and_excel(assigned, staff_user, leader_user, department_user, member):
    year = assigned.submitted_at.year
    body = token_client(leader_user).get("/api/v1/stats/assessment/", {"year": year}).json()
    assert body["year"] == year
    # Nothing answered or due yet: listed, not scored or ranked.
    assert [(r["name"], r["rank"], r["total"], r["grade"]) for r in body["rows"]] == [
        ("市教育局", None, None, "无到期任务")
    ]
    task = Assignment.objects.get(proposal=assigned)
    services.assignment_accept(actor=department_user, assignment=task)
    services.assignment_add_contact(
        actor=department_user, assignment=task, date=timezone.localdate(), way="phone", summary="电话沟通"
    )
    services.assignment_reply(actor=department_user, assignment=task, result="A", content="已解决")
    body = token_client(leader_user).get("/api/v1/stats/assessment/", {"year": year}).json()
    row = body["rows"][0]
    assert row["counts"]["assigned"] == 1 and row["rank"] == 1 and row["total"] is not None
    assert {i["code"] for i in body["items"]} == set(row["scores"])
    response = token_client(staff_user).get("/api/v1/stats/assessment/export/", {"year": year})
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    values = sheet_values(response.content)
    assert values[0][0] == f"{year}年度政协提案承办单位考核结果"
    assert values[2][1] == "市教育局"
    assert token_client(staff_user).get("/api/v1/stats/assessment/", {"year": "20x6"}).status_code == 400
    for user in (department_user, member.user):
        client = token_client(user)
        assert client.get("/api/v1/stats/assessment/").status_code == 403
        assert client.get("/api/v1/stats/assessment/export/").status_code == 403


def test_duty_report_scores_and_sector_zip(
    member, other_member, staff_user, leader_user, department_user, sector
):
    url = f"/api/v1/members/{member.pk}/duty-report/"
    for user in (member.user, staff_user, leader_user):
        response = token_client(user).get(url, {"year": 2026})
        assert response.status_code == 200 and response["Content-Type"] == DOCX
        assert member.name in docx_text(response.content)
    for user in (other_member.user, department_user):
        assert token_client(user).get(url).status_code == 404

    response = token_client(staff_user).get("/api/v1/scores/export/", {"year": 2026})
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    assert any(member.name in [str(v) for v in row] for row in sheet_values(response.content))

    leader = token_client(leader_user)
    response = leader.get(f"/api/v1/sectors/{sector.pk}/duty-reports/", {"year": 2026})
    assert response.status_code == 202  # a background job builds the zip
    from zhengxie.jobs.services import job_run

    job_run(job_id=response.json()["id"])
    job = leader.get(response["Location"]).json()
    assert job["state"] == "done"
    response = leader.get(job["download_url"])
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))).namelist()
    assert len(names) == 2 and all(n.endswith(".docx") for n in names)

    for user in (member.user, department_user):
        client = token_client(user)
        assert client.get("/api/v1/scores/export/").status_code == 403
        assert client.get(f"/api/v1/sectors/{sector.pk}/duty-reports/").status_code == 403


def test_downloads_are_in_the_schema(staff_user):
    from django.test import Client

    client = Client()
    client.force_login(staff_user)
    schema = client.get("/api/schema/", {"format": "json"}).json()
    for path, media in [
        ("/api/v1/proposals/export/", XLSX),
        ("/api/v1/proposals/{id}/form/", DOCX),
        ("/api/v1/assignments/{id}/reply-letter-draft/", DOCX),
        ("/api/v1/stats/proposals/export/", XLSX),
        ("/api/v1/stats/assessment/export/", XLSX),
        ("/api/v1/members/{id}/duty-report/", DOCX),
        ("/api/v1/scores/export/", XLSX),
        ("/api/v1/consultation-plans/{id}/export/", DOCX),
    ]:
        content = schema["paths"][path]["get"]["responses"]["200"]["content"]
        assert content[media]["schema"] == {"type": "string", "format": "binary"}, path
    assert "/api/v1/stats/assessment/" in schema["paths"]
    # large exports answer 202 with a background job
    for path in ("/api/v1/proposals/export/", "/api/v1/sectors/{id}/duty-reports/"):
        accepted = schema["paths"][path]["get"]["responses"]["202"]["content"]["application/json"]["schema"]
        assert accepted == {"$ref": "#/components/schemas/Job"}, path
    assert "/api/v1/jobs/{id}/" in schema["paths"] and "/api/v1/jobs/{id}/download/" in schema["paths"]
