"""Celery tasks: thin, idempotent wrappers over the services."""

from datetime import date

from celery import shared_task

from . import services


@shared_task(name="zhengxie.notifications.scan_deadlines")
def scan_deadlines(today: str | None = None) -> dict:
    """The morning scan: delivery past SCAN_DELIVERY_BUDGET seconds continues in deliver_reminders, so
    no task runs into Celery's time limits however much is due."""
    result = services.reminders_scan(
        today=date.fromisoformat(today) if today else None, time_budget=services.SCAN_DELIVERY_BUDGET
    )
    if result.more:
        deliver_reminders.delay()
    return result.__dict__


@shared_task(name="zhengxie.notifications.deliver_reminders")
def deliver_reminders() -> dict:
    result = services.reminders_deliver(time_budget=services.SCAN_DELIVERY_BUDGET)
    if result.more:
        deliver_reminders.delay()
    return result.__dict__


@shared_task(name="zhengxie.notifications.run_reminder_scan")
def run_reminder_scan(run_id: int) -> dict:
    return services.reminder_scan_run(run_id=run_id)


@shared_task(name="zhengxie.notifications.send_channel_deliveries")
def send_channel_deliveries() -> dict:
    return services.channel_deliveries_send()


@shared_task(name="zhengxie.notifications.archive_notifications")
def archive_notifications() -> int:
    return services.notifications_archive()
