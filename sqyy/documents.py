"""Printable 社情民意 documents: an issue of 《社情民意》 as DOCX, and the year's list as Excel."""

import io

from django.conf import settings

from zhengxie import exports


def bulletin_docx(bulletin) -> bytes:
    """The usual journal layout: the masthead (title, issue number, editor and date over a red rule),
    the editor's note, each report with its title, text and reflector, and the 报送 line at the foot.

    `bulletin` should come from selectors.access_bulletin (items and reports prefetched)."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt, RGBColor

    red = RGBColor(0xC0, 0x00, 0x00)

    def run(paragraph, text: str, font: str, size: float, bold: bool = False, color=None):
        r = paragraph.add_run(exports.doc_text(text))
        r.font.name, r.font.size, r.bold = font, Pt(size), bold
        r._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font)
        if color is not None:
            r.font.color.rgb = color
        return r

    def rule(paragraph, *, top: bool = False):
        """A red line under (or over) the paragraph, as journals print below the masthead."""
        borders = OxmlElement("w:pBdr")
        edge = OxmlElement("w:top" if top else "w:bottom")
        for key, value in (("w:val", "single"), ("w:sz", "18"), ("w:space", "1"), ("w:color", "C00000")):
            edge.set(qn(key), value)
        borders.append(edge)
        paragraph._p.get_or_add_pPr().append(borders)

    committee = settings.COMMITTEE_SHORT_NAME
    document = Document()
    section = document.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    normal = document.styles["Normal"]
    normal.font.name, normal.font.size = "仿宋", Pt(16)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "仿宋")

    masthead = document.add_paragraph()
    masthead.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run(masthead, bulletin.title, "方正小标宋简体", 42, bold=True, color=red)
    issue = document.add_paragraph()
    issue.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run(issue, f"{bulletin.year}年第{bulletin.number}期", "楷体", 16)
    byline = document.add_paragraph()
    rule(byline)
    run(byline, f"{committee}办公室编", "仿宋", 14)
    run(byline, "\t" * 4 + f"{bulletin.date.year}年{bulletin.date.month}月{bulletin.date.day}日", "仿宋", 14)

    if bulletin.editor_note:
        note = document.add_paragraph()
        run(note, "编者按：", "黑体", 16)
        run(note, bulletin.editor_note, "楷体", 16)

    items = list(bulletin.items.all())
    if len(items) > 1:
        contents = document.add_paragraph()
        run(contents, "本期目录", "黑体", 16)
        for item in items:
            line = document.add_paragraph()
            run(line, f"{item.order}. {item.report.final_title}", "仿宋", 14)

    for item in items:
        report = item.report
        heading = document.add_paragraph()
        heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
        heading.paragraph_format.space_before = Pt(18)
        run(heading, report.final_title, "方正小标宋简体", 22, bold=True)
        for text in report.final_content.splitlines():
            if text.strip():
                body = document.add_paragraph()
                body.paragraph_format.first_line_indent = Pt(32)
                run(body, text.strip(), "仿宋", 16)
        source = document.add_paragraph()
        source.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        run(
            source,
            f"（{report.get_reflector_kind_display() if report.reflector_kind != 'member' else '委员'}"
            f"{report.reflector_display}反映）",
            "楷体",
            14,
        )

    foot = document.add_paragraph()
    foot.paragraph_format.space_before = Pt(24)
    rule(foot, top=True)
    run(foot, f"报送：{bulletin.forwarded_to or '市委、市政府主要领导，上级政协'}", "仿宋", 14)
    sent = document.add_paragraph()
    rule(sent)
    run(sent, f"{committee}办公室", "仿宋", 14)
    run(
        sent, "\t" * 4 + f"{bulletin.date.year}年{bulletin.date.month}月{bulletin.date.day}日印发", "仿宋", 14
    )

    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


YEAR_LIST_HEADERS = [
    "期号",
    "刊发日期",
    "序号",
    "标题",
    "反映人",
    "反映人类型",
    "类别",
    "急事急报",
    "状态",
    "报送",
    "上级采用",
    "批示",
]


def year_list_rows(items) -> list[list]:
    rows = []
    for item in items:
        report, bulletin = item.report, item.bulletin
        rows.append(
            [
                bulletin.issue_label,
                bulletin.date.isoformat(),
                item.order,
                report.final_title,
                report.reflector_display,
                report.get_reflector_kind_display(),
                report.category,
                "是" if report.is_urgent else "",
                report.get_state_display(),
                "；".join(f"{f.date:%Y-%m-%d} {f.to}" for f in report.forwardings.all()),
                "；".join(f"{u.body}{u.get_kind_display()}" for u in report.upper_adoptions.all()),
                "；".join(
                    f"{i.get_level_display()} {i.leader}（{i.date:%Y-%m-%d}）"
                    for i in report.instructions.all()
                ),
            ]
        )
    return rows


def year_list_xlsx(year: int) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from .selectors import year_list

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = f"{year}年刊发目录"
    exports.append(sheet, YEAR_LIST_HEADERS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in year_list_rows(year_list(year)):
        exports.append(sheet, row)
    for column, width in zip("ABCDEFGHIJKL", (14, 12, 6, 40, 14, 12, 10, 8, 10, 30, 24, 30), strict=True):
        sheet.column_dimensions[column].width = width
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
