"""The year's figures for the 常委会工作报告, every one counted from the records of that calendar year.

Counting rules (API.md "Statistics"): a meeting counts when held, by its start; the opinions on the work
reports by their meeting; a topic's suggestions by its plan's year; activities by their date; person-times
by attendance (a confirmed duty record whose detail is not 请假/缺席). Each line of work is one section:
its figures, the list each figure counts (a URL), and its paragraph in the register of a work report.
Sections of apps that are not installed are simply absent; lives in proposals, the top app, so it may read
every other app.
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.apps import apps
from django.db.models import Count, Q, Sum

from consultations.models import SESSION_TYPES, ConsultationType, Meeting, ReportOpinion, ResearchActivity
from members.models import DutyRecord, Member
from members.selectors import duty_attendance
from zhengxie.figures_cache import remembered_figures
from zhengxie.paging import capped_count

from .stats import Scope, proposal_totals


@dataclass
class Section:
    key: str
    title: str
    figures: dict
    links: dict = field(default_factory=dict)
    paragraph: str = ""


def _held(year: int):
    return Meeting.objects.filter(state=Meeting.State.HELD, start__year=year)


def _n(value) -> int:
    return int(value or 0)


def meetings_section(year: int) -> Section:
    held = _held(year)
    plenary = held.filter(type=ConsultationType.PLENARY)
    figures = {
        # A plenary (会次) is counted once however many sittings it held; sittings are given too.
        "plenary": plenary.exclude(plenary__isnull=True).values("plenary").distinct().count()
        + plenary.filter(plenary__isnull=True).count(),
        "plenary_sittings": plenary.count(),
        "standing_committee": held.filter(type=ConsultationType.STANDING_COMMITTEE).count(),
        "chair_meeting": held.filter(type=ConsultationType.CHAIR_MEETING).count(),
    }
    base = f"/workbench/consultations/meetings/?state=held&year={year}&type="
    links = {
        "plenary": base + "plenary",
        "plenary_sittings": base + "plenary",
        "standing_committee": base + "standing_committee",
        "chair_meeting": base + "chair_meeting",
    }
    text = (
        f"召开全体会议{figures['plenary']}次、常务委员会会议{figures['standing_committee']}次、"
        f"主席（扩大）会议{figures['chair_meeting']}次。"
    )
    return Section("meetings", "会议", figures, links, text)


CONSULTATION_TYPES = [t for t in ConsultationType if t not in (ConsultationType.CHAIR_MEETING,)]


def consultations_section(year: int) -> Section:
    from consultations.models import Topic

    meetings = dict(
        _held(year)
        .filter(Q(topic__isnull=False) | ~Q(type__in=list(SESSION_TYPES)))
        .values_list("type")
        .annotate(n=Count("id"))
    )
    suggestions = dict(
        Topic.objects.filter(plan__year=year, outcome__isnull=False)
        .values_list("type")
        .annotate(n=Sum("outcome__suggestion_count"))
    )
    figures = {
        t.value: {"meetings": _n(meetings.get(t.value)), "suggestions": _n(suggestions.get(t.value))}
        for t in CONSULTATION_TYPES
    }
    links = {
        t.value: {
            "meetings": f"/workbench/consultations/meetings/?state=held&year={year}&type={t.value}",
            "suggestions": f"/workbench/consultations/?year={year}",
        }
        for t in CONSULTATION_TYPES
    }
    parts = [
        f"{t.label}{figures[t.value]['meetings']}次"
        + (f"，提出意见建议{figures[t.value]['suggestions']}条" if figures[t.value]["suggestions"] else "")
        for t in CONSULTATION_TYPES
        if figures[t.value]["meetings"] or figures[t.value]["suggestions"]
    ]
    text = ("全年开展" + "；".join(parts) + "。") if parts else "本年度尚无协商活动记录。"
    return Section("consultations", "协商", figures, links, text)


def report_opinions_section(year: int) -> Section:
    counts = dict(
        ReportOpinion.objects.filter(meeting__start__year=year)
        .exclude(meeting__state=Meeting.State.CANCELLED)
        .values_list("report")
        .annotate(n=Count("id"))
    )
    figures = {r.value: _n(counts.get(r.value)) for r in ReportOpinion.Report}
    link = f"/workbench/consultations/meetings/?year={year}&type=plenary"
    text = (
        f"梳理归纳政府工作报告协商意见{figures['government']}条、法院工作报告协商意见{figures['court']}条、"
        f"检察院工作报告协商意见{figures['procuratorate']}条"
        + (f"、其他报告意见{figures['other']}条" if figures["other"] else "")
        + "。"
    )
    return Section("report_opinions", "工作报告讨论意见", figures, dict.fromkeys(figures, link), text)


def activities_section(year: int, *, attendance: dict | None = None) -> Section:
    """调研/视察 by their date (the consultation topics' and, when installed, the activities app's);
    民主监督、听证旁听、培训 in person-times from attendance (duty_attendance, read here unless given)."""
    research = ResearchActivity.objects.filter(date__year=year).aggregate(
        inspection=Count("pk", filter=Q(kind=ResearchActivity.Kind.INSPECTION)),
        research=Count("pk", filter=Q(kind=ResearchActivity.Kind.RESEARCH)),
    )
    attendance = attendance or duty_attendance(year)  # person-times from the yearly scores, not every record
    figures = {
        "inspection": research["inspection"],
        "research": research["research"],
        "supervision_person_times": attendance["by_kind"]["supervision"],
        "hearing_person_times": attendance["by_kind"]["hearing"],
        "training_person_times": attendance["by_kind"]["training"],
        "members_trained": attendance["members_by_kind"]["training"],
    }
    source = _provided("activities")
    if source is not None:  # the activities app's own 视察/调研 (cancelled ones left out)
        counts = source.activity_counts(year)
        figures["inspection"] += _n(counts.get("inspection"))
        figures["research"] += _n(counts.get("research"))
    serving = _serving_members()
    figures["training_coverage"] = _percent(figures["members_trained"], serving)
    duty = f"/workbench/duty/?year={year}&kind="
    links = {
        "inspection": f"/workbench/consultations/?year={year}",
        "research": f"/workbench/consultations/?year={year}",
        "supervision_person_times": duty + "supervision",
        "hearing_person_times": duty + "hearing",
        "training_person_times": duty + "training",
        "members_trained": duty + "training",
    }
    text = (
        f"完成调研课题{figures['research']}个、视察课题{figures['inspection']}个；"
        f"组织委员参加民主监督{figures['supervision_person_times']}人次、"
        f"重大事项决策听证和庭审旁听{figures['hearing_person_times']}人次，"
        f"参加学习培训{figures['training_person_times']}人次（{figures['members_trained']}名委员，"
        f"占委员总数的{figures['training_coverage']}%）。"
    )
    return Section("activities", "视察调研与履职活动", figures, links, text)


def opinion_reports_section(year: int) -> Section:
    from sqyy.selectors import opinion_year_counts

    stats = opinion_year_counts(year)
    figures = {
        "received": stats["received"],
        "adopted": stats["adopted"],
        "published_issues": stats["published_issues"],
        "instructions": stats["instructions"],
    }
    links = {
        "received": f"/workbench/opinions/?year={year}",
        "adopted": f"/workbench/opinions/?year={year}&state=adopted",
        "published_issues": f"/workbench/opinions/bulletins/?year={year}",
        "instructions": f"/workbench/opinions/?year={year}",
    }
    text = (
        f"收到社情民意信息{figures['received']}条，采用{figures['adopted']}条，"
        f"编辑《社情民意》{figures['published_issues']}期，获领导批示{figures['instructions']}次。"
    )
    return Section("opinion_reports", "社情民意", figures, links, text)


def _provided(app: str):
    """An app's own `year_figures` module, when the app is installed and provides one."""
    from importlib import import_module
    from importlib.util import find_spec

    if not apps.is_installed(app) or find_spec(f"{app}.year_figures") is None:
        return None
    return import_module(f"{app}.year_figures")


