"""社情民意 pages: member, staff workbench, bulletin composer, department portal — roles, 404s, domain
errors shown with nothing changed, constant query counts."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sqyy import services
from sqyy.models import Bulletin, OpinionReport, Transfer

pytestmark = pytest.mark.django_db


def _login(client, user):
    client.force_login(user)
    return client


def test_member_submits_on_page_and_follows(client, member):
    _login(client, member.user)
    response = client.post(
        "/opinions/new/",
        {
            "title": "关于增设社区食堂的建议",
            "content": "老年人就餐难，建议增设社区食堂。",
            "category": "社会民生",
            "submit": "1",
        },
    )
    report = OpinionReport.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/opinions/{report.pk}/"
    assert report.state == "submitted"
    page = client.get("/opinions/")
    assert "关于增设社区食堂的建议" in page.content.decode() and "已报送" in page.content.decode()


def test_member_over_long_text_shows_error_nothing_saved(client, member):
    _login(client, member.user)
    response = client.post("/opinions/new/", {"title": "t", "content": "字" * 1501, "submit": "1"})
    assert response.status_code == 400 and "不能超过1500字" in response.content.decode()
    assert OpinionReport.objects.count() == 0


def test_member_detail_shows_instruction_and_edited_text(client, instructed, member, other_member):
    page = _login(client, member.user).get(f"/opinions/{instructed.pk}/").content.decode()
    assert "领导批示" in page and "王市长" in page and "市级" in page
    assert "编辑稿" in page and instructed.content in page
    assert _login(client, other_member.user).get(f"/opinions/{instructed.pk}/").status_code == 404


def test_wrong_roles_on_pages(client, submitted, member, department_user, leader_user):
    assert _login(client, member.user).get("/workbench/opinions/").status_code == 403
    assert client.get(f"/workbench/opinions/{submitted.pk}/").status_code == 403
    assert _login(client, department_user).get("/opinions/").status_code == 403
    assert client.get("/workbench/opinions/bulletins/").status_code == 403
    leader = _login(client, leader_user)
    assert leader.get(f"/workbench/opinions/{submitted.pk}/").status_code == 200
    assert (
        leader.post(
            f"/workbench/opinions/{submitted.pk}/edit/", {"title": "t", "content": "c", "adopt": "1"}
        ).status_code
        == 403
    )
    submitted.refresh_from_db()
    assert submitted.state == "submitted"
    assert (
        leader.post("/workbench/opinions/bulletins/", {"date": "2026-05-01", "title": "社情民意"}).status_code
        == 403
    )
    assert Bulletin.objects.count() == 0


def test_staff_side_by_side_edit_and_adopt(client, submitted, staff_user):
    _login(client, staff_user)
    page = client.get(f"/workbench/opinions/{submitted.pk}/").content.decode()
    assert "原稿（反映人提交，保持不变）" in page and "编辑稿" in page and 'name="adopt"' in page
    response = client.post(
        f"/workbench/opinions/{submitted.pk}/edit/",
        {"title": "编辑标题", "content": "编辑正文", "category": "", "adopt": "1"},
    )
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert (
        submitted.state == "adopted" and submitted.final_title == "编辑标题" and submitted.title != "编辑标题"
    )


def test_staff_domain_error_shown_nothing_changed(client, instructed, staff_user):
    _login(client, staff_user)
    response = client.post(f"/workbench/opinions/{instructed.pk}/transfer/", {"departments": []})
    assert response.status_code == 400 and "请至少选择一个承办单位" in response.content.decode()
    assert Transfer.objects.count() == 0


def test_composer_add_publish_export(client, staff_user, make_adopted, submitted):
    _login(client, staff_user)
    response = client.post(
        "/workbench/opinions/bulletins/",
        {"date": "2026-05-01", "title": "社情民意", "editor_note": "编者按内容"},
    )
    bulletin = Bulletin.objects.get()
    assert response.status_code == 302 and bulletin.issue_label == "2026年第1期"
    empty = client.post(f"/workbench/opinions/bulletins/{bulletin.pk}/publish/")
    assert empty.status_code == 400 and "还没有篇目" in empty.content.decode()
    bad = client.post(f"/workbench/opinions/bulletins/{bulletin.pk}/add/", {"report": submitted.pk})
    assert bad.status_code == 400 and "只有已采用" in bad.content.decode()
    a, b = make_adopted("甲篇"), make_adopted("乙篇")
    for r in (a, b):
        client.post(f"/workbench/opinions/bulletins/{bulletin.pk}/add/", {"report": r.pk})
    client.post(
        f"/workbench/opinions/bulletins/{bulletin.pk}/reorder/", {f"order_{a.pk}": "2", f"order_{b.pk}": "1"}
    )
    assert [i.report_id for i in bulletin.items.order_by("order")] == [b.pk, a.pk]
    assert client.post(f"/workbench/opinions/bulletins/{bulletin.pk}/publish/").status_code == 302
    bulletin.refresh_from_db()
    assert bulletin.state == "published"
    export = client.get(f"/workbench/opinions/bulletins/{bulletin.pk}/export.docx")
    from io import BytesIO

    from docx import Document

    paragraphs = [p.text for p in Document(BytesIO(export.content)).paragraphs]
    assert "社情民意" in paragraphs[0] and "2026年第1期" in paragraphs[1]
    titles = [p for p in paragraphs if p in ("甲篇", "乙篇")]
    assert titles[-2:] == ["乙篇", "甲篇"]  # the body follows the issue's order
    assert any("编者按内容" in p for p in paragraphs)
    assert client.get("/workbench/opinions/bulletins/2026.xlsx").status_code == 200


def test_department_portal_transfer(client, transferred, department_user, other_department, staff_user):
    from conftest import make_user
    from zhengxie.accounts.models import Role

    _login(client, department_user)
    home = client.get("/portal/").content.decode()
    assert transferred.report.final_title in home and "社情民意" in home
    page = client.get(f"/portal/transfers/{transferred.pk}/")
    assert page.status_code == 200 and "签收" in page.content.decode()
    client.post(f"/portal/transfers/{transferred.pk}/accept/")
    bad = client.post(f"/portal/transfers/{transferred.pk}/reply/", {"result": "Z", "content": "x"})
    assert bad.status_code == 400
    client.post(
        f"/portal/transfers/{transferred.pk}/reply/", {"result": "A", "content": "已落实", "signer": "张局长"}
    )
    transferred.refresh_from_db()
    assert transferred.state == "replied" and transferred.reply_content == "已落实"
    stranger = make_user("dept2", Role.DEPARTMENT, department=other_department)
    assert _login(client, stranger).get(f"/portal/transfers/{transferred.pk}/").status_code == 404
    _login(client, staff_user)
    client.post(f"/workbench/opinions/{transferred.report_id}/feedback/", {"content": "已反馈"})
    assert OpinionReport.objects.get(pk=transferred.report_id).state == "closed"


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_list_pages_constant_queries(client, staff_user, member, make_adopted, department, department_user):
    def add(n):
        for i in range(n):
            r = make_adopted(f"第{i}条")
            b = services.bulletin_create(actor=staff_user)
            services.bulletin_add_report(actor=staff_user, bulletin=b, report=r)
            services.opinion_report_add_instruction(
                actor=staff_user, report=r, leader="x", level="city", content="c", date=date.today()
            )
            services.opinion_report_transfer(actor=staff_user, report=r, departments=[department.pk])

    urls = {
        staff_user: ["/workbench/opinions/?state=transferred", "/workbench/opinions/bulletins/"],
        member.user: ["/opinions/"],
        department_user: ["/portal/"],
    }

    def counts():
        result = []
        for user, paths in urls.items():
            client.force_login(user)
            result += [_queries(client, path) for path in paths]
        return result

    add(2)
    few = counts()
    add(15)
    assert counts() == few


def test_transfer_refused_by_service_shows_chinese_message(client, published, department, staff_user):
    _login(client, staff_user)
    response = client.post(f"/workbench/opinions/{published.pk}/transfer/", {"departments": [department.pk]})
    assert response.status_code == 400 and "须报送上级或获领导批示" in response.content.decode()
    assert Transfer.objects.count() == 0


def test_list_pages_read_no_body_text(client, staff_user, member, make_adopted):
    """The inbox and a member's own list read their rows without the reports' text or a joined proposal's
    whole row (their rows show titles, states and dates); a search still shows each row's snippet."""
    for i in range(3):
        make_adopted(f"关于养老服务的第{i}条", content=f"正文第{i}条：建议完善社区养老服务。")

    def row_queries(user, path):
        client.force_login(user)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        assert response.status_code == 200
        rows = [q["sql"] for q in queries if q["sql"].startswith('SELECT "sqyy_opinionreport"."id"')]
        assert rows, path
        return response.content.decode(), rows

    for user, path in ((staff_user, "/workbench/opinions/?state=adopted"), (member.user, "/opinions/")):
        page, rows = row_queries(user, path)
        assert "关于养老服务的第2条" in page
        for sql in rows:
            assert '"sqyy_opinionreport"."content"' not in sql and '"proposals_proposal"."content"' not in sql
    page, _ = row_queries(staff_user, "/workbench/opinions/?state=adopted&q=养老")
    assert "正文第1条" in page  # the snippet, read for the page's rows
