"""A real Celery worker on the local Redis runs the scheduled scan end to end."""

import time
from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.utils import timezone

from proposals import services
from proposals.models import Assignment, ProposalCategory
from zhengxie.celery import app
from zhengxie.notifications.models import ChannelDelivery, Notification, Reminder

pytestmark = [pytest.mark.celery, pytest.mark.django_db(transaction=True)]


def test_beat_schedule_runs_the_scan_every_morning_at_the_configured_time():
    entry = settings.CELERY_BEAT_SCHEDULE["morning-deadline-scan"]
    assert entry["task"] in app.tasks or entry["task"] == "zhengxie.notifications.scan_deadlines"
    hour, minute = settings.REMINDER_SCAN_TIME.split(":")
    assert entry["schedule"].hour == {int(hour)} and entry["schedule"].minute == {int(minute)}
    assert app.conf.timezone == "Asia/Shanghai" and app.conf.task_acks_late is True
    assert app.conf.accept_content == ["json"] and app.conf.broker_url.startswith("redis://")


def _wait_for(predicate, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def test_worker_runs_the_scheduled_scan_and_sends_the_copies(
    member, staff_user, plenary, department, department_user
):
    department_user.email = "clerk@example.cn"
    department_user.save()
    p = services.proposal_create(
        actor=member.user,
        title="关于完善城市排水系统的建议",
        content="建议……",
        category=ProposalCategory.objects.get(name="生态文明"),
        during_plenary=True,
        plenary=plenary,
    )
    services.proposal_submit(actor=member.user, proposal=p)
    services.proposal_register(actor=staff_user, proposal=p)
    services.proposal_assign(
        actor=staff_user, proposal=p, assignments=[{"department": department.pk, "role": "lead"}]
    )
    Assignment.objects.update(due_date=timezone.localdate() + timedelta(days=1))
    Notification.objects.all().delete()
    ChannelDelivery.objects.all().delete()
    app.control.purge()
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=20):
        task_name = settings.CELERY_BEAT_SCHEDULE["morning-deadline-scan"]["task"]
        app.send_task(task_name)
        assert _wait_for(lambda: Notification.objects.filter(recipient=department_user).exists())
        # the notice's e-mail copy is sent by the worker through the on-commit enqueued sender
        assert _wait_for(lambda: ChannelDelivery.objects.filter(state="sent", channel="email").exists())
        app.send_task(task_name)  # a second run the same day sends nothing more
        time.sleep(2)
    assert Reminder.objects.filter(source="handling_deadline").count() == 1
    assert Notification.objects.filter(recipient=department_user, title__startswith="办理提醒").count() == 1


def test_scan_now_button_enqueues_the_scan_and_the_worker_runs_it_once(
    client, member, staff_user, plenary, department, department_user
):
    from zhengxie.notifications.models import ReminderScanRun

    p = services.proposal_create(
        actor=member.user,
        title="关于加强老旧小区改造的建议",
        content="建议……",
        category=ProposalCategory.objects.get(name="社会"),
        during_plenary=True,
        plenary=plenary,
    )
    services.proposal_submit(actor=member.user, proposal=p)
    services.proposal_register(actor=staff_user, proposal=p)
    services.proposal_assign(
        actor=staff_user, proposal=p, assignments=[{"department": department.pk, "role": "lead"}]
    )
    Assignment.objects.update(due_date=timezone.localdate() + timedelta(days=3))
    Notification.objects.all().delete()
    app.control.purge()
    client.force_login(staff_user)
    started = time.monotonic()
    page = client.post("/workbench/reminders/scan/", follow=True).content.decode()
    assert time.monotonic() - started < 10  # the request only enqueues
    assert "已开始扫描" in page
    # a second click while the first is still queued (no worker yet) enqueues nothing
    assert "已有扫描在进行中" in client.post("/workbench/reminders/scan/", follow=True).content.decode()
    assert ReminderScanRun.objects.count() == 1
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=20):
        assert _wait_for(lambda: ReminderScanRun.objects.filter(state="done").exists())
    run = ReminderScanRun.objects.get()
    assert run.active is None and run.result["sent"] == 1 and run.started_at and run.finished_at
    assert Notification.objects.filter(recipient=department_user, title__startswith="办理提醒").count() == 1
    page = client.get("/workbench/reminders/").content.decode()
    assert "已完成" in page and "已发送1条" in page
    # once done, the button may be used again
    assert "已开始扫描" in client.post("/workbench/reminders/scan/", follow=True).content.decode()
