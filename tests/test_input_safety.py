"""Input that used to break things (issue 12): control characters, formula cells, long text copied into
short columns, non-integer ids, NUL and out-of-range years in query strings, long and disguised uploads."""

import io
import os
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from docx import Document
from openpyxl import load_workbook

from consultations import services as consultation_services
from consultations.models import ConsultationPlan
from members.models import DutyRecord, Member
from proposals import services
from proposals.models import Assignment, Proposal, ProposalAttachment, ProposalCategory, Reply
from sqyy import services as sqyy_services
from sqyy.models import OpinionAttachment, OpinionReport, Transfer
from tests import files
from tests.url_sweep import fill, params, routes
from zhengxie.accounts.models import Department

pytestmark = pytest.mark.django_db

VT = "\x0b"  # vertical tab: python-docx and openpyxl refuse it
FORMULA = '=HYPERLINK("http://x","y")'
TODAY = timezone.localdate


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def media_files(root) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) if root.exists() else []


def docx_text(content: bytes) -> str:
    document = Document(io.BytesIO(content))
    parts = [p.text for p in document.paragraphs]
    parts += [c.text for t in document.tables for r in t.rows for c in r.cells]
    return "\n".join(parts)


def xlsx_cells(content: bytes) -> list:
    book = load_workbook(io.BytesIO(content))
    return [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row]


@pytest.fixture
def proposal(member, staff_user, plenary, department):
    p = services.proposal_create(
        actor=member.user,
        title="关于加强校园周边交通安全的建议",
        content="建议增设护学岗。",
        category=ProposalCategory.objects.get(name="社会"),
        kind="individual",
        during_plenary=True,
        plenary=plenary,
    )
    services.proposal_submit(actor=member.user, proposal=p)
    services.proposal_register(actor=staff_user, proposal=p)
    services.proposal_assign(
        actor=staff_user, proposal=p, assignments=[{"department": department.pk, "role": "lead"}]
    )
    return Proposal.objects.get(pk=p.pk)


@pytest.fixture
def lead(proposal, department_user):
    task = Assignment.objects.get(proposal=proposal)
    services.assignment_accept(actor=department_user, assignment=task)
    services.assignment_add_contact(
        actor=department_user, assignment=task, date=TODAY(), way="phone", summary="沟通"
    )
    return task


@pytest.fixture
def bulletin(member, staff_user):
    report = sqyy_services.opinion_report_create(
        actor=member.user, title="校园周边交通", content="情况。\n建议。"
    )
    sqyy_services.opinion_report_submit(actor=member.user, report=report)
    sqyy_services.opinion_report_adopt(actor=staff_user, report=report)
    issue = sqyy_services.bulletin_create(actor=staff_user, date=TODAY())
    sqyy_services.bulletin_add_report(actor=staff_user, bulletin=issue, report=report)
    sqyy_services.bulletin_publish(actor=staff_user, bulletin=issue)
    return issue


@pytest.fixture
def transfer(bulletin, staff_user, department, department_user):
    report = bulletin.items.get().report
    sqyy_services.opinion_report_add_instruction(
        actor=staff_user, report=report, leader="王市长", level="city", content="请研究。", date=TODAY()
    )
    (task,) = sqyy_services.opinion_report_transfer(
        actor=staff_user, report=report, departments=[department.pk]
    )
    sqyy_services.transfer_accept(actor=department_user, transfer=task)
    return task


# --- 1. control characters: cleaned where text enters ------------------------------------------------


def test_api_json_bodies_are_cleaned(api, member):
    client = api(member.user)
    r = client.post(
        "/api/v1/opinion-reports/",
        {"title": f"校园{VT}交通\x00", "content": f"情况{VT}。\n建议\t。"},
        format="json",
    )
    assert r.status_code == 201, r.content
    report = OpinionReport.objects.get(pk=r.json()["id"])
    assert (report.title, report.content) == ("校园交通", "情况。\n建议\t。")


