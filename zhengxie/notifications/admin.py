from django.contrib import admin

from zhengxie.accounts.models import Role
from zhengxie.accounts.permissions import has_role
from zhengxie.workflow.admin_base import AuditedAdminMixin, ReadOnlyAdminMixin

from .models import ChannelDelivery, Notification, NotificationPreference, Reminder
from .services import notification_send


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """Notices are sent by notify(): staff may send one by hand here (notification_send, audited);
    a sent notice is never edited or deleted."""

    list_display = ("created_at", "recipient", "title", "is_read")
    list_filter = (("read_at", admin.EmptyFieldListFilter), ("created_at", admin.DateFieldListFilter))
    list_select_related = ("recipient",)
    search_fields = ("title", "body", "recipient__username", "recipient__name")
    autocomplete_fields = ("recipient",)
    date_hierarchy = "created_at"
    readonly_fields = ("created_at",)

    fields = ("recipient", "title", "body", "link", "created_at")

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        sent = notification_send(
            actor=request.user, recipient=obj.recipient, title=obj.title, body=obj.body, link=obj.link
        )
        obj.pk = sent.pk

    @admin.display(description="已读", boolean=True, ordering="read_at")
    def is_read(self, obj):
        return obj.is_read


@admin.register(Reminder)
class ReminderAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "scan_date",
        "source",
        "kind",
        "threshold",
        "object_id",
        "state",
        "recipients_count",
        "sent_at",
    )
    list_filter = ("state", "source", "kind", "scan_date")
    date_hierarchy = "scan_date"
    readonly_fields = [f.name for f in Reminder._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(ChannelDelivery)
class ChannelDeliveryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "channel", "address", "state", "attempts", "next_attempt_at", "last_error")
    list_filter = ("channel", "state")
    list_select_related = ("notification",)
    search_fields = ("address", "notification__title")
    readonly_fields = [f.name for f in ChannelDelivery._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_view_permission(self, request, obj=None):
        # Every row carries someone's phone number or e-mail address: office staff only.
        return has_role(request.user, Role.STAFF) and super().has_view_permission(request, obj)


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("user", "email", "sms")
    list_select_related = ("user",)
    autocomplete_fields = ("user",)
