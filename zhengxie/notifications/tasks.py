"""Celery tasks: thin, idempotent wrappers over the services."""

from datetime import date

from celery import shared_task

from . import services


@shared_task(name="zhengxie.notifications.scan_deadlines")
def scan_deadlines(today: str | None = None) -> dict:
    result = services.reminders_scan(today=date.fromisoformat(today) if today else None)
    return result.__dict__


@shared_task(name="zhengxie.notifications.deliver_reminders")
def deliver_reminders() -> dict:
    return services.reminders_deliver().__dict__


@shared_task(name="zhengxie.notifications.send_channel_deliveries")
def send_channel_deliveries() -> dict:
    return services.channel_deliveries_send()


@shared_task(name="zhengxie.notifications.archive_notifications")
def archive_notifications() -> int:
    return services.notifications_archive()
