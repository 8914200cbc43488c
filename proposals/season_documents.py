"""The 交办单 (DOCX) of one department for the 交办会 (issue 19)."""

import io

from django.conf import settings
from django.utils import timezone


def assignment_sheet_rows(department, *, term=None, plenary=None):
    """The department's (not cancelled) assignments, one query, ordered by proposal number."""
    from .models import Assignment

    qs = (
        Assignment.objects.filter(department=department)
        .exclude(state=Assignment.State.CANCELLED)
        .select_related("proposal", "proposal__proposer", "proposal__category")
        .only(
            "role",
            "due_date",
            "assigned_at",
            "proposal__number",
            "proposal__serial",
            "proposal__title",
            "proposal__kind",
            "proposal__organization",
            "proposal__proposer__name",
            "proposal__category__name",
        )
    )
    if term:
        qs = qs.filter(proposal__term_id=term)
    if plenary:
        qs = qs.filter(proposal__plenary_id=plenary)
    return list(qs.order_by("proposal__serial", "proposal_id", "id"))


def assignment_sheet_docx(department, rows) -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Pt

    document = Document()
    normal = document.styles["Normal"]
    normal.font.name = "仿宋"
    normal.font.size = Pt(12)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "仿宋")
    committee = getattr(settings, "COMMITTEE_NAME", "") or "政协"
    heading = document.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = heading.add_run(f"{committee}提案交办单")
    run.bold = True
    run.font.size = Pt(20)
    document.add_paragraph(f"承办单位：{department.name}")
    document.add_paragraph(f"交办提案共{len(rows)}件（{timezone.localdate():%Y年%m月%d日}）")
    table = document.add_table(rows=1, cols=6)
    table.style = "Table Grid"
    for cell, text in zip(
        table.rows[0].cells, ["序号", "提案编号", "案由", "提案人", "办理方式", "办理期限"], strict=True
    ):
        cell.text = text
    for n, task in enumerate(rows, start=1):
        p = task.proposal
        proposer = p.organization if p.kind == "collective" else (p.proposer.name if p.proposer_id else "")
        values = [str(n), p.number, p.title, proposer, task.get_role_display(), f"{task.due_date:%Y-%m-%d}"]
        for cell, text in zip(table.add_row().cells, values, strict=True):
            cell.text = text
    document.add_paragraph("")
    document.add_paragraph("请按期办理并答复提案人，办理中请与提案人面商沟通。")
    document.add_paragraph("签收人：                  签收日期：")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
