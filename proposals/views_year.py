"""`/workbench/stats/year/`: every line of the year's work report, each number linking to what it counts,
the paragraphs to copy, a three-year comparison with its chart and table, and the Word draft."""

from django.http import Http404
from django.shortcuts import render

from zhengxie.accounts.models import Role
from zhengxie.accounts.permissions import role_required
from zhengxie.workflow.errors import DomainError

from . import stats, year_figures
from .api.year import DOCX, year_param
from .views_stats import XLSX, _download

# (section, figure, label) of the comparison across years.
COMPARED = [
    ("meetings", "plenary", "全体会议"),
    ("meetings", "standing_committee", "常委会议"),
    ("meetings", "chair_meeting", "主席会议"),
    ("report_opinions", "government", "政府工作报告意见"),
    ("activities", "research", "调研课题"),
    ("activities", "inspection", "视察课题"),
    ("activities", "training_person_times", "培训人次"),
    ("opinion_reports", "received", "社情民意信息"),
    ("opinion_reports", "published_issues", "《社情民意》期数"),
    ("duty", "person_times", "履职人次"),
    ("proposals", "received", "收到提案"),
    ("proposals", "registered", "立案"),
]


def comparison(year: int) -> stats.Table:
    years = [year - 2, year - 1, year]
    figures = {y: year_figures.year_figures(y) for y in years}
    rows = [
        [label, *[figures[y].get(section, {}).get(key, 0) for y in years]]
        for section, key, label in COMPARED
        if section in figures[year]
    ]
    return stats.Table(
        "year_compare", "近三年主要数字", ["项目", *[f"{y}年" for y in years]], rows, series=(1, 2, 3)
    )


def _year(request) -> int:
    try:
        return year_param(request.GET)
    except DomainError as exc:
        raise Http404(exc.message) from None


@role_required(Role.STAFF, Role.LEADER)
def year_page(request):
    year = _year(request)
    sections = year_figures.year_sections(year)
    for section in sections:
        section.rows = year_figures.section_rows(section)
    table = comparison(year)
    context = {
        "year": year,
        "sections": sections,
        "table": table,
        "charts": {table.key: table.chart_spec()},
        "years": range(year - 4, year + 2),
    }
    return render(request, "proposals/stats/year.html", context)


@role_required(Role.STAFF, Role.LEADER)
def year_report(request):
    year = _year(request)
    return _download(year_figures.year_report_docx(year), DOCX, f"{year}年常委会工作报告统计稿.docx")


@role_required(Role.STAFF, Role.LEADER)
def year_export(request, fmt: str):
    year = _year(request)
    table = comparison(year)
    name = f"近三年主要数字（{year}年）"
    if fmt == "csv":
        return _download(stats.table_csv(table), "text/csv; charset=utf-8", f"{name}.csv")
    if fmt == "xlsx":
        return _download(stats.table_xlsx(table, heading=name), XLSX, f"{name}.xlsx")
    raise Http404
