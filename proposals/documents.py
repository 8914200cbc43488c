"""DOCX documents of the proposals app."""


# --- 提案 form (standard printable 提案 form) -------------------------------------------------------


def proposal_form_docx(proposal) -> bytes:
    """The standard printable 提案 form: header, number, a table of the particulars, then the text.

    `proposal` should come from proposals.selectors (co-signers and assignments prefetched). Imports are
    local so this block stays independent of the rest of the module."""
    import io

    from django.utils import timezone
    from docx import Document
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    from zhengxie.exports import doc_text

    def east_asian(run, font: str, size: float, bold: bool = False):
        run.font.name = font
        run.font.size = Pt(size)
        run.bold = bold
        fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
        fonts.set(qn("w:eastAsia"), font)
        return run

    from zhengxie import committee

    if proposal.during_plenary and proposal.plenary_id:
        session = committee.session_name(proposal.term, proposal.plenary)
        raised = f"大会期间（{proposal.plenary.name}）"
    else:
        session = committee.session_name(proposal.term)
        raised = "闭会期间"

    document = Document()
    section = document.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.top_margin = section.bottom_margin = Cm(2.5)
    section.left_margin = section.right_margin = Cm(2.6)
    normal = document.styles["Normal"]
    normal.font.name = "仿宋"
    normal.font.size = Pt(14)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "仿宋")

    heading = document.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    east_asian(heading.add_run(doc_text(session)), "宋体", 18, bold=True)
    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    east_asian(title.add_run(doc_text("提  案")), "宋体", 26, bold=True)
    number = document.add_paragraph()
    number.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    east_asian(
        number.add_run(doc_text(f"编号：{proposal.number}" if proposal.number else "（未编号）")), "仿宋", 14
    )

    cosigners = [
        c.member.name for c in proposal.cosigners.all() if c.status in ("confirmed", "pending", "listed")
    ]
    if proposal.kind == "collective":
        proposer = proposal.organization
    else:
        proposer = proposal.proposer.name if proposal.proposer_id else ""
    submitted = timezone.localtime(proposal.submitted_at) if proposal.submitted_at else None
    rows = [
        ("案由", proposal.title),
        ("提案人" if proposal.kind != "collective" else "提案单位", proposer),
    ]
    if cosigners:
        rows.append(("联名人", "、".join(cosigners)))
    rows += [
        ("类型", proposal.get_kind_display()),
        ("类别", proposal.category.name),
        ("提出时间", f"{raised}{f'　{submitted:%Y年%m月%d日}' if submitted else ''}"),
    ]
    handling = [
        f"{task.department.name}（{task.get_role_display()}）"
        for task in proposal.assignments.all()
        if task.state != "cancelled"
    ]
    if handling:
        rows.append(("办理方式/承办单位", "、".join(handling)))

    table = document.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for label, value in rows:
        cells = table.add_row().cells
        cells[0].width, cells[1].width = Cm(3.6), Cm(12.2)
        east_asian(cells[0].paragraphs[0].add_run(doc_text(label)), "宋体", 14, bold=True)
        east_asian(cells[1].paragraphs[0].add_run(doc_text(value or "")), "仿宋", 14)
    body_cells = table.add_row().cells
    merged = body_cells[0].merge(body_cells[1])
    east_asian(merged.paragraphs[0].add_run(doc_text("正文")), "宋体", 14, bold=True)
    for line in (proposal.content or "").splitlines() or [""]:
        paragraph = merged.add_paragraph()
        paragraph.paragraph_format.first_line_indent = Pt(28)
        east_asian(paragraph.add_run(doc_text(line.strip())), "仿宋", 14)

    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# --- 答复函 draft (department portal) ---------------------------------------------------------------


def reply_letter_docx(assignment, *, today=None) -> bytes:
    """A reply-letter draft for the department to edit, sign and upload back with its reply.

    Pre-filled from the assignment: letterhead, result class (or a blank), title with the proposal
    number, salutation, the proposal title, placeholders for the point-by-point answers, sign-off,
    contact lines, date and the 抄送 line naming the co-handling units. Self-contained: its own
    imports and queries."""
    import io

    from django.utils import timezone
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt, RGBColor

    from proposals.models import Assignment
    from zhengxie import committee
    from zhengxie.exports import doc_text

    def run(paragraph, text: str, *, font: str = "仿宋", size: float = 16, bold: bool = False, color=None):
        r = paragraph.add_run(doc_text(text))
        r.font.name = font
        r.font.size = Pt(size)
        r.bold = bold
        if color is not None:
            r.font.color.rgb = color
        # python-docx sets only the Latin font; Chinese text needs w:eastAsia as well.
        r._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font)
        return r

    def line(text: str = "", *, align=None, indent: bool = False, **style):
        paragraph = document.add_paragraph()
        if align is not None:
            paragraph.alignment = align
        if indent:
            paragraph.paragraph_format.first_line_indent = Pt(32)
        if text:
            run(paragraph, text, **style)
        return paragraph

    proposal = assignment.proposal
    department = assignment.department
    today = today or timezone.localdate()
    reply = assignment.replies.filter(handling_round=assignment.handling_round).order_by("-id").first()
    co_names = list(
        Assignment.objects.filter(proposal_id=proposal.pk, role=Assignment.Role.CO)
        .exclude(state=Assignment.State.CANCELLED)
        .exclude(pk=assignment.pk)
        .order_by("id")
        .values_list("department__name", flat=True)
    )
    if proposal.kind == "collective":
        salutation = f"尊敬的{proposal.organization}："
    else:
        name = proposal.proposer.name if proposal.proposer_id else "____"
        salutation = f"尊敬的{name}委员："

    document = Document()
    section = document.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    normal = document.styles["Normal"]
    normal.font.name = "仿宋"
    normal.font.size = Pt(16)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "仿宋")

    line(f"类别：{reply.result}" if reply else "类别：____", align=WD_ALIGN_PARAGRAPH.RIGHT, font="黑体")
    line(
        department.name,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        font="宋体",
        size=26,
        bold=True,
        color=RGBColor(0xC0, 0x00, 0x00),
    )
    number = proposal.number or "第____号"
    line(
        f"关于{committee.short_name()}{number}提案的答复",
        align=WD_ALIGN_PARAGRAPH.CENTER,
        font="宋体",
        size=22,
        bold=True,
    )
    line()
    line(salutation)
    line(
        f"您提出的《{proposal.title}》提案收悉。我单位高度重视，认真研究办理，现答复如下：",
        indent=True,
    )
    for heading in ("一、", "二、", "三、"):
        line(f"{heading}________________________________（请逐条答复提案所提建议）", indent=True)
    line("感谢您对我们工作的关心和支持。", indent=True)
    line()
    line(f"签发领导：{reply.signer if reply and reply.signer else ''}")
    line(f"联系人：{department.contact or '____'}")
    line(f"联系电话：{department.phone or '____'}")
    line()
    line(department.name, align=WD_ALIGN_PARAGRAPH.RIGHT)
    line(f"{today.year}年{today.month}月{today.day}日", align=WD_ALIGN_PARAGRAPH.RIGHT)
    line()
    line("抄送：" + "，".join([f"{committee.short_name()}提案委员会", *co_names]) + "。", size=14)

    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
