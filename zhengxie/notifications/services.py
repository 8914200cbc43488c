"""Notifications: the in-app notice (always), its e-mail/SMS copies, and the morning reminder scan."""

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import Count, F
from django.http import Http404
from django.utils import timezone

from .models import (
    ArchivedNotification,
    ChannelDelivery,
    Notification,
    NotificationPreference,
    Reminder,
    ReminderScanRun,
    UnreadCounter,
)

logger = logging.getLogger(__name__)

# Any constant shared by every scan: the PostgreSQL advisory lock that keeps two scans apart.
SCAN_LOCK_KEY = 0x5A58_5343  # "ZXSC"


def _enqueue_channel_sender() -> None:
    from .tasks import send_channel_deliveries

    try:
        send_channel_deliveries.delay()
    except Exception:  # noqa: BLE001 - the beat task picks the rows up anyway; never lose the notice
        logger.warning("could not enqueue the channel sender; the periodic task will send", exc_info=True)


def _channel_rows(notifications: list[Notification]) -> list[ChannelDelivery]:
    return _channel_rows_for([(n.pk, n.recipient) for n in notifications])


def _channel_rows_for(pairs: list[tuple[int, object]]) -> list[ChannelDelivery]:
    """The e-mail/SMS copies of (notification id, recipient) pairs the recipients want."""
    if not pairs or not (settings.NOTIFY_BY_EMAIL or settings.NOTIFY_BY_SMS):
        return []
    wanting = {user.pk for _, user in pairs if user.email or user.phone}
    if not wanting:
        return []
    prefs = {p.user_id: p for p in NotificationPreference.objects.filter(user_id__in=wanting)}
    rows = []
    for notification_id, user in pairs:
        pref = prefs.get(user.pk)
        if settings.NOTIFY_BY_EMAIL and user.email and (pref is None or pref.email):
            rows.append(
                ChannelDelivery(
                    notification_id=notification_id, channel=ChannelDelivery.Channel.EMAIL, address=user.email
                )
            )
        if settings.NOTIFY_BY_SMS and user.phone and (pref is None or pref.sms):
            rows.append(
                ChannelDelivery(
                    notification_id=notification_id, channel=ChannelDelivery.Channel.SMS, address=user.phone
                )
            )
    return rows


_MISSING = object()


# --- the unread counter --------------------------------------------------------------------------------
# Kept by every service that creates or reads notices, in the caller's transaction: creating adds with an
# upsert (atomic `unread + n`), reading subtracts what the UPDATE actually changed. Notices are always
# locked before the counter row, so these never deadlock with each other.


def _counters_add(counts: dict[int, int]) -> None:
    """Add n to each user's unread counter in one statement, users in id order (a fixed lock order)."""
    items = sorted((uid, n) for uid, n in counts.items() if n > 0)
    if not items:
        return
    table = connection.ops.quote_name(UnreadCounter._meta.db_table)
    values = ",".join(["(%s, %s)"] * len(items))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (user_id, unread) VALUES {values} "  # noqa: S608 - table name from the model
            f"ON CONFLICT (user_id) DO UPDATE SET unread = {table}.unread + EXCLUDED.unread",
            [x for item in items for x in item],
        )


def _counted(created: list[Notification]) -> list[Notification]:
    counts: dict[int, int] = {}
    for n in created:
        counts[n.recipient_id] = counts.get(n.recipient_id, 0) + 1
    _counters_add(counts)
    return created


def _counter_subtract(user_id: int, n: int) -> None:
    if n:
        UnreadCounter.objects.filter(user_id=user_id).update(unread=F("unread") - n)


def unread_count(user) -> int:
    """The user's unread notices, from the counter (one primary-key read)."""
    row = UnreadCounter.objects.filter(user_id=user.pk).values_list("unread", flat=True).first()
    return max(row or 0, 0)


