"""Read-only admin: every change goes through the services (pages and API), which write the audit rows."""

from django.contrib import admin

from .models import Activity, Case, Group, Participant, Station, SupervisorAppointment


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ParticipantInline(admin.TabularInline):
    model = Participant
    extra = 0
    fields = ["member", "status", "signed_up"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Activity)
class ActivityAdmin(ReadOnlyAdmin):
    list_display = ["title", "kind", "start", "place", "state", "suggestion_count"]
    list_filter = ["kind", "state"]
    search_fields = ["title", "place"]
    list_select_related = True
    inlines = [ParticipantInline]
    date_hierarchy = "start"


@admin.register(Station)
class StationAdmin(ReadOnlyAdmin):
    list_display = ["name", "kind", "address", "schedule"]
    list_filter = ["kind"]
    search_fields = ["name", "address"]


@admin.register(Group)
class GroupAdmin(ReadOnlyAdmin):
    list_display = ["name", "kind", "convener"]
    list_filter = ["kind"]
    list_select_related = ["convener"]
    search_fields = ["name"]


@admin.register(SupervisorAppointment)
class SupervisorAppointmentAdmin(ReadOnlyAdmin):
    list_display = ["member", "kind", "office", "start_date", "end_date"]
    list_filter = ["kind"]
    list_select_related = ["member"]
    search_fields = ["member__name", "office"]


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    list_display = ["title", "member", "station", "state", "created_at"]
    list_filter = ["state"]
    list_select_related = ["member", "station"]
    search_fields = ["title", "member__name"]
