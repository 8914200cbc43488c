from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone

from . import labels
from .admin_base import AuditedAdminMixin
from .calendar import CalendarYearUnavailable
from .models import AuditEntry, HandlingPolicy, TransitionLog, WorkCalendarDay
from .selectors import PRIVATE_LABEL, audit_entries_for
from .services import handling_policy_save, work_calendar_day_set, work_calendar_load_year


class _ReadOnlyAdmin(admin.ModelAdmin):
    """Logs are written by the services only; in the admin they can be searched, never edited."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(_ReadOnlyAdmin):
    """A member's draft is theirs until submitted: entries about someone else's draft show neither its
    title nor its details, and searching cannot find them by the title (selectors.audit_entries_for)."""

    list_display = ("at", "actor", "action_label", "content_type", "target_name")
    list_filter = ("content_type", ("at", admin.DateFieldListFilter))
    list_select_related = ("actor", "content_type")
    search_fields = ("action", "shown_repr", "actor__username", "actor__name")
    date_hierarchy = "at"
    fields = ("at", "actor", "action_label", "content_type", "object_id", "target_name", "target_detail")
    readonly_fields = fields

    def get_queryset(self, request):
        return audit_entries_for(request.user, super().get_queryset(request))

    def get_object(self, request, object_id, from_field=None):
        entry = super().get_object(request, object_id, from_field)
        if entry is not None and entry.is_private:
            # the page title and breadcrumbs print str(entry); this row is never saved (read-only admin)
            entry.object_repr, entry.detail = PRIVATE_LABEL, {}
        return entry

    def lookup_allowed(self, lookup, value, request=None):
        # the stored name and details are read through shown_repr only (a draft's title stays hidden)
        if lookup.split("__", 1)[0] in ("object_repr", "detail"):
            return False
        return super().lookup_allowed(lookup, value, request)

    @admin.display(description="对象", ordering="shown_repr")
    def target_name(self, obj):
        return obj.shown_repr

    @admin.display(description="详情")
    def target_detail(self, obj):
        return PRIVATE_LABEL if obj.is_private else obj.detail

    @admin.display(description="操作", ordering="action")
    def action_label(self, obj):
        return labels.action_label(obj.action)


class ToStateFilter(admin.SimpleListFilter):
    """新状态, offered by its Chinese label (codes shared by several models are offered once)."""

    title = "新状态"
    parameter_name = "to_state"

    def lookups(self, request, model_admin):
        return sorted(labels.all_state_labels().items(), key=lambda item: item[1])

    def queryset(self, request, queryset):
        return queryset.filter(to_state=self.value()) if self.value() else queryset


@admin.register(TransitionLog)
class TransitionLogAdmin(_ReadOnlyAdmin):
    list_display = ("at", "content_type", "object_id", "from_label", "to_label", "action_label", "actor")
    list_filter = ("content_type", ToStateFilter, ("at", admin.DateFieldListFilter))
    list_select_related = ("actor", "content_type")
    search_fields = ("object_id", "action", "comment", "actor__username", "actor__name")
    date_hierarchy = "at"
    fields = ("at", "content_type", "object_id", "from_label", "to_label", "action_label", "actor", "comment")
    readonly_fields = fields

    @admin.display(description="原状态", ordering="from_state")
    def from_label(self, obj):
        return labels.state_label(obj.content_type_id, obj.from_state)

    @admin.display(description="新状态", ordering="to_state")
    def to_label(self, obj):
        return labels.state_label(obj.content_type_id, obj.to_state)

    @admin.display(description="动作", ordering="action")
    def action_label(self, obj):
        return labels.action_label(obj.action)


@admin.register(HandlingPolicy)
class HandlingPolicyAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("name", "is_active", "reply_months", "extension_cap_months", "updated_at")
    list_filter = ("is_active",)
    search_fields = ("name",)

    @staticmethod
    def save_service(*, actor, obj, created, fields):
        return handling_policy_save(actor=actor, policy=obj, created=created, fields=fields)

    def has_delete_permission(self, request, obj=None):
        return False  # deactivate a policy instead: open work was timed by it


class LoadYearForm(forms.Form):
    year = forms.IntegerField(label="年份", min_value=2004, max_value=2100)


@admin.register(WorkCalendarDay)
class WorkCalendarDayAdmin(admin.ModelAdmin):
    """Staff correct single days; every save goes through the service, which recomputes open due dates."""

    list_display = ("date", "is_workday", "name", "source", "updated_at")
    list_filter = ("is_workday", "source", ("date", admin.DateFieldListFilter))
    date_hierarchy = "date"
    search_fields = ("name",)
    fields = ("date", "is_workday", "name")
    change_list_template = "admin/workflow/workcalendarday/change_list.html"

    def save_model(self, request, obj, form, change):
        saved = work_calendar_day_set(
            actor=request.user, day=obj.date, is_workday=obj.is_workday, name=obj.name
        )
        obj.pk = saved.pk

    def has_delete_permission(self, request, obj=None):
        return False  # a day is corrected, not removed (removing would silently fall back to Mon–Fri)

    def get_urls(self):
        return [
            path(
                "load-year/",
                self.admin_site.admin_view(self.load_year_view),
                name="workflow_workcalendarday_load",
            )
        ] + super().get_urls()

    def load_year_view(self, request):
        if not self.has_change_permission(request):
            raise PermissionDenied
        form = LoadYearForm(request.POST or None, initial={"year": timezone.localdate().year + 1})
        if request.method == "POST" and form.is_valid():
            try:
                result = work_calendar_load_year(actor=request.user, year=form.cleaned_data["year"])
            except CalendarYearUnavailable as exc:
                messages.error(request, str(exc))
            else:
                messages.success(
                    request,
                    f"已载入：新增{result['created']}天，更新{result['updated']}天，保留人工录入{result['kept_manual']}天，"
                    f"重算期限{result['recomputed']}项。",
                )
                return redirect("admin:workflow_workcalendarday_changelist")
        return TemplateResponse(
            request,
            "admin/workflow/workcalendarday/load_year.html",
            {**self.admin_site.each_context(request), "form": form, "title": "从 chinesecalendar 载入节假日"},
        )
