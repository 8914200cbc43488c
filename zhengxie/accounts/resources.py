"""django-import-export resources whose import runs the roster services (all rows or none, audited).

The admin keeps import-export's two steps: the upload runs the service with dry_run (everything done,
then rolled back) and shows either every bad row with its spreadsheet number or an exact preview;
the confirm step runs the service for real. Export writes the same columns the import reads, so an
exported file imports back unchanged.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from import_export import fields
from import_export.formats import base_formats
from import_export.results import RowResult
from tablib import Dataset

from zhengxie.exports import SafeExportResource
from zhengxie.workflow.errors import DomainError

from .imports import (
    PASSWORD_COLUMN,
    ImportRejected,
    ImportReport,
    Table,
    TableError,
    cell_text,
    csv_grid,
    table_from_grid,
    xlsx_grid,
)
from .models import Department, Role
from .services import departments_import

# --- formats: the same readers as the commands, so row numbers and messages are the same ---------


def _dataset(grid) -> Dataset:
    if not grid:
        raise TableError("文件是空的，没有表头。")
    headers = [cell_text(h) for h in grid[0]]
    width = len(headers)
    dataset = Dataset(headers=headers)
    for raw in grid[1:]:
        # Blank rows stay, so dataset index + 2 is the row number the operator sees.
        dataset.append((list(raw) + [None] * width)[:width])
    return dataset


class RosterCSV(base_formats.CSV):
    """CSV in UTF-8 with or without BOM; other encodings are refused with a hint (read as bytes)."""

    def is_binary(self):
        return True

    def get_read_mode(self):
        return "rb"

    def create_dataset(self, in_stream, **kwargs):
        if isinstance(in_stream, str):
            in_stream = in_stream.encode("utf-8")
        return _dataset(csv_grid(in_stream))

    def export_data(self, dataset, **kwargs):
        # With a BOM, Excel opens the Chinese columns correctly.
        return ("\ufeff" + super().export_data(dataset, **kwargs)).encode("utf-8")


class RosterXLSX(base_formats.XLSX):
    def create_dataset(self, in_stream):
        return _dataset(xlsx_grid(in_stream))


ROSTER_FORMATS = [RosterXLSX, RosterCSV]


# --- the resource base ------------------------------------------------------------------------------


class ServiceImportResource(SafeExportResource):
    """Subclasses declare the export fields (column_name = the file's column) and `run_service`."""

    service_error_key = "错误"

    @classmethod
    def get_display_name(cls):
        return getattr(cls._meta, "name", cls.__name__)

    def run_service(self, *, actor, table: Table, dry_run: bool) -> ImportReport:
        raise NotImplementedError

    def import_data(
        self,
        dataset,
        dry_run=False,
        raise_errors=False,
        use_transactions=None,
        collect_failed_rows=False,
        rollback_on_validation_errors=False,
        **kwargs,
    ):
        """Hand the whole file to the service instead of import-export's row-by-row save."""
        result = self.get_result_class()()
        headers = [cell_text(h) for h in (dataset.headers or [])]
        result.diff_headers = headers
        result.total_rows = len(dataset)
        result.report = None
        table = None
        try:
            table = table_from_grid([headers, *(list(r) for r in dataset)])
            report = self.run_service(actor=kwargs.get("user"), table=table, dry_run=dry_run)
        except ImportRejected as exc:
            values = {r.number: r.values for r in table.rows}
            for error in exc.errors:
                self._invalid(result, error.number, values.get(error.number, {}), str(error))
            return result
        except TableError as exc:
            self._invalid(result, 1, {}, f"第1行（表头）：{exc.message}")
            return result
        except (DomainError, PermissionDenied) as exc:
            self._invalid(result, 1, {}, getattr(exc, "message", None) or str(exc) or "无权导入。")
            return result

        for outcome in report.outcomes:
            row_result = self.get_row_result_class()()
            row_result.import_type = {
                "new": RowResult.IMPORT_TYPE_NEW,
                "update": RowResult.IMPORT_TYPE_UPDATE,
            }.get(outcome.action, RowResult.IMPORT_TYPE_SKIP)
            row_result.diff = [
                "******"
                if h == PASSWORD_COLUMN and cell_text(outcome.values.get(h))
                else cell_text(outcome.values.get(h))
                for h in headers
            ]
            row_result.instance = outcome.instance
            row_result.add_instance_info(outcome.instance)
            result.append_row_result(row_result)
            result.increment_row_result_total(row_result)
        result.report = report
        return result

    def _invalid(self, result, number, values, message):
        shown = {k: cell_text(v) for k, v in values.items()}
        result.append_invalid_row(number, shown, ValidationError({self.service_error_key: [message]}))
        result.totals[RowResult.IMPORT_TYPE_INVALID] += 1

    def get_user_visible_fields(self):
        # The import page lists the columns it expects: the export columns plus the optional password.
        return [*self.get_export_fields(), fields.Field(column_name=f"{PASSWORD_COLUMN}（可选）")]


class DepartmentResource(ServiceImportResource):
    name = fields.Field(attribute="name", column_name="单位名称")
    code = fields.Field(attribute="code", column_name="单位代码")
    contact = fields.Field(attribute="contact", column_name="联系人")
    phone = fields.Field(attribute="phone", column_name="手机")
    email = fields.Field(attribute="email", column_name="邮箱")
    username = fields.Field(column_name="用户名")

    class Meta:
        name = "承办单位及账号"

    def dehydrate_username(self, department):
        # The first portal account (by id); the admin's export queryset prefetches them.
        accounts = sorted(
            (u for u in department.users.all() if u.role == Role.DEPARTMENT), key=lambda u: u.pk
        )
        return accounts[0].username if accounts else ""

    def run_service(self, *, actor, table, dry_run):
        return departments_import(actor=actor, table=table, dry_run=dry_run)

    def get_queryset(self):
        return Department.objects.prefetch_related("users")
