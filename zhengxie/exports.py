"""Text written into documents and spreadsheets: every DOCX, XLSX and CSV writer goes through here.

Stored text may hold control characters (entered before input cleaning, or by an import) that
python-docx and openpyxl refuse; and a spreadsheet cell that starts with = + - @ (or a tab/CR) is
read as a formula by Excel — a title like =HYPERLINK(...) would become a live link. So:

- `doc_text(value)` for every run/paragraph of a DOCX;
- `cell(value)` / `row(values)` for every XLSX or CSV cell, and `append(sheet, values)` for openpyxl;
- `SafeExportResource` for django-import-export resources (every exported field goes through `cell`).
"""

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


class SafeExportResource(resources.Resource):
    """Base of every import-export resource that exports: each exported value goes through `cell`."""

    def export_field(self, field, instance, **kwargs):
        return cell(super().export_field(field, instance, **kwargs))


class SafeExportModelResource(SafeExportResource, resources.ModelResource):
    pass
