"""Admin for staff: lists, filters and search; state changes go through the services (read-only states).

Edits of an existing meeting or topic are routed through services.meeting_update / topic_update, so an
admin reschedule recomputes the deadlines, tells the invitees and is logged exactly like one made on the
workbench. Routing (rather than making the fields read-only) keeps the admin useful for quick fixes; the
admin form runs the services' own checks first (meeting_changes / topic_changes), so bad input is shown on
the form in Chinese with nothing saved. Fields no service edits here (states, deadlines, minutes, the
meeting's topic, the plan of a topic) are read-only, and the plan's topic inline is display-only.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from zhengxie.workflow.admin_base import ReadOnlyAdmin
from zhengxie.workflow.errors import DomainError

from . import services
from .models import (
    Attendance,
    ConsultationPlan,
    Feedback,
    LeaveRequest,
    Material,
    Meeting,
    Outcome,
    ReportOpinion,
    ResearchActivity,
    Speech,
    Topic,
    Vote,
)


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


def _check(call):
    """Run a service's pure check; its Chinese message becomes a form error."""
    try:
        return call()
    except (DomainError, PermissionDenied) as exc:
        raise ValidationError(getattr(exc, "message", None) or str(exc)) from exc


class TopicInline(admin.TabularInline):
    """Display only: a topic is edited on its own change page, which goes through topic_update."""

    model = Topic
    extra = 0
    fields = ["title", "type", "lead_committee", "planned_month", "state"]
    readonly_fields = fields
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ConsultationPlan)
class ConsultationPlanAdmin(admin.ModelAdmin):
    list_display = ["year", "title", "state", "approved_on"]
    list_filter = ["state"]
    readonly_fields = ["year", "state", "approved_on", "approved_by", "created_by"]
    inlines = [TopicInline]
    actions = ["approve_today"]

    def has_add_permission(self, request):
        return False  # plan_create on the workbench

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        # the title is the one thing edited here; the year and the state belong to the services
        services.plan_update(actor=request.user, plan=obj, title=form.cleaned_data.get("title", obj.title))
        obj.refresh_from_db()

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


TOPIC_SERVICE_FIELDS = ["title", "type", "lead_committee", "departments", "planned_month", "description"]


class _ServiceForm(forms.ModelForm):
    """The service checks and applies the edit, so the form neither copies the input onto the instance
    nor runs the model's own validation (whose constraint messages would duplicate the service's)."""

    def _post_clean(self):
        pass


class TopicAdminForm(_ServiceForm):
    class Meta:
        model = Topic
        fields = TOPIC_SERVICE_FIELDS

    def clean(self):
        data = super().clean()
        if not self.errors and all(f in self.fields for f in TOPIC_SERVICE_FIELDS):
            _check(
                lambda: services.topic_changes(
                    Topic.objects.get(pk=self.instance.pk), **{f: data.get(f) for f in TOPIC_SERVICE_FIELDS}
                )
            )
        return data


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    form = TopicAdminForm
    list_display = ["title", "plan", "type", "lead_committee", "planned_month", "state"]
    list_filter = ["state", "type", "plan__year", "lead_committee"]
    search_fields = ["title"]
    readonly_fields = ["state", "created_by"]
    filter_horizontal = ["departments"]
    inlines = [ResearchInline]
    actions = ["start_research", "close"]

    def has_add_permission(self, request, obj=None):
        return False  # created on the workbench so the plan decides its state and the log starts

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.state == Topic.State.CLOSED:
            return ["plan", *TOPIC_SERVICE_FIELDS, *self.readonly_fields]
        return ["plan", *self.readonly_fields]

    def save_model(self, request, obj, form, change):
        if all(f in form.cleaned_data for f in TOPIC_SERVICE_FIELDS):
            data = {f: form.cleaned_data[f] for f in TOPIC_SERVICE_FIELDS}
            services.topic_update(actor=request.user, topic=obj, **data)
        obj.refresh_from_db()

    def save_related(self, request, form, formsets, change):
        # departments were set by the service; only the (read-only) inlines are left
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

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


