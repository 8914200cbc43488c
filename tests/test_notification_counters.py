"""The unread counter (kept exactly by the services, read by the bell and the API), keyset pages of the
notification list, and the nightly archive of old read notices."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from zhengxie.notifications.models import ArchivedNotification, Notification, UnreadCounter
from zhengxie.notifications.services import (
    notification_counters_repair,
    notification_mark_read,
    notifications_archive,
    notifications_mark_all_read,
    notify,
    notify_many,
    unread_count,
)


def _actual(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


@pytest.mark.django_db
def test_counter_follows_create_read_and_read_all(member_user, other_member):
    assert unread_count(member_user) == 0
    first = notify(recipients=[member_user, other_member.user], title="a", channels=False)[0]
    notify_many([([member_user], "b", "", ""), ([member_user, member_user], "c", "", "")], channels=False)
    assert unread_count(member_user) == 3 == _actual(member_user)
    assert unread_count(other_member.user) == 1
    notification_mark_read(actor=member_user, notification_id=first.pk)
    notification_mark_read(actor=member_user, notification_id=first.pk)  # twice: counted once
    assert unread_count(member_user) == 2 == _actual(member_user)
    assert notifications_mark_all_read(actor=member_user) == 2
    assert unread_count(member_user) == 0 == _actual(member_user)
    assert notifications_mark_all_read(actor=member_user) == 0
    assert unread_count(member_user) == 0
    assert unread_count(other_member.user) == 1


@pytest.mark.django_db
def test_bell_and_api_read_the_counter_not_a_count(client, api, member_user):
    notify(recipients=[member_user], title="a", channels=False)
    notify(recipients=[member_user], title="b", channels=False)
    client.force_login(member_user)
    with CaptureQueriesContext(connection) as ctx:
        page = client.get("/notifications/").content.decode()
    assert "2 条未读" in page
    assert not any("COUNT(" in q["sql"].upper() for q in ctx.captured_queries)
    assert api(member_user).get("/api/v1/notifications/unread-count/").json() == {"unread": 2}
    client.post("/notifications/read-all/")
    assert "条未读" not in client.get("/notifications/").content.decode()


@pytest.mark.django_db
def test_repair_recomputes_a_drifted_counter(member_user, other_member):
    notify(recipients=[member_user], title="a", channels=False)
    notify(recipients=[other_member.user], title="b", channels=False)
    UnreadCounter.objects.filter(user=member_user).update(unread=7)
    assert notification_counters_repair() == 1
    assert unread_count(member_user) == 1 and unread_count(other_member.user) == 1
    assert notification_counters_repair() == 0


@pytest.mark.django_db(transaction=True)
def test_concurrent_creates_and_reads_keep_the_counter_exact(member_user):
    existing = notify(recipients=[member_user], title="x", channels=False)
    existing += notify(recipients=[member_user], title="y", channels=False)
    barrier = threading.Barrier(6)
    errors = []

    def run(work):
        try:
            barrier.wait()
            for _ in range(5):
                work()
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    works = [
        lambda: notify(recipients=[member_user], title="n", channels=False),
        lambda: notify(recipients=[member_user], title="m", channels=False),
        lambda: notify_many([([member_user], "k", "", "")], channels=False),
        lambda: notifications_mark_all_read(actor=member_user),
        lambda: notification_mark_read(actor=member_user, notification_id=existing[0].pk),
        lambda: notification_mark_read(actor=member_user, notification_id=existing[1].pk),
    ]
    threads = [threading.Thread(target=run, args=(w,)) for w in works]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert unread_count(member_user) == _actual(member_user)
    assert Notification.objects.filter(recipient=member_user).count() == 17


@pytest.mark.django_db
def test_archive_moves_old_read_notices_only(client, member_user, settings):
    settings.NOTIFICATION_ARCHIVE_DAYS = 180
    old = timezone.now() - timedelta(days=200)
    old_read = notify(recipients=[member_user], title="旧的已读", channels=False)
    old_unread = notify(recipients=[member_user], title="旧的未读", channels=False)
    recent_read = notify(recipients=[member_user], title="新的已读", channels=False)
    for n in old_read + recent_read:
        notification_mark_read(actor=member_user, notification_id=n.pk)
    Notification.objects.filter(pk__in=[old_read[0].pk, old_unread[0].pk]).update(created_at=old)
    extra = notify_many([([member_user], f"旧{i}", "", "") for i in range(5)], channels=False)
    for n in extra:
        notification_mark_read(actor=member_user, notification_id=n.pk)
    Notification.objects.filter(pk__in=[n.pk for n in extra]).update(created_at=old)

    assert notifications_archive(batch_size=2) == 6  # in batches of 2
    assert set(Notification.objects.values_list("title", flat=True)) == {"旧的未读", "新的已读"}
    archived = ArchivedNotification.objects.get(pk=old_read[0].pk)
    assert archived.title == "旧的已读" and archived.recipient_id == member_user.pk
    assert unread_count(member_user) == 1 == _actual(member_user)
    assert notifications_archive() == 0
    client.force_login(member_user)
    page = client.get("/notifications/archive/").content.decode()
    assert "旧的已读" in page and "新的已读" not in page


def test_archive_runs_every_night_from_the_static_schedule(settings):
    from zhengxie.notifications import tasks

    entry = settings.CELERY_BEAT_SCHEDULE["archive-read-notifications"]
    assert entry["task"] == tasks.archive_notifications.name
    assert settings.NOTIFICATION_ARCHIVE_DAYS == 180


@pytest.mark.django_db
def test_list_pages_by_cursor_with_constant_queries(client, member_user):
    client.force_login(member_user)
    for i in range(65):
        notify(recipients=[member_user], title=f"通知{i:02d}", channels=False)
    Notification.objects.update(created_at=timezone.now())  # equal timestamps: the id breaks ties
    seen = []
    url = "/notifications/"
    sizes = []
    while url:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        sizes.append(len(ctx))
        page = response.content.decode()
        seen += [t for t in (f"通知{i:02d}" for i in range(65)) if t in page]
        cursor = response.context["next_cursor"]
        url = f"/notifications/?after={cursor}" if cursor else ""
    assert len(sizes) == 3 and len(set(sizes)) == 1
    assert sorted(seen) == sorted(f"通知{i:02d}" for i in range(65))
    assert client.get("/notifications/?after=garbage").status_code == 200
