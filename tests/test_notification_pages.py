"""Notification centre and the staff reminder dashboard."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhengxie.notifications.models import Notification, NotificationPreference, Reminder, ReminderScanRun
from zhengxie.notifications.services import notify

pytestmark = pytest.mark.django_db


def test_list_shows_own_notifications_with_unread_badge(client, member_user, other_member):
    notify(recipients=[member_user], title="提案已立案：十五届二次会议第0001号", channels=False)
    notify(recipients=[other_member.user], title="别人的通知", channels=False)
    client.force_login(member_user)
    page = client.get("/notifications/").content.decode()
    assert "提案已立案" in page and "别人的通知" not in page
    assert "1 条未读" in page  # the bell in the navbar, on every page


def test_mark_read_own_only_and_read_all(client, member_user, other_member):
    mine = notify(recipients=[member_user], title="a", channels=False)[0]
    notify(recipients=[member_user], title="b", channels=False)
    theirs = notify(recipients=[other_member.user], title="c", channels=False)[0]
    client.force_login(member_user)
    assert client.post(f"/notifications/{theirs.pk}/read/").status_code == 404
    assert Notification.objects.get(pk=theirs.pk).read_at is None
    client.post(f"/notifications/{mine.pk}/read/")
    assert Notification.objects.get(pk=mine.pk).read_at is not None
    client.post("/notifications/read-all/")
    assert not Notification.objects.filter(recipient=member_user, read_at__isnull=True).exists()
    assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_read_and_go_follows_only_local_links(client, member_user):
    n = notify(recipients=[member_user], title="x", link="/proposals/1/", channels=False)[0]
    evil = notify(recipients=[member_user], title="y", link="https://evil.example/", channels=False)[0]
    client.force_login(member_user)
    assert client.post(f"/notifications/{n.pk}/read/", {"go": "1"})["Location"] == "/proposals/1/"
    assert client.post(f"/notifications/{evil.pk}/read/", {"go": "1"})["Location"] == "/notifications/"


def test_preferences_saved(client, department_user):
    client.force_login(department_user)
    client.post("/notifications/preferences/", {"email": "on"})
    pref = NotificationPreference.objects.get(user=department_user)
    assert (pref.email, pref.sms) == (True, False)


def test_list_query_count_does_not_grow(client, member_user):
    client.force_login(member_user)
    notify(recipients=[member_user], title="t", channels=False)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/notifications/").status_code == 200
        return len(ctx)

    small = count()
    for i in range(25):
        notify(recipients=[member_user], title=f"t{i}", channels=False)
    assert count() == small


def test_reminder_dashboard_and_scan_button_roles(
    client, staff_user, leader_user, member_user, department_user
):
    for user in (member_user, department_user):
        client.force_login(user)
        assert client.get("/workbench/reminders/").status_code == 403
        assert client.post("/workbench/reminders/scan/").status_code == 403
    client.force_login(leader_user)
    assert client.get("/workbench/reminders/").status_code == 200
    assert client.post("/workbench/reminders/scan/").status_code == 403
    assert not ReminderScanRun.objects.exists()
    client.force_login(staff_user)
    page = client.post("/workbench/reminders/scan/", follow=True).content.decode()
    assert "已开始扫描" in page  # enqueued (the worker scans: see test_celery_integration)
    assert Reminder.objects.count() == 0
    run = ReminderScanRun.objects.get()
    assert run.state == "queued" and run.active and run.requested_by == staff_user
    assert "最近一次手动扫描" in page and "排队中" in page
    # clicking again while it is queued enqueues nothing more
    page = client.post("/workbench/reminders/scan/", follow=True).content.decode()
    assert "已有扫描在进行中" in page
    assert ReminderScanRun.objects.count() == 1


def test_reminder_dashboard_reads_the_channel_copies_by_a_created_at_range(client, staff_user, member_user):
    """Its delivery-by-channel query filters a range on the indexed created_at (not a date computed from
    every row), and costs the same queries with 3 or 30 copies."""
    from datetime import timedelta

    from django.utils import timezone

    from zhengxie.notifications.models import ChannelDelivery

    member_user.email = "m@example.cn"
    member_user.save(update_fields=["email"])
    client.force_login(staff_user)

    def page() -> tuple[int, str]:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/workbench/reminders/").status_code == 200
        sql = next(q["sql"] for q in ctx.captured_queries if "GROUP BY" in q["sql"] and "channel" in q["sql"])
        return len(ctx), sql

    notify(recipients=[member_user], title="t", channels=True)
    old = notify(recipients=[member_user], title="old", channels=True)
    ChannelDelivery.objects.filter(notification__in=old).update(
        created_at=timezone.now() - timedelta(days=30)
    )
    small, sql = page()
    assert '"created_at" >=' in sql and "::date" not in sql.split("WHERE")[1].split("GROUP BY")[0]
    for i in range(27):
        notify(recipients=[member_user], title=f"t{i}", channels=True)
    assert page()[0] == small
    stats = __import__("zhengxie.notifications.selectors", fromlist=["x"]).reminder_stats()
    assert sum(row["count"] for row in stats["by_channel"]) == 28  # the 30-day-old copy is not counted