def notification_counters_repair(*, user_ids=None) -> int:
    """Recompute unread counters from the notices (all users, or those given); returns how many counters
    were wrong. Each user's notices are counted under a lock on the counter row, so a notice created or
    read meanwhile is counted exactly once."""
    from django.contrib.auth import get_user_model

    User = get_user_model()
    ids = list(User.objects.values_list("pk", flat=True)) if user_ids is None else list(user_ids)
    fixed = 0
    for start in range(0, len(ids), 500):
        chunk = sorted(ids[start : start + 500])
        with transaction.atomic():
            UnreadCounter.objects.bulk_create(
                [UnreadCounter(user_id=uid) for uid in chunk], ignore_conflicts=True
            )
            current = dict(
                UnreadCounter.objects.select_for_update()
                .filter(user_id__in=chunk)
                .order_by("user_id")
                .values_list("user_id", "unread")
            )
            actual = dict(
                Notification.objects.filter(recipient_id__in=chunk, read_at__isnull=True)
                .values("recipient_id")
                .annotate(n=Count("id"))
                .values_list("recipient_id", "n")
            )
            for uid in chunk:
                if current.get(uid, 0) != actual.get(uid, 0):
                    UnreadCounter.objects.filter(user_id=uid).update(unread=actual.get(uid, 0))
                    fixed += 1
    return fixed


def _build(recipients: Iterable, title: str, body: str, link: str) -> list[Notification]:
    seen: set[int] = set()
    rows = []
    for user in recipients:
        if user is None or user.pk in seen:
            continue
        seen.add(user.pk)
        rows.append(Notification(recipient=user, title=title[:200], body=body, link=link))
    return rows


def notify(
    *, recipients: Iterable, title: str, body: str = "", link: str = "", channels: bool = True
) -> list[Notification]:
    """Create the in-app notice for each distinct recipient (inside the caller's transaction) and queue
    its e-mail/SMS copies, sent by the worker once the transaction commits."""
    created = _counted(Notification.objects.bulk_create(_build(recipients, title, body, link)))
    if channels:
        deliveries = ChannelDelivery.objects.bulk_create(_channel_rows(created))
        if deliveries:
            transaction.on_commit(_enqueue_channel_sender)
    return created


def notify_many(
    items: Iterable[tuple[Iterable, str, str, str]], *, channels: bool = True
) -> list[Notification]:
    """notify() for many notices at once — (recipients, title, body, link) each — in two inserts."""
    rows = [row for recipients, title, body, link in items for row in _build(recipients, title, body, link)]
    created = _counted(Notification.objects.bulk_create(rows))
    if channels:
        deliveries = ChannelDelivery.objects.bulk_create(_channel_rows(created))
        if deliveries:
            transaction.on_commit(_enqueue_channel_sender)
    return created


@transaction.atomic
def notification_mark_read(*, actor, notification_id: int) -> Notification:
    notification = Notification.objects.select_for_update().filter(pk=notification_id).first()
    if notification is None or notification.recipient_id != actor.pk:
        raise Http404("通知不存在。")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
        _counter_subtract(actor.pk, 1)
    return notification


@transaction.atomic
def notifications_mark_all_read(*, actor) -> int:
    changed = Notification.objects.filter(recipient=actor, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    _counter_subtract(actor.pk, changed)
    return changed


def notifications_archive(*, days: int | None = None, batch_size: int = 5000, now=None) -> int:
    """Move read notices older than `days` (NOTIFICATION_ARCHIVE_DAYS) into ArchivedNotification, a
    batch per transaction (one DELETE … RETURNING feeding one INSERT), so the live table — which every
    page's bell and list reads — stays the size of recent work. Unread notices stay however old.
    Returns how many were moved."""
    days = settings.NOTIFICATION_ARCHIVE_DAYS if days is None else days
    cutoff = (now or timezone.now()) - timedelta(days=days)
    live = connection.ops.quote_name(Notification._meta.db_table)
    archive = connection.ops.quote_name(ArchivedNotification._meta.db_table)
    deliveries = connection.ops.quote_name(ChannelDelivery._meta.db_table)
    moved = 0
    if connection.vendor != "postgresql":  # the embedded demo database: the same, row by row
        return _archive_portable(cutoff, batch_size)
    while True:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"""
                WITH batch AS (
                    SELECT id FROM {live}
                    WHERE read_at IS NOT NULL AND created_at < %s
                    ORDER BY created_at LIMIT %s FOR UPDATE SKIP LOCKED
                ), gone_copies AS (
                    DELETE FROM {deliveries} WHERE notification_id IN (SELECT id FROM batch)
                ), moved AS (
                    DELETE FROM {live} WHERE id IN (SELECT id FROM batch)
                    RETURNING id, recipient_id, title, body, link, created_at, read_at
                )
                INSERT INTO {archive} (id, recipient_id, title, body, link, created_at, read_at, archived_at)
                SELECT id, recipient_id, title, body, link, created_at, read_at, %s FROM moved
                ON CONFLICT (id) DO NOTHING
                """,  # noqa: S608 - table names from the models
                [cutoff, batch_size, timezone.now()],
            )
            count = cursor.rowcount
        moved += count
        if count < batch_size:
            break
    if moved:
        logger.info("archived %s read notifications older than %s days", moved, days)
    return moved


