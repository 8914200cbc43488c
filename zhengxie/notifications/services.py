from collections.abc import Iterable

from django.db import transaction
from django.http import Http404
from django.utils import timezone

from .models import Notification


def notify(*, recipients: Iterable, title: str, body: str = "", link: str = "") -> list[Notification]:
    """Create the in-app notice for each distinct recipient (inside the caller's transaction)."""
    seen: set[int] = set()
    rows = []
    for user in recipients:
        if user is None or user.pk in seen:
            continue
        seen.add(user.pk)
        rows.append(Notification(recipient=user, title=title, body=body, link=link))
    return Notification.objects.bulk_create(rows)


@transaction.atomic
def notification_mark_read(*, actor, notification_id: int) -> Notification:
    notification = Notification.objects.select_for_update().filter(pk=notification_id).first()
    if notification is None or notification.recipient_id != actor.pk:
        raise Http404("通知不存在。")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification
