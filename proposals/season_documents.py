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


# --- the Excel of all assignments for the 交办会 -----------------------------------------------------

ALL_ASSIGNMENTS_HEADER = [
    "序号",
    "提案编号",
    "案由",
    "提案人",
    "承办单位",
    "办理方式",
    "办理期限",
    "交办时间",
    "状态",
]


def all_assignments_rows(*, term=None, plenary=None, year=None):
    """Every (not cancelled) assignment of a plenary / term / year, with the proposal's confirmed co-signers;
    three queries whatever the number of rows, ordered by proposal number then role."""
    from django.db.models import Prefetch

    from .models import Assignment, Cosigner

    qs = (
        Assignment.objects.exclude(state=Assignment.State.CANCELLED)
        .select_related("proposal", "proposal__proposer", "department")
        .only(
            "role",
            "state",
            "due_date",
            "assigned_at",
            "proposal_id",
            "department__name",
            "proposal__number",
            "proposal__serial",
            "proposal__title",
            "proposal__kind",
            "proposal__organization",
            "proposal__proposer__name",
        )
        .prefetch_related(
            Prefetch(
                "proposal__cosigners",
                queryset=Cosigner.objects.filter(status=Cosigner.Status.CONFIRMED)
                .select_related("member")
                .only("proposal_id", "member__name", "order")
                .order_by("order", "id"),
                to_attr="confirmed_cosigners",
            )
        )
    )
    if term:
        qs = qs.filter(proposal__term_id=term)
    if plenary:
        qs = qs.filter(proposal__plenary_id=plenary)
    if year:
        qs = qs.filter(stat_year=year)
    role_order = {Assignment.Role.LEAD: 0, Assignment.Role.SEPARATE: 1, Assignment.Role.CO: 2}
    rows = list(qs.order_by("proposal__serial", "proposal_id", "id"))
    rows.sort(key=lambda a: (a.proposal.serial or 0, a.proposal_id, role_order.get(a.role, 9), a.pk))
    return rows


def all_assignments_xlsx(rows, *, heading: str) -> bytes:
    """One sheet: every assignment a row; every text cell through zhengxie.exports (formulas stay text)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from zhengxie.exports import append

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "交办清单"
    append(sheet, [heading])
    sheet["A1"].font = Font(bold=True, size=14)
    append(sheet, ALL_ASSIGNMENTS_HEADER)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for n, a in enumerate(rows, start=1):
        p = a.proposal
        proposers = [p.proposer_display] + [c.member.name for c in getattr(p, "confirmed_cosigners", [])]
        append(
            sheet,
            [
                n,
                p.number,
                p.title,
                "、".join(name for name in proposers if name),
                a.department.name,
                a.get_role_display(),
                a.due_date,
                timezone.localtime(a.assigned_at).replace(tzinfo=None) if a.assigned_at else None,
                a.get_state_display(),
            ],
        )
        sheet.cell(row=n + 2, column=7).number_format = "yyyy-mm-dd"
        sheet.cell(row=n + 2, column=8).number_format = "yyyy-mm-dd hh:mm"
    for column, width in zip("ABCDEFGHI", (6, 18, 48, 24, 24, 10, 12, 18, 12), strict=True):
        sheet.column_dimensions[column].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def all_assignments_file(*, term=None, plenary=None, year=None) -> tuple[bytes, str]:
    from members.models import Plenary, Term

    committee = getattr(settings, "COMMITTEE_NAME", "") or "政协"
    if plenary and (found := Plenary.objects.select_related("term").filter(pk=plenary).first()):
        scope = f"{found.term.name}{found.name}"
    elif term and (found := Term.objects.filter(pk=term).first()):
        scope = found.name
    elif year:
        scope = f"{year}年"
    else:
        scope = "全部"
    rows = all_assignments_rows(term=term, plenary=plenary, year=year)
    heading = f"{committee}提案交办清单（{scope}，共{len(rows)}项）"
    return all_assignments_xlsx(rows, heading=heading), f"提案交办清单_{scope}.xlsx"