def _archive_portable(cutoff, batch_size: int) -> int:
    moved = 0
    while True:
        with transaction.atomic():
            rows = list(
                Notification.objects.filter(read_at__isnull=False, created_at__lt=cutoff).order_by(
                    "created_at"
                )[:batch_size]
            )
            if not rows:
                return moved
            ArchivedNotification.objects.bulk_create(
                [
                    ArchivedNotification(
                        id=n.pk,
                        recipient_id=n.recipient_id,
                        title=n.title,
                        body=n.body,
                        link=n.link,
                        created_at=n.created_at,
                        read_at=n.read_at,
                    )
                    for n in rows
                ],
                ignore_conflicts=True,
            )
            Notification.objects.filter(pk__in=[n.pk for n in rows]).delete()
            moved += len(rows)


@transaction.atomic
def notification_preference_set(*, actor, email: bool, sms: bool) -> NotificationPreference:
    pref, _ = NotificationPreference.objects.select_for_update().get_or_create(user=actor)
    pref.email, pref.sms = bool(email), bool(sms)
    pref.save(update_fields=["email", "sms"])
    return pref


# --- the morning scan --------------------------------------------------------------------------------


@dataclass
class ScanResult:
    ran: bool
    candidates: int = 0
    created: int = 0
    sent: int = 0
    skipped: int = 0
    failed: int = 0
    more: bool = False  # delivery stopped at its time budget with reminders still pending


def _try_scan_lock() -> bool:
    """A transaction-scoped advisory lock on PostgreSQL; other databases run one process anyway."""
    if connection.vendor != "postgresql":
        return True
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [SCAN_LOCK_KEY])
        return bool(cursor.fetchone()[0])


def _insert_reminders(source: str, rows: list[tuple[int, int, str, int]], today: date) -> int:
    """Insert (content type, object id, kind, threshold) rows as pending Reminders, conflicts on the
    unique key ignored; returns how many were new."""
    if not rows:
        return 0
    table = connection.ops.quote_name(Reminder._meta.db_table)
    values = ",".join(["(%s, %s, %s, %s, %s, %s, %s, 0, '', %s)"] * len(rows))
    now = timezone.now()
    params = []
    for content_type_id, object_id, kind, threshold in rows:
        params += [source, content_type_id, object_id, kind, threshold, today, Reminder.State.PENDING, now]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (source, content_type_id, object_id, kind, threshold, scan_date, state, "  # noqa: S608
            f"recipients_count, error, created_at) VALUES {values} "
            "ON CONFLICT (content_type_id, object_id, kind, threshold) DO NOTHING",
            params,
        )
        return max(cursor.rowcount, 0)


def reminders_insert(*, today: date) -> tuple[int, int]:
    """Insert today's due Reminder rows from every source, each key once; returns (candidates, created).

    A source that inserts set-based (`insert_due`) does it in the database and proposes only what is
    new; the others' candidates are inserted in batches of 2,000 with conflicts ignored."""
    from .reminders import reminder_sources

    candidates = created = 0
    for source in reminder_sources().values():
        direct = source.insert_due(today)
        if direct is not None:
            candidates += direct
            created += direct
            continue
        batch: list[tuple[int, int, str, int]] = []
        for c in source.candidates(today):
            candidates += 1
            batch.append((ContentType.objects.get_for_model(c.model).pk, c.object_id, c.kind, c.threshold))
            if len(batch) >= 2000:
                created += _insert_reminders(source.name, batch, today)
                batch = []
        created += _insert_reminders(source.name, batch, today)
    return candidates, created


