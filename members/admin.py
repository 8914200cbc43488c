from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied

from zhengxie.accounts.admin import ServiceImportExportAdmin
from zhengxie.admin_labels import LabelledListEditableMixin
from zhengxie.workflow.admin_base import AuditedAdminMixin
from zhengxie.workflow.errors import DomainError

from . import services
from .models import (
    DutyPhoto,
    DutyRecord,
    Member,
    Party,
    Plenary,
    ScoringRule,
    ScoringScheme,
    Sector,
    SpecialCommittee,
    Term,
)
from .resources import MemberResource


class PlenaryInline(admin.TabularInline):
    model = Plenary
    extra = 0
    fields = ("number", "start_date", "end_date")


@admin.register(Term)
class TermAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("__str__", "start_date", "end_date", "is_current")
    list_filter = ("is_current",)
    search_fields = ("number",)
    inlines = [PlenaryInline]


class _RosterEntryAdmin(LabelledListEditableMixin, AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("name", "order")
    list_editable = ("order",)
    search_fields = ("name",)


@admin.register(Sector)
class SectorAdmin(_RosterEntryAdmin):
    pass


@admin.register(Party)
class PartyAdmin(_RosterEntryAdmin):
    list_display = ("name", "short_name", "order")
    search_fields = ("name", "short_name")


@admin.register(SpecialCommittee)
class SpecialCommitteeAdmin(_RosterEntryAdmin):
    pass


@admin.register(Member)
class MemberAdmin(AuditedAdminMixin, ServiceImportExportAdmin):
    resource_classes = [MemberResource]
    import_job_kind = "members_import"

    @staticmethod
    def save_service(*, actor, obj, created, fields):
        return services.member_save(actor=actor, member=obj, created=created, fields=fields)

    def has_delete_permission(self, request, obj=None):
        return False  # a member leaves the roster by a status change (卸任、辞职…), never by deletion

    list_display = ("name", "gender", "party", "sector", "position", "status", "mobile", "user", "term")
    list_filter = ("status", "position", "gender", "term", "sector", "party", "committees")
    list_select_related = ("party", "sector", "user", "term")
    search_fields = ("name", "mobile", "employer", "user__username")
    autocomplete_fields = ("user", "party", "sector", "committees")
    readonly_fields = ("created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("name", "gender", "ethnicity", "birth_date", "user")}),
        ("政协身份", {"fields": ("term", "party", "sector", "committees", "position")}),
        ("工作与联系", {"fields": ("employer", "mobile", "email")}),
        ("状态", {"fields": ("status", "status_since", "status_reason")}),
        ("记录", {"fields": ("created_at", "updated_at")}),
    )

    # members.permissions: office staff see the whole file; anyone else (leaders) only the roster entry —
    # in the list, the filters (a filter reveals its field), the search and the detail page alike.
    PUBLIC_FIELDS = ("name", "party", "sector")

    def _sees_private(self, request) -> bool:
        from .permissions import may_filter_on_private_fields

        return may_filter_on_private_fields(request.user)

    def _public(self, request, names):
        if self._sees_private(request):
            return names
        return [f for f in names if f in self.PUBLIC_FIELDS]

    def get_list_display(self, request):
        return self._public(request, super().get_list_display(request))

    def get_list_filter(self, request):
        return self._public(request, super().get_list_filter(request))

    def get_search_fields(self, request):
        return self._public(request, super().get_search_fields(request))

    def lookup_allowed(self, lookup, value, request=None):
        # a hand-made ?mobile__startswith= would filter on what the reader may not see
        if request is not None and not self._sees_private(request):
            if lookup.split("__", 1)[0] not in self.PUBLIC_FIELDS:
                return False
        return super().lookup_allowed(lookup, value, request)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if self._sees_private(request):
            return fieldsets
        return [
            (name, {**opts, "fields": self._public(request, opts["fields"])})
            for name, opts in fieldsets
            if self._public(request, opts["fields"])
        ]

    def has_export_permission(self, request):
        # The export carries the private columns, so it is for staff only.
        return self._sees_private(request) and super().has_export_permission(request)

    def get_export_queryset(self, request):
        return (
            super()
            .get_export_queryset(request)
            .select_related("user", "party", "sector")
            .prefetch_related("committees")
        )


# --- 委员履职 -------------------------------------------------------------------------------------------
# Review and rule edits go through members.services (audited); the admin only collects the input.


class DutyPhotoInline(admin.TabularInline):
    model = DutyPhoto
    extra = 0
    fields = ("file", "name", "created_at")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(DutyRecord)
class DutyRecordAdmin(admin.ModelAdmin):
    list_display = (
        "member",
        "date",
        "kind",
        "detail_display",
        "share_display",
        "people",
        "status",
        "content_type",
        "object_id",
    )
    list_filter = ("status", "kind", "date", "member__sector")
    list_select_related = ("member", "content_type")
    search_fields = ("member__name", "note")
    date_hierarchy = "date"
    autocomplete_fields = ("member",)
    readonly_fields = ("created_by", "created_at", "reviewed_by", "reviewed_at", "content_type", "object_id")
    inlines = [DutyPhotoInline]
    actions = ["confirm_selected", "decline_selected"]

    @admin.display(description="细项", ordering="detail")
    def detail_display(self, obj):
        return obj.detail_label

    @admin.display(description="份额", ordering="share")
    def share_display(self, obj):
        return obj.share_label or "整份"

    # Records come from the services (self-reports, proposals, meetings…) and are reviewed by the actions
    # below (duty_confirm / duty_decline, audited): status, share and points are never edited by hand.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="确认所选待确认记录")
    def confirm_selected(self, request, queryset):
        try:
            count = services.duty_confirm_bulk(actor=request.user, records=list(queryset))
        except (DomainError, PermissionDenied) as exc:
            self.message_user(request, getattr(exc, "message", str(exc)), messages.ERROR)
        else:
            self.message_user(request, f"已确认{count}条履职记录。", messages.SUCCESS)

    @admin.action(description="不予确认所选记录（原因：材料不足）")
    def decline_selected(self, request, queryset):
        try:
            count = services.duty_decline_bulk(actor=request.user, records=list(queryset), reason="材料不足")
        except (DomainError, PermissionDenied) as exc:
            self.message_user(request, getattr(exc, "message", str(exc)), messages.ERROR)
        else:
            self.message_user(request, f"已将{count}条履职记录标为未确认。", messages.SUCCESS)


class ScoringRuleInline(admin.TabularInline):
    model = ScoringRule
    extra = 0
    fields = ("group", "kind", "detail", "points", "cap", "note")


@admin.register(ScoringScheme)
class ScoringSchemeAdmin(admin.ModelAdmin):
    list_display = (
        "year",
        "low_line",
        "cap_plenary",
        "cap_proposal",
        "cap_activity",
        "cap_opinion",
        "updated_at",
    )
    fieldsets = (
        (None, {"fields": ("year", "low_line")}),
        ("计分项目封顶（空为不封顶）", {"fields": tuple(f"cap_{g}" for g in ScoringRule.Group.values)}),
        ("联系界别群众目标", {"fields": ("contact_quarter_target", "contact_people_target")}),
    )
    inlines = [ScoringRuleInline]
    actions = ["open_next_year"]

    def has_delete_permission(self, request, obj=None):
        return False  # a year's scores depend on it

    def save_model(self, request, obj, form, change):
        services.scoring_scheme_save(actor=request.user, scheme=obj, changed=list(form.changed_data))

    def save_formset(self, request, form, formset, change):
        rules = formset.save(commit=False)
        for rule in formset.deleted_objects:
            services.scoring_rule_delete(actor=request.user, rule=rule)
        for rule in rules:
            services.scoring_rule_save(actor=request.user, rule=rule)
        formset.save_m2m()

    @admin.action(description="以所选方案为基础启用下一年度")
    def open_next_year(self, request, queryset):
        for scheme in queryset.order_by("year"):
            new = services.scoring_scheme_open(actor=request.user, year=scheme.year + 1)
            self.message_user(request, f"已启用{new.year}年度积分方案。", messages.SUCCESS)
