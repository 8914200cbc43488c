"""Admin for the 社情民意 office: lists, filters, search, Excel export; actions call the services."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from import_export.admin import ExportActionMixin
from import_export.formats import base_formats

from zhengxie.admin_exports import BoundedExportMixin
from zhengxie.admin_labels import LabelledListEditableMixin
from zhengxie.workflow.admin_base import AuditedAdminMixin
from zhengxie.workflow.errors import DomainError
from zhengxie.workflow.selectors import register_private_audit_target

from . import selectors, services
from .models import (
    Bulletin,
    BulletinItem,
    BulletinSequence,
    Forwarding,
    Instruction,
    OpinionAttachment,
    OpinionCategory,
    OpinionReport,
    Transfer,
    UpperAdoption,
)
from .resources import OpinionReportResource

# The audit log names nobody's draft (see zhengxie.workflow.selectors.audit_entries_for).
register_private_audit_target(OpinionReport, selectors.others_drafts)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class InstructionInline(ReadOnlyInline):
    model = Instruction
    fields = ["leader", "level", "date", "content"]
    readonly_fields = fields


class ForwardingInline(ReadOnlyInline):
    model = Forwarding
    fields = ["date", "to", "bulletin"]
    readonly_fields = fields


class UpperAdoptionInline(ReadOnlyInline):
    model = UpperAdoption
    fields = ["date", "body", "kind", "note"]
    readonly_fields = fields


class TransferInline(ReadOnlyInline):
    model = Transfer
    fields = ["department", "state", "due_date", "reply_result", "replied_at"]
    readonly_fields = fields


class AttachmentInline(ReadOnlyInline):
    model = OpinionAttachment
    fields = ["name", "size", "uploaded_at"]
    readonly_fields = fields


@admin.register(OpinionCategory)
class OpinionCategoryAdmin(LabelledListEditableMixin, AuditedAdminMixin, admin.ModelAdmin):
    """The 类别 list members and staff choose from; retire an entry with 启用 off (reports keep it)."""

    list_display = ["name", "order", "is_active"]
    list_editable = ["order", "is_active"]
    search_fields = ["name"]


@admin.register(OpinionReport)
class OpinionReportAdmin(BoundedExportMixin, ExportActionMixin, admin.ModelAdmin):
    resource_classes = [OpinionReportResource]
    formats = [base_formats.XLSX, base_formats.CSV]
    list_display = [
        "title",
        "reflector_display",
        "reflector_kind",
        "category",
        "state",
        "is_urgent",
        "submitted_at",
    ]
    list_filter = ["state", "reflector_kind", "is_urgent", "category"]
    search_fields = ["title", "edited_title", "content", "reflector__name", "reflector_name"]
    date_hierarchy = "submitted_at"
    list_select_related = ["reflector"]
    inlines = [AttachmentInline, InstructionInline, ForwardingInline, UpperAdoptionInline, TransferInline]
    readonly_fields = [
        "title",
        "content",
        "reflector_kind",
        "reflector",
        "reflector_name",
        "created_by",
        "state",
        "return_reason",
        "rejection_reason",
        "submitted_at",
        "adopted_at",
        "adopted_by",
        "published_at",
        "forwarded_at",
        "feedback",
        "feedback_at",
        "closed_at",
    ]
    fields = [
        *readonly_fields[:6],
        "edited_title",
        "edited_content",
        "category",
        "is_urgent",
        *readonly_fields[6:],
    ]
    actions = ["adopt_selected"]

    def get_queryset(self, request):
        # Members' drafts are theirs until submitted: the admin follows the selectors.
        return selectors.without_others_drafts(super().get_queryset(request), request.user)

    @admin.display(description="反映人/单位")
    def reflector_display(self, obj):
        return obj.reflector_display

    def has_add_permission(self, request):
        return False  # reports are entered on the workbench so the rules and the log apply

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        """Edits go through the service (state check, audit); the original text is read-only here."""
        try:
            services.opinion_report_edit(
                actor=request.user,
                report=obj,
                title=form.cleaned_data.get("edited_title"),
                content=form.cleaned_data.get("edited_content"),
                category=form.cleaned_data.get("category"),
                is_urgent=form.cleaned_data.get("is_urgent"),
            )
        except (DomainError, PermissionDenied) as exc:
            self.message_user(request, getattr(exc, "message", str(exc)), messages.ERROR)

    @admin.action(description="采用所选社情民意（按原稿）")
    def adopt_selected(self, request, queryset):
        done = 0
        for report in queryset:
            try:
                services.opinion_report_adopt(actor=request.user, report=report)
                done += 1
            except (DomainError, PermissionDenied) as exc:
                self.message_user(
                    request, f"《{report.title}》：{getattr(exc, 'message', exc)}", messages.WARNING
                )
        if done:
            self.message_user(request, f"已采用 {done} 条。", messages.SUCCESS)


class BulletinItemInline(ReadOnlyInline):
    model = BulletinItem
    fields = ["order", "report"]
    readonly_fields = fields


@admin.register(Bulletin)
class BulletinAdmin(admin.ModelAdmin):
    list_display = ["__str__", "title", "date", "state", "forwarded_to"]
    list_filter = ["year", "state"]
    inlines = [BulletinItemInline]
    readonly_fields = [
        "year",
        "number",
        "state",
        "published_at",
        "forwarded_to",
        "forwarded_on",
        "created_by",
    ]
    actions = ["publish_selected"]

    def has_add_permission(self, request):
        return False  # numbers come from the yearly sequence in bulletin_create

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="刊发所选期刊")
    def publish_selected(self, request, queryset):
        for bulletin in queryset:
            try:
                services.bulletin_publish(actor=request.user, bulletin=bulletin)
                self.message_user(request, f"{bulletin.issue_label}已刊发。", messages.SUCCESS)
            except (DomainError, PermissionDenied) as exc:
                self.message_user(
                    request, f"{bulletin.issue_label}：{getattr(exc, 'message', exc)}", messages.WARNING
                )

    def save_model(self, request, obj, form, change):
        try:
            services.bulletin_update(
                actor=request.user,
                bulletin=obj,
                date=form.cleaned_data.get("date"),
                title=form.cleaned_data.get("title"),
                editor_note=form.cleaned_data.get("editor_note"),
            )
        except (DomainError, PermissionDenied) as exc:
            self.message_user(request, getattr(exc, "message", str(exc)), messages.ERROR)


@admin.register(BulletinSequence)
class BulletinSequenceAdmin(admin.ModelAdmin):
    list_display = ["year", "last_number"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Transfer)
class TransferAdmin(admin.ModelAdmin):
    list_display = ["__str__", "department", "state", "due_date", "reply_result"]
    list_filter = ["state", "department"]
    list_select_related = ["report", "department"]
    search_fields = ["report__title", "department__name"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