def reminders_scan(*, today: date | None = None, time_budget: float | None = None) -> ScanResult:
    """Insert today's due reminders (each key once, conflicts ignored) and deliver the in-app notices.

    What Celery beat runs every morning and `manage.py scan_deadlines` runs by hand. Safe to run any
    number of times and concurrently: a second scan waits for nothing and inserts nothing new. Its cost
    follows what is due: the deadline source decides and inserts in the database, rows already there
    are never proposed again, and delivery goes in batches. With `time_budget` (seconds) delivery stops
    after that long and the rest is left pending for `deliver_reminders` (`result.more`).
    """
    today = today or timezone.localdate()
    with transaction.atomic():
        if not _try_scan_lock():
            logger.info("another deadline scan is running; this one does nothing")
            return ScanResult(ran=False)
        candidates, created = reminders_insert(today=today)
    if created >= 10000 and connection.vendor == "postgresql":
        # Many new rows at once (the first scan, or after an outage): fresh statistics, or the planner
        # takes the reminder table for as small as it last saw it and scans all of it for every batch.
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(Reminder._meta.db_table)}")
    result = reminders_deliver(today=today, time_budget=time_budget)
    result.candidates, result.created = candidates, created
    logger.info("deadline scan %s: %s", today, result)
    return result


class _PendingReminder:
    """A pending Reminder as sources render it, read as a tuple (no model instance per row: a cold scan
    delivers hundreds of thousands)."""

    __slots__ = ("pk", "source", "content_type_id", "object_id", "kind", "threshold")
    __slots__ += ("state", "sent_at", "recipients_count", "error")

    def __init__(self, pk, source, content_type_id, object_id, kind, threshold):
        self.pk, self.source, self.content_type_id = pk, source, content_type_id
        self.object_id, self.kind, self.threshold = object_id, kind, threshold
        self.state, self.sent_at, self.recipients_count, self.error = Reminder.State.PENDING, None, 0, ""

    @property
    def id(self):
        return self.pk


def _insert_notices(notices: list[tuple[object, str, str, str]], now) -> list[tuple[int, object]]:
    """Insert (recipient, title, body, link) notices, 2,000 rows a statement (four array parameters
    unnested: PostgreSQL parses one short statement instead of 10,000 placeholders); returns
    (id, recipient) pairs and adds to the unread counters."""
    table = connection.ops.quote_name(Notification._meta.db_table)
    users = {user.pk: user for user, _, _, _ in notices}
    created: list[tuple[int, object]] = []
    for start in range(0, len(notices), 2000):
        chunk = notices[start : start + 2000]
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(
                    f"INSERT INTO {table} (recipient_id, title, body, link, created_at) "  # noqa: S608
                    "SELECT u.r, u.t, u.b, u.l, %s "
                    "FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::text[]) AS u(r, t, b, l) "
                    "RETURNING id, recipient_id",
                    [
                        now,
                        [n[0].pk for n in chunk],
                        [n[1][:200] for n in chunk],
                        [n[2] for n in chunk],
                        [n[3] for n in chunk],
                    ],
                )
            else:
                values = ",".join(["(%s, %s, %s, %s, %s)"] * len(chunk))
                params = [x for user, t, b, link in chunk for x in (user.pk, t[:200], b, link, now)]
                cursor.execute(
                    f"INSERT INTO {table} (recipient_id, title, body, link, created_at) "  # noqa: S608
                    f"VALUES {values} RETURNING id, recipient_id",
                    params,
                )
            created += [(pk, users[recipient_id]) for pk, recipient_id in cursor.fetchall()]
    counts: dict[int, int] = {}
    for _, user in created:
        counts[user.pk] = counts.get(user.pk, 0) + 1
    _counters_add(counts)
    return created


def _distinct(recipients) -> list:
    seen: set[int] = set()
    out = []
    for user in recipients:
        if user is not None and user.pk not in seen:
            seen.add(user.pk)
            out.append(user)
    return out


