"""社情民意 API (API.md): shapes, who may do what (wrong roles 403/404), Chinese 400s with nothing
changed, query counts that do not grow with rows, stats and exports."""

import io
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sqyy import services
from sqyy.models import Bulletin, OpinionReport, Transfer

pytestmark = pytest.mark.django_db
BASE = "/api/v1/opinion-reports/"


def test_member_creates_patches_submits_own(api, member):
    client = api(member.user)
    response = client.post(
        BASE,
        {"title": "关于公交线路优化的建议", "content": "建议增开夜班车。", "category": "社会民生"},
        format="json",
    )
    assert response.status_code == 201
    data = response.json()
    assert data["state"] == "draft" and data["reflector"] == member.pk and data["reflector_kind"] == "member"
    pk = data["id"]
    assert (
        client.patch(f"{BASE}{pk}/", {"content": "建议增开夜班车并优化换乘。"}, format="json").json()[
            "content"
        ]
        == "建议增开夜班车并优化换乘。"
    )
    assert client.post(f"{BASE}{pk}/submit/").json()["state"] == "submitted"
    history = client.get(f"{BASE}{pk}/history/").json()
    assert [h["to_state"] for h in history] == ["draft", "submitted"] and history[0][
        "actor"
    ] == member.user.display_name


def test_over_long_content_is_chinese_400_nothing_created(api, member):
    response = api(member.user).post(BASE, {"title": "t", "content": "字" * 1501}, format="json")
    assert response.status_code == 400 and "不能超过1500字" in response.json()["detail"]
    assert OpinionReport.objects.count() == 0


def test_member_sees_only_own_reports(api, submitted, other_member):
    other = api(other_member.user)
    assert other.get(BASE).json()["count"] == 0
    assert other.get(f"{BASE}{submitted.pk}/").status_code == 404
    assert other.post(f"{BASE}{submitted.pk}/submit/").status_code == 404
    assert other.get(f"{BASE}{submitted.pk}/history/").status_code == 404


def test_department_and_anonymous_refused(api, submitted, department_user):
    assert api(department_user).get(BASE).status_code == 403
    assert api(department_user).get(f"{BASE}{submitted.pk}/").status_code == 403
    assert api().get(BASE).status_code == 401


def test_staff_workflow_and_refusals(api, submitted, staff_user, member):
    staff = api(staff_user)
    url = f"{BASE}{submitted.pk}/"
    assert api(member.user).post(f"{url}adopt/", {}, format="json").status_code == 403
    response = staff.post(f"{url}adopt/", {"title": "编辑后标题", "content": "编辑后正文"}, format="json")
    data = response.json()
    assert (
        data["state"] == "adopted"
        and data["title"] == submitted.title
        and data["edited_title"] == "编辑后标题"
    )
    assert data["final_content"] == "编辑后正文"
    again = staff.post(f"{url}adopt/", {}, format="json")
    assert again.status_code == 400 and "不能重复采用" in again.json()["detail"]
    # the member sees both texts
    mine = api(member.user).get(url).json()
    assert mine["content"] == submitted.content and mine["edited_content"] == "编辑后正文"


def test_return_and_reject_need_reason(api, submitted, staff_user):
    staff = api(staff_user)
    url = f"{BASE}{submitted.pk}/"
    response = staff.post(f"{url}return/", {"reason": ""}, format="json")
    assert response.status_code == 400 and "理由" in response.json()["detail"]
    assert (
        staff.post(f"{url}reject/", {"reason": "不属于社情民意范围"}, format="json").json()["state"]
        == "not_adopted"
    )


def test_leader_may_record_instruction_but_not_adopt(api, published, leader_user, member):
    leader = api(leader_user)
    url = f"{BASE}{published.pk}/"
    assert leader.post(f"{url}adopt/", {}, format="json").status_code in (400, 403)
    response = leader.post(
        f"{url}instructions/",
        {"leader": "王市长", "level": "city", "content": "请研究", "date": str(date.today())},
        format="json",
    )
    assert response.status_code == 200 and response.json()["instructions"][0]["level_display"] == "市级"
    assert (
        api(member.user)
        .post(f"{url}instructions/", {"leader": "x", "level": "city", "content": "c"}, format="json")
        .status_code
        == 403
    )
    bad = leader.post(f"{url}instructions/", {"leader": "x", "level": "县级", "content": "c"}, format="json")
    assert bad.status_code == 400 and published.instructions.count() == 1