def test_api_multipart_bodies_are_cleaned(api, department_user, lead):
    r = api(department_user).post(
        f"/api/v1/assignments/{lead.pk}/reply/",
        {
            "result": "A",
            "content": f"已{VT}解决",
            "signer": f"王{VT}局长",
            "letter": SimpleUploadedFile("a.pdf", files.PDF),
        },
        format="multipart",
    )
    assert r.status_code == 200, r.content
    reply = Reply.objects.get()
    assert (reply.content, reply.signer) == ("已解决", "王局长")


def test_page_forms_are_cleaned(client, member):
    client.force_login(member.user)
    r = client.post("/opinions/new/", {"title": f"校园{VT}交通\x1f", "content": f"情况{VT}\r\n建议"})
    assert r.status_code == 302
    report = OpinionReport.objects.get()
    assert report.title == "校园交通" and VT not in report.content and "\n" in report.content


def test_imports_are_cleaned():
    from zhengxie.accounts.imports import read_table

    table = read_table(f"姓名,手机\n张{VT}三,'+8613900000001\n".encode(), name="roster.csv")
    assert table.rows[0].values == {"姓名": "张三", "手机": "+8613900000001"}


# --- 1 and 2. every export survives control characters and neutralises formulas -----------------------


def assert_formula_neutralised(cells, text):
    values = [c.value for c in cells if isinstance(c.value, str)]
    assert not [c for c in cells if c.data_type == "f"], "a cell became a formula"
    assert "'" + text in values, values
    assert not [v for v in values if VT in v]


def test_proposal_exports_survive_control_characters_and_formulas(
    client, staff_user, department_user, proposal, lead, department
):
    Proposal.objects.filter(pk=proposal.pk).update(title=FORMULA + VT, content=f"第一段{VT}\n第二段\x01")
    Department.objects.filter(pk=department.pk).update(contact=f"王{VT}科长", name=f"=1+1{VT}教育局")
    client.force_login(staff_user)
    form = client.get(f"/workbench/handling/proposals/{proposal.pk}/form.docx")
    assert form.status_code == 200 and FORMULA in docx_text(form.content)
    register = client.get("/workbench/handling/register.xlsx")
    assert register.status_code == 200
    assert_formula_neutralised(xlsx_cells(register.content), FORMULA)
    for fmt in ("xlsx", "csv"):
        stats = client.get(f"/workbench/stats/export/department.{fmt}", {"year": TODAY().year})
        assert stats.status_code == 200, fmt
    stats_xlsx = client.get("/workbench/stats/export/department.xlsx", {"year": TODAY().year})
    assert_formula_neutralised(xlsx_cells(stats_xlsx.content), "=1+1教育局")
    csv_text = client.get("/workbench/stats/export/department.csv", {"year": TODAY().year}).content.decode()
    assert "'=1+1教育局" in csv_text and VT not in csv_text
    assessment = client.get("/workbench/stats/assessment/export.xlsx", {"year": TODAY().year})
    assert assessment.status_code == 200
    assert_formula_neutralised(xlsx_cells(assessment.content), "=1+1教育局")
    client.force_login(department_user)
    letter = client.get(f"/portal/assignments/{lead.pk}/reply-letter.docx")
    assert letter.status_code == 200 and "王科长" in docx_text(letter.content)


def test_export_cell_rules():
    from zhengxie.exports import cell, doc_text

    assert cell(f"{VT}=1+1") == "'=1+1"  # cleaned first, so a hidden formula is still caught
    assert [cell(v) for v in ("+86", "-x", "@a", "\tx", "正常", -3, None)] == [
        "'+86",
        "'-x",
        "'@a",
        "'\tx",
        "正常",
        -3,
        None,
    ]
    assert doc_text(f"a{VT}b\x00c\td\ne") == "abc\td\ne"


def test_admin_register_export_neutralises_formulas(proposal):
    from proposals.resources import ProposalRegisterResource
    from sqyy.resources import OpinionReportResource

    Proposal.objects.filter(pk=proposal.pk).update(title=FORMULA + VT)
    dataset = ProposalRegisterResource().export(queryset=Proposal.objects.all())
    assert dataset.dict[0]["案由"] == "'" + FORMULA
    OpinionReport.objects.create(title="@SUM(A1)" + VT, content="x", created_by=proposal.proposer.user)
    assert OpinionReportResource().export().dict[0]["标题"] == "'@SUM(A1)"


def test_bulletin_exports_survive_control_characters_and_formulas(client, api, staff_user, bulletin):
    report = bulletin.items.get().report
    OpinionReport.objects.filter(pk=report.pk).update(edited_title=FORMULA + VT, edited_content=f"正文{VT}一")
    type(bulletin).objects.filter(pk=bulletin.pk).update(editor_note=f"按{VT}语")
    client.force_login(staff_user)
    page = client.get(f"/workbench/opinions/bulletins/{bulletin.pk}/export.docx")
    assert page.status_code == 200 and "正文" in docx_text(page.content)
    by_api = api(staff_user).get(f"/api/v1/bulletins/{bulletin.pk}/export/")
    assert by_api.status_code == 200 and "按语" in docx_text(by_api.content)
    year = client.get(f"/workbench/opinions/bulletins/{bulletin.year}.xlsx")
    assert year.status_code == 200
    assert_formula_neutralised(xlsx_cells(year.content), FORMULA)
    year_api = api(staff_user).get("/api/v1/bulletins/year-export/", {"year": bulletin.year})
    assert year_api.status_code == 200
    assert_formula_neutralised(xlsx_cells(year_api.content), FORMULA)


def test_duty_documents_survive_control_characters_and_formulas(client, staff_user, member, sector):
    from members.services import record_duty

    record_duty(actor=staff_user, member=member, kind=DutyRecord.Kind.OTHER, date=TODAY(), note=f"说明{VT}")
    Member.objects.filter(pk=member.pk).update(name=f"-李{VT}委员")
    client.force_login(staff_user)
    year = TODAY().year
    report = client.get(f"/duty/members/{member.pk}/report.docx", {"year": year})
    assert report.status_code == 200 and "-李委员" in docx_text(report.content)
    # the sector's zip is a background job (tests/test_jobs.py reads its documents back)
    assert client.get(f"/workbench/duty/sectors/{sector.pk}/reports.zip", {"year": year}).status_code == 302
    scores = client.get("/workbench/duty/scores.xlsx", {"year": year})
    assert scores.status_code == 200
    assert_formula_neutralised(xlsx_cells(scores.content), "-李委员")


def test_consultation_plan_docx_survives_control_characters(client, api, staff_user):
    plan = consultation_services.plan_create(actor=staff_user, year=2026, title="2026年度计划")
    consultation_services.topic_create(actor=staff_user, plan=plan, title="议题", type="special_topic")
    plan = consultation_services.plan_approve(actor=staff_user, plan=plan, date=date(2026, 1, 5))
    ConsultationPlan.objects.filter(pk=plan.pk).update(title=f"2026{VT}年度计划")
    client.force_login(staff_user)
    page = client.get(f"/workbench/consultations/plans/{plan.pk}/docx/")
    assert page.status_code == 200 and "2026年度计划" in docx_text(page.content)
    assert api(staff_user).get(f"/api/v1/consultation-plans/{plan.pk}/export/").status_code == 200


# --- 3. user text copied into a shorter column ---------------------------------------------------------


