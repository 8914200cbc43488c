"""The 调研报告 / 视察报告 (and the report of any other activity) as a DOCX, ready to print."""

import io

from django.conf import settings
from django.utils import timezone
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from .models import Activity

REPORT_NAMES = {
    Activity.Kind.RESEARCH: "调研报告",
    Activity.Kind.INSPECTION: "视察报告",
    Activity.Kind.SUPERVISION: "民主监督报告",
    Activity.Kind.TRAINING: "培训情况报告",
    Activity.Kind.RECEPTION: "委员接待日情况报告",
    Activity.Kind.HEARING: "听证旁听情况报告",
}


def report_name(activity: Activity) -> str:
    return REPORT_NAMES[activity.kind]


def _run(paragraph, text: str, font: str, size: float, bold: bool = False):
    run = paragraph.add_run(text)
    run.font.name = font
    run.font.size = Pt(size)
    run.bold = bold
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font)
    return run


def activity_report_docx(activity: Activity, participants) -> bytes:
    """Title, the facts of the activity (time, place, who took part), then the report text paragraph by
    paragraph and the number of suggestions. `participants` from selectors.activity_participants."""
    committee = getattr(settings, "COMMITTEE_NAME", "") or "政协"
    document = Document()
    section = document.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.top_margin = section.bottom_margin = Cm(2.5)
    section.left_margin = section.right_margin = Cm(2.2)
    normal = document.styles["Normal"]
    normal.font.name = "仿宋"
    normal.font.size = Pt(14)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "仿宋")

    heading = document.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(
        heading,
        f"{committee}关于“{activity.title}”的{report_name(activity)}",
        "方正小标宋简体",
        20,
        bold=True,
    )

    when = timezone.localtime(activity.start)
    present = [p.member.name for p in participants if p.status == "present"]
    facts = [
        f"活动类型：{activity.get_kind_display()}",
        f"时间：{when:%Y年%m月%d日 %H:%M}",
        f"地点：{activity.place or '—'}",
        f"参加委员：{'、'.join(present) or '—'}（共{len(present)}人）",
    ]
    if activity.topic_id:
        facts.append(f"协商议题：{activity.topic.title}")
    for line in facts:
        _run(document.add_paragraph(), line, "仿宋", 14)

    _run(document.add_paragraph(), "一、主要情况和建议", "黑体", 16, bold=True)
    for block in (activity.report_content or "（报告尚未填写）").splitlines():
        if block.strip():
            paragraph = document.add_paragraph()
            paragraph.paragraph_format.first_line_indent = Pt(28)
            _run(paragraph, block.strip(), "仿宋", 14)
    _run(document.add_paragraph(), f"共提出意见建议{activity.suggestion_count}条。", "仿宋", 14)

    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
