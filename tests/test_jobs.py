"""Background jobs (zhengxie.jobs): large exports run on the worker, the owner watches /jobs/<id>/ or
GET /api/v1/jobs/{id}/ and downloads the file; nobody else sees the job."""

import io
import zipfile
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from docx import Document
from openpyxl import load_workbook

from members.models import DutyRecord, Member
from proposals.models import Proposal
from tests.test_api_exports import token_client
from tests.test_exports import HEADERS, _register_rows
from zhengxie.jobs import services
from zhengxie.jobs.models import Job

pytestmark = pytest.mark.django_db
REGISTER = "/workbench/handling/register.xlsx"
TRICKY_TITLE = '=HYPERLINK("http://evil.example","点我")\x0b关于\x01路灯的建议'


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


@pytest.fixture
def small_inline_limit(settings):
    settings.EXPORT_INLINE_MAX_ROWS = 2
    return settings


def read_xlsx(content: bytes) -> list[list]:
    return [list(r) for r in load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True)]


def run(job) -> Job:
    services.job_run(job_id=job.pk)
    return Job.objects.get(pk=job.pk)


# --- the register: small inline, large as a job --------------------------------------------------------


def test_large_register_becomes_a_job_the_owner_watches_and_downloads(
    client, staff_user, rows_kwargs, small_inline_limit
):
    _register_rows(3, **rows_kwargs)
    Proposal.objects.filter(serial=101).update(title=TRICKY_TITLE, organization="@SUM(A1)")
    client.force_login(staff_user)

    response = client.get(REGISTER, {"state": "closed"})
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    assert (job.owner, job.kind, job.state, job.params) == (
        staff_user,
        "proposal_register",
        "queued",
        {"query": {"state": "closed"}},
    )
    page = client.get(f"/jobs/{job.pk}/")
    html = page.content.decode()
    assert page.status_code == 200 and "排队中" in html
    # htmx polls the status every 2 s; the page holds no inline script (strict CSP)
    assert f'hx-get="/jobs/{job.pk}/status/"' in html and 'hx-trigger="every 2s"' in html
    assert "<script>" not in html and "onclick" not in html
    assert client.get(f"/jobs/{job.pk}/download/").status_code == 404  # nothing to download yet

    job = run(job)
    assert job.state == "done" and job.progress == 100 and job.finished_at
    status = client.get(f"/jobs/{job.pk}/status/").content.decode()
    assert "hx-get" not in status and f"/jobs/{job.pk}/download/" in status  # polling stops

    download = client.get(f"/jobs/{job.pk}/download/")
    assert download.status_code == 200 and "attachment" in download["Content-Disposition"]
    rows = read_xlsx(b"".join(download.streaming_content))
    assert rows[0] == HEADERS and len(rows) == 4
    titles = {r[1] for r in rows[1:]}
    # the formula is neutralised with a leading quote and the control characters are gone
    assert '\'=HYPERLINK("http://evil.example","点我")关于路灯的建议' in titles
    assert not any(isinstance(v, str) and v.startswith(("=", "+", "-", "@")) for r in rows for v in r)


def test_small_register_is_still_answered_in_the_request(client, staff_user, rows_kwargs):
    _register_rows(2, **rows_kwargs)
    client.force_login(staff_user)
    response = client.get(REGISTER)
    assert response.status_code == 200 and len(read_xlsx(response.content)) == 3
    assert not Job.objects.exists()


def test_api_register_answers_202_with_the_job_then_the_file(
    staff_user, leader_user, member, department_user, rows_kwargs, small_inline_limit
):
    _register_rows(3, **rows_kwargs)
    api = token_client(staff_user)
    response = api.get("/api/v1/proposals/export/", {"kind": "joint"})
    assert response.status_code == 202, response.content[:300]
    body = response.json()
    assert response["Location"] == body["url"] == f"/api/v1/jobs/{body['id']}/"
    assert (
        body["state"] == "queued"
        and body["download_url"] is None
        and body["page_url"] == f"/jobs/{body['id']}/"
    )

    run(Job.objects.get(pk=body["id"]))
    body = api.get(body["url"]).json()
    assert body["state"] == "done" and body["progress"] == 100
    assert body["download_url"] == f"/api/v1/jobs/{body['id']}/download/"
    download = api.get(body["download_url"])
    assert download.status_code == 200
    assert len(read_xlsx(b"".join(download.streaming_content))) == 4

    # Another user (even a leader, who may export too) does not see the job: 404, not 403.
    other = token_client(leader_user)
    assert other.get(body["url"]).status_code == 404
    assert other.get(body["download_url"]).status_code == 404
    # The wrong role cannot start the export at all.
    assert token_client(member.user).get("/api/v1/proposals/export/").status_code == 403
    assert token_client(department_user).get("/api/v1/proposals/export/").status_code == 403
    assert Job.objects.count() == 1