MEETING_SERVICE_FIELDS = ["title", "type", "start", "end", "place", "invited_officials"]


class MeetingAdminForm(_ServiceForm):
    class Meta:
        model = Meeting
        fields = MEETING_SERVICE_FIELDS

    def changes(self) -> dict:
        # only what was changed: re-saving a meeting under way must not count as "a new start in the past"
        return {f: self.cleaned_data[f] for f in self.changed_data if f in MEETING_SERVICE_FIELDS}

    def clean(self):
        data = super().clean()
        if not self.errors and self.changes():
            _check(
                lambda: services.meeting_changes(Meeting.objects.get(pk=self.instance.pk), **self.changes())
            )
        return data


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    form = MeetingAdminForm
    list_display = ["title", "type", "start", "place", "state"]
    list_filter = ["state", "type"]
    search_fields = ["title", "place"]
    date_hierarchy = "start"
    readonly_fields = [
        "topic",
        "state",
        "notice_due",
        "materials_due",
        "minutes_due",
        "minutes",
        "minutes_at",
        "held_at",
        "created_by",
    ]
    inlines = [AttendanceInline]
    actions = ["hold"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.state != Meeting.State.PLANNED:
            return [*MEETING_SERVICE_FIELDS, *self.readonly_fields]
        return self.readonly_fields

    def save_model(self, request, obj, form, change):
        # only existing meetings reach here (no add): route the edit through the service
        changes = form.changes()
        if changes:
            services.meeting_update(actor=request.user, meeting=obj, **changes)
        obj.refresh_from_db()

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

    def has_delete_permission(self, request, obj=None):
        return False  # meeting_cancel tells the invitees; a deletion would not


# Speeches, outcomes and feedback are a member's or a department's own text, submitted through
# speech_submit / topic_submit_outcome / topic_feedback (which also score duty): read-only here.


@admin.register(Speech)
class SpeechAdmin(ReadOnlyAdmin):
    list_display = ["title", "member", "meeting", "is_oral", "submitted_at"]
    list_filter = ["is_oral"]
    search_fields = ["title", "member__name"]


@admin.register(Outcome)
class OutcomeAdmin(ReadOnlyAdmin):
    list_display = ["__str__"]


@admin.register(Feedback)
class FeedbackAdmin(ReadOnlyAdmin):
    list_display = ["__str__"]


class _ReadOnlyAdmin(admin.ModelAdmin):
    """Session records change only through the session board and the API (services write the audit
    row); the admin lists and searches them."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(LeaveRequest)
class LeaveRequestAdmin(_ReadOnlyAdmin):
    list_display = ["meeting", "member", "kind", "reason", "state", "decided_by", "created_at"]
    list_filter = ["state", "kind"]
    search_fields = ["member__name", "meeting__title"]
    list_select_related = ["meeting", "member", "decided_by"]


@admin.register(Material)
class MaterialAdmin(_ReadOnlyAdmin):
    list_display = ["title", "meeting", "agenda_item", "is_internal", "published_at", "uploaded_at"]
    list_filter = ["is_internal"]
    search_fields = ["title", "meeting__title"]
    list_select_related = ["meeting", "agenda_item"]


@admin.register(ReportOpinion)
class ReportOpinionAdmin(_ReadOnlyAdmin):
    list_display = ["meeting", "report", "member", "created_at"]
    list_filter = ["report"]
    search_fields = ["content", "member__name", "meeting__title"]
    list_select_related = ["meeting", "member"]


@admin.register(Vote)
class VoteAdmin(_ReadOnlyAdmin):
    """Votes are opened, cast and closed only through the services; ballots are not in the admin at all
    (a secret ballot must never be listed beside anything that names its voter)."""

    list_display = ["title", "meeting", "kind", "secret", "rule", "state", "closed_at"]
    list_filter = ["kind", "state", "secret"]
    search_fields = ["title", "meeting__title"]
    list_select_related = ["meeting"]
    exclude = ["result"]
