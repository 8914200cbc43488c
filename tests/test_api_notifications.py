"""Notifications API: one's own only, the unread filter, marking read; another's is a 404."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhengxie.notifications.models import Notification
from zhengxie.notifications.services import notify


@pytest.fixture
def notices(member_user, other_member):
    mine = notify(
        recipients=[member_user], title="提案已立案", body="您的提案已立案。", link="/proposals/1/"
    )[0]
    mine_read = notify(recipients=[member_user], title="会议通知")[0]
    Notification.objects.filter(pk=mine_read.pk).update(read_at="2026-01-01T09:00:00+08:00")
    theirs = notify(recipients=[other_member.user], title="别人的通知")[0]
    return mine, mine_read, theirs


@pytest.mark.django_db
class TestNotificationList:
    def test_lists_only_own(self, api, member_user, notices):
        mine, mine_read, theirs = notices
        body = api(member_user).get("/api/v1/notifications/").json()
        assert body["count"] == 2
        assert {row["id"] for row in body["results"]} == {mine.pk, mine_read.pk}
        row = next(r for r in body["results"] if r["id"] == mine.pk)
        assert row["title"] == "提案已立案"
        assert row["link"] == "/proposals/1/"
        assert row["is_read"] is False
        assert row["read_at"] is None

    def test_unread_filter(self, api, member_user, notices):
        mine, _, _ = notices
        body = api(member_user).get("/api/v1/notifications/", {"unread": "true"}).json()
        assert [row["id"] for row in body["results"]] == [mine.pk]

    def test_another_users_notification_is_404(self, api, member_user, notices):
        _, _, theirs = notices
        response = api(member_user).get(f"/api/v1/notifications/{theirs.pk}/")
        assert response.status_code == 404
        assert response.json()["detail"] == "对象不存在。"

    def test_anonymous_is_401(self, client, notices):
        assert client.get("/api/v1/notifications/").status_code == 401

    def test_query_count_does_not_grow_with_rows(self, api, member_user):
        client = api(member_user)
        for i in range(2):
            notify(recipients=[member_user], title=f"通知{i}")
        with CaptureQueriesContext(connection) as few:
            client.get("/api/v1/notifications/")
        for i in range(2, 20):
            notify(recipients=[member_user], title=f"通知{i}")
        with CaptureQueriesContext(connection) as many:
            assert client.get("/api/v1/notifications/").json()["count"] == 20
        assert len(many) == len(few)


@pytest.mark.django_db
class TestMarkRead:
    def test_marks_own_notification_read(self, api, member_user, notices):
        mine, _, _ = notices
        response = api(member_user).post(f"/api/v1/notifications/{mine.pk}/read/")
        assert response.status_code == 200
        assert response.json()["is_read"] is True
        assert response.json()["read_at"]
        mine.refresh_from_db()
        assert mine.read_at is not None
        unread = api(member_user).get("/api/v1/notifications/", {"unread": "true"}).json()
        assert unread["count"] == 0

    def test_marking_twice_keeps_the_first_time(self, api, member_user, notices):
        _, mine_read, _ = notices
        before = Notification.objects.get(pk=mine_read.pk).read_at
        assert api(member_user).post(f"/api/v1/notifications/{mine_read.pk}/read/").status_code == 200
        assert Notification.objects.get(pk=mine_read.pk).read_at == before

    def test_another_users_notification_is_404_and_stays_unread(self, api, member_user, notices):
        _, _, theirs = notices
        response = api(member_user).post(f"/api/v1/notifications/{theirs.pk}/read/")
        assert response.status_code == 404
        assert response.json()["detail"] == "对象不存在。"
        theirs.refresh_from_db()
        assert theirs.read_at is None

    def test_staff_cannot_mark_a_members_notification_either(self, api, staff_user, notices):
        mine, _, _ = notices
        assert api(staff_user).post(f"/api/v1/notifications/{mine.pk}/read/").status_code == 404
        mine.refresh_from_db()
        assert mine.read_at is None

    def test_anonymous_is_401(self, client, notices):
        mine, _, _ = notices
        assert client.post(f"/api/v1/notifications/{mine.pk}/read/").status_code == 401
        mine.refresh_from_db()
        assert mine.read_at is None