def test_transfer_to_no_department_400(api, instructed, staff_user):
    response = api(staff_user).post(f"{BASE}{instructed.pk}/transfer/", {"departments": []}, format="json")
    assert response.status_code == 400 and "至少选择" in response.json()["detail"]
    assert Transfer.objects.count() == 0


def test_transfer_reply_feedback_through_api(
    api, instructed, staff_user, department, department_user, other_department, member
):
    from conftest import make_user
    from zhengxie.accounts.models import Role

    staff = api(staff_user)
    data = staff.post(
        f"{BASE}{instructed.pk}/transfer/", {"departments": [department.pk]}, format="json"
    ).json()
    assert data["state"] == "transferred" and data["transfers"][0]["department"] == department.pk
    tid = data["transfers"][0]["id"]
    dept = api(department_user)
    listing = dept.get("/api/v1/transfers/").json()
    assert listing["count"] == 1
    row = listing["results"][0]
    assert {
        "id",
        "report",
        "department",
        "state",
        "assigned_at",
        "due_date",
        "days_left",
        "is_overdue",
        "reply",
    } <= set(row)
    stranger = api(make_user("dept2", Role.DEPARTMENT, department=other_department))
    assert stranger.get("/api/v1/transfers/").json()["count"] == 0
    assert stranger.get(f"/api/v1/transfers/{tid}/").status_code == 404
    assert stranger.post(f"/api/v1/transfers/{tid}/accept/").status_code == 404
    assert api(member.user).get("/api/v1/transfers/").status_code == 403
    assert dept.post(f"/api/v1/transfers/{tid}/accept/").json()["state"] == "accepted"
    bad = dept.post(f"/api/v1/transfers/{tid}/reply/", {"result": "A", "content": ""}, format="json")
    assert bad.status_code == 400 and "答复内容" in bad.json()["detail"]
    from django.core.files.uploadedfile import SimpleUploadedFile

    letter = SimpleUploadedFile("答复函.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    reply = dept.post(
        f"/api/v1/transfers/{tid}/reply/",
        {"result": "A", "content": "已解决", "letter": letter},
        format="multipart",
    )
    assert reply.status_code == 200 and reply.json()["reply"]["result"] == "A"
    assert dept.post(f"{BASE}{instructed.pk}/feedback/", {"content": "x"}, format="json").status_code == 403
    closed = staff.post(
        f"{BASE}{instructed.pk}/feedback/", {"content": "已办结，感谢反映。"}, format="json"
    ).json()
    assert closed["state"] == "closed" and closed["feedback"] == "已办结，感谢反映。"
    assert (
        api(member.user).get(f"{BASE}{instructed.pk}/").json()["transfers"][0]["reply"]["content"] == "已解决"
    )


def test_bulletin_api(api, staff_user, make_adopted, submitted, leader_user, member):
    staff = api(staff_user)
    created = staff.post("/api/v1/bulletins/", {"year": 2026}, format="json")
    assert created.status_code == 201
    b = created.json()
    assert {"id", "year", "number", "title", "date", "state", "reports"} <= set(b) and b["number"] == 1
    assert staff.post("/api/v1/bulletins/", {"year": 2026}, format="json").json()["number"] == 2
    report = make_adopted("采用的一条")
    bad = staff.post(f"/api/v1/bulletins/{b['id']}/add/", {"report": submitted.pk}, format="json")
    assert bad.status_code == 400 and "已采用" in bad.json()["detail"]
    empty = staff.post(f"/api/v1/bulletins/{b['id']}/publish/")
    assert empty.status_code == 400 and "没有篇目" in empty.json()["detail"]
    added = staff.post(f"/api/v1/bulletins/{b['id']}/add/", {"report": report.pk}, format="json").json()
    assert added["reports"][0]["report"] == report.pk and added["reports"][0]["order"] == 1
    assert api(leader_user).post(f"/api/v1/bulletins/{b['id']}/publish/").status_code == 403
    assert api(member.user).get("/api/v1/bulletins/").status_code == 403
    assert staff.post(f"/api/v1/bulletins/{b['id']}/publish/").json()["state"] == "published"
    forwarded = staff.post(f"/api/v1/bulletins/{b['id']}/forward/", {"to": "省政协"}, format="json").json()
    assert forwarded["state"] == "forwarded" and forwarded["forwarded_to"] == "省政协"
    export = staff.get(f"/api/v1/bulletins/{b['id']}/export/")
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxmlformats")
    from docx import Document

    text = "\n".join(p.text for p in Document(io.BytesIO(export.content)).paragraphs)
    assert "2026年第1期" in text and "采用的一条" in text and "报送：省政协" in text
    assert api(leader_user).get(f"/api/v1/bulletins/{b['id']}/export/").status_code == 200