def _deliver_rows(rows: list, messages: dict, now, result: ScanResult) -> None:
    """Deliver rows together: one insert of notices (per 1,000) and one of their channel copies. Raises
    on any problem so the caller can retry row by row (and count nothing twice: counts are added last)."""
    notices: list[tuple[object, str, str, str]] = []
    states = []
    for row in rows:
        message = messages.get(row.pk, _MISSING)
        if message is _MISSING:
            raise RuntimeError("提醒来源未能生成内容")
        if message is None:
            states.append((row, Reminder.State.SKIPPED, 0))
            continue
        count = 0
        for recipients, title, body, link in [
            (message.recipients, message.title, message.body, message.link),
            *message.extra,
        ]:
            people = _distinct(recipients)
            notices += [(user, title, body, link) for user in people]
            count += len(people)
        states.append((row, Reminder.State.SENT, count))
    created = _insert_notices(notices, now)
    deliveries = ChannelDelivery.objects.bulk_create(_channel_rows_for(created), batch_size=1000)
    if deliveries:
        transaction.on_commit(_enqueue_channel_sender)
    for row, state, count in states:
        row.state, row.recipients_count = state, count
        if state == Reminder.State.SENT:
            row.sent_at = now
            result.sent += 1
        else:
            result.skipped += 1


def _save_outcomes(rows: list) -> None:
    """One UPDATE per distinct outcome (bulk_update's CASE per row is far slower at this size)."""
    groups: dict[tuple, list[int]] = {}
    for row in rows:
        groups.setdefault((row.state, row.sent_at, row.recipients_count, row.error), []).append(row.pk)
    for (state, sent_at, count, error), ids in groups.items():
        Reminder.objects.filter(pk__in=ids).update(
            state=state, sent_at=sent_at, recipients_count=count, error=error
        )


def reminders_deliver(
    *, today: date | None = None, batch_size: int = 5000, time_budget: float | None = None
) -> ScanResult:
    """Send the pending reminders: rows are taken with SKIP LOCKED, so two workers never send one twice;
    a row that fails is recorded and skipped, never aborting the batch. Each batch commits on its own;
    past `time_budget` seconds it stops and sets `result.more` (the caller enqueues the rest)."""
    import time

    from .reminders import reminder_sources

    today = today or timezone.localdate()
    sources = reminder_sources()
    result = ScanResult(ran=True)
    started = time.monotonic()
    last_id = 0
    while True:
        if time_budget is not None and time.monotonic() - started > time_budget:
            result.more = Reminder.objects.filter(state=Reminder.State.PENDING).exists()
            break
        with transaction.atomic():
            # After the last id this run handled: the pending index still holds the entries of rows
            # just marked sent (until vacuum), and walking them again for every batch costs more than
            # the batch itself at a few hundred thousand reminders.
            rows = [
                _PendingReminder(*values)
                for values in Reminder.objects.select_for_update(skip_locked=True)
                .filter(state=Reminder.State.PENDING, id__gt=last_id)
                .order_by("id")
                .values_list("id", "source", "content_type_id", "object_id", "kind", "threshold")[:batch_size]
            ]
            if not rows:
                break
            last_id = rows[-1].pk
            by_source: dict[str, list] = {}
            for row in rows:
                by_source.setdefault(row.source, []).append(row)
            now = timezone.now()
            handled: set[int] = set()
            for name, group in by_source.items():
                source = sources.get(name)
                if source is None:
                    continue
                try:
                    with transaction.atomic():
                        done = source.deliver_batch(group, today, now)
                except Exception:  # noqa: BLE001 - the row-by-row path below isolates the bad row
                    logger.exception("reminder source %s failed to deliver a batch", name)
                    done = None
                if done is not None:
                    ids, sent, skipped, copies = done
                    handled |= ids
                    result.sent, result.skipped = result.sent + sent, result.skipped + skipped
                    if copies:
                        transaction.on_commit(_enqueue_channel_sender)
            if handled:
                rows = [row for row in rows if row.pk not in handled]
                by_source = {}
                for row in rows:
                    by_source.setdefault(row.source, []).append(row)
                if not rows:
                    continue
            messages = {}
            for name, group in by_source.items():
                source = sources.get(name)
                try:
                    messages.update(
                        source.render(group, today) if source else dict.fromkeys(r.pk for r in group)
                    )
                except Exception:  # noqa: BLE001 - one broken source must not stop the others
                    logger.exception("reminder source %s failed to render", name)
            try:
                with transaction.atomic():
                    _deliver_rows(rows, messages, now, result)
            except Exception:  # noqa: BLE001 - fall back to one row at a time to isolate the bad one
                for row in rows:
                    try:
                        with transaction.atomic():
                            _deliver_rows([row], messages, now, result)
                    except Exception as exc:  # noqa: BLE001
                        logger.exception("reminder %s failed", row.pk)
                        row.state, row.error = Reminder.State.FAILED, str(exc)[:1000]
                        result.failed += 1
            _save_outcomes(rows)
    return result


