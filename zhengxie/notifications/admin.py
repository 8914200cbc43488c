from django.contrib import admin

from .models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("created_at", "recipient", "title", "is_read")
    list_filter = (("read_at", admin.EmptyFieldListFilter), ("created_at", admin.DateFieldListFilter))
    list_select_related = ("recipient",)
    search_fields = ("title", "body", "recipient__username", "recipient__name")
    autocomplete_fields = ("recipient",)
    date_hierarchy = "created_at"
    readonly_fields = ("created_at",)

    @admin.display(description="已读", boolean=True, ordering="read_at")
    def is_read(self, obj):
        return obj.is_read