def test_bulletin_year_export_excel(api, staff_user, published):
    from openpyxl import load_workbook

    year = published.bulletin_item.bulletin.year
    response = api(staff_user).get(f"/api/v1/bulletins/year-export/?year={year}")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "期号" and rows[1][3] == published.final_title and rows[1][0] == f"{year}年第1期"
    assert api(staff_user).get("/api/v1/bulletins/year-export/").status_code == 400


def test_stats(api, staff_user, instructed, make_adopted, member, submitted):
    services.opinion_report_create(
        actor=staff_user, title="党派", content="c", reflector_kind="party", reflector_name="民盟市委"
    )
    year = date.today().year
    data = api(staff_user).get(f"/api/v1/stats/opinion-reports/?year={year}").json()
    assert data["received"] == 1 and data["adopted"] == 1 and data["published_issues"] == 1
    assert data["instructed"] == 1 and data["instructions"] == 1 and data["adoption_rate"] == 100.0
    assert data["by_member"][0]["name"] == member.name and data["by_member"][0]["instructed"] == 1
    assert data["by_reflector_kind"][0]["reflector_kind"] == "member"
    assert {"not_adopted", "forwarded", "upper_adopted", "by_category"} <= set(data)
    assert api(member.user).get("/api/v1/stats/opinion-reports/").status_code == 403
    assert api(staff_user).get("/api/v1/stats/opinion-reports/?year=abc").status_code == 400


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_list_query_counts_do_not_grow(api, staff_user, member, make_adopted, department):
    staff = api(staff_user)

    def add(n):
        for i in range(n):
            r = make_adopted(f"第{i}条")
            bulletin = services.bulletin_create(actor=staff_user)
            services.bulletin_add_report(actor=staff_user, bulletin=bulletin, report=r)
            services.opinion_report_add_instruction(
                actor=staff_user, report=r, leader="x", level="city", content="c"
            )
            services.opinion_report_transfer(actor=staff_user, report=r, departments=[department.pk])

    add(2)
    few = [
        _count(staff, BASE),
        _count(api(member.user), BASE),
        _count(staff, "/api/v1/transfers/"),
        _count(staff, "/api/v1/bulletins/"),
    ]
    add(18)
    many = [
        _count(staff, BASE),
        _count(api(member.user), BASE),
        _count(staff, "/api/v1/transfers/"),
        _count(staff, "/api/v1/bulletins/"),
    ]
    assert few == many
    assert Bulletin.objects.count() == 20 and OpinionReport.objects.filter(state="transferred").count() == 20


def test_list_counts_each_reports_instructions(api, published, make_adopted, leader_user, staff_user):
    """The list's instruction_count is per row (a correlated count, not a grouped join)."""
    leader = api(leader_user)
    for content in ("请研究", "请落实"):
        leader.post(
            f"{BASE}{published.pk}/instructions/",
            {"leader": "王市长", "level": "city", "content": content, "date": str(date.today())},
            format="json",
        )
    other = make_adopted(title="另一条")
    rows = {r["id"]: r for r in api(staff_user).get(BASE).json()["results"]}
    assert rows[published.pk]["instruction_count"] == 2
    assert rows[other.pk]["instruction_count"] == 0


