import csv
import io
import os

from django.contrib import admin, messages
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from import_export.admin import ImportExportModelAdmin
from import_export.forms import ExportForm
from import_export.signals import post_import

from zhengxie.admin_exports import BoundedExportMixin
from zhengxie.workflow.admin_base import AuditedAdminMixin
from zhengxie.workflow.services import audit_record

from .imports import TableError, credential_rows
from .models import Department, Role, User
from .permissions import has_role
from .resources import ROSTER_FORMATS, DepartmentResource


class ServiceImportExportAdmin(BoundedExportMixin, ImportExportModelAdmin):
    """Import/export for a roster whose import runs a service (see resources.ServiceImportResource).

    Staff import; whoever may view the list (staff, leaders) may export. Only .xlsx and .csv, and the
    export always has every import column so the file can be edited and imported back."""

    formats = ROSTER_FORMATS
    export_form_class = ExportForm  # no column picking: a partial file would not import back
    credentials_name_label = "姓名"
    # A roster is exported whole to be edited and imported back: a higher bound than other exports.
    export_max_rows = 20000
    import_job_kind = ""  # members_import / departments_import: the upload runs as a background job

    def get_urls(self):
        from django.urls import path

        info = self.get_model_info()
        return [
            path(
                "import-job/<int:pk>/confirm/",
                self.admin_site.admin_view(self.import_confirm_view),
                name=f"{info[0]}_{info[1]}_import_confirm",
            ),
            *super().get_urls(),
        ]

    def import_action(self, request, **kwargs):
        """The upload is saved to the private import folder and previewed by a background job (the import
        service with dry_run); the job page then offers 确认导入 (import_confirm_view). Nothing is imported
        inside the web request. A form error (no file, no format) shows on the form as before."""
        if request.method != "POST" or not self.import_job_kind:
            return super().import_action(request, **kwargs)
        if not self.has_import_permission(request):
            raise PermissionDenied
        form = self.create_import_form(request)
        if not form.is_valid():
            return super().import_action(request, **kwargs)
        from zhengxie.jobs.views import started

        from .import_jobs import roster_import_start

        input_format = self.get_import_formats()[int(form.cleaned_data["format"])]()
        upload = form.cleaned_data["import_file"]
        stored = self.write_to_tmp_storage(upload, input_format)
        # The chosen format decides how the file is read (its content is checked against it).
        name = os.path.splitext(os.path.basename(upload.name))[0] + "." + input_format.get_extension()
        info = self.get_model_info()
        job = roster_import_start(
            actor=request.user,
            kind=self.import_job_kind,
            noun=self.model._meta.verbose_name,
            admin_name=f"{info[0]}_{info[1]}",
            stored=stored.name,
            name=name,
        )
        return started(job)

    def import_confirm_view(self, request, pk: int):
        from django.http import HttpResponseNotAllowed

        from zhengxie.jobs.selectors import job_for
        from zhengxie.jobs.views import started
        from zhengxie.workflow.errors import DomainError

        from .import_jobs import roster_import_confirm

        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_import_permission(request):
            raise PermissionDenied
        preview = job_for(request.user, pk)
        if preview.kind != self.import_job_kind:
            raise Http404("任务不存在。")
        try:
            job = roster_import_confirm(actor=request.user, preview=preview)
        except DomainError as exc:
            messages.error(request, exc.message)
            return started(preview)
        return started(job)

    def has_import_permission(self, request):
        return has_role(request.user, Role.STAFF)

    def has_export_permission(self, request):
        return self.has_view_permission(request)

    def init_request_context_data(self, request, form):
        # The export page lists the columns it writes (no optional 初始密码 there).
        context = super().init_request_context_data(request, form)
        context["fields_list"] = [
            (res.get_display_name(), res().get_export_headers())
            for res in self.get_export_resource_classes(request)
        ]
        return context

    def add_data_read_fail_error_to_form(self, form, e):
        if isinstance(e, TableError):
            form.add_error("import_file", e.message)
        else:
            form.add_error(
                "import_file", "无法读取文件，请确认所选格式与文件一致（.xlsx 或 UTF-8 编码的 .csv）。"
            )

    def process_result(self, result, request):
        """After the confirm step: report the counts, log, and hand over any generated passwords."""
        if result.has_validation_errors() or result.report is None:
            # Data changed between the preview and the confirm; nothing was imported.
            for row in result.invalid_rows:
                for errors in row.error_dict.values():
                    for error in errors:
                        messages.error(request, error)
            info = self.get_model_info()
            return HttpResponseRedirect(reverse(f"admin:{info[0]}_{info[1]}_import"))
        self.generate_log_entries(result, request)
        report = result.report
        messages.success(request, "导入完成。" + "；".join(report.summary_lines()) + "。")
        post_import.send(sender=None, model=self.model)
        if report.credentials:
            # Activation links / random initial passwords are shown once, as a download, never logged.
            return self.credentials_response(report)
        info = self.get_model_info()
        return HttpResponseRedirect(reverse(f"admin:{info[0]}_{info[1]}_changelist"))

    def credentials_response(self, report):
        return credentials_response(report.credentials, name_label=self.credentials_name_label)