def deliberations_section(year: int) -> Section | None:
    source = _provided("deliberations")
    return source.section(year, Section) if source else None


def cases_section(year: int) -> Section | None:
    source = _provided("activities")
    return source.cases_section(year, Section) if source else None


def _serving_members() -> int:
    """Members serving now (the same for every year a page shows): counted once per request, since the
    year page asks for it twice for each of its three years."""
    return capped_count(Member.objects.filter(status=Member.Status.SERVING), cap=10**9)[0]


def duty_section(year: int, *, attendance: dict | None = None) -> Section:
    """Person-times from the yearly scores (MemberYearScore keeps them per member as records change)."""
    attendance = attendance or duty_attendance(year)
    person_times, members = attendance["person_times"], attendance["members"]
    serving = _serving_members()
    average = (
        (Decimal(person_times) / serving).quantize(Decimal("0.1"), ROUND_HALF_UP) if serving else Decimal(0)
    )
    labels = dict(DutyRecord.Kind.choices)
    by_kind = attendance["by_kind"]
    figures = {
        "person_times": person_times,
        "members": members,
        "serving_members": serving,
        "average_per_member": float(average),
        "by_kind": [
            {"kind": kind, "name": labels.get(kind, kind), "person_times": n}
            for kind, n in by_kind.most_common()
        ],
    }
    links = {"person_times": f"/workbench/duty/?year={year}", "members": f"/workbench/duty/?year={year}"}
    text = f"委员全年参加各类履职活动{person_times}人次，{members}名委员有履职记录，人均{average}次。"
    return Section("duty", "委员履职", figures, links, text)