def test_stats_page_shows_the_first_members_and_the_csv_has_them_all(
    client, staff_user, member, other_member, member_user, settings
):
    """A province's year has thousands of reflecting members: the page lists the first of them (most
    reports first) and says how many there are; the CSV lists everyone, text cells neutralised."""
    from sqyy import views

    settings.LANGUAGE_CODE = "zh-hans"
    other_member.name = "=HYPERLINK(1)"
    other_member.save(update_fields=["name"])
    for author, n in ((member, 2), (other_member, 1)):
        for i in range(n):
            report = services.opinion_report_create(actor=author.user, title=f"反映{i}", content="内容")
            services.opinion_report_submit(actor=author.user, report=report)
    year = date.today().year
    client.force_login(staff_user)
    views.STATS_PAGE_MEMBERS, saved = 1, views.STATS_PAGE_MEMBERS
    try:
        page = client.get(f"/workbench/opinions/stats/?year={year}").content.decode()
    finally:
        views.STATS_PAGE_MEMBERS = saved
    assert "（前1名，共2名）" in page and member.name in page and "HYPERLINK" not in page
    api_data = client.get(f"/api/v1/stats/opinion-reports/?year={year}").json()
    assert api_data["members"] == 2 and len(api_data["by_member"]) == 2
    csv_response = client.get(f"/workbench/opinions/stats/members.csv?year={year}")
    assert csv_response.status_code == 200
    lines = csv_response.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("委员,收到") and lines[1].startswith(f"{member.name},2,")
    assert lines[2].startswith("'=HYPERLINK(1),1,")
    client.force_login(member_user)
    assert client.get(f"/workbench/opinions/stats/members.csv?year={year}").status_code == 403


def test_stats_groups_add_up_to_the_databases_own_grouping(staff_user, member, other_member, make_adopted):
    """Every figure of opinion_report_stats by kind, category and member equals the database's own GROUP
    BY of the same counts, and the totals (the kinds' sums) its aggregate over the year."""

    from sqyy import selectors
    from sqyy.models import OpinionReport

    make_adopted("甲")
    for author, category, n in (
        (member, "经济发展", 2),
        (other_member, "社会民生", 3),
        (other_member, "", 1),
    ):
        for i in range(n):
            report = services.opinion_report_create(
                actor=author.user, title=f"{category}{i}", content="内容", category=category
            )
            services.opinion_report_submit(actor=author.user, report=report)
    services.opinion_report_create_submitted(
        actor=staff_user, title="党派", content="c", category="社会民生", reflector_name="民盟市委"
    )
    year = date.today().year
    stats = selectors.opinion_report_stats(year)
    base = OpinionReport.objects.filter(submitted_at__year=year).exclude(state="draft")
    counts = selectors._stat_counts()
    keys = selectors._STAT_KEYS

    def grouped(field):
        return {
            row[field]: tuple(row[k] for k in keys)
            for row in base.order_by().values(field).annotate(**counts)
        }

    assert {r["reflector_kind"]: tuple(r[k] for k in keys) for r in stats["by_reflector_kind"]} == grouped(
        "reflector_kind"
    )
    assert {r["category"]: tuple(r[k] for k in keys) for r in stats["by_category"]} == {
        (c or "未分类"): v for c, v in grouped("category").items()
    }
    members = {m: v for m, v in grouped("reflector").items() if m is not None}
    assert {r["member"]: tuple(r[k] for k in keys) for r in stats["by_member"]} == members
    assert [r["member"] for r in stats["by_member"]] == [other_member.pk, member.pk]  # most reports first
    assert stats["members"] == 2
    assert tuple(stats[k] for k in keys) == tuple(base.aggregate(**counts)[k] for k in keys)
    assert stats["received"] == base.count() and stats["adopted"] >= 1
    assert [r["category"] for r in stats["by_category"]][0] == "社会民生"
    assert len(selectors.opinion_report_stats(year, member_limit=1)["by_member"]) == 1