# --- the scan asked for from the workbench (立即扫描) -------------------------------------------------

# What one scan task may spend delivering before it hands the rest to deliver_reminders (well inside
# Celery's 240 s soft limit).
SCAN_DELIVERY_BUDGET = 150.0
# A run still queued/running this long after it was asked for belongs to a dead worker (the task's hard
# time limit is 300 s): it no longer blocks a new request.
SCAN_RUN_STALE = timedelta(minutes=15)


def _enqueue_scan_run(run_id: int) -> None:
    from .tasks import run_reminder_scan

    try:
        run_reminder_scan.delay(run_id)
    except Exception as exc:  # noqa: BLE001 - the broker is down: say so on the page, block nothing
        logger.exception("could not enqueue reminder scan run %s", run_id)
        ReminderScanRun.objects.filter(pk=run_id, active=True).update(
            state=ReminderScanRun.State.FAILED,
            active=None,
            finished_at=timezone.now(),
            error=f"无法提交后台任务：{exc}"[:1000],
        )


@transaction.atomic
def reminder_scan_request(*, actor) -> tuple[ReminderScanRun, bool]:
    """Staff ask for a scan now: a queued run (at most one queued or running at a time — a partial
    unique constraint, so a double click or two staff enqueue once) and the Celery task enqueued when
    this transaction commits. Returns (the active run, whether this request created it)."""
    from django.db import IntegrityError

    from zhengxie.accounts.models import Role
    from zhengxie.accounts.permissions import require_role
    from zhengxie.workflow.services import audit_record

    require_role(actor, Role.STAFF)
    now = timezone.now()
    ReminderScanRun.objects.filter(active=True, requested_at__lt=now - SCAN_RUN_STALE).update(
        state=ReminderScanRun.State.FAILED, active=None, finished_at=now, error="超时未完成（后台任务中断）"
    )
    try:
        with transaction.atomic():
            run = ReminderScanRun.objects.create(requested_by=actor)
    except IntegrityError:
        return ReminderScanRun.objects.get(active=True), False
    audit_record(actor=actor, action="reminder_scan_request", target=run)
    transaction.on_commit(lambda: _enqueue_scan_run(run.pk))
    return run, True


def reminder_scan_run(*, run_id: int) -> dict:
    """The worker's side of a requested scan: mark it running, scan (delivery bounded by
    SCAN_DELIVERY_BUDGET; the rest is handed to deliver_reminders), record the outcome."""
    claimed = ReminderScanRun.objects.filter(
        pk=run_id, active=True, state=ReminderScanRun.State.QUEUED
    ).update(state=ReminderScanRun.State.RUNNING, started_at=timezone.now())
    if not claimed:
        return {"ran": False}
    try:
        result = reminders_scan(time_budget=SCAN_DELIVERY_BUDGET)
    except Exception as exc:
        ReminderScanRun.objects.filter(pk=run_id).update(
            state=ReminderScanRun.State.FAILED, active=None, finished_at=timezone.now(), error=str(exc)[:1000]
        )
        raise
    outcome = dict(result.__dict__)
    ReminderScanRun.objects.filter(pk=run_id).update(
        state=ReminderScanRun.State.DONE if result.ran else ReminderScanRun.State.SKIPPED,
        active=None,
        finished_at=timezone.now(),
        result=outcome,
    )
    if result.more:
        _enqueue_deliver()
    return outcome


def _enqueue_deliver() -> None:
    from .tasks import deliver_reminders

    try:
        deliver_reminders.delay()
    except Exception:  # noqa: BLE001 - the periodic deliver task picks the rest up anyway
        logger.warning("could not enqueue deliver_reminders; the periodic task will", exc_info=True)


# --- e-mail and SMS copies ---------------------------------------------------------------------------


def _backoff(attempts: int) -> timedelta:
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 240))


