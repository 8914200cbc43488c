"""DOCX of the approved yearly consultation plan, ready to print."""

import io

from django.conf import settings
from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from zhengxie import exports

from .models import ConsultationPlan


def _run(paragraph, text, font: str, size: float, bold: bool = False):
    return _east_asian(paragraph.add_run(exports.doc_text(text)), font, size, bold)


def _east_asian(run, font: str, size: float, bold: bool = False):
    run.font.name = font
    run.font.size = Pt(size)
    run.bold = bold
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font)
    return run


def plan_docx(plan: ConsultationPlan, topics) -> bytes:
    """The plan as the office prints it: title, the decision line, then one table row per topic.

    `topics` from selectors.plan_topics (committee and departments prefetched)."""
    committee = settings.COMMITTEE_NAME
    document = Document()
    section = document.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.top_margin = section.bottom_margin = Cm(2.5)
    section.left_margin = section.right_margin = Cm(2.2)
    normal = document.styles["Normal"]
    normal.font.name = "仿宋"
    normal.font.size = Pt(12)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "仿宋")

    heading = document.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(heading, committee, "宋体", 16, bold=True)
    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(title, plan.title, "方正小标宋简体", 20, bold=True)
    if plan.approved_on:
        decided = document.add_paragraph()
        decided.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _run(decided, f"（{plan.approved_on:%Y年%m月%d日}经党委审定）", "楷体", 14)

    topics = list(topics)
    table = document.add_table(rows=1, cols=6)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(
        table.rows[0].cells,
        ["序号", "协商议题", "协商形式", "牵头专委会", "协同单位", "计划时间"],
        strict=True,
    ):
        _run(cell.paragraphs[0], text, "黑体", 11, bold=True)
    for n, topic in enumerate(topics, start=1):
        cells = table.add_row().cells
        values = [
            str(n),
            topic.title,
            topic.get_type_display(),
            topic.lead_committee.name if topic.lead_committee_id else "",
            "、".join(d.name for d in topic.departments.all()),
            f"{topic.planned_month}月" if topic.planned_month else "全年",
        ]
        for cell, text in zip(cells, values, strict=True):
            _run(cell.paragraphs[0], text, "仿宋", 11)
    document.add_paragraph()
    footer = document.add_paragraph()
    footer.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _run(footer, f"共{len(topics)}项协商议题", "仿宋", 12)

    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
