"""The morning scan: threshold selection, exactly-once delivery, catch-up, escalation, channels."""

import json
import threading
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from proposals import services
from proposals.models import Assignment, Cosigner, Proposal, ProposalCategory
from zhengxie.notifications.models import ChannelDelivery, Notification, Reminder
from zhengxie.notifications.reminders import deadline_threshold
from zhengxie.notifications.services import channel_deliveries_send, reminders_scan

BEFORE = [0, 1, 3, 7, 15]


@pytest.mark.parametrize(
    "days_left,expected",
    [
        (20, None),
        (15, ("due_soon", 15)),
        (10, ("due_soon", 15)),
        (7, ("due_soon", 7)),
        (5, ("due_soon", 7)),  # the day of 7 was missed: caught up once, at the latest threshold
        (3, ("due_soon", 3)),
        (1, ("due_soon", 1)),
        (0, ("due_today", 0)),
        (-1, ("overdue", 1)),
        (-7, ("overdue", 1)),
        (-8, ("overdue", 2)),
        (-15, ("overdue", 3)),
    ],
)
def test_threshold_selection(days_left, expected):
    assert deadline_threshold(days_left, BEFORE, 7) == expected


@pytest.fixture
def open_task(db, member, staff_user, plenary, department, department_user):
    p = services.proposal_create(
        actor=member.user,
        title="关于建设社区养老服务中心的建议",
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
    task = Assignment.objects.get(proposal=p)
    Notification.objects.all().delete()
    return task


def _due_in(task, days, today):
    Assignment.objects.filter(pk=task.pk).update(due_date=today + timedelta(days=days))


TODAY = date(2026, 11, 23)


@pytest.mark.django_db
def test_scan_twice_sends_once(open_task, department_user):
    _due_in(open_task, 7, TODAY)
    first = reminders_scan(today=TODAY)
    second = reminders_scan(today=TODAY)
    assert (first.created, first.sent) == (1, 1)
    assert (second.created, second.sent) == (0, 0)
    notices = Notification.objects.filter(recipient=department_user)
    assert notices.count() == 1
    assert "还有7天到期" in notices.get().body and open_task.proposal.number in notices.get().body
    assert Reminder.objects.get().threshold == 7


@pytest.mark.django_db
def test_missed_days_catch_up_with_the_latest_threshold_only(open_task, department_user):
    _due_in(open_task, 20, TODAY)
    reminders_scan(today=TODAY + timedelta(days=5))  # 15 days left
    # the server is down for eight days; on day 13, 2 days are left: only the 3-day reminder goes out
    reminders_scan(today=TODAY + timedelta(days=18))
    deadline = Reminder.objects.filter(source="handling_deadline").order_by("id")
    assert list(deadline.values_list("threshold", flat=True)) == [15, 3]
    assert Notification.objects.filter(recipient=department_user, title__startswith="办理提醒").count() == 2


@pytest.mark.django_db
def test_overdue_reminds_every_seven_days_and_escalates_to_staff_daily(
    open_task, department_user, staff_user
):
    _due_in(open_task, -1, TODAY)
    reminders_scan(today=TODAY)
    for day in range(1, 7):
        reminders_scan(today=TODAY + timedelta(days=day))
    reminders_scan(today=TODAY + timedelta(days=7))  # 8 days late: the second overdue reminder
    deadline = Reminder.objects.filter(source="handling_deadline").order_by("id")
    assert list(deadline.values_list("kind", "threshold")) == [("overdue", 1), ("overdue", 2)]
    assert Notification.objects.filter(recipient=department_user, title__startswith="办理提醒").count() == 2
    # The staff get one digest a day while work is overdue, naming the department and the count.
    escalations = Notification.objects.filter(recipient=staff_user, title__startswith="逾期督办")
    assert escalations.count() == 8
    assert (
        escalations.first().title == "逾期督办：1件办理事项已超期"
        and "市教育局1件" in escalations.first().body
    )
    reminders_scan(today=TODAY + timedelta(days=7))
    assert escalations.count() == 8


@pytest.mark.django_db
def test_finished_work_gets_nothing(open_task, department_user):
    _due_in(open_task, 1, TODAY)
    Assignment.objects.filter(pk=open_task.pk).update(state="replied")
    assert reminders_scan(today=TODAY).created == 0
    Assignment.objects.filter(pk=open_task.pk).update(state="cancelled")
    assert reminders_scan(today=TODAY).created == 0
    assert not Notification.objects.exists()


@pytest.mark.django_db
def test_reminder_that_no_longer_applies_is_skipped(open_task):
    _due_in(open_task, 3, TODAY)
    Reminder.objects.create(
        source="handling_deadline",
        content_type_id=__import__("django.contrib.contenttypes.models", fromlist=["ContentType"])
        .ContentType.objects.get_for_model(Assignment)
        .pk,
        object_id=open_task.pk,
        kind="due_soon",
        threshold=7,  # the task's due date moved since this row was made
        scan_date=TODAY,
    )
    result = reminders_scan(today=TODAY)
    assert result.skipped == 1 and result.sent == 1  # the stale row skipped, the 3-day one sent
    assert Notification.objects.count() == 1


@pytest.mark.django_db
def test_one_bad_row_does_not_abort_the_batch(open_task, department_user):
    _due_in(open_task, 3, TODAY)
    Reminder.objects.create(
        source="no_such_source",
        content_type_id=1,
        object_id=1,
        kind="x",
        threshold=1,
        scan_date=TODAY,
    )
    result = reminders_scan(today=TODAY)
    assert result.sent == 1 and result.skipped == 1
    assert Notification.objects.filter(recipient=department_user).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_scans_at_once_send_once(open_task, department_user):
    _due_in(open_task, 1, TODAY)
    barrier = threading.Barrier(2)
    outcomes = []

    def run():
        try:
            barrier.wait()
            outcomes.append(reminders_scan(today=TODAY))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert Reminder.objects.count() == 1
    assert Notification.objects.filter(recipient=department_user).count() == 1
    assert sum(o.sent for o in outcomes) == 1


@pytest.mark.django_db
def test_scan_command(open_task, capsys):
    _due_in(open_task, 0, TODAY)
    call_command("scan_deadlines", "--today", TODAY.isoformat())
    assert "新增1条，已发送1条" in capsys.readouterr().out
    call_command("scan_deadlines", "--today", TODAY.isoformat())
    assert "新增0条，已发送0条" in capsys.readouterr().out
    assert Notification.objects.get().title == "办理提醒：今天到期"


# --- other reminders on the same machinery ------------------------------------------------------------


@pytest.mark.django_db
def test_cosigners_reminded_after_two_and_five_days(member, other_member, plenary):
    p = services.proposal_create(
        actor=member.user,
        title="联名提案",
        content="建议",
        category=ProposalCategory.objects.get(name="文化"),
        kind="joint",
        cosigners=[other_member.pk],
        during_plenary=True,
        plenary=plenary,
    )
    services.proposal_submit(actor=member.user, proposal=p)
    submitted = timezone.localtime(Proposal.objects.get(pk=p.pk).submitted_at).date()
    Notification.objects.all().delete()
    reminders_scan(today=submitted + timedelta(days=1))
    assert not Notification.objects.exists()
    reminders_scan(today=submitted + timedelta(days=2))
    reminders_scan(today=submitted + timedelta(days=3))
    reminders_scan(today=submitted + timedelta(days=6))
    titles = list(
        Notification.objects.filter(recipient=other_member.user).order_by("id").values_list("body", flat=True)
    )
    assert len(titles) == 2 and "已2天" in titles[0] and "已5天" in titles[1]
    services.proposal_cosign(actor=other_member.user, proposal=p, agree=True)
    assert Cosigner.objects.get().status == "confirmed"


@pytest.mark.django_db
def test_unsigned_assignment_reminded_after_three_workdays(open_task, department_user):
    assigned = timezone.localtime(open_task.assigned_at).date()
    reminders_scan(today=assigned + timedelta(days=1))
    assert not Notification.objects.filter(title="请及时签收交办提案").exists()
    reminders_scan(today=assigned + timedelta(days=7))
    assert Notification.objects.filter(recipient=department_user, title="请及时签收交办提案").count() == 1


@pytest.mark.django_db
def test_unrated_reply_reminded_before_window_ends(open_task, department_user, member):
    services.assignment_accept(actor=department_user, assignment=open_task)
    services.assignment_add_contact(
        actor=department_user, assignment=open_task, date=timezone.localdate(), way="phone", summary="沟通"
    )
    services.assignment_reply(actor=department_user, assignment=open_task, result="A", content="已解决")
    replied = timezone.localtime(Proposal.objects.get(pk=open_task.proposal_id).replied_at).date()
    reminders_scan(today=replied + timedelta(days=1))
    assert not Notification.objects.filter(
        recipient=member.user, title__startswith="请对提案答复进行测评"
    ).exists()
    reminders_scan(today=replied + timedelta(days=19))  # ~13 working days later: within the last 3
    assert (
        Notification.objects.filter(recipient=member.user, title__startswith="请对提案答复进行测评").count()
        == 1
    )


# --- channels ------------------------------------------------------------------------------------------


class _Gateway(BaseHTTPRequestHandler):
    fail_next = 0
    received: list = []

    def do_POST(self):  # noqa: N802 - http.server's name
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if _Gateway.fail_next > 0:
            _Gateway.fail_next -= 1
            self.send_response(503)
        else:
            _Gateway.received.append(body.decode())
            self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def sms_gateway(settings):
    server = HTTPServer(("127.0.0.1", 0), _Gateway)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Gateway.received, _Gateway.fail_next = [], 0
    settings.SMS_BACKEND = "zhengxie.notifications.channels.HttpSmsBackend"
    settings.SMS_GATEWAY_URL = f"http://127.0.0.1:{server.server_port}/send"
    settings.SMS_GATEWAY_KEY = "k-123"
    settings.SMS_TEMPLATE = "【市政协】{text}"
    yield _Gateway
    server.shutdown()


@pytest.mark.django_db
def test_failing_gateway_is_retried_and_the_in_app_notice_stays(open_task, department_user, sms_gateway):
    department_user.phone, department_user.email = "13800001111", "clerk@example.cn"
    department_user.save()
    _due_in(open_task, 3, TODAY)
    sms_gateway.fail_next = 1
    reminders_scan(today=TODAY)
    notice = Notification.objects.get(recipient=department_user)
    first = channel_deliveries_send()
    assert first == {"sent": 1, "retry": 1, "failed": 0}  # the e-mail went, the SMS will be retried
    assert len(mail.outbox) == 1 and "还有3天到期" in mail.outbox[0].body
    sms = ChannelDelivery.objects.get(channel="sms")
    assert sms.state == "pending" and sms.attempts == 1 and "503" in sms.last_error
    assert channel_deliveries_send() == {"sent": 0, "retry": 0, "failed": 0}  # not yet due again
    ChannelDelivery.objects.filter(pk=sms.pk).update(next_attempt_at=timezone.now())
    assert channel_deliveries_send()["sent"] == 1
    assert ChannelDelivery.objects.get(pk=sms.pk).state == "sent"
    sent = json.loads(sms_gateway.received[0])
    assert sent["key"] == "k-123" and sent["phone"] == "13800001111"
    assert sent["text"].startswith("【市政协】办理提醒：还有3天到期")
    assert Notification.objects.filter(pk=notice.pk).exists()


@pytest.mark.django_db
def test_dead_gateway_gives_up_after_max_attempts(open_task, department_user, sms_gateway, settings):
    settings.CHANNEL_MAX_ATTEMPTS = 2
    settings.NOTIFY_BY_EMAIL = False
    department_user.phone = "13800001111"
    department_user.save()
    _due_in(open_task, 3, TODAY)
    sms_gateway.fail_next = 10
    reminders_scan(today=TODAY)
    channel_deliveries_send()
    ChannelDelivery.objects.update(next_attempt_at=timezone.now())
    assert channel_deliveries_send() == {"sent": 0, "retry": 0, "failed": 1}
    assert ChannelDelivery.objects.get().state == "failed"
    assert Notification.objects.filter(recipient=department_user).count() == 1


@pytest.mark.django_db
def test_user_preference_turns_a_channel_off(open_task, department_user):
    from zhengxie.notifications.services import notification_preference_set

    department_user.phone, department_user.email = "13800001111", "clerk@example.cn"
    department_user.save()
    notification_preference_set(actor=department_user, email=True, sms=False)
    _due_in(open_task, 3, TODAY)
    reminders_scan(today=TODAY)
    assert list(ChannelDelivery.objects.values_list("channel", flat=True)) == ["email"]


# --- cost in proportion to what is due (issue 15) --------------------------------------------------


def _copies(task, offsets, today):
    """Open assignments like `task` (same proposal and department), one per due-date offset."""
    rows = []
    for offset in offsets:
        copy = Assignment.objects.get(pk=task.pk)
        copy.pk = copy.id = None
        copy.due_date = today + timedelta(days=offset)
        rows.append(copy)
    return Assignment.objects.bulk_create(rows)


@pytest.mark.django_db
def test_the_database_decides_the_same_threshold_as_the_rule(open_task):
    offsets = list(range(-40, 41))
    tasks = _copies(open_task, offsets, TODAY)
    Assignment.objects.filter(pk=open_task.pk).update(state="replied")
    reminders_scan(today=TODAY)
    decided = {
        r.object_id: (r.kind, r.threshold) for r in Reminder.objects.filter(source="handling_deadline")
    }
    for task, offset in zip(tasks, offsets, strict=True):
        assert decided.get(task.pk) == deadline_threshold(offset, BEFORE, 7), offset


@pytest.mark.django_db
def test_a_same_day_rerun_costs_the_same_queries_with_ten_or_a_hundred_open_tasks(open_task):
    from django.test.utils import CaptureQueriesContext

    def rerun():
        with CaptureQueriesContext(connection) as ctx:
            result = reminders_scan(today=TODAY)
        assert (result.created, result.sent) == (0, 0)
        return len(ctx)

    _copies(open_task, [(i % 60) - 30 for i in range(9)], TODAY)
    with CaptureQueriesContext(connection) as cold_small:
        reminders_scan(today=TODAY)
    small = rerun()
    _copies(open_task, [(i % 60) - 30 for i in range(90)], TODAY)
    with CaptureQueriesContext(connection) as cold_large:
        assert reminders_scan(today=TODAY).sent > 50
    assert rerun() == small
    # delivering ten times as many reminders is the same statements (batched), not one per reminder
    assert len(cold_large) <= len(cold_small) + 2


@pytest.mark.django_db
def test_delivery_stops_at_its_time_budget_and_leaves_the_rest_pending(open_task):
    _copies(open_task, [-3, 1, 2, 5], TODAY)
    from zhengxie.notifications.services import reminders_deliver, reminders_insert

    assert reminders_insert(today=TODAY)[1] >= 4
    stopped = reminders_deliver(today=TODAY, time_budget=-1)  # already past it: nothing sent
    assert stopped.more and stopped.sent == 0
    done = reminders_deliver(today=TODAY, batch_size=2)
    assert not done.more and done.sent >= 4
    assert not Reminder.objects.filter(state="pending").exists()


# --- set-based delivery (issue 15: the cold scan at 1M open tasks) -------------------------------------


@pytest.mark.django_db
def test_set_based_delivery_says_what_render_says(open_task, department_user, department, staff_user):
    """The deadline source delivers a batch in one statement; its notices, counters and e-mail/SMS copies
    are the ones render() and the notify path give (SMS turned off by one user's preference)."""
    from django.contrib.auth import get_user_model

    from zhengxie.notifications.models import NotificationPreference, UnreadCounter
    from zhengxie.notifications.reminders import HandlingTaskDeadlines
    from zhengxie.notifications.services import _PendingReminder, reminders_deliver, reminders_insert

    User = get_user_model()
    second = User.objects.create_user(
        username="dept2", role="department", department=department, email="b@example.cn", phone="13900000002"
    )
    User.objects.filter(pk=department_user.pk).update(email="a@example.cn", phone="13900000001")
    User.objects.create_user(username="dept3", role="department", department=department, is_active=False)
    NotificationPreference.objects.create(user=second, email=True, sms=False)
    offsets = [-15, -8, -1, 0, 1, 2, 3, 7, 12, 15]
    tasks = _copies(open_task, offsets, TODAY)
    Assignment.objects.filter(pk=tasks[3].pk).update(state="replied")  # closed after its row was made
    Assignment.objects.filter(pk=open_task.pk).update(state="replied")
    reminders_insert(today=TODAY)
    Assignment.objects.filter(pk=tasks[4].pk).update(state="replied")
    pending = [
        _PendingReminder(*v)
        for v in Reminder.objects.filter(source="handling_deadline").values_list(
            "id", "source", "content_type_id", "object_id", "kind", "threshold"
        )
    ]
    expected = set()
    rendered = HandlingTaskDeadlines().render(pending, TODAY)
    for message in rendered.values():
        if message is not None:
            expected |= {(u.pk, message.title, message.body, message.link) for u in message.recipients}
    assert len(expected) == 2 * (len(offsets) - 2)  # two active users; the closed tasks: none
    counters = dict(UnreadCounter.objects.values_list("user_id", "unread"))  # the fixture's deleted notices
    result = reminders_deliver(today=TODAY)
    got = set(
        Notification.objects.filter(title__startswith="办理提醒").values_list(
            "recipient", "title", "body", "link"
        )
    )
    assert got == expected
    assert result.skipped == sum(1 for m in rendered.values() if m is None) == 1
    sent = Reminder.objects.filter(source="handling_deadline", state="sent")
    assert set(sent.values_list("recipients_count", flat=True)) == {2}
    assert Reminder.objects.filter(state="sent", sent_at__isnull=True).count() == 0
    copies = set(ChannelDelivery.objects.values_list("notification__recipient", "channel", "address"))
    assert copies == {
        (department_user.pk, "email", "a@example.cn"),
        (department_user.pk, "sms", "13900000001"),
        (second.pk, "email", "b@example.cn"),
    }
    assert ChannelDelivery.objects.count() == 3 * len(got) // 2
    for user in (department_user, second):
        unread = Notification.objects.filter(recipient=user, read_at__isnull=True).count()
        assert UnreadCounter.objects.get(user=user).unread - counters.get(user.pk, 0) == unread


@pytest.mark.django_db
def test_delivery_queries_per_batch_do_not_grow_with_the_batch(open_task, department_user):
    from django.test.utils import CaptureQueriesContext

    from zhengxie.notifications.services import reminders_deliver, reminders_insert

    def deliver(n: int) -> int:
        _copies(open_task, [(i % 16) for i in range(n)], TODAY)
        reminders_insert(today=TODAY)
        with CaptureQueriesContext(connection) as ctx:
            result = reminders_deliver(today=TODAY)
        assert result.sent == n
        return len(ctx)

    small = deliver(10)
    assert deliver(100) == small