def channel_deliveries_reap(*, now=None) -> int:
    """Rows left `sending` by a worker that died mid-send (claimed longer ago than
    CHANNEL_SENDING_TIMEOUT seconds): the message may or may not have left. Each is queued again once
    more (so a crash re-sends at most the one message that was in flight), or failed at the last attempt."""
    now = now or timezone.now()
    stale = now - timedelta(seconds=settings.CHANNEL_SENDING_TIMEOUT)
    reaped = 0
    with transaction.atomic():
        rows = list(
            ChannelDelivery.objects.select_for_update(skip_locked=True)
            .filter(state=ChannelDelivery.State.SENDING, claimed_at__lte=stale)
            .order_by("id")
        )
        for row in rows:
            row.last_error = "发送过程中断（发送进程异常退出），无法确认是否已送达。"
            if row.attempts >= settings.CHANNEL_MAX_ATTEMPTS:
                row.state = ChannelDelivery.State.FAILED
            else:
                row.state, row.next_attempt_at = ChannelDelivery.State.PENDING, now
            row.save(update_fields=["state", "last_error", "next_attempt_at"])
            reaped += 1
    if reaped:
        logger.warning("%s channel deliveries were interrupted mid-send and requeued or failed", reaped)
    return reaped


def _channel_claim() -> ChannelDelivery | None:
    """Take the next due row and mark it `sending` in its own short transaction, committed before the
    message leaves: a crash after this point leaves the row `sending`, never `pending`."""
    with transaction.atomic():
        row = (
            ChannelDelivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("notification")
            .filter(state=ChannelDelivery.State.PENDING, next_attempt_at__lte=timezone.now())
            .order_by("next_attempt_at", "id")
            .first()
        )
        if row is None:
            return None
        row.state, row.claimed_at = ChannelDelivery.State.SENDING, timezone.now()
        row.attempts += 1
        row.save(update_fields=["state", "claimed_at", "attempts"])
    return row


def channel_deliveries_send(*, limit: int | None = None) -> dict:
    """Send due e-mail/SMS copies one at a time, each claimed (`sending`, committed) before it is sent
    and marked right after, so a worker killed mid-batch re-sends at most the one message in flight.
    A failure is recorded and retried later with backoff (the periodic task picks it up again — no long
    countdowns on the broker), until CHANNEL_MAX_ATTEMPTS."""
    from .channels import ChannelError, send_email, send_sms

    counts = {"sent": 0, "retry": 0, "failed": 0}
    channel_deliveries_reap()
    done = 0
    while limit is None or done < limit:
        row = _channel_claim()
        if row is None:
            break
        done += 1
        n = row.notification
        error = ""
        try:
            if row.channel == ChannelDelivery.Channel.EMAIL:
                link = f"\n\n{settings.SITE_URL}{n.link}" if n.link else ""
                send_email(address=row.address, subject=n.title, body=f"{n.body}{link}")
            else:
                send_sms(phone=row.address, text=f"{n.title}：{n.body}" if n.body else n.title)
        except ChannelError as exc:
            error = str(exc)[:1000] or "发送失败"
        now = timezone.now()
        if not error:
            row.state, row.sent_at, row.last_error = ChannelDelivery.State.SENT, now, ""
            counts["sent"] += 1
        else:
            row.last_error = error
            if row.attempts >= settings.CHANNEL_MAX_ATTEMPTS:
                row.state = ChannelDelivery.State.FAILED
                counts["failed"] += 1
            else:
                row.state, row.next_attempt_at = ChannelDelivery.State.PENDING, now + _backoff(row.attempts)
                counts["retry"] += 1
        # Only the claim we hold is marked: a reaper that already gave the row up wins.
        ChannelDelivery.objects.filter(pk=row.pk, state=ChannelDelivery.State.SENDING).update(
            state=row.state,
            sent_at=row.sent_at,
            last_error=row.last_error,
            next_attempt_at=row.next_attempt_at,
        )
    return counts


@transaction.atomic
def notification_send(*, actor, recipient, title: str, body: str = "", link: str = "") -> Notification:
    """Staff send one notice by hand (the admin): the same notify() path, with its e-mail/SMS copies,
    and an audit row."""
    from zhengxie.accounts.models import Role
    from zhengxie.accounts.permissions import require_role
    from zhengxie.workflow.services import audit_record

    require_role(actor, Role.STAFF)
    (notification,) = notify(recipients=[recipient], title=title, body=body, link=link)
    audit_record(actor=actor, action="notification_send", target=notification, recipient=recipient.pk)
    return notification
