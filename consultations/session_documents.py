"""Documents of a session: the 大会发言汇编 (DOCX), the opinions on each work report (Excel) and the
reader-named copy of an internal PDF material (pypdf)."""

import io
import re

from django.conf import settings
from django.utils import timezone
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt
from openpyxl import Workbook
from pypdf import PdfReader, PdfWriter
from pypdf.annotations import FreeText
from pypdf.generic import ContentStream, DictionaryObject, NameObject

from zhengxie import exports

from .models import Meeting, ReportOpinion

# Stored text is cleaned on the way out and cells never run as formulas: the shared writers' rules.
_text = exports.doc_text
_cell = exports.cell


def _font(run, name: str, size: float, bold: bool = False):
    run.font.name, run.font.size, run.bold = name, Pt(size), bold
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)
    return run


def speeches_docx(meeting: Meeting, speeches) -> bytes:
    """大会发言汇编: the speeches in the staff's order — each with speaker, 界别, way and full text."""
    committee = getattr(settings, "COMMITTEE_NAME", "") or "政协"
    document = Document()
    heading = document.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(heading.add_run(_text(f"{committee}{meeting.title}")), "宋体", 16, bold=True)
    sub = document.add_paragraph()
    sub.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(sub.add_run("大会发言汇编"), "黑体", 18, bold=True)
    for number, speech in enumerate(speeches, start=1):
        title = document.add_paragraph()
        title.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _font(title.add_run(_text(f"{number}. {speech.title}")), "黑体", 14, bold=True)
        byline = document.add_paragraph()
        byline.alignment = WD_ALIGN_PARAGRAPH.CENTER
        sector = speech.member.sector.name if speech.member.sector_id else ""
        way = "口头发言" if speech.is_oral else "书面发言"
        _font(byline.add_run(_text(f"{speech.member.name}（{sector}）· {way}")), "楷体", 12)
        for line in _text(speech.content).splitlines():
            if line.strip():
                _font(document.add_paragraph().add_run(line.strip()), "仿宋", 12)
    if not speeches:
        document.add_paragraph("（尚无发言材料）")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def report_opinions_xlsx(meeting: Meeting, opinions, report: str | None) -> bytes:
    """One report's opinions (or all) for the office that answers them: 序号, 报告, 意见, 委员, 界别."""
    workbook = Workbook()
    sheet = workbook.active
    label = dict(ReportOpinion.Report.choices).get(report, "全部报告")
    sheet.title = label[:31]
    sheet.append([_cell(f"{meeting.title} · {label}讨论意见")])
    exports.append(sheet, ["序号", "针对报告", "意见内容", "提出委员", "界别", "记录时间"])
    for number, opinion in enumerate(opinions, start=1):
        member = opinion.member
        sheet.append(
            [
                number,
                opinion.get_report_display(),
                _cell(opinion.content),
                _cell(member.name if member else "（集体讨论）"),
                _cell(member.sector.name if member and member.sector_id else ""),
                timezone.localtime(opinion.created_at).strftime("%Y-%m-%d %H:%M"),
            ]
        )
    sheet.column_dimensions["C"].width = 80
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _ascii(text: str) -> str:
    return re.sub(r"[^ -~]", "?", text).replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def watermarked_pdf(data: bytes, *, reader_name: str, reader_username: str) -> bytes:
    """The internal material as this reader receives it: every page carries a light diagonal mark with
    the reader's account and time (drawn in the page, so a printout or screenshot shows it) and a note
    naming the reader in Chinese; the document information says the same. A leaked copy names its reader."""
    moment = timezone.localtime().strftime("%Y-%m-%d %H:%M")
    mark = _ascii(f"{reader_username} {moment}")
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    for index, page in enumerate(writer.pages):
        box = page.mediabox
        width, height = float(box.width), float(box.height)
        stream = ContentStream(None, writer)
        operations = [
            f"q 0.82 g BT /ZXMark 26 Tf 0.7071 0.7071 -0.7071 0.7071 {width * 0.18:.1f} {height * 0.25:.1f} Tm",
            f"({mark}) Tj ET Q",
        ]
        stream.set_data(" ".join(operations).encode("latin-1"))
        page.merge_page(_overlay(writer, stream, width, height), over=True)
        note = FreeText(
            text=f"内部材料 阅读人：{reader_name}（{reader_username}）{moment}",
            rect=(20, 10, min(width - 20, 420), 28),
            font_size="9pt",
        )
        writer.add_annotation(page_number=index, annotation=note)
    writer.add_metadata({"/Reader": f"{reader_name}（{reader_username}）", "/ReadAt": moment})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _overlay(writer, stream, width, height):
    from pypdf import PageObject

    page = PageObject.create_blank_page(writer, width=width, height=height)
    page[NameObject("/Contents")] = writer._add_object(stream)
    page[NameObject("/Resources")] = DictionaryObject(
        {
            NameObject("/Font"): DictionaryObject(
                {
                    NameObject("/ZXMark"): DictionaryObject(
                        {
                            NameObject("/Type"): NameObject("/Font"),
                            NameObject("/Subtype"): NameObject("/Type1"),
                            NameObject("/BaseFont"): NameObject("/Helvetica"),
                        }
                    )
                }
            )
        }
    )
    return page
