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

TOP_MEMBERS = 30  # members shown on the page (the exports have them all)

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


def comparison(year: int, sections=None) -> stats.Table:
    """The main numbers of the year and the two before (the year's own sections when given)."""
    years = [year - 2, year - 1, year]
    wanted = {section for section, _, _ in COMPARED}  # the earlier years: only the sections compared
    figures = {y: year_figures.year_figures(y, keys=wanted) for y in years[:2]}
    figures[year] = (
        {s.key: s.figures for s in sections} if sections is not None else year_figures.year_figures(year)
    )
    rows = [
        [label, *[figures[y].get(section, {}).get(key, 0) for y in years]]
        for section, key, label in COMPARED
        if section in figures[year]
    ]
    return stats.Table(
        "year_compare", "近三年主要数字", ["项目", *[f"{y}年" for y in years]], rows, series=(1, 2, 3)
    )


def section_table(section) -> stats.Table:
    """A line of work as a table (and chart): each of its numbers."""
    rows = [[label, value] for label, value, _link in year_figures.section_rows(section) if _is_number(value)]
    return stats.Table(section.key, section.title, ["项目", "数字"], rows)


def member_table(year: int, *, limit: int | None = None) -> stats.Table:
    """Per-member duty person-times of the year (attendance only, as the year's figures count them), from
    the yearly scores; the first `limit` members only when given (the page shows the top 30)."""
    from members.selectors import duty_person_times_by_member

    rows = duty_person_times_by_member(year, limit=limit)
    return stats.Table(
        "members",
        "委员履职人次",
        ["委员", "界别", "人次"],
        [[r["member__name"], r["member__sector__name"] or "", r["person_times"]] for r in rows],
        series=(2,),
    )


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _tables(year: int, sections, *, member_limit: int | None = None) -> dict:
    tables = {s.key: section_table(s) for s in sections}
    tables["year_compare"] = comparison(year, sections)
    tables["members"] = member_table(year, limit=member_limit)
    return tables


def _year(request) -> int:
    try:
        return year_param(request.GET)
    except DomainError as exc:
        raise Http404(exc.message) from None


@role_required(Role.STAFF, Role.LEADER)
def year_page(request):
    year = _year(request)
    sections = year_figures.year_sections(year)
    tables = _tables(year, sections, member_limit=TOP_MEMBERS)
    for section in sections:
        section.rows = year_figures.section_rows(section)
        section.table = tables[section.key]
    members = tables["members"]
    context = {
        "year": year,
        "sections": sections,
        "table": tables["year_compare"],
        "members": members,
        "top_members": members.rows[:TOP_MEMBERS],
        "duty": next((s.figures for s in sections if s.key == "duty"), {}),
        "charts": {key: t.chart_spec() for key, t in tables.items() if key != "members"},
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
    key = request.GET.get("table") or "year_compare"
    table = _tables(year, year_figures.year_sections(year)).get(key)
    if table is None:
        raise Http404
    name = f"{table.title}（{year}年）"
    if fmt == "csv":
        return _download(stats.table_csv(table), "text/csv; charset=utf-8", f"{name}.csv")
    if fmt == "xlsx":
        return _download(stats.table_xlsx(table, heading=name), XLSX, f"{name}.xlsx")
    raise Http404