def credentials_response(credentials, *, name_label: str) -> HttpResponse:
    """The sheet of activation links or generated passwords, as a one-time download (never stored)."""
    buffer = io.StringIO()
    csv.writer(buffer).writerows(credential_rows(credentials, name_label=name_label))
    response = HttpResponse(("\ufeff" + buffer.getvalue()).encode("utf-8"), content_type="text/csv")
    name = "activation-links.csv" if credentials[0].activation_url else "initial-passwords.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


@admin.register(Department)
class DepartmentAdmin(AuditedAdminMixin, ServiceImportExportAdmin):
    resource_classes = [DepartmentResource]
    credentials_name_label = "单位名称"
    import_job_kind = "departments_import"

    @staticmethod
    def save_service(*, actor, obj, created, fields):
        from .services import department_save

        return department_save(actor=actor, department=obj, created=created, fields=fields)

    def has_delete_permission(self, request, obj=None):
        return False  # a department is deactivated (启用), never deleted: its work history stays

    list_display = ("name", "code", "contact", "phone", "email", "account_count", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name", "code", "contact", "phone")
    ordering = ("code",)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(_account_count=Count("users", filter=Q(users__role=Role.DEPARTMENT)))
        )

    @admin.display(description="账号数", ordering="_account_count")
    def account_count(self, obj):
        return obj._account_count

    def get_export_queryset(self, request):
        return super().get_export_queryset(request).prefetch_related("users")


class _DepartmentRequired:
    """A department account needs its department (a database constraint; here with a Chinese message)."""

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("role") == Role.DEPARTMENT and not cleaned.get("department"):
            self.add_error("department", "承办单位账号必须指定所属单位。")
        return cleaned


class UserChangeForm(_DepartmentRequired, auth_forms.UserChangeForm):
    class Meta(auth_forms.UserChangeForm.Meta):
        model = User


class UserCreationForm(_DepartmentRequired, auth_forms.AdminUserCreationForm):
    class Meta(auth_forms.AdminUserCreationForm.Meta):
        model = User
        fields = ("username", "name", "role", "department")


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserChangeForm
    add_form = UserCreationForm
    list_display = ("username", "name", "role", "department", "phone", "is_active", "last_login")
    list_filter = ("role", "is_active", "department")
    list_select_related = ("department",)
    search_fields = ("username", "name", "phone", "email")
    autocomplete_fields = ("department",)
    ordering = ("username",)
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("个人信息", {"fields": ("name", "phone", "email")}),
        ("角色与单位", {"fields": ("role", "department")}),
        ("权限", {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        ("重要日期", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "username",
                    "name",
                    "role",
                    "department",
                    "usable_password",
                    "password1",
                    "password2",
                ),
            },
        ),
    )

    # A person's phone and e-mail are for office staff only (as members.permissions says of the roster):
    # leaders read the accounts without them — in the list, the search and the detail page.
    PRIVATE_FIELDS = ("phone", "email")

    def _sees_private(self, request) -> bool:
        return has_role(request.user, Role.STAFF)

    def _without_private(self, request, names):
        return names if self._sees_private(request) else [f for f in names if f not in self.PRIVATE_FIELDS]

    def get_list_display(self, request):
        return self._without_private(request, super().get_list_display(request))

    def get_search_fields(self, request):
        return self._without_private(request, super().get_search_fields(request))

    def lookup_allowed(self, lookup, value, request=None):
        # a hand-made ?phone__startswith= would filter on what the reader may not see
        if request is not None and not self._sees_private(request):
            if lookup.split("__", 1)[0] in self.PRIVATE_FIELDS:
                return False
        return super().lookup_allowed(lookup, value, request)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if self._sees_private(request):
            return fieldsets
        return [
            (name, {**opts, "fields": self._without_private(request, opts["fields"])})
            for name, opts in fieldsets
        ]

    actions = ["activation_links"]

    @admin.action(description="生成激活链接（尚未设置密码的账号）", permissions=["activate"])
    def activation_links(self, request, queryset):
        """A fresh link for members who lost theirs or let it expire; accounts with a password are skipped."""
        from .activation import activation_url, expires_on
        from .imports import Credential

        users = [u for u in queryset.order_by("username") if not u.has_usable_password()]
        if not users:
            messages.warning(request, "所选账号都已设置密码，无需激活。")
            return None
        audit_record(
            actor=request.user, action="user_activation_links", usernames=[u.username for u in users]
        )
        credentials = [
            Credential(u.username, u.name, activation_url=activation_url(u), expires_on=expires_on())
            for u in users
        ]
        return credentials_response(credentials, name_label="姓名")

    def has_activate_permission(self, request) -> bool:
        # An activation link lets its holder set the account's password: office staff only.
        return has_role(request.user, Role.STAFF) and self.has_change_permission(request)

    def get_readonly_fields(self, request, obj=None):
        readonly = ["is_staff", "last_login", "date_joined"]  # is_staff follows the role
        if not request.user.is_superuser:
            # Only a superuser may hand out superuser rights or raw permissions.
            readonly += ["is_superuser", "groups", "user_permissions"]
        return readonly

    def has_delete_permission(self, request, obj=None):
        return False  # an account is deactivated (is_active), never deleted: its history stays

    def user_change_password(self, request, id, form_url=""):
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            audit_record(actor=request.user, action="user_admin_set_password", target=User.objects.get(pk=id))
        return response

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        audit_record(
            actor=request.user,
            action="user_admin_change" if change else "user_admin_create",
            target=obj,
            fields=sorted(form.changed_data),
        )
