"""Admin for 提案委 staff: lists, filters, search, and actions that call the same services as the site."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.utils.html import format_html_join
from import_export.admin import ExportActionMixin
from import_export.formats import base_formats

from zhengxie.accounts.models import Role
from zhengxie.accounts.permissions import has_role
from zhengxie.admin_exports import BoundedExportMixin
from zhengxie.admin_labels import LabelledListEditableMixin
from zhengxie.workflow.admin_base import AuditedAdminMixin
from zhengxie.workflow.errors import DomainError
from zhengxie.workflow.selectors import register_private_audit_target

from . import selectors, services
from .models import (
    AssessmentGrade,
    AssessmentItem,
    Assignment,
    Cosigner,
    NumberSequence,
    Proposal,
    ProposalAttachment,
    ProposalCategory,
    RejectionReason,
)
from .resources import ProposalRegisterResource

# The audit log names nobody's draft (see zhengxie.workflow.selectors.audit_entries_for).
register_private_audit_target(Proposal, selectors.others_drafts)


@admin.register(ProposalCategory)
class ProposalCategoryAdmin(LabelledListEditableMixin, AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "order", "is_active"]
    list_editable = ["order", "is_active"]


@admin.register(RejectionReason)
class RejectionReasonAdmin(LabelledListEditableMixin, AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["text", "order", "is_active"]
    list_editable = ["order", "is_active"]


@admin.register(NumberSequence)
class NumberSequenceAdmin(admin.ModelAdmin):
    list_display = ["sequence", "last_serial"]
    fields = ["sequence", "last_serial"]
    readonly_fields = ["sequence", "last_serial"]

    def changelist_view(self, request, extra_context=None):
        from members.models import Plenary, Term

        # The terms and plenaries the keys name, read once for the whole list.
        self._names = {"terms": Term.objects.in_bulk(), "plenaries": Plenary.objects.in_bulk()}
        return super().changelist_view(request, extra_context)

    @admin.display(description="序列", ordering="key")
    def sequence(self, obj):
        from proposals.models import sequence_label

        return sequence_label(obj.key, **getattr(self, "_names", {}))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class CosignerInline(admin.TabularInline):
    model = Cosigner
    fk_name = "proposal"
    extra = 0
    fields = ["member", "status", "answered_at", "merged_from"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class AttachmentInline(admin.TabularInline):
    model = ProposalAttachment
    extra = 0
    fields = ["name", "file", "size", "uploaded_by", "uploaded_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class ReturnForm(forms.Form):
    reason = forms.CharField(label="退回理由", widget=forms.Textarea(attrs={"rows": 3}))


class RejectForm(forms.Form):
    reason_code = forms.ModelChoiceField(
        label="标准理由", queryset=RejectionReason.objects.filter(is_active=True), required=False
    )
    reason = forms.CharField(label="说明", widget=forms.Textarea(attrs={"rows": 3}), required=False)
    disposition = forms.ChoiceField(label="处理方式", choices=Proposal.Disposition.choices)


class MergeForm(forms.Form):
    into = forms.ModelChoiceField(
        label="并入提案",
        queryset=Proposal.objects.filter(state__in=services.MERGE_TARGET_STATES).order_by("serial"),
    )


def _run_each(modeladmin, request, queryset, call, done_label):
    done = 0
    for proposal in queryset.order_by("pk"):
        try:
            call(proposal)
            done += 1
        except (DomainError, PermissionDenied) as exc:
            modeladmin.message_user(request, f"{proposal.title}：{exc}", messages.ERROR)
    if done:
        modeladmin.message_user(request, f"已{done_label} {done} 件。", messages.SUCCESS)


def _form_action(modeladmin, request, queryset, form_class, title, apply):
    """An action that first asks for its fields (reason, disposition, target) on an intermediate page."""
    if "apply" in request.POST:
        form = form_class(request.POST)
        if form.is_valid():
            apply(form.cleaned_data)
            return None
    else:
        form = form_class()
    return TemplateResponse(
        request,
        "admin/proposals/action_form.html",
        {
            **modeladmin.admin_site.each_context(request),
            "title": title,
            "form": form,
            "proposals": queryset,
            "action": request.POST.get("action"),
            "opts": modeladmin.model._meta,
        },
    )


@admin.register(Proposal)
class ProposalAdmin(BoundedExportMixin, ExportActionMixin, admin.ModelAdmin):
    large_export_hint = "请缩小筛选范围，或在工作台“提案总览”用“导出登记表”（大批量在后台生成）。"
    # 导出: the register with its handling status (filtered as on the changelist, or the selected rows).
    resource_classes = [ProposalRegisterResource]
    formats = [base_formats.XLSX]
    list_display = [
        "number",
        "title",
        "proposer_display",
        "kind",
        "category",
        "state",
        "submitted_at",
        "is_key",
    ]
    list_display_links = ["number", "title"]
    list_filter = ["state", "kind", "category", "term", "plenary", "during_plenary", "is_key", "is_published"]
    search_fields = ["title", "content", "number", "organization", "proposer__name"]
    list_select_related = ["proposer", "category"]
    date_hierarchy = "submitted_at"
    ordering = ["-submitted_at", "-id"]
    inlines = [CosignerInline, AttachmentInline]
    actions = ["register_selected", "return_selected", "reject_selected", "merge_selected"]
    readonly_fields = [
        "number",
        "state",
        "proposer",
        "created_by",
        "entered_by",
        "term",
        "plenary",
        "during_plenary",
        "kind",
        "organization",
        "submitted_at",
        "registered_at",
        "return_reason",
        "rejection_reason",
        "rejection_text",
        "disposition",
        "merged_into",
        "opinion_report",
        "history",
    ]
    fields = ["title", "content", "category", *readonly_fields]

    def get_queryset(self, request):
        # Members' drafts are theirs until submitted: the admin follows the selectors.
        return selectors.without_others_drafts(super().get_queryset(request), request.user)

    def get_readonly_fields(self, request, obj=None):
        # A member's text is theirs: staff change state only through the actions (and the services).
        return ["title", "content", "category", *self.readonly_fields]

    @admin.display(description="提案人")
    def proposer_display(self, obj):
        return obj.proposer_display

    @admin.display(description="流转记录")
    def history(self, obj):
        rows = selectors.proposal_history(obj) if obj.pk else []
        return format_html_join(
            "",
            "<div>{} {} → {}（{}）{}</div>",
            (
                (f"{t.at:%Y-%m-%d %H:%M}", t.from_state or "—", t.to_state, t.actor or "系统", t.comment)
                for t in rows
            ),
        )

    def has_export_permission(self, request):
        return has_role(request.user, Role.STAFF, Role.LEADER) and self.has_view_permission(request)

    def has_add_permission(self, request):
        # Proposals are drafted by members (or entered by staff on the workbench) through the services.
        return False

    def has_change_permission(self, request, obj=None):
        # Every field is read-only: the proposal changes only through the actions (the services).
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="立案（按序编号）")
    def register_selected(self, request, queryset):
        result = services.proposals_register_bulk(
            actor=request.user, proposal_ids=queryset.values_list("pk", flat=True)
        )
        if result.registered:
            numbers = "、".join(p.number for p in result.registered)
            self.message_user(request, f"已立案 {len(result.registered)} 件：{numbers}", messages.SUCCESS)
        for pk, message in result.failed:
            self.message_user(request, f"提案 {pk}：{message}", messages.ERROR)

    @admin.action(description="退回修改")
    def return_selected(self, request, queryset):
        return _form_action(
            self,
            request,
            queryset,
            ReturnForm,
            "退回修改",
            lambda data: _run_each(
                self,
                request,
                queryset,
                lambda p: services.proposal_return(actor=request.user, proposal=p, reason=data["reason"]),
                "退回",
            ),
        )

    @admin.action(description="不予立案")
    def reject_selected(self, request, queryset):
        return _form_action(
            self,
            request,
            queryset,
            RejectForm,
            "不予立案",
            lambda data: _run_each(
                self,
                request,
                queryset,
                lambda p: services.proposal_reject(
                    actor=request.user,
                    proposal=p,
                    reason=data["reason"],
                    reason_code=data["reason_code"].pk if data["reason_code"] else None,
                    disposition=data["disposition"],
                ),
                "不予立案",
            ),
        )

    @admin.action(description="并案")
    def merge_selected(self, request, queryset):
        return _form_action(
            self,
            request,
            queryset,
            MergeForm,
            "并案",
            lambda data: _run_each(
                self,
                request,
                queryset,
                lambda p: services.proposal_merge(actor=request.user, proposal=p, into=data["into"]),
                "并案",
            ),
        )


class AssignmentExtensionFilter(admin.SimpleListFilter):
    title = "延期申请"
    parameter_name = "extension"

    def lookups(self, request, model_admin):
        return Assignment.ExtensionState.choices[1:]

    def queryset(self, request, queryset):
        return queryset.filter(extension_state=self.value()) if self.value() else queryset


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    """交办 rows are made and moved only by the services: read-only here, with decisions as actions
    (approving an adjustment needs a new department: that is done on the supervision board)."""

    list_display = [
        "proposal",
        "department",
        "role",
        "state",
        "assigned_at",
        "due_date",
        "extension_state",
        "extension_due_date",
    ]
    list_filter = ["state", "role", AssignmentExtensionFilter, "department", "proposal__term"]
    search_fields = ["proposal__number", "proposal__title", "department__name"]
    list_select_related = ["proposal", "department"]
    date_hierarchy = "assigned_at"
    ordering = ["due_date", "id"]
    actions = [
        "approve_extension",
        "refuse_extension",
        "refuse_adjustment",
    ]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # read-only; the decisions are the actions below (the services)

    def has_delete_permission(self, request, obj=None):
        return False

    def _each(self, request, queryset, call, done_label):
        done = 0
        for task in queryset.select_related("proposal", "department").order_by("pk"):
            try:
                call(task)
                done += 1
            except (DomainError, PermissionDenied) as exc:
                self.message_user(request, f"{task}：{exc}", messages.ERROR)
        if done:
            self.message_user(request, f"已{done_label} {done} 件。", messages.SUCCESS)

    @admin.action(description="同意延期申请")
    def approve_extension(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda t: services.assignment_resolve_extension(actor=request.user, assignment=t, approve=True),
            "同意延期",
        )

    @admin.action(description="不同意延期申请")
    def refuse_extension(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda t: services.assignment_resolve_extension(actor=request.user, assignment=t, approve=False),
            "不同意延期",
        )

    @admin.action(description="不同意调整申请")
    def refuse_adjustment(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda t: services.assignment_resolve_adjustment(actor=request.user, assignment=t, approve=False),
            "不同意调整",
        )


# --- 承办单位考核 (issue 9): configuration rows read by proposals/assessment.py ---------------------


@admin.register(AssessmentItem)
class AssessmentItemAdmin(LabelledListEditableMixin, AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["code", "weight", "deduction", "b_factor", "c_factor", "is_active", "order"]
    list_editable = ["weight", "deduction", "is_active", "order"]


@admin.register(AssessmentGrade)
class AssessmentGradeAdmin(LabelledListEditableMixin, AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "min_score"]
    list_editable = ["min_score"]


from . import admin_after_reply  # noqa: E402, F401  (issue 20: read-only lists)
