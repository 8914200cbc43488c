from datetime import UTC, datetime, timedelta

from django.db.models import Q

from .models import ArchivedNotification, Notification

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def notifications_of(user, *, unread_only: bool = False):
    qs = Notification.objects.filter(recipient=user)
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs.order_by("-created_at", "-id")


def _cursor_of(row) -> str:
    return f"{(row.created_at - _EPOCH) // timedelta(microseconds=1)}-{row.pk}"


def _parse_cursor(cursor: str):
    try:
        micros, pk = (int(x) for x in cursor.split("-", 1))
        return _EPOCH + timedelta(microseconds=micros), pk
    except (TypeError, ValueError, OverflowError):
        return None


def notifications_page(
    user, *, unread_only: bool = False, archived: bool = False, cursor: str = "", size: int = 30
) -> tuple[list, str]:
    """One page of a user's notices newest first, after `cursor` (keyset: the cost of page 1,000 is the
    cost of page 1, served by the (recipient, -created_at, -id) indexes). Returns (rows, next cursor or "")."""
    model = ArchivedNotification if archived else Notification
    qs = model.objects.filter(recipient=user)
    if unread_only and not archived:
        qs = qs.filter(read_at__isnull=True)
    after = _parse_cursor(cursor) if cursor else None
    if after is not None:
        at, pk = after
        # the <= bound walks the index; the OR only breaks ties among equal timestamps
        qs = qs.filter(created_at__lte=at).filter(Q(created_at__lt=at) | Q(pk__lt=pk))
    rows = list(qs.order_by("-created_at", "-id")[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    return rows, (_cursor_of(rows[-1]) if more else "")


def reminder_stats(*, days: int = 14):
    """Reminders and channel copies of the last `days` days, by day/kind and by channel/state."""
    from datetime import datetime, time, timedelta

    from django.db.models import Count
    from django.db.models.functions import TruncDate
    from django.utils import timezone

    from .models import ChannelDelivery, Reminder

    since = timezone.localdate() - timedelta(days=days)
    # the copies from the start of that local day on: a range on created_at (its index), not a date
    # computed from every row
    since_at = timezone.make_aware(datetime.combine(since, time.min))
    by_day = (
        Reminder.objects.filter(scan_date__gte=since)
        .values("scan_date", "source", "kind", "state")
        .annotate(count=Count("id"))
        .order_by("-scan_date", "source", "kind", "state")
    )
    by_channel = (
        ChannelDelivery.objects.filter(created_at__gte=since_at)
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
    from .models import ReminderScanRun

    last_run = ReminderScanRun.objects.select_related("requested_by").order_by("-requested_at", "-id").first()
    return {
        "by_day": list(by_day),
        "by_channel": list(by_channel),
        "failures": list(failures),
        "last_run": last_run,
    }
