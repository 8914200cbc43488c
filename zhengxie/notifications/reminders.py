"""Reminder sources: who must be reminded of what today.

A source proposes candidates — (model, object id, kind, threshold) — for a day; the scan inserts them as
Reminder rows under a unique key with conflicts ignored, so each is sent once. At delivery the source
renders the rows it proposed, checking that each still applies. A source with many open objects (the
deadline source below) may instead insert its due rows itself in one set-based statement (`insert_due`),
so a scan costs what is due, not a Python loop over every open task.

The HandlingTask deadline source below covers every concrete kind registered with zhengxie.workflow;
apps add their own sources (co-signers who have not answered, unrated replies…) from ready().
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.contrib.contenttypes.models import ContentType

from zhengxie.accounts.models import Role, User
from zhengxie.workflow.registry import handling_task_kinds
from zhengxie.workflow.selectors import policy_current

from .models import Reminder


@dataclass
class Candidate:
    model: type
    object_id: int
    kind: str
    threshold: int


@dataclass
class Message:
    recipients: list
    title: str
    body: str = ""
    link: str = ""
    extra: list = field(
        default_factory=list
    )  # further (recipients, title, body, link) messages, e.g. escalation


class ReminderSource:
    name = ""

    def candidates(self, today: date) -> Iterable[Candidate]:
        raise NotImplementedError

    def insert_due(self, today: date) -> int | None:
        """Optionally insert today's due Reminder rows directly (conflicts ignored), returning how many
        were inserted; None (the default) means the scan inserts `candidates(today)` instead."""
        return None

    def deliver_batch(self, reminders: list, today: date, now) -> tuple[set, int, int, int] | None:
        """Optionally deliver claimed reminders set-based, in the caller's transaction: returns (ids
        handled, sent, skipped, e-mail/SMS copies queued); the rest go through render(). None (the
        default) leaves them all to render()."""
        return None

    def render(self, reminders: list, today: date) -> dict[int, Message | None]:
        """Reminder id → the message, or None when it no longer applies (then nothing is sent)."""
        raise NotImplementedError


_sources: dict[str, ReminderSource] = {}


def register_reminder_source(source: ReminderSource) -> None:
    _sources[source.name] = source


def reminder_sources() -> dict[str, ReminderSource]:
    return dict(_sources)


def users_of_departments(department_ids) -> dict[int, list]:
    result: dict[int, list] = defaultdict(list)
    for user in User.objects.filter(department_id__in=set(department_ids), is_active=True):
        result[user.department_id].append(user)
    return result


def staff_users() -> list:
    return list(User.objects.filter(role=Role.STAFF, is_active=True))


def deadline_threshold(days_left: int, before: list[int], repeat: int) -> tuple[str, int] | None:
    """Which reminder a task with `days_left` is due for today, as (kind, threshold).

    Before the due date: the latest threshold passed (the smallest of 15/7/3/1/0 not below days_left),
    so a missed day is caught up once. Overdue: every `repeat` days — the 1st on the first day late,
    the 2nd `repeat` days later, …
    """
    if days_left >= 0:
        passed = [t for t in before if t >= days_left]
        if not passed:
            return None
        threshold = min(passed)
        return ("due_today" if threshold == 0 else "due_soon", threshold)
    overdue = -days_left
    return ("overdue", (overdue - 1) // max(repeat, 1) + 1)


class HandlingTaskDeadlines(ReminderSource):
    """Deadline reminders for every open HandlingTask (the staff get the daily OverdueDigest)."""

    name = "handling_deadline"

    def _settings(self):
        policy = policy_current()
        before = sorted(
            {int(x) for x in policy.reminder_days_before.split(",") if x.strip().lstrip("-").isdigit()}
        )
        return before, policy.overdue_repeat_days

    def candidates(self, today: date) -> Iterable[Candidate]:
        """The portable path (any database); PostgreSQL uses insert_due below."""
        from datetime import timedelta

        before, repeat = self._settings()
        horizon = today + timedelta(days=max(before or [0]))
        for model in handling_task_kinds():
            rows = model.objects.filter(state__in=model.OPEN_STATES, due_date__lte=horizon).values_list(
                "pk", "due_date"
            )
            for pk, due in rows.iterator(chunk_size=5000):
                decided = deadline_threshold((due - today).days, before, repeat)
                if decided is not None:
                    yield Candidate(model, pk, decided[0], decided[1])

    def insert_due(self, today: date) -> int | None:
        """One INSERT … SELECT per task kind: the database decides each open task's due reminder (the
        same rule as deadline_threshold, as a CASE over the days left) and inserts only those without a
        Reminder row yet (an anti-join on the unique key), so a rerun the same day inserts nothing and
        moves no rows through Python."""
        from django.db import connection

        if connection.vendor != "postgresql":
            return None
        before, repeat = self._settings()
        steps = sorted(t for t in before if t >= 0)
        horizon = max(steps) if steps else -1
        # the smallest threshold not below the days left (NULL past the first threshold)
        step = (
            "CASE " + " ".join(f"WHEN d <= {int(t)} THEN {int(t)}" for t in steps) + " END"
            if steps
            else "NULL"
        )
        reminder_table = connection.ops.quote_name(Reminder._meta.db_table)
        inserted = 0
        for model in handling_task_kinds():
            table = connection.ops.quote_name(model._meta.db_table)
            content_type = ContentType.objects.get_for_model(model)
            open_states = [str(s) for s in model.OPEN_STATES]
            sql = f"""
                INSERT INTO {reminder_table}
                    (source, content_type_id, object_id, kind, threshold, scan_date, state,
                     recipients_count, error, created_at)
                SELECT %s, %s, due.id, due.kind, due.threshold, %s, %s, 0, '', now()
                FROM (
                    SELECT id,
                           CASE WHEN d < 0 THEN 'overdue'
                                WHEN ({step}) = 0 THEN 'due_today' ELSE 'due_soon' END AS kind,
                           CASE WHEN d < 0 THEN (-d - 1) / %s + 1 ELSE ({step}) END AS threshold
                    FROM (
                        SELECT id, (due_date - %s::date) AS d FROM {table}
                        WHERE state = ANY(%s) AND due_date <= %s::date + %s
                    ) AS open_tasks
                ) AS due
                WHERE due.threshold IS NOT NULL
                  AND NOT EXISTS (
                      SELECT 1 FROM {reminder_table} r
                      WHERE r.content_type_id = %s AND r.object_id = due.id
                        AND r.kind = due.kind AND r.threshold = due.threshold
                  )
                ON CONFLICT DO NOTHING
            """  # noqa: S608 - table names from the models, thresholds are integers
            params = [
                self.name,
                content_type.pk,
                today,
                Reminder.State.PENDING,
                max(repeat, 1),
                today,
                open_states,
                today,
                horizon,
                content_type.pk,
            ]
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                inserted += cursor.rowcount
        return inserted

    def deliver_batch(self, reminders: list, today: date, now) -> tuple[set, int, int, int] | None:
        """Deliver claimed (locked) reminders of task kinds that give `reminder_sql()` in one statement
        per kind: decide again whether each still applies (render's rule, in SQL), insert one notice
        per active user of the department with render's text, add them to the unread counters (one
        grouped upsert), queue their e-mail/SMS copies and mark the reminders sent or skipped. Returns
        (reminder ids handled, sent, skipped, channel copies queued); rows of other kinds are left to
        render(). None off PostgreSQL."""
        from django.conf import settings
        from django.db import connection

        from zhengxie.accounts.models import User

        from .models import ChannelDelivery, Notification, NotificationPreference, UnreadCounter

        if connection.vendor != "postgresql":
            return None
        by_model: dict[type, list] = defaultdict(list)
        for reminder in reminders:
            model = ContentType.objects.get_for_id(reminder.content_type_id).model_class()
            if model is not None and hasattr(model, "reminder_sql"):
                by_model[model].append(reminder.pk)
        if not by_model:
            return None
        before, repeat = self._settings()
        steps = sorted(t for t in before if t >= 0)
        step = (
            "CASE " + " ".join(f"WHEN d <= {int(t)} THEN {int(t)}" for t in steps) + " END"
            if steps
            else "NULL"
        )
        q = connection.ops.quote_name
        reminder_table, notice_table = q(Reminder._meta.db_table), q(Notification._meta.db_table)
        user_table, counter_table = q(User._meta.db_table), q(UnreadCounter._meta.db_table)
        copy_table, pref_table = q(ChannelDelivery._meta.db_table), q(NotificationPreference._meta.db_table)
        handled: set = set()
        sent = skipped = copies = 0
        for model, ids in by_model.items():
            joins, subject, link = model.reminder_sql()
            sql = f"""
            WITH claimed AS (
                SELECT r.id, r.object_id, r.kind, r.threshold FROM {reminder_table} r WHERE r.id = ANY(%(ids)s)
            ), tasks AS (
                SELECT c.id, c.kind, c.threshold, t.state, t.department_id, t.due_date,
                       (t.due_date - %(today)s::date) AS d, {subject} AS subject, {link} AS link
                FROM claimed c LEFT JOIN {q(model._meta.db_table)} t ON t.id = c.object_id {joins}
            ), decided AS (
                SELECT *,
                       COALESCE(state = ANY(%(open)s)
                           AND c_kind = kind AND c_threshold = threshold, false) AS applies,
                       CASE WHEN d < 0 THEN '已超期' || (-d) || '天，请尽快办理'
                            WHEN d = 0 THEN '今天到期' ELSE '还有' || d || '天到期' END AS when_text
                FROM (
                    SELECT *,
                           CASE WHEN d < 0 THEN 'overdue'
                                WHEN ({step}) = 0 THEN 'due_today' ELSE 'due_soon' END AS c_kind,
                           CASE WHEN d < 0 THEN (-d - 1) / %(repeat)s + 1 ELSE ({step}) END AS c_threshold
                    FROM tasks
                ) AS computed
            ), recipients AS (
                SELECT dd.id AS reminder_id, u.id AS user_id,
                       left('办理提醒：' || dd.when_text, 200) AS title,
                       dd.subject || '，办理期限' || to_char(dd.due_date, 'YYYY"年"MM"月"DD"日"') || '，'
                           || dd.when_text || '。' AS body,
                       dd.link
                FROM decided dd JOIN {user_table} u ON u.department_id = dd.department_id AND u.is_active
                WHERE dd.applies
            ), notices AS (
                INSERT INTO {notice_table} (recipient_id, title, body, link, created_at)
                SELECT user_id, title, body, link, %(now)s FROM recipients ORDER BY reminder_id, user_id
                RETURNING id, recipient_id
            ), counted AS (
                INSERT INTO {counter_table} (user_id, unread)
                SELECT recipient_id, count(*) FROM notices GROUP BY recipient_id ORDER BY recipient_id
                ON CONFLICT (user_id) DO UPDATE SET unread = {counter_table}.unread + EXCLUDED.unread
                RETURNING 1
            ), copies AS (
                INSERT INTO {copy_table} (notification_id, channel, address, state, attempts,
                                          next_attempt_at, last_error, created_at)
                SELECT n.id, x.channel, x.address, %(pending)s, 0, %(now)s, '', %(now)s
                FROM notices n
                JOIN {user_table} u ON u.id = n.recipient_id
                LEFT JOIN {pref_table} p ON p.user_id = u.id
                CROSS JOIN LATERAL (VALUES
                    (%(email)s, u.email, %(email_on)s AND COALESCE(p.email, true)),
                    (%(sms)s, u.phone, %(sms_on)s AND COALESCE(p.sms, true))
                ) AS x(channel, address, wanted)
                WHERE x.wanted AND COALESCE(x.address, '') <> ''
                ORDER BY n.id, x.channel
                RETURNING 1
            ), marked AS (
                UPDATE {reminder_table} r
                SET state = CASE WHEN dd.applies THEN %(sent)s ELSE %(skipped)s END,
                    sent_at = CASE WHEN dd.applies THEN %(now)s::timestamptz END,
                    recipients_count = CASE WHEN dd.applies THEN COALESCE(n.people, 0) ELSE 0 END,
                    error = ''
                FROM decided dd
                LEFT JOIN (SELECT reminder_id, count(*) AS people FROM recipients GROUP BY reminder_id) n
                    ON n.reminder_id = dd.id
                WHERE r.id = ANY(%(ids)s) AND r.id = dd.id
                RETURNING r.state
            )
            SELECT (SELECT count(*) FROM marked WHERE state = %(sent)s),
                   (SELECT count(*) FROM marked WHERE state = %(skipped)s),
                   (SELECT count(*) FROM copies),
                   (SELECT count(*) FROM counted)
            """  # noqa: S608 - table names from the models, thresholds are integers
            params = {
                "ids": ids,
                "today": today,
                "open": [str(s) for s in model.OPEN_STATES],
                "repeat": max(repeat, 1),
                "now": now,
                "pending": ChannelDelivery.State.PENDING,
                "email": ChannelDelivery.Channel.EMAIL,
                "sms": ChannelDelivery.Channel.SMS,
                "email_on": bool(settings.NOTIFY_BY_EMAIL),
                "sms_on": bool(settings.NOTIFY_BY_SMS),
                "sent": Reminder.State.SENT,
                "skipped": Reminder.State.SKIPPED,
            }
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                n_sent, n_skipped, n_copies, _ = cursor.fetchone()
            handled.update(ids)
            sent, skipped, copies = sent + n_sent, skipped + n_skipped, copies + n_copies
        return handled, sent, skipped, copies

    def render(self, reminders: list, today: date) -> dict[int, Message | None]:
        before, repeat = self._settings()
        by_model: dict[type, list] = defaultdict(list)
        for reminder in reminders:
            by_model[ContentType.objects.get_for_id(reminder.content_type_id).model_class()].append(reminder)
        result: dict[int, Message | None] = {}
        for model, rows in by_model.items():
            tasks = model.reminder_rows({r.object_id for r in rows})
            people = users_of_departments(t.department_id for t in tasks.values())
            open_states = set(model.OPEN_STATES)
            for reminder in rows:
                task = tasks.get(reminder.object_id)
                decided = (
                    deadline_threshold((task.due_date - today).days, before, repeat)
                    if task is not None and task.state in open_states
                    else None
                )
                if decided != (reminder.kind, reminder.threshold):
                    result[reminder.pk] = None  # replied, cancelled, or its due date moved
                    continue
                days_left = (task.due_date - today).days
                when = (
                    f"已超期{-days_left}天，请尽快办理"
                    if days_left < 0
                    else ("今天到期" if days_left == 0 else f"还有{days_left}天到期")
                )
                body = f"{task.subject}，办理期限{task.due_date:%Y年%m月%d日}，{when}。"
                message = Message(
                    recipients=people.get(task.department_id, []),
                    title=f"办理提醒：{when}",
                    body=body,
                    link=task.portal_url,
                )
                result[reminder.pk] = message
        return result


def overdue_by_department(today: date) -> list[tuple[str, int]]:
    """(department name, open tasks past due) over every HandlingTask kind, most first."""
    from django.db.models import Count

    counts: dict[str, int] = defaultdict(int)
    for model in handling_task_kinds():
        rows = (
            model.objects.filter(state__in=model.OPEN_STATES, due_date__lt=today)
            .values("department__name")
            .annotate(n=Count("pk"))
        )
        for row in rows:
            counts[row["department__name"]] += row["n"]
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def any_overdue(today: date) -> bool:
    return any(
        model.objects.filter(state__in=model.OPEN_STATES, due_date__lt=today).exists()
        for model in handling_task_kinds()
    )


class OverdueDigest(ReminderSource):
    """Escalation: one notice a day to the staff while any work is overdue (not one per task, which would
    bury them). Its key is the day itself, so the day's digest is sent once however often the scan runs."""

    name = "overdue_digest"

    def candidates(self, today: date) -> Iterable[Candidate]:
        from zhengxie.workflow.models import WorkCalendarDay

        if Reminder.objects.filter(
            content_type=ContentType.objects.get_for_model(WorkCalendarDay),
            object_id=today.toordinal(),
            kind="overdue_digest",
            threshold=0,
        ).exists():
            return  # today's digest is in already: no need to look at the overdue work again
        if any_overdue(today):
            yield Candidate(WorkCalendarDay, today.toordinal(), "overdue_digest", 0)

    def render(self, reminders: list, today: date) -> dict[int, Message | None]:
        overdue = overdue_by_department(today)
        if not overdue:
            return dict.fromkeys((r.pk for r in reminders), None)
        total = sum(n for _, n in overdue)
        listed = "、".join(f"{name}{n}件" for name, n in overdue[:10])
        more = f"等{len(overdue)}个单位" if len(overdue) > 10 else ""
        message = Message(
            recipients=staff_users(),
            title=f"逾期督办：{total}件办理事项已超期",
            body=f"截至{today:%Y年%m月%d日}，{listed}{more}已超过办理期限，请督促办理。",
            link="/workbench/handling/board/",
        )
        return {r.pk: message for r in reminders}


register_reminder_source(HandlingTaskDeadlines())
register_reminder_source(OverdueDigest())