def test_long_opinion_title_can_be_submitted_adopted_instructed_and_upper_adopted(api, member, staff_user):
    title = "关于" + "加强校园周边交通安全管理" * 5 + "的建议"  # 67 characters; the duty column holds 30
    r = api(member.user).post(
        "/api/v1/opinion-reports/", {"title": title, "content": "情况。"}, format="json"
    )
    report_id = r.json()["id"]
    submitted = api(member.user).post(f"/api/v1/opinion-reports/{report_id}/submit/")
    assert submitted.status_code == 200, submitted.content
    record = DutyRecord.objects.get(kind=DutyRecord.Kind.OPINION_SUBMITTED)
    assert len(record.detail) == 30 and record.detail.endswith("…") and record.detail.startswith("关于加强")
    report = OpinionReport.objects.get(pk=report_id)
    sqyy_services.opinion_report_adopt(actor=staff_user, report=report)
    assert len(DutyRecord.objects.get(kind=DutyRecord.Kind.OPINION_ADOPTED).detail) == 30
    sqyy_services.opinion_report_add_instruction(
        actor=staff_user, report=report, leader="市委主要领导" * 10, level="city", content="请研究。"
    )
    assert len(DutyRecord.objects.get(kind=DutyRecord.Kind.OPINION_INSTRUCTED).detail) == 30
    issue = sqyy_services.bulletin_create(actor=staff_user, date=TODAY())
    sqyy_services.bulletin_add_report(actor=staff_user, bulletin=issue, report=report)
    sqyy_services.bulletin_publish(actor=staff_user, bulletin=issue)
    sqyy_services.opinion_report_forward(actor=staff_user, report=report, to="省政协")
    sqyy_services.opinion_report_record_upper_adoption(
        actor=staff_user, report=report, body="省政协办公厅信息处" * 10, kind="single"
    )
    assert len(DutyRecord.objects.get(kind=DutyRecord.Kind.OPINION_UPPER_ADOPTED).detail) == 30


def test_truncate():
    from zhengxie.text import truncate

    assert truncate("短", 30) == "短"
    assert truncate("字" * 31, 30) == "字" * 29 + "…"
    assert truncate(None, 5) == ""


# --- 4. non-integer ids ---------------------------------------------------------------------------------


def test_non_integer_api_ids_are_json_404_before_any_role_check(api, member, department_user):
    templates = [route for route, _ in routes("api/") if params(route)]
    assert len(templates) > 60
    for user in (None, member.user, department_user):
        client = api(user)
        for route in templates:
            path = fill(route, "AAA")
            for method in ("get", "post", "put", "patch", "delete"):
                r = getattr(client, method)(path)
                assert r.status_code == 404, (method, path, r.status_code)
                assert r.json() == {"detail": "对象不存在。"}, path


def test_non_integer_page_ids_are_404(client, staff_user):
    import re

    client.force_login(staff_user)
    for route, _ in routes():
        ints = re.findall(r"<int:(\w+)>", route)
        if ints and not route.startswith("api/"):
            r = client.get(fill(route, "AAA", only=ints))
            assert r.status_code == 404, route
            assert "text/html" in r["Content-Type"]


# --- 5. NUL and bad years in query strings --------------------------------------------------------------

BAD_QUERIES = [
    {"q": "\x00", "state": "\x00", "category": "\x00", "status": "\x00", "kind": "\x00", "committee": "\x00"},
    {"year": "0"},
    {"year": "10000"},
    {"year": "-1", "term": "x", "plenary": "\x00", "page": "\x00"},
    # "²".isdigit() is True, int("²") raises
    {
        "year": "²",
        "term": "²",
        "plenary": "²",
        "category": "²",
        "department": "²",
        "sector": "²",
        "page": "²",
    },
    {"member": "²", "committee": "²", "party": "²", "topic": "²", "plan": "²", "meeting": "²", "status": "²"},
]


def test_bad_query_strings_never_answer_500(client, api, staff_user, member, department_user, proposal):
    plain = [route for route, _ in routes() if not params(route)]
    years = [route for route, _ in routes() if params(route) == ["year"]]
    before = (Proposal.objects.count(), OpinionReport.objects.count(), DutyRecord.objects.count())
    failures = []
    for user in (staff_user, member.user, department_user):
        client.force_login(user)
        clients = {"page": client, "api": api(user)}
        for c in clients.values():
            c.raise_request_exception = False  # a crash is a 500 here, collected below
        for route in plain:
            c = clients["api" if route.startswith("api/") else "page"]
            for query in BAD_QUERIES:
                r = c.get("/" + route, query)
                if r.status_code >= 500:
                    failures.append((user.username, route, query))
                elif r.status_code == 400 and route.startswith("api/"):
                    assert r.json().get("detail") or isinstance(r.json(), dict), (route, r.json())
        for route in years:
            for year in ("0", "10000"):
                if client.get(fill(route, year)).status_code >= 500:
                    failures.append((user.username, route, year))
    assert failures == [], "\n".join(map(str, failures))
    assert (Proposal.objects.count(), OpinionReport.objects.count(), DutyRecord.objects.count()) == before