def test_another_users_job_pages_are_404(client, staff_user, leader_user, member):
    job = Job.objects.create(owner=staff_user, kind="proposal_register", title="导出", state="done")
    job.result.save("x.xlsx", ContentFile(b"data"), save=True)
    job.result_name = "x.xlsx"
    job.save()
    for user in (leader_user, member.user):
        client.force_login(user)
        for url in (f"/jobs/{job.pk}/", f"/jobs/{job.pk}/status/", f"/jobs/{job.pk}/download/"):
            assert client.get(url).status_code == 404, url
    client.logout()
    assert client.get(f"/jobs/{job.pk}/").status_code == 302  # to the login page
    client.force_login(staff_user)
    assert client.get(f"/jobs/{job.pk}/download/").status_code == 200


def test_a_job_runs_with_the_owners_permissions_at_run_time(
    client, staff_user, rows_kwargs, small_inline_limit
):
    _register_rows(3, **rows_kwargs)
    client.force_login(staff_user)
    client.get(REGISTER)
    staff_user.role = "member"  # moved to another role before the worker got to it
    staff_user.save()
    job = run(Job.objects.get())
    assert job.state == "failed" and job.message and not job.result
    assert "下载" not in client.get(f"/jobs/{job.pk}/status/").content.decode()


def test_streamed_register_costs_the_same_queries_for_3_or_30_rows(staff_user, rows_kwargs):
    from proposals import exports

    def queries_for_export():
        with CaptureQueriesContext(connection) as ctx:
            content, _ = exports.register_file(staff_user, {})
        return len(ctx), len(read_xlsx(content)) - 1

    _register_rows(3, **rows_kwargs)
    few, rows = queries_for_export()
    assert rows == 3
    _register_rows(27, start=3, **rows_kwargs)
    many, rows = queries_for_export()
    assert rows == 30 and many == few
    # one query for the proposals (a server-side cursor) and one per prefetched relation
    assert few <= 8, few


# --- the sector zip: always a job -----------------------------------------------------------------------


def test_sector_reports_zip_is_a_job_with_readable_documents(
    client, staff_user, member, other_member, sector
):
    year = timezone.localdate().year
    DutyRecord.objects.create(
        member=member,
        kind=DutyRecord.Kind.OTHER,
        date=timezone.localdate(),
        note="说明\x0b",
        status="confirmed",
    )
    Member.objects.filter(pk=member.pk).update(name="-李\x0b委员")
    client.force_login(staff_user)
    response = client.get(f"/workbench/duty/sectors/{sector.pk}/reports.zip", {"year": year})
    job = Job.objects.get(kind="sector_reports")
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    assert job.params == {"sector": sector.pk, "year": year}

    job = run(job)
    assert job.state == "done" and job.result_name == f"{year}年度履职报告-{sector.name}.zip"
    download = client.get(f"/jobs/{job.pk}/download/")
    archive = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
    names = sorted(archive.namelist())
    assert names == sorted([f"{year}年度履职报告--李委员.docx", f"{year}年度履职报告-赵委员.docx"])
    doc = Document(io.BytesIO(archive.read(f"{year}年度履职报告--李委员.docx")))
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    assert "-李委员" in cells


def test_api_sector_reports_answer_202_and_wrong_roles_403(staff_user, member, department_user, sector):
    response = token_client(staff_user).get(f"/api/v1/sectors/{sector.pk}/duty-reports/", {"year": 2026})
    assert response.status_code == 202 and response.json()["kind"] == "sector_reports"
    for user in (member.user, department_user):
        assert token_client(user).get(f"/api/v1/sectors/{sector.pk}/duty-reports/").status_code == 403
    assert Job.objects.count() == 1


# --- housekeeping ---------------------------------------------------------------------------------------


