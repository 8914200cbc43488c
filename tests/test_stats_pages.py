"""/workbench/stats/: the dashboard (figures, paragraph, one table per chart), table exports, the department
assessment 考核 and its Excel — read back — with the wrong roles refused and constant query counts."""

import csv
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from proposals import assessment
from proposals.models import AssessmentGrade, AssessmentItem
from tests.test_stats_proposals import _more_rows, build_dataset

pytestmark = pytest.mark.django_db
DASH = "/workbench/stats/"
ASSESS = "/workbench/stats/assessment/"


@pytest.fixture
def data(member, staff_user, department, other_department):
    return build_dataset(member, staff_user, department, other_department)


def test_dashboard_shows_figures_tables_and_paragraph(client, staff_user, data):
    client.force_login(staff_user)
    response = client.get(DASH, {"year": 2026})
    assert response.status_code == 200
    html = response.content.decode()
    assert "2026年共收到提案9件" in html
    assert 'data-copy-target="summary-text"' in html
    tables = {t.key: t for t in response.context["tables"]}
    assert {"state", "category", "department", "month", "overdue", "opinion", "instruction", "duty"} <= set(
        tables
    )
    assert tables["category"].rows == [["经济", 5, 3], ["社会", 4, 3]]
    assert tables["overdue"].rows == [["市卫健委", 1]]
    assert tables["month"].rows == [["2026-01", 3, 2], ["2026-02", 3, 2], ["2026-03", 3, 2]]
    assert response.context["charts"]["category"]["series"][0] == {"name": "收到", "data": [5, 4]}
    assert "vendor/echarts/echarts.min.js" in html and "js/stats_charts.js" in html
    assert 'id="stats-charts"' in html
    assert "cdn" not in html.lower()


def test_dashboard_filters_by_plenary(client, leader_user, data):
    client.force_login(leader_user)
    response = client.get(DASH, {"plenary": data.old_plenary.pk})
    assert response.context["stats"]["received"] == 1
    assert "第十四届第五次会议共收到提案1件" in response.content.decode()


def test_dashboard_bad_filter_shows_the_error_and_all_figures(client, staff_user, data):
    client.force_login(staff_user)
    response = client.get(DASH, {"term": data.term.pk, "plenary": data.old_plenary.pk})
    assert response.status_code == 200
    assert "会次不属于所选届次。" in response.content.decode()
    assert response.context["stats"]["received"] == 10


@pytest.mark.parametrize("fixture", ["member_user", "department_user"])
@pytest.mark.parametrize("url", [DASH, f"{DASH}export/state.csv", ASSESS, f"{ASSESS}export.xlsx"])
def test_pages_refuse_members_and_departments(client, request, fixture, url):
    client.force_login(request.getfixturevalue(fixture))
    assert client.get(url).status_code == 403


def test_anonymous_goes_to_login(client):
    response = client.get(DASH)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_csv_export_of_a_table(client, staff_user, data):
    client.force_login(staff_user)
    response = client.get(f"{DASH}export/category.csv", {"year": 2026})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    assert list(csv.reader(io.StringIO(text.lstrip("\ufeff")))) == [
        ["类别", "收到", "立案"],
        ["经济", "5", "3"],
        ["社会", "4", "3"],
    ]


def test_xlsx_export_of_a_table_reads_back(client, staff_user, data):
    client.force_login(staff_user)
    response = client.get(f"{DASH}export/department.xlsx", {"year": 2026})
    ws = load_workbook(io.BytesIO(response.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0] == "承办单位办理情况（2026年）"
    assert rows[1][:5] == ("承办单位", "交办", "已答复", "按期", "逾期未答复")
    assert rows[2] == ("市卫健委", 3, 2, 1, 1, 0, 0, 1, 0)
    assert rows[3] == ("市教育局", 3, 3, 2, 0, 2, 1, 0, 66.7)


def test_unknown_export_is_404(client, staff_user):
    client.force_login(staff_user)
    assert client.get(f"{DASH}export/nope.csv").status_code == 404
    assert client.get(f"{DASH}export/state.pdf").status_code == 404


def _queries(client, url, params) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, params).status_code == 200
    return len(ctx.captured_queries)


def test_dashboard_and_assessment_query_counts_do_not_grow(client, staff_user, member, data):
    client.force_login(staff_user)
    dash, assess = _queries(client, DASH, {"year": 2026}), _queries(client, ASSESS, {"year": 2026})
    _more_rows(data, staff_user, member, 18)
    assert _queries(client, DASH, {"year": 2026}) == dash
    assert _queries(client, ASSESS, {"year": 2026}) == assess


# --- 考核 ---------------------------------------------------------------------------------------------


def test_assessment_scores_and_grades_with_the_defaults(data):
    items, rows = assessment.department_assessment(2026)
    assert [i.code for i in items] == [
        "on_time",
        "contacted",
        "satisfaction",
        "result_mix",
        "rehandling",
        "overdue",
    ]
    by_name = {r.name: r for r in rows}
    d1, d2 = by_name["市教育局"], by_name["市卫健委"]
    # 30×2/3, 20×3/3, 30×2/3, 20×(2+0.8)/3, −2×1 rehandled, −2×(1 late + 0 open overdue)
    assert d1.scores == {
        "on_time": Decimal("20.0"),
        "contacted": Decimal("20.0"),
        "satisfaction": Decimal("20.0"),
        "result_mix": Decimal("18.7"),
        "rehandling": Decimal("-2.0"),
        "overdue": Decimal("-2.0"),
    }
    assert (d1.total, d1.grade, d1.rank) == (Decimal("74.7"), "一般", 1)
    # 30×1/2, 20×0/1, nothing rated → full 30, 20×0.5 (one C), −2×(1 late + 1 overdue)
    assert (d2.scores["satisfaction"], d2.scores["result_mix"], d2.scores["overdue"]) == (
        Decimal("30.0"),
        Decimal("10.0"),
        Decimal("-4.0"),
    )
    assert (d2.total, d2.grade, d2.rank) == (Decimal("51.0"), "较差", 2)


