"""django-import-export in the admin, bounded: an export answers inside the request only up to
`export_max_rows` rows (EXPORT_INLINE_MAX_ROWS unless the admin says otherwise); past it the admin says
how many there are and where the large export is (the workbench's exports run as background jobs).

Also: the export action's form offers the selected ids as its choices, instead of import-export's default of
every id of the table (200k choices, each selected id checked by a linear scan); the export queryset then
leaves out what the user may not export."""

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponseRedirect
from django.urls import reverse


class BoundedExportMixin:
    export_max_rows: int | None = None
    large_export_hint = "请先用右侧筛选或搜索缩小范围，再导出。"

    def get_export_max_rows(self) -> int:
        return self.export_max_rows or settings.EXPORT_INLINE_MAX_ROWS

    def get_valid_export_item_pks(self, request):
        wanted = [pk for pk in request.POST.getlist("export_items") if str(pk).isdigit()]
        # Only the ids asked for (the export queryset then leaves out what the user may not export).
        return list(self.model._default_manager.filter(pk__in=wanted).values_list("pk", flat=True))

    def _do_file_export(self, file_format, request, queryset, export_form=None):
        limit = self.get_export_max_rows()
        count = queryset.count()
        if count > limit:
            messages.error(
                request,
                f"要导出的记录共 {count} 条，超过 {limit} 条，不能在此直接导出。{self.large_export_hint}",
            )
            info = self.model._meta.app_label, self.model._meta.model_name
            return HttpResponseRedirect(reverse(f"admin:{info[0]}_{info[1]}_changelist"))
        return super()._do_file_export(file_format, request, queryset, export_form=export_form)
