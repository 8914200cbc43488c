"""Read-only admin: deliberations are opened, moderated and summarized on the workbench and through the
API (services write the audit rows); the admin lists and searches them, and nothing is written here."""

from django.contrib import admin

from .models import Deliberation, Post, Suggestion


class _ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Deliberation)
class DeliberationAdmin(_ReadOnlyAdmin):
    list_display = ["title", "topic", "opens_at", "closes_at", "state", "created_by"]
    list_filter = ["state"]
    search_fields = ["title"]
    list_select_related = ["topic", "created_by"]
    exclude = ["participants", "departments"]


@admin.register(Post)
class PostAdmin(_ReadOnlyAdmin):
    list_display = ["deliberation", "member", "department", "created_at", "pinned", "hidden", "hidden_reason"]
    list_filter = ["hidden", "pinned"]
    search_fields = ["content", "member__name", "deliberation__title"]
    list_select_related = ["deliberation", "member", "department"]


@admin.register(Suggestion)
class SuggestionAdmin(_ReadOnlyAdmin):
    list_display = ["deliberation", "number", "content"]
    search_fields = ["content", "deliberation__title"]
    list_select_related = ["deliberation"]