def test_assessment_items_and_thresholds_are_configurable(data):
    AssessmentItem.objects.filter(code="overdue").update(deduction=0)
    AssessmentGrade.objects.filter(name="一般").update(min_score=76)
    _, rows = assessment.department_assessment(2026)
    d1 = next(r for r in rows if r.name == "市教育局")
    assert (d1.total, d1.grade) == (Decimal("76.7"), "一般")
    AssessmentItem.objects.filter(code="rehandling").update(is_active=False)
    _, rows = assessment.department_assessment(2026)
    d1 = next(r for r in rows if r.name == "市教育局")
    assert "rehandling" not in d1.scores and (d1.total, d1.grade) == (Decimal("78.7"), "一般")


def test_assessment_page_and_excel_read_back(client, leader_user, data):
    client.force_login(leader_user)
    page = client.get(ASSESS, {"year": 2026})
    assert page.status_code == 200
    html = page.content.decode()
    assert "2026年承办单位考核" in html and "74.7" in html and "较差" in html
    response = client.get(f"{ASSESS}export.xlsx", {"year": 2026})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(response.content))
    ws = wb.worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0] == "2026年度政协提案承办单位考核结果"
    headers = rows[1]
    assert headers[:3] == ("排名", "承办单位", "交办件数") and headers[-2:] == ("总分", "等次")
    first = dict(zip(headers, rows[2], strict=True))
    assert (first["排名"], first["承办单位"], first["总分"], first["等次"]) == (1, "市教育局", 74.7, "一般")
    assert (first["交办件数"], first["逾期答复"], first["重新办理"], first["答复类别（A/B/C）得分"]) == (
        3,
        1,
        1,
        18.7,
    )
    second = dict(zip(headers, rows[3], strict=True))
    assert (second["承办单位"], second["总分"], second["等次"]) == ("市卫健委", 51.0, "较差")
    assert [r[0] for r in wb["考核办法"].iter_rows(values_only=True) if r[0]][:2] == ["项目", "按期答复率"]


def test_assessment_of_a_year_without_tasks(client, staff_user, data):
    client.force_login(staff_user)
    assert "该年度没有交办的提案。" in client.get(ASSESS, {"year": 2001}).content.decode()


def _silent_department(data, staff, name, *, due):
    """A department given 4 lead tasks on the year's proposals and not one reply."""
    from tests.test_stats_proposals import _task
    from zhengxie.accounts.models import Department

    dept = Department.objects.create(name=name, code=name)
    for key in (5, 6, 3, 1):
        _task(data.proposals[key], dept, staff, state="accepted", due=due)
    return dept


def test_a_department_that_replied_nothing_is_never_ranked_above_one_that_replied(client, staff_user, data):
    from datetime import timedelta

    from django.utils import timezone

    today = timezone.localdate()
    _silent_department(data, staff_user, "市住建局", due=today + timedelta(days=20))
    _silent_department(data, staff_user, "市交通局", due=today - timedelta(days=2))
    _, rows = assessment.department_assessment(2026)
    by_name = {r.name: r for r in rows}
    late = by_name["市交通局"]  # 4 overdue, nothing replied: no rate item counts in its favour
    assert late.scored and late.total == Decimal("0.0") and late.grade == "较差"
    assert all(score <= 0 for score in late.scores.values())
    waiting = by_name["市住建局"]  # nothing due yet: not scored, not ranked, listed last
    assert (waiting.scored, waiting.rank, waiting.grade) == (False, None, "无到期任务")
    assert rows[-1] is waiting and rows[0].name == "市教育局"
    assert late.rank > by_name["市卫健委"].rank

    client.force_login(staff_user)
    html = client.get(ASSESS, {"year": 2026}).content.decode()
    assert "100.0" not in html and "优秀" not in html.split("考核办法")[0]
    assert "-0.0" not in html
    assert "无到期任务" in html and "不参加评分和排名" in html
    ws = load_workbook(io.BytesIO(client.get(f"{ASSESS}export.xlsx", {"year": 2026}).content)).worksheets[0]
    lines = list(ws.iter_rows(values_only=True))
    headers = lines[1]
    last = dict(zip(headers, lines[-1], strict=True))
    assert (last["排名"], last["承办单位"], last["总分"], last["等次"]) == (
        "—",
        "市住建局",
        None,
        "无到期任务",
    )
    assert str(by_name["市卫健委"].scores["rehandling"]) == "0.0"  # nothing re-handled: 0.0, not -0.0


def test_assessment_year_box_shows_the_year_of_the_title(client, staff_user, data):
    from django.utils import timezone

    client.force_login(staff_user)
    html = client.get(ASSESS).content.decode()
    year = timezone.localdate().year
    assert f"{year}年承办单位考核" in html
    assert f'name="year" value="{year}"' in html
