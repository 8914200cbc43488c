"""Printable 履职 documents: the annual 履职报告 (DOCX) per member, a zip for a sector, and the year's
scores as Excel. Everything a document needs is read up front in a constant number of queries."""

from __future__ import annotations

import io
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone

from zhengxie import exports

from . import scoring
from .models import DutyRecord, Member, ScoringRule


@dataclass
class ReportData:
    member: Member
    year: int
    row: scoring.ScoreRow
    scheme: scoring.Scheme
    records: list = field(default_factory=list)
    ranked_count: int = 0


def report_data(members: list[Member], year: int) -> list[ReportData]:
    """Report data of several members of one year: scheme, ranking, breakdown and records — four queries."""
    scheme = scoring.scheme_for(year)
    rows = scoring.year_scores(year, scheme=scheme)
    by_id = {r.member_id: r for r in rows}
    wanted = []
    for m in members:
        row = by_id.get(m.pk) or scoring.unranked_row(m, rows, names=False)
        wanted.append(row)
    scoring.with_breakdown(scheme, wanted)
    records = defaultdict(list)
    for r in (
        DutyRecord.objects.filter(member__in=members, date__year=year, status=DutyRecord.Status.CONFIRMED)
        .select_related("content_type")
        .prefetch_related("source")
        .order_by("date", "id")
    ):
        records[r.member_id].append(r)
    return [
        ReportData(member=m, year=year, row=row, scheme=scheme, records=records[m.pk], ranked_count=len(rows))
        for m, row in zip(members, wanted, strict=True)
    ]


def _east_asian(run, font: str, size: float, bold: bool = False):
    from docx.oxml.ns import qn
    from docx.shared import Pt

    run.font.name = font
    run.font.size = Pt(size)
    run.bold = bold
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font)
    return run


def _table(document, header: list[str], rows: list[list[str]]):
    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = ""
        _east_asian(cell.paragraphs[0].add_run(exports.doc_text(text)), "黑体", 11, bold=True)
    for values in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, values, strict=True):
            cell.text = ""
            _east_asian(cell.paragraphs[0].add_run(exports.doc_text(text)), "仿宋", 11)
    return table


def duty_report_docx(data: ReportData) -> bytes:
    """The annual 履职报告 of one member: particulars, score and rank, 三个一, contact targets, records."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    m, row, scheme = data.member, data.row, data.scheme
    committee = settings.COMMITTEE_SHORT_NAME
    document = Document()
    section = document.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.left_margin = section.right_margin = Cm(2.6)
    normal = document.styles["Normal"]
    normal.font.name = "仿宋"
    normal.font.size = Pt(12)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "仿宋")

    heading = document.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _east_asian(heading.add_run(f"{committee}委员{data.year}年度履职报告"), "宋体", 20, bold=True)

    _table(
        document,
        ["姓名", "界别", "党派", "委员职务"],
        [
            [
                m.name,
                m.sector.name if m.sector_id else "",
                m.party.name if m.party_id else "",
                m.get_position_display(),
            ]
        ],
    )

    document.add_paragraph()
    _east_asian(document.add_paragraph().add_run("一、履职积分"), "黑体", 14, bold=True)
    rank = f"第{row.rank}名（共{data.ranked_count}人）" if row.rank else "不参加排名"
    _table(document, ["年度总分", "名次", "等次"], [[f"{row.total}", rank, row.grade_text]])
    groups = dict(ScoringRule.Group.choices)
    _table(
        document,
        ["计分项目", "得分", "封顶"],
        [
            [
                groups[g],
                f"{row.by_group.get(g, scoring.Decimal('0'))}",
                "" if scheme.caps.get(g) is None else f"{scheme.caps[g]}",
            ]
            for g in ScoringRule.Group.values
        ],
    )

    _east_asian(document.add_paragraph().add_run("二、“三个一”与联系界别群众"), "黑体", 14, bold=True)
    labels = dict(scoring.THREE_ONES)
    lines = [[labels[k], "已完成" if met else "未完成"] for k, met in row.three_ones.items()]
    lines.append(
        [
            f"联系界别群众活动（每季度{scheme.contact_quarter_target}次）",
            f"{row.contact_quarters}/4 个季度",
        ]
    )
    lines.append([f"联系群众人数（全年{scheme.contact_people_target}人）", f"{row.contact_people}人"])
    _table(document, ["项目", "完成情况"], lines)

    _east_asian(document.add_paragraph().add_run("三、履职记录"), "黑体", 14, bold=True)
    if data.records:
        _table(
            document,
            ["日期", "类型", "内容", "分值"],
            [
                [
                    f"{r.date:%Y-%m-%d}",
                    r.get_kind_display(),
                    str(r.source) if r.source is not None else (r.note[:60] or r.detail_label),
                    f"{scheme.points_of(r)}",
                ]
                for r in data.records
            ],
        )
    else:
        document.add_paragraph("本年度暂无已确认的履职记录。")

    footer = document.add_paragraph()
    footer.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    footer.add_run(f"{committee}办公室　{timezone.localdate():%Y年%m月%d日}")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def duty_reports_zip(datas: list[ReportData], out, *, progress=None) -> None:
    """Every member's 履职报告 of a sector in one zip written into the binary file `out`, one DOCX each
    (names made unique); `progress(done, total)` after each."""
    seen: dict[str, int] = {}
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for done, data in enumerate(datas, start=1):
            # No control character or path separator from a stored name in the archive's entry names.
            person = exports.doc_text(data.member.name).replace("/", "／").replace("\\", "＼")
            base = f"{data.year}年度履职报告-{person}"
            seen[base] = seen.get(base, 0) + 1
            name = base if seen[base] == 1 else f"{base}-{data.member.pk}"
            archive.writestr(f"{name}.docx", duty_report_docx(data))
            if progress is not None:
                progress(done, len(datas))


def scores_xlsx(year: int, rows: list[scoring.ScoreRow], scheme: scoring.Scheme) -> bytes:
    """The year's ranking as an Excel sheet; `rows` should carry their breakdown (with_breakdown)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    groups = ScoringRule.Group
    book = Workbook()
    sheet = book.active
    sheet.title = f"{year}年度履职积分"
    header = [
        "名次",
        "姓名",
        "界别",
        "党派",
        "总分",
        "等次",
        *groups.labels,
        "三个一",
        "联系季度数",
        "联系人数",
        "低于提醒线",
    ]
    exports.append(sheet, header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for r in rows:
        exports.append(
            sheet,
            [
                r.rank,
                r.name,
                r.sector,
                r.party,
                float(r.total),
                r.grade_text,
                *[float(r.by_group.get(g, 0)) for g in groups.values],
                "已完成" if r.three_ones_met else "未完成",
                r.contact_quarters,
                r.contact_people,
                "是" if r.below_line else "",
            ],
        )
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
