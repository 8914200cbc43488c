"""Text written into documents and spreadsheets: every DOCX, XLSX and CSV writer goes through here.

Stored text may hold control characters (entered before input cleaning, or by an import) that
python-docx and openpyxl refuse; and a spreadsheet cell that starts with = + - @ (or a tab/CR) is
read as a formula by Excel — a title like =HYPERLINK(...) would become a live link. So:

- `doc_text(value)` for every run/paragraph of a DOCX;
- `cell(value)` / `row(values)` for every XLSX or CSV cell, and `append(sheet, values)` for openpyxl;
- `SafeExportResource` for django-import-export resources (every exported field goes through `cell`);
- `xlsx_write(out, ...)` for a sheet of any size: rows are streamed into the file (openpyxl's write-only
  mode), each through `cell`, so memory does not grow with the rows.

Querysets are read with one server-side cursor (`.iterator(chunk_size=EXPORT_CHUNK)`; prefetches run once
per chunk), never page by page: django-import-export's own paging re-ran the whole sorted query for every
100 rows, which made large exports quadratic.
"""

from django.db.models import QuerySet
from import_export import resources

from zhengxie.text import clean_text

# What a spreadsheet reads as the start of a formula (OWASP CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def doc_text(value) -> str:
    """Text for a DOCX run: a string without the control characters XML cannot hold."""
    return clean_text("" if value is None else str(value))


def cell(value):
    """A spreadsheet cell value: strings cleaned and neutralised (a leading ' when they would be a
    formula); numbers, dates and None as they are."""
    if not isinstance(value, str):
        return value
    value = clean_text(value)
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def row(values) -> list:
    return [cell(v) for v in values]


def append(sheet, values) -> None:
    """openpyxl `sheet.append` with every value through `cell`."""
    sheet.append(row(values))


EXPORT_CHUNK = 2000


def xlsx_write(out, *, title: str, headers: list[str], rows, progress=None, total: int = 0) -> None:
    """An .xlsx of one sheet into the binary file `out`; `rows` may be any iterable (a generator over a
    queryset's iterator). `progress(done, total)` is called every EXPORT_CHUNK rows."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    sheet = book.create_sheet(doc_text(title)[:31] or "Sheet1")
    bold = Font(bold=True)
    header_cells = []
    for value in row(headers):
        header = WriteOnlyCell(sheet, value=value)
        header.font = bold
        header_cells.append(header)
    sheet.append(header_cells)
    for done, values in enumerate(rows, start=1):
        sheet.append(row(values))
        if progress is not None and done % EXPORT_CHUNK == 0:
            progress(done, total)
    book.save(out)


class SafeExportResource(resources.Resource):
    """Base of every import-export resource that exports: each exported value goes through `cell`."""

    def get_chunk_size(self):
        return EXPORT_CHUNK

    def iter_queryset(self, queryset):
        # One query with a server-side cursor; Django runs the prefetches once per chunk of rows.
        if isinstance(queryset, QuerySet):
            yield from queryset.iterator(chunk_size=self.get_chunk_size())
        else:
            yield from queryset

    def export_field(self, field, instance, **kwargs):
        return cell(super().export_field(field, instance, **kwargs))


class SafeExportModelResource(SafeExportResource, resources.ModelResource):
    pass
