"""DOCX of the after-the-reply records (issue 20): the year's 优秀提案 and 优秀承办单位 list."""


def awards_docx(year: int) -> bytes:
    """The award list: a heading, a table of 优秀提案 (编号、案由、提案人、奖项、评语), then 优秀承办单位."""
    import io

    from django.conf import settings
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Pt

    from .after_selectors import awards, department_awards

    committee = getattr(settings, "COMMITTEE_NAME", "") or "政协"
    document = Document()
    normal = document.styles["Normal"]
    normal.font.name = "仿宋"
    normal.font.size = Pt(12)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "仿宋")
    heading = document.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = heading.add_run(f"{committee}{year}年度优秀提案和优秀承办单位名单")
    run.bold, run.font.size = True, Pt(18)

    document.add_paragraph("一、优秀提案")
    rows = list(awards(year))
    table = document.add_table(rows=1, cols=5)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, ["编号", "案由", "提案人", "奖项", "评语"], strict=True):
        cell.text = text
    for award in rows:
        p = award.proposal
        for cell, text in zip(
            table.add_row().cells,
            [p.number, p.title, p.proposer_display, award.title, award.citation],
            strict=True,
        ):
            cell.text = text or ""
    if not rows:
        document.add_paragraph("（本年度无）")

    document.add_paragraph("二、优秀承办单位")
    units = list(department_awards(year))
    table = document.add_table(rows=1, cols=3)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, ["承办单位", "奖项", "评语"], strict=True):
        cell.text = text
    for award in units:
        for cell, text in zip(
            table.add_row().cells, [award.department.name, award.title, award.citation], strict=True
        ):
            cell.text = text or ""
    if not units:
        document.add_paragraph("（本年度无）")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
