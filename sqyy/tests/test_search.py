"""Issue 19: the `q` of the 社情民意 lists — segmented words of the original and edited text and of DOCX/PDF
attachments, one weighted tsvector with a GIN index, ranked and highlighted."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from sqyy import selectors, services
from sqyy.models import OpinionReport
from tests.files import docx_with_text, pdf_with_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def reports(member, staff_user):
    def make(title, content):
        report = services.opinion_report_create(actor=member.user, title=title, content=content)
        return services.opinion_report_submit(actor=member.user, report=report)

    return make


def _ids(res):
    return [row["id"] for row in res.json()["results"]]


def test_words_of_title_content_and_edits_are_searched(api, reports, staff_user):
    school = reports("关于校园周边交通安全的建议", "上下学高峰拥堵，缺少接送车位。")
    water = reports("关于农村饮水安全的建议", "部分村庄水质不达标。")
    client = api(staff_user)
    assert _ids(client.get("/api/v1/opinion-reports/", {"q": "接送车位"})) == [school.pk]
    assert _ids(client.get("/api/v1/opinion-reports/", {"q": "饮水安全"})) == [water.pk]
    services.opinion_report_adopt(actor=staff_user, report=school, title="学校门口临时停车区亟待设置")
    assert OpinionReport.objects.get(pk=school.pk).search_title.count("停车") >= 1
    assert _ids(client.get("/api/v1/opinion-reports/", {"q": "临时停车区"})) == [school.pk]


def test_docx_and_pdf_attachments_are_searched(api, member, staff_user):
    report = services.opinion_report_create(actor=member.user, title="关于养老的建议", content="养老服务。")
    services.opinion_report_attachment_add(
        actor=member.user,
        report=report,
        file=SimpleUploadedFile("调研.docx", docx_with_text("失能老人长期护理保险试点情况")),
    )
    services.opinion_report_attachment_add(
        actor=member.user, report=report, file=SimpleUploadedFile("data.pdf", pdf_with_text("Respite care"))
    )
    services.opinion_report_submit(actor=member.user, report=report)
    client = api(staff_user)
    assert _ids(client.get("/api/v1/opinion-reports/", {"q": "长期护理保险"})) == [report.pk]
    assert _ids(client.get("/api/v1/opinion-reports/", {"q": "respite"})) == [report.pk]
    # the member's own list takes the same q
    assert _ids(api(member.user).get("/api/v1/opinion-reports/", {"q": "长期护理保险"})) == [report.pk]


def test_inbox_page_highlights_escaped_and_query_count_is_flat(reports, staff_user):
    reports("<script>x()</script>菜市场噪音扰民", "凌晨菜市场卸货噪音扰民。")
    client = Client()
    client.force_login(staff_user)
    with CaptureQueriesContext(connection) as few:
        page = client.get("/workbench/opinions/", {"q": "噪音扰民"}).content.decode()
    assert "<script>x()</script>" not in page and "&lt;script&gt;" in page
    assert (
        '<mark class="search-hit">噪音扰民</mark>' in page or '<mark class="search-hit">扰民</mark>' in page
    )
    for i in range(5):
        reports(f"菜市场噪音扰民（{i}）", "凌晨卸货噪音。")
    with CaptureQueriesContext(connection) as many:
        assert client.get("/workbench/opinions/", {"q": "噪音扰民"}).status_code == 200
    assert len(many) == len(few)


def test_reflector_name_and_gin_index(reports, member, staff_user):
    report = reports("关于停车的建议", "停车难。")
    found = selectors.reports_filter(OpinionReport.objects.all(), params={"q": member.name})
    assert list(found.values_list("pk", flat=True)) == [report.pk]
    qs = selectors.reports_filter(OpinionReport.objects.all(), params={"q": "停车难"})
    with connection.cursor() as cursor:
        # Neither a table scan nor walking a btree index in the list's order (with a handful of rows the
        # planner may prefer that and filter every row): what is left is the words' GIN index.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        plan = qs.explain()
    assert "sqyy_opinionreport_search_gin" in plan


def test_portal_search_finds_a_transfer_by_the_text_it_sees_and_its_own_reply(
    transferred, department_user, other_department
):
    """The department portal's `q` over 社情民意 transfers: the report as the department sees it (the office's
    edit, never the reflector's original), or the department's own reply; never another department's."""
    from conftest import make_user
    from zhengxie.accounts.models import Role

    client = Client()
    client.force_login(department_user)

    def found(q, c=client):
        page = c.get("/portal/", {"q": q, "status": "all"}).content.decode()
        return page.count('data-testid="task-row"')

    assert found("临时停车区") == 1  # the edited content
    assert found("亟待加强") == 1  # the edited title
    assert found("接送车位") == 0  # only in the reflector's original content
    assert found("十五届二次会议第0031号") == 0  # a proposal number
    for hostile in ("临时\x00停车区", "停车 & | ! ( ) :*'\"", "\x01" * 300):
        assert client.get("/portal/", {"q": hostile, "status": "all"}).status_code == 200
    services.transfer_accept(actor=department_user, transfer=transferred)
    services.transfer_reply(
        actor=department_user, transfer=transferred, result="B", content="已在校门口划设限时停车位。"
    )
    assert found("限时停车") == 1  # its own reply
    other = Client()
    other.force_login(make_user("dept2", Role.DEPARTMENT, department=other_department))
    assert found("临时停车区", other) == 0 and found("限时停车", other) == 0
    # the reports' text is read only for those whose words match (their GIN index) or that have a reply
    sql = str(
        selectors.transfer_portal_search(
            department_user.department_id, status="all", today=date.today(), soon_days=7, q="临时停车区"
        ).query
    )
    assert "opinion_search_vector @@ to_tsquery" in sql
