from .models import Notification


def notifications_of(user, *, unread_only: bool = False):
    qs = Notification.objects.filter(recipient=user)
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs.order_by("-created_at", "-id")


def reminder_stats(*, days: int = 14):
    """Reminders and channel copies of the last `days` days, by day/kind and by channel/state."""
    from datetime import timedelta

    from django.db.models import Count
    from django.db.models.functions import TruncDate
    from django.utils import timezone

    from .models import ChannelDelivery, Reminder

    since = timezone.localdate() - timedelta(days=days)
    by_day = (
        Reminder.objects.filter(scan_date__gte=since)
        .values("scan_date", "source", "kind", "state")
        .annotate(count=Count("id"))
        .order_by("-scan_date", "source", "kind", "state")
    )
    by_channel = (
        ChannelDelivery.objects.filter(created_at__date__gte=since)
        .annotate(day=TruncDate("created_at"))
        .values("day", "channel", "state")
        .annotate(count=Count("id"))
        .order_by("-day", "channel", "state")
    )
    failures = (
        ChannelDelivery.objects.select_related("notification")
        .filter(state=ChannelDelivery.State.FAILED)
        .order_by("-created_at")[:50]
    )
    return {"by_day": list(by_day), "by_channel": list(by_channel), "failures": list(failures)}
