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


def all_assignments_queryset(*, term=None, plenary=None, year=None):
    """Every (not cancelled) assignment of a plenary / term / year, with the proposal's confirmed co-signers
    (prefetched per chunk when iterated), ordered by proposal number, then lead / separate / co."""
    from django.db.models import Case, IntegerField, Prefetch, Value, When

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
    role_rank = Case(
        When(role=Assignment.Role.LEAD, then=Value(0)),
        When(role=Assignment.Role.SEPARATE, then=Value(1)),
        When(role=Assignment.Role.CO, then=Value(2)),
        default=Value(9),
        output_field=IntegerField(),
    )
    return qs.order_by("proposal__serial", "proposal_id", role_rank, "id")


def _all_assignments_values(n, a) -> list:
    p = a.proposal
    proposers = [p.proposer_display] + [c.member.name for c in getattr(p, "confirmed_cosigners", [])]
    return [
        n,
        p.number,
        p.title,
        "、".join(name for name in proposers if name),
        a.department.name,
        a.get_role_display(),
        a.due_date,
        timezone.localtime(a.assigned_at).replace(tzinfo=None) if a.assigned_at else None,
        a.get_state_display(),
    ]


def write_all_assignments(qs, out, *, heading: str, progress=None, total: int = 0) -> None:
    """One sheet streamed into `out` (openpyxl's write-only mode, one server-side cursor): a heading, the
    header, every assignment a row; every text cell through zhengxie.exports (formulas stay text)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    from zhengxie.exports import EXPORT_CHUNK, row

    book = Workbook(write_only=True)
    sheet = book.create_sheet("交办清单")
    for column, width in zip("ABCDEFGHI", (6, 18, 48, 24, 24, 10, 12, 18, 12), strict=True):
        sheet.column_dimensions[column].width = width

    def styled(values, **style):
        cells = []
        for value in row(values):
            item = WriteOnlyCell(sheet, value=value)
            for key, setting in style.items():
                setattr(item, key, setting)
            cells.append(item)
        return cells

    sheet.append(styled([heading], font=Font(bold=True, size=14)))
    sheet.append(styled(ALL_ASSIGNMENTS_HEADER, font=Font(bold=True)))
    for n, assignment in enumerate(qs.iterator(chunk_size=EXPORT_CHUNK), start=1):
        cells = styled(_all_assignments_values(n, assignment))
        cells[6].number_format = "yyyy-mm-dd"
        cells[7].number_format = "yyyy-mm-dd hh:mm"
        sheet.append(cells)
        if progress is not None and n % EXPORT_CHUNK == 0:
            progress(n, total)
    book.save(out)


def _scope_name(*, term=None, plenary=None, year=None) -> str:
    from members.models import Plenary, Term

    if plenary and (found := Plenary.objects.select_related("term").filter(pk=plenary).first()):
        return f"{found.term.name}{found.name}"
    if term and (found := Term.objects.filter(pk=term).first()):
        return found.name
    return f"{year}年" if year else "全部"


def all_assignments_write(out, *, term=None, plenary=None, year=None, progress=None) -> str:
    """Write the Excel of all assignments of the scope into `out`; its file name."""
    committee = getattr(settings, "COMMITTEE_NAME", "") or "政协"
    scope = _scope_name(term=term, plenary=plenary, year=year)
    qs = all_assignments_queryset(term=term, plenary=plenary, year=year)
    total = qs.count()
    heading = f"{committee}提案交办清单（{scope}，共{total}项）"
    write_all_assignments(qs, out, heading=heading, progress=progress, total=total)
    return f"提案交办清单_{scope}.xlsx"


def all_assignments_file(*, term=None, plenary=None, year=None) -> tuple[bytes, str]:
    """The Excel built here and now, whatever its size (the background job and tests)."""
    out = io.BytesIO()
    name = all_assignments_write(out, term=term, plenary=plenary, year=year)
    return out.getvalue(), name


def all_assignments_download(user, *, term=None, plenary=None, year=None):
    """The Excel itself (bytes, name) up to EXPORT_INLINE_MAX_ROWS assignments; more (a whole year, or no
    scope at all: every assignment ever), a background job that builds it (the caller answers 202 / sends
    the user to the job page)."""
    from zhengxie.jobs.services import job_start

    scope = {"term": term, "plenary": plenary, "year": year}
    if all_assignments_queryset(**scope).count() > settings.EXPORT_INLINE_MAX_ROWS:
        return job_start(
            actor=user,
            kind="all_assignments",
            title=f"导出提案交办清单（{_scope_name(**scope)}）",
            params=scope,
        )
    return all_assignments_file(**scope)


def all_assignments_job(job, out, progress):
    """The background job: run with the permissions of the staff member who started it."""
    from zhengxie.accounts.models import Role
    from zhengxie.accounts.permissions import require_role
    from zhengxie.api_files import XLSX
    from zhengxie.jobs.kinds import Result

    require_role(job.owner, Role.STAFF)
    scope = {key: job.params.get(key) for key in ("term", "plenary", "year")}
    name = all_assignments_write(out, progress=progress, **scope)
    return Result(name=name, content_type=XLSX)