def test_published_proposals_with_nul_is_an_empty_search(client, member):
    client.force_login(member.user)
    r = client.get("/proposals/published/", {"q": "\x00", "category": "\x00"})
    assert r.status_code == 200


# --- 6. long upload names --------------------------------------------------------------------------------


def test_a_300_character_attachment_name_is_shortened(api, member, plenary, media):
    p = services.proposal_create(
        actor=member.user,
        title="关于完善社区养老服务的建议",
        content="建议。",
        category=ProposalCategory.objects.get(name="社会"),
        kind="individual",
        during_plenary=True,
        plenary=plenary,
    )
    name = "调" * 300 + ".pdf"
    r = api(member.user).post(
        f"/api/v1/proposals/{p.pk}/attachments/",
        {"file": SimpleUploadedFile(name, files.PDF)},
        format="multipart",
    )
    assert r.status_code == 201, r.content
    attachment = ProposalAttachment.objects.get()
    assert attachment.name.endswith(".pdf") and len(attachment.name) <= 80
    assert attachment.file.read() == files.PDF
    assert media_files(media) == [attachment.file.name]


def test_a_300_character_reply_letter_name_is_shortened(api, department_user, lead, transfer, media):
    name = "答" * 300 + ".pdf"
    r = api(department_user).post(
        f"/api/v1/assignments/{lead.pk}/reply/",
        {"result": "A", "content": "已解决", "letter": SimpleUploadedFile(name, files.PDF)},
        format="multipart",
    )
    assert r.status_code == 200, r.content
    assert len(os.path.basename(Reply.objects.get().letter.name)) <= 80
    r = api(department_user).post(
        f"/api/v1/transfers/{transfer.pk}/reply/",
        {"result": "A", "content": "已解决", "letter": SimpleUploadedFile(name, files.PDF)},
        format="multipart",
    )
    assert r.status_code == 200, r.content
    assert len(os.path.basename(Transfer.objects.get().reply_letter.name)) <= 80
    assert len(media_files(media)) == 2


# --- 7. content checked against the extension ------------------------------------------------------------


def test_exe_renamed_pdf_is_refused_everywhere(client, api, member, department_user, lead, transfer, media):
    def exe():
        return SimpleUploadedFile("说明.pdf", files.EXE, content_type="application/pdf")

    draft = services.proposal_create(
        actor=member.user,
        title="关于完善社区养老服务的建议",
        content="建议。",
        category=ProposalCategory.objects.get(name="社会"),
        kind="individual",
    )
    r = api(member.user).post(
        f"/api/v1/proposals/{draft.pk}/attachments/", {"file": exe()}, format="multipart"
    )
    assert r.status_code == 400 and "内容与文件类型" in r.json()["detail"]
    report = sqyy_services.opinion_report_create(actor=member.user, title="标题", content="内容")
    r = api(member.user).post(
        f"/api/v1/opinion-reports/{report.pk}/attachments/", {"file": exe()}, format="multipart"
    )
    assert r.status_code == 400 and "内容与文件类型" in r.json()["detail"]
    dept = api(department_user)
    r = dept.post(
        f"/api/v1/assignments/{lead.pk}/reply/",
        {"result": "A", "content": "好", "letter": exe()},
        format="multipart",
    )
    assert r.status_code == 400 and "内容与文件类型" in r.json()["detail"]
    r = dept.post(
        f"/api/v1/transfers/{transfer.pk}/reply/",
        {"result": "A", "content": "好", "letter": exe()},
        format="multipart",
    )
    assert r.status_code == 400 and "内容与文件类型" in r.json()["detail"]
    client.force_login(department_user)
    r = client.post(
        f"/portal/assignments/{lead.pk}/reply/", {"result": "A", "content": "好", "letter": exe()}
    )
    assert r.status_code == 400 and "内容与文件类型" in r.content.decode()
    client.force_login(member.user)
    photo = SimpleUploadedFile("活动.jpg", files.EXE, content_type="image/jpeg")
    r = client.post(
        "/duty/report/", {"kind": "research", "date": str(TODAY()), "note": "调研", "photos": [photo]}
    )
    assert r.status_code in (200, 400) and "内容与文件类型" in r.content.decode()
    assert not ProposalAttachment.objects.exists() and not OpinionAttachment.objects.exists()
    assert not Reply.objects.exists() and not Transfer.objects.get().reply_content
    assert not DutyRecord.objects.filter(kind="research").exists()
    assert media_files(media) == []


