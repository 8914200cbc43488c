from django.contrib import admin

from .models import AuditEntry, HandlingPolicy, TransitionLog


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
    list_display = ("at", "actor", "action", "content_type", "object_repr")
    list_filter = ("content_type", ("at", admin.DateFieldListFilter))
    list_select_related = ("actor", "content_type")
    search_fields = ("action", "object_repr", "actor__username", "actor__name")
    date_hierarchy = "at"
    fields = ("at", "actor", "action", "content_type", "object_id", "object_repr", "detail")


@admin.register(TransitionLog)
class TransitionLogAdmin(_ReadOnlyAdmin):
    list_display = ("at", "content_type", "object_id", "from_state", "to_state", "action", "actor")
    list_filter = ("content_type", "to_state", ("at", admin.DateFieldListFilter))
    list_select_related = ("actor", "content_type")
    search_fields = ("object_id", "action", "comment", "actor__username", "actor__name")
    date_hierarchy = "at"
    fields = ("at", "content_type", "object_id", "from_state", "to_state", "action", "actor", "comment")


@admin.register(HandlingPolicy)
class HandlingPolicyAdmin(admin.ModelAdmin):
    list_display = ("name", "is_active", "reply_months", "extension_cap_months", "updated_at")
    list_filter = ("is_active",)
    search_fields = ("name",)
