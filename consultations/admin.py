"""Admin for staff: lists, filters and search; state changes go through the services (read-only states)."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from zhengxie.workflow.errors import DomainError

from . import services
from .models import Attendance, ConsultationPlan, Feedback, Meeting, Outcome, ResearchActivity, Speech, Topic


def _each(modeladmin, request, queryset, call, done: str):
    ok = 0
    for obj in queryset:
        try:
            call(obj)
            ok += 1
        except (DomainError, PermissionDenied) as exc:
            modeladmin.message_user(request, f"{obj}：{getattr(exc, 'message', str(exc))}", messages.ERROR)
    if ok:
        modeladmin.message_user(request, f"{done}{ok}项。", messages.SUCCESS)


class TopicInline(admin.TabularInline):
    model = Topic
    extra = 0
    fields = ["title", "type", "lead_committee", "planned_month", "state"]
    readonly_fields = ["state"]
    show_change_link = True


@admin.register(ConsultationPlan)
class ConsultationPlanAdmin(admin.ModelAdmin):
    list_display = ["year", "title", "state", "approved_on"]
    list_filter = ["state"]
    readonly_fields = ["state", "approved_on", "approved_by", "created_by"]
    inlines = [TopicInline]
    actions = ["approve_today"]

    @admin.action(description="登记党委于今天批准")
    def approve_today(self, request, queryset):
        _each(
            self,
            request,
            queryset,
            lambda p: services.plan_approve(actor=request.user, plan=p, date=timezone.localdate()),
            "已批准",
        )


class ResearchInline(admin.TabularInline):
    model = ResearchActivity
    extra = 0
    fields = ["kind", "date", "place", "notes"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["title", "plan", "type", "lead_committee", "planned_month", "state"]
    list_filter = ["state", "type", "plan__year", "lead_committee"]
    search_fields = ["title"]
    readonly_fields = ["state", "created_by"]
    filter_horizontal = ["departments"]
    inlines = [ResearchInline]
    actions = ["start_research", "close"]

    @admin.action(description="开始调研")
    def start_research(self, request, queryset):
        _each(
            self,
            request,
            queryset,
            lambda t: services.topic_start_research(actor=request.user, topic=t),
            "已开始调研",
        )

    @admin.action(description="办结")
    def close(self, request, queryset):
        _each(self, request, queryset, lambda t: services.topic_close(actor=request.user, topic=t), "已办结")


class AttendanceInline(admin.TabularInline):
    model = Attendance
    extra = 0
    fields = ["member", "reply", "leave_reason", "status", "checked_in_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["title", "type", "start", "place", "state"]
    list_filter = ["state", "type"]
    search_fields = ["title", "place"]
    date_hierarchy = "start"
    readonly_fields = ["state", "notice_due", "materials_due", "minutes_due", "held_at", "created_by"]
    inlines = [AttendanceInline]
    actions = ["hold"]

    @admin.action(description="确认已举行")
    def hold(self, request, queryset):
        _each(
            self,
            request,
            queryset,
            lambda m: services.meeting_hold(actor=request.user, meeting=m),
            "已确认举行",
        )

    def has_add_permission(self, request):
        return False  # created on the workbench so invitations, deadlines and notices are made


@admin.register(Speech)
class SpeechAdmin(admin.ModelAdmin):
    list_display = ["title", "member", "meeting", "is_oral", "submitted_at"]
    list_filter = ["is_oral"]
    search_fields = ["title", "member__name"]
    readonly_fields = ["meeting", "member", "is_oral"]


admin.site.register(Outcome)
admin.site.register(Feedback)