@pytest.mark.parametrize(
    ("name", "content", "ok"),
    [
        ("a.pdf", files.PDF, True),
        ("a.docx", files.DOCX, True),
        ("a.docx", b"PK\x03\x04 not a zip", False),
        ("a.xlsx", files.DOCX, False),
        ("a.xlsx", files.ooxml("xl/"), True),
        ("a.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 8, True),
        ("a.jpg", files.JPEG, True),
        ("a.png", files.PNG, True),
        ("a.png", files.JPEG, False),
        ("a.txt", "中文说明".encode(), True),
        ("a.txt", "中文说明".encode("gb18030"), True),
        ("a.txt", b"text\x00with nul", False),
        ("a.pdf", files.EXE, False),
        ("a.unknown", files.EXE, False),
    ],
)
def test_content_matches(name, content, ok):
    from zhengxie.workflow.inputs import content_matches

    assert content_matches(SimpleUploadedFile(name, content), name.rsplit(".", 1)[1]) is ok


def test_import_file_that_is_not_what_it_says_is_refused():
    from zhengxie.accounts.imports import TableError, read_table

    with pytest.raises(TableError, match="不是 .xlsx"):
        read_table(files.EXE, name="roster.xlsx")
    with pytest.raises(TableError):
        read_table(b"PK\x03\x04 broken", name="roster.xlsx")


def test_stored_file_names_are_safe():
    from zhengxie.workflow.inputs import safe_file_name

    assert safe_file_name("a" * 300 + ".docx") == "a" * 75 + ".docx"
    assert safe_file_name("../../etc/pass\x00wd.pdf") == "passwd.pdf"
    assert safe_file_name("x" * 300) == "x" * 80


def test_wrong_role_upload_is_still_403_or_404(api, member, other_member, plenary):
    draft = services.proposal_create(
        actor=member.user,
        title="关于完善社区养老服务的建议",
        content="建议。",
        category=ProposalCategory.objects.get(name="社会"),
        kind="individual",
    )
    r = api(other_member.user).post(
        f"/api/v1/proposals/{draft.pk}/attachments/",
        {"file": SimpleUploadedFile("a.pdf", files.PDF)},
        format="multipart",
    )
    assert r.status_code in (403, 404) and not ProposalAttachment.objects.exists()


@pytest.mark.django_db
def test_absurd_years_are_refused_by_forms_and_api(api, staff_user):
    """A year like 1141 is a Chinese 400 on the API and a form error on pages; nothing is created."""
    from django import forms

    from consultations.models import Meeting

    r = api(staff_user).post(
        "/api/v1/meetings/",
        {"title": "x", "type": "forum", "start": "1141-05-05T08:28:48+08:00", "place": "x", "invitees": []},
        format="json",
    )
    assert r.status_code == 400 and "合理范围" in str(r.json())
    assert not Meeting.objects.exists()

    class Form(forms.Form):
        day = forms.DateField()

    form = Form({"day": "9999-01-01"})
    assert not form.is_valid() and "合理范围" in str(form.errors)
    assert Form({"day": "2026-11-30"}).is_valid()