def test_cleanup_removes_old_jobs_with_their_files_and_fails_stale_ones(staff_user, settings):
    from django.conf import settings as conf

    old = Job.objects.create(owner=staff_user, kind="proposal_register", title="旧", state="done")
    old.result.save("old.xlsx", ContentFile(b"x"), save=True)
    path = old.result.path
    stuck = Job.objects.create(owner=staff_user, kind="proposal_register", title="卡住", state="running")
    fresh = Job.objects.create(owner=staff_user, kind="proposal_register", title="新", state="done")
    Job.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(hours=conf.JOB_KEEP_HOURS + 1))
    Job.objects.filter(pk=stuck.pk).update(
        created_at=timezone.now() - timedelta(hours=conf.JOB_STALE_HOURS + 1)
    )

    assert services.jobs_cleanup() == 1
    assert not Job.objects.filter(pk=old.pk).exists()
    import os

    assert not os.path.exists(path)
    assert Job.objects.get(pk=stuck.pk).state == "failed"
    assert Job.objects.get(pk=fresh.pk).state == "done"
    entry = conf.CELERY_BEAT_SCHEDULE["cleanup-jobs"]
    assert entry["task"] == "zhengxie.jobs.cleanup_jobs"


def test_a_job_is_run_once_even_when_delivered_twice(staff_user, rows_kwargs, small_inline_limit, client):
    _register_rows(3, **rows_kwargs)
    client.force_login(staff_user)
    client.get(REGISTER)
    job = run(Job.objects.get())
    finished = job.finished_at
    assert services.job_run(job_id=job.pk) is None
    assert Job.objects.get(pk=job.pk).finished_at == finished


# --- a real worker on Redis -----------------------------------------------------------------------------


@pytest.mark.celery
@pytest.mark.django_db(transaction=True)
def test_worker_runs_a_large_export_while_the_client_polls(staff_user, rows_kwargs, small_inline_limit):
    import time

    from celery.contrib.testing.worker import start_worker

    from zhengxie.celery import app

    _register_rows(5, **rows_kwargs)
    api = token_client(staff_user)
    app.control.purge()
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=20):
        response = api.get("/api/v1/proposals/export/")
        assert response.status_code == 202
        url = response["Location"]
        seen = set()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            body = api.get(url).json()
            seen.add(body["state"])
            if body["state"] in ("done", "failed"):
                break
            time.sleep(0.2)
    assert body["state"] == "done", body
    download = api.get(body["download_url"])
    rows = read_xlsx(b"".join(download.streaming_content))
    assert rows[0] == HEADERS and len(rows) == 6
    assert seen <= {"queued", "running", "done"}


# --- the admin's exports are bounded --------------------------------------------------------------------


def test_admin_export_past_the_limit_is_refused_with_a_hint(client, rows_kwargs, small_inline_limit):
    from conftest import make_user
    from proposals.resources import ProposalRegisterResource

    admin_user = make_user("root", "staff", is_staff=True, is_superuser=True)
    _register_rows(3, **rows_kwargs)
    client.force_login(admin_user)
    fields = {f"proposalregisterresource_{f}": "on" for f in ProposalRegisterResource._meta.fields}
    response = client.post("/admin/proposals/proposal/export/", {"format": "0", "resource": "0", **fields})
    assert response.status_code == 302 and response["Location"] == "/admin/proposals/proposal/"
    page = client.get(response["Location"]).content.decode()
    assert "共 3 条，超过 2 条" in page and "导出登记表" in page

    picked = list(Proposal.objects.order_by("serial").values_list("pk", flat=True)[:2])
    with CaptureQueriesContext(connection) as ctx:
        response = client.post(
            "/admin/proposals/proposal/export/",
            {"format": "0", "resource": "0", "export_items": picked, **fields},
        )
    assert response.status_code == 200 and len(read_xlsx(response.content)) == 3
    # the selected ids are checked against the export queryset, not against every id of the table
    assert not any('SELECT "proposals_proposal"."id" FROM "proposals_proposal"' == q["sql"] for q in ctx)


def test_a_second_click_while_the_export_runs_gives_the_same_job(
    client, staff_user, rows_kwargs, small_inline_limit
):
    _register_rows(3, **rows_kwargs)
    client.force_login(staff_user)
    first = client.get(REGISTER, {"state": "closed"})
    assert client.get(REGISTER, {"state": "closed"})["Location"] == first["Location"]
    other = client.get(REGISTER, {"state": "closed", "key": "1"})  # other filters: another job
    assert other.status_code == 200 or other["Location"] != first["Location"]
    run(Job.objects.get(pk=int(first["Location"].strip("/").split("/")[-1])))
    assert client.get(REGISTER, {"state": "closed"})["Location"] != first["Location"]  # done: a new one