def proposals_section(year: int) -> Section:
    # The totals of the rollups only (one query): this line needs no departments, categories or outcomes.
    stats = proposal_totals(Scope(year=year))
    keys = [
        "received",
        "registered",
        "registration_rate",
        "collective",
        "replied",
        "reply_rate",
        "satisfaction_rate",
    ]
    figures = {k: stats.get(k) for k in keys}
    links = {
        "received": f"/workbench/proposals/all/?year={year}",
        "registered": f"/workbench/proposals/all/?year={year}&state=registered",
    }
    text = (
        f"收到提案{stats['received']}件，经审查立案{stats['registered']}件"
        f"（立案率{stats['registration_rate']}%），已办复{stats['replied']}件，办复率{stats['reply_rate']}%。"
    )
    return Section("proposals", "提案", figures, links, text)


# (key, section) in the report's order; a section of an app not installed gives None.
SECTIONS = [
    ("meetings", meetings_section),
    ("consultations", consultations_section),
    ("report_opinions", report_opinions_section),
    ("activities", activities_section),
    ("opinion_reports", opinion_reports_section),
    ("deliberations", deliberations_section),
    ("cases", cases_section),
    ("duty", duty_section),
    ("proposals", proposals_section),
]


@remembered_figures
def year_sections(year: int, *, keys=None) -> list[Section]:
    """The year's sections (only those of `keys` when given: the comparison reads a few)."""
    wanted = [key for key, _ in SECTIONS if keys is None or key in keys]
    shared = {}
    if {"activities", "duty"} & set(wanted):  # both read the year's attendance: once
        shared["attendance"] = duty_attendance(year)
    sections = []
    for key, make in SECTIONS:
        if key in wanted:
            section = make(year, **shared) if key in ("activities", "duty") else make(year)
            if section is not None:
                sections.append(section)
    return sections


def year_figures(year: int, *, keys=None) -> dict:
    """`GET /stats/year/`: {"year", <section key>: figures, …}."""
    sections = year_sections(year, keys=keys)
    return {"year": year, **{s.key: s.figures for s in sections}}


def _percent(part: int, whole: int) -> float:
    if not whole:
        return 0.0
    return float((Decimal(part) * 100 / whole).quantize(Decimal("0.1"), ROUND_HALF_UP))


def year_report_docx(year: int) -> bytes:
    """The 常委会工作报告 statistics draft: one paragraph per line of work, in Word for staff to edit."""
    import io

    from django.conf import settings
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Pt

    def font(run, name, size, bold=False):
        run.font.name, run.font.size, run.bold = name, Pt(size), bold
        run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)

    committee = getattr(settings, "COMMITTEE_NAME", "") or "政协"
    document = Document()
    heading = document.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    font(heading.add_run(f"{committee}常务委员会{year}年工作报告"), "方正小标宋简体", 18, bold=True)
    sub = document.add_paragraph()
    sub.alignment = WD_ALIGN_PARAGRAPH.CENTER
    font(sub.add_run("（统计数据部分·草稿）"), "楷体", 14)
    for section in year_sections(year):
        title = document.add_paragraph()
        font(title.add_run(section.title), "黑体", 14, bold=True)
        body = document.add_paragraph()
        body.paragraph_format.first_line_indent = Pt(32)
        font(body.add_run(section.paragraph), "仿宋", 16)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


FIGURE_LABELS = {
    "plenary": "全体会议（会次）",
    "plenary_sittings": "全体会议场次",
    "standing_committee": "常委会议",
    "chair_meeting": "主席会议",
    "meetings": "活动次数",
    "suggestions": "意见建议条数",
    "government": "政府工作报告",
    "court": "法院工作报告",
    "procuratorate": "检察院工作报告",
    "other": "其他报告",
    "inspection": "视察课题",
    "research": "调研课题",
    "supervision_person_times": "民主监督人次",
    "hearing_person_times": "听证旁听人次",
    "training_person_times": "培训人次",
    "members_trained": "参加培训委员",
    "training_coverage": "培训覆盖率（%）",
    "received": "收到",
    "adopted": "采用",
    "published_issues": "编辑期数",
    "instructions": "获批示",
    "person_times": "履职人次",
    "members": "有履职记录的委员",
    "serving_members": "在任委员",
    "average_per_member": "人均履职次数",
    "registered": "立案",
    "registration_rate": "立案率（%）",
    "collective": "集体提案",
    "replied": "已办复",
    "reply_rate": "办复率（%）",
    "satisfaction_rate": "满意率（%）",
    "count": "次数",
    "posts": "发言条数",
    "opened": "受理",
    "resolved": "办结",
}


def section_rows(section: Section) -> list[tuple[str, object, str]]:
    """(label, value, link) for each number of a section, flattened for the page."""
    type_labels = dict(ConsultationType.choices)
    rows = []
    for key, value in section.figures.items():
        link = section.links.get(key, "")
        if isinstance(value, dict):
            for sub, number in value.items():
                sub_link = link.get(sub, "") if isinstance(link, dict) else link
                rows.append(
                    (f"{type_labels.get(key, key)} · {FIGURE_LABELS.get(sub, sub)}", number, sub_link)
                )
        elif isinstance(value, list):
            for item in value:
                rows.append((item["name"], item["person_times"], section.links.get("person_times", "")))
        else:
            rows.append((FIGURE_LABELS.get(key, key), value, link))
    return rows