def test_stats_groupings_read_only_the_covering_index(member, staff_user):
    """Each grouping of a year's statistics reads opinion_stats_cover_idx alone (an index-only scan), never
    the reports' wide rows (at a province's 26k reports a year each grouping read 20k table pages)."""
    from sqyy import selectors
    from sqyy.models import OpinionReport

    report = services.opinion_report_create(
        actor=member.user, title="停车难", content="内容", category="城乡建设"
    )
    services.opinion_report_submit(actor=member.user, report=report)
    base = OpinionReport.objects.filter(submitted_at__year=date.today().year).exclude(state="draft")
    counts = selectors._stat_counts()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        for grouping in (
            base.order_by().values("reflector_kind").annotate(**counts),
            base.order_by().values("category").annotate(**counts),
            selectors.members_stats(base, counts),
        ):
            plan = grouping.explain()
            assert "Index Only Scan using opinion_stats_cover_idx" in plan, plan


def test_stats_by_member_comes_a_page_at_a_time(api, staff_user, member, other_member, make_member):
    """by_member is a page of the reflecting members (most reports first), members_offset/members_limit
    move it, `members` counts them all, bad values are a Chinese 400, and the queries do not grow with the
    members on the page."""
    from sqyy import api as sqyy_api

    def reports(author, n):
        for i in range(n):
            report = services.opinion_report_create(actor=author.user, title=f"反映{i}", content="内容")
            services.opinion_report_submit(actor=author.user, report=report)

    reports(member, 3)
    reports(other_member, 2)
    year = date.today().year
    client = api(staff_user)
    url = f"/api/v1/stats/opinion-reports/?year={year}"

    def get(query=""):
        response = client.get(url + query)
        assert response.status_code == 200, response.content
        return response.json()

    assert [r["member"] for r in get()["by_member"]] == [member.pk, other_member.pk]
    first, second = get("&members_limit=1"), get("&members_limit=1&members_offset=1")
    assert [r["member"] for r in first["by_member"]] == [member.pk] and first["members"] == 2
    assert [r["member"] for r in second["by_member"]] == [other_member.pk] and second["members"] == 2
    assert second["by_member"][0]["received"] == 2 and first["received"] == second["received"] == 5
    past = get("&members_offset=5")
    assert past["by_member"] == [] and past["members"] == 2
    for bad in ("members_limit=0", "members_limit=1001", "members_limit=abc", "members_offset=-1"):
        response = client.get(f"{url}&{bad}")
        assert response.status_code == 400 and "members_" in response.json()["detail"], bad

    with CaptureQueriesContext(connection) as few:
        get("&members_limit=1000")
    for i in range(6):
        reports(make_member(f"委员{i}"), 1)
    with CaptureQueriesContext(connection) as many:
        data = get("&members_limit=1000")
    assert len(data["by_member"]) == 8 and data["members"] == 8
    assert len(many) == len(few)
    assert sqyy_api.MEMBERS_DEFAULT == 100
    assert get()["by_member"][:2] == get("&members_limit=2")["by_member"]


def test_lists_do_not_read_the_search_words(api, staff_user, make_adopted, department):
    """The segmented words (twice a report's text) are matched in SQL and shown by no list: the report and
    transfer lists leave them in the database, and still find a report by them."""
    report = make_adopted("关于加强养老服务的建议", "建议增加社区养老服务站点。")
    services.opinion_report_add_instruction(
        actor=staff_user, report=report, leader="x", level="city", content="c"
    )
    services.opinion_report_transfer(actor=staff_user, report=report, departments=[department.pk])
    staff = api(staff_user)
    for url in (BASE, f"{BASE}?q=养老", "/api/v1/transfers/"):
        with CaptureQueriesContext(connection) as ctx:
            response = staff.get(url)
        assert response.status_code == 200 and response.json()["count"] == 1, url
        selects = [
            q["sql"].split(" FROM ")[0] for q in ctx.captured_queries if "sqyy_opinionreport" in q["sql"]
        ]
        columns = [f'"{name}"' for name in OpinionReport.SEARCH_FIELDS]
        assert selects and not any(c in s for c in columns for s in selects), url
