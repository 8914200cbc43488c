"""成果专报 draft (DOCX) of a summarized deliberation, for the 党委/政府."""

import io

from django.conf import settings
from django.utils import timezone
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

CHINESE_NUMBERS = "一二三四五六七八九十"


def chinese_number(n: int) -> str:
    if n <= 10:
        return CHINESE_NUMBERS[n - 1]
    if n < 20:
        return "十" + (CHINESE_NUMBERS[n - 11] if n > 10 else "")
    tens, ones = divmod(n, 10)
    return CHINESE_NUMBERS[tens - 1] + "十" + (CHINESE_NUMBERS[ones - 1] if ones else "")


def _run(paragraph, text: str, font: str, size: float, bold: bool = False):
    run = paragraph.add_run(text)
    run.font.name = font
    run.font.size = Pt(size)
    run.bold = bold
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font)
    return run


def summary_docx(deliberation, suggestions) -> bytes:
    """Title, the counts, the summary, then 一、二、… one suggestion each with the members it draws on.

    `deliberation` from selectors.access_deliberation (post_count, participant_count annotated);
    `suggestions` from selectors.deliberation_suggestions."""
    committee = getattr(settings, "COMMITTEE_NAME", "") or "政协"
    document = Document()
    section = document.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.top_margin = section.bottom_margin = Cm(2.5)
    section.left_margin = section.right_margin = Cm(2.6)
    normal = document.styles["Normal"]
    normal.font.name = "仿宋"
    normal.font.size = Pt(16)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "仿宋")

    head = document.add_paragraph()
    head.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(head, f"{committee}成果专报（草稿）", "宋体", 16, bold=True)
    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(title, f"关于“{deliberation.title}”网络议政情况的报告", "方正小标宋简体", 22, bold=True)

    opens = timezone.localtime(deliberation.opens_at)
    closes = timezone.localtime(deliberation.closed_at or deliberation.closes_at)
    intro = document.add_paragraph(
        f"{opens:%Y年%m月%d日}至{closes:%m月%d日}，{committee}围绕“{deliberation.title}”开展网络议政，"
        f"{getattr(deliberation, 'participant_count', 0)}名委员受邀参与，共收到发言"
        f"{getattr(deliberation, 'post_count', 0)}条，经梳理形成建议{len(suggestions)}条。"
    )
    intro.paragraph_format.first_line_indent = Pt(32)
    for line in (deliberation.summary or "").splitlines():
        if line.strip():
            paragraph = document.add_paragraph(line.strip())
            paragraph.paragraph_format.first_line_indent = Pt(32)

    for suggestion in suggestions:
        paragraph = document.add_paragraph()
        paragraph.paragraph_format.first_line_indent = Pt(32)
        _run(paragraph, f"{chinese_number(suggestion.number)}、", "黑体", 16)
        paragraph.add_run(suggestion.content)
        names = []
        for post in suggestion.posts.all():
            label = post.author_label
            if label not in names:
                names.append(label)
        if names:
            source = document.add_paragraph()
            source.paragraph_format.first_line_indent = Pt(32)
            _run(source, f"（据{'、'.join(names)}的发言整理）", "楷体", 14)

    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
