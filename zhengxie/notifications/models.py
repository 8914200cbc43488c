from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models


class Notification(models.Model):
    """An in-app notice to one user; every other channel is a copy of it."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="接收人",
        on_delete=models.CASCADE,
        related_name="notifications",
        db_index=False,  # the composite indexes below lead with it
    )
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容", blank=True)
    link = models.CharField("链接", max_length=300, blank=True)
    created_at = models.DateTimeField("时间", auto_now_add=True)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)

    class Meta:
        verbose_name = "通知"
        verbose_name_plural = "通知"
        ordering = ["-created_at", "-id"]
        indexes = [
            # a user's notices newest first (the list, keyset pages), and the unread ones alone
            models.Index(fields=["recipient", "-created_at", "-id"], name="notification_inbox"),
            models.Index(
                fields=["recipient", "-created_at", "-id"],
                name="notification_inbox_unread",
                condition=models.Q(read_at__isnull=True),
            ),
            # the archive task: read notices oldest first
            models.Index(
                fields=["created_at"], name="notification_read_age", condition=models.Q(read_at__isnull=False)
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class UnreadCounter(models.Model):
    """A user's unread notices, kept by the notification services in the same transaction as the change
    (so the bell on every page reads one row instead of counting). `notification_counters_repair`
    recomputes it from the notices."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name="用户",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="+",
    )
    unread = models.IntegerField("未读", default=0)

    class Meta:
        verbose_name = "未读计数"
        verbose_name_plural = "未读计数"

    def __str__(self):
        return f"{self.user_id}: {self.unread}"


class ArchivedNotification(models.Model):
    """A read notice older than NOTIFICATION_ARCHIVE_DAYS, moved here (same id) by the nightly archive
    task so the live table stays small; its recipient can still find it under 已归档."""

    id = models.BigIntegerField(primary_key=True)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="接收人",
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
    )
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容", blank=True)
    link = models.CharField("链接", max_length=300, blank=True)
    created_at = models.DateTimeField("时间")
    read_at = models.DateTimeField("已读时间", null=True, blank=True)
    archived_at = models.DateTimeField("归档时间", auto_now_add=True)

    class Meta:
        verbose_name = "已归档通知"
        verbose_name_plural = "已归档通知"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "-created_at", "-id"], name="archived_inbox")]

    def __str__(self):
        return self.title

    is_read = True


class NotificationPreference(models.Model):
    """Which channels a user wants besides the in-app notice (always on)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name="用户",
        on_delete=models.CASCADE,
        related_name="notification_preference",
    )
    email = models.BooleanField("邮件提醒", default=True)
    sms = models.BooleanField("短信提醒", default=True)

    class Meta:
        verbose_name = "提醒方式"
        verbose_name_plural = "提醒方式"

    def __str__(self):
        return str(self.user)


class ChannelDelivery(models.Model):
    """A copy of a notification sent by e-mail or SMS; retried with backoff by the sender task."""

    class Channel(models.TextChoices):
        EMAIL = "email", "邮件"
        SMS = "sms", "短信"

    class State(models.TextChoices):
        PENDING = "pending", "待发送"
        SENDING = "sending", "发送中"
        SENT = "sent", "已发送"
        FAILED = "failed", "发送失败"

    notification = models.ForeignKey(
        Notification, verbose_name="通知", on_delete=models.CASCADE, related_name="deliveries"
    )
    channel = models.CharField("渠道", max_length=10, choices=Channel.choices)
    address = models.CharField("地址", max_length=200)
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    next_attempt_at = models.DateTimeField("下次尝试", auto_now_add=True)
    last_error = models.TextField("最近错误", blank=True)
    # Set (and committed) just before the message leaves; a row still `sending` long after it was claimed
    # belongs to a worker that died mid-send, and the sender's reaper decides what happens to it.
    claimed_at = models.DateTimeField("开始发送时间", null=True, blank=True)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "渠道发送"
        verbose_name_plural = "渠道发送"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["state", "next_attempt_at"]),
            # the reminder dashboard's copies of the last 14 days (and the failures, newest first)
            models.Index(fields=["created_at"], name="channel_delivery_created"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["notification", "channel"], name="one_delivery_per_channel")
        ]

    def __str__(self):
        return f"{self.get_channel_display()} → {self.address}"


class Reminder(models.Model):
    """One reminder that is due: unique per (target, kind, threshold), so it is sent once however often
    or concurrently the scan runs."""

    class State(models.TextChoices):
        PENDING = "pending", "待发送"
        SENT = "sent", "已发送"
        SKIPPED = "skipped", "已不适用"
        FAILED = "failed", "出错"

    source = models.CharField("来源", max_length=50)
    content_type = models.ForeignKey(ContentType, verbose_name="对象类型", on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField("对象ID")
    target = GenericForeignKey("content_type", "object_id")
    kind = models.CharField("类型", max_length=30)
    threshold = models.IntegerField("节点", help_text="到期前天数；逾期提醒为第几次")
    scan_date = models.DateField("扫描日期", db_index=True)
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.PENDING)
    recipients_count = models.PositiveIntegerField("接收人数", default=0)
    error = models.TextField("错误", blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)

    class Meta:
        verbose_name = "到期提醒"
        verbose_name_plural = "到期提醒"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "kind", "threshold"], name="reminder_once_per_threshold"
            )
        ]
        # the sender's queue: pending rows only, so marking a row sent takes it out instead of adding
        indexes = [
            models.Index(fields=["id"], name="reminder_pending", condition=models.Q(state="pending")),
        ]

    def __str__(self):
        return f"{self.source}:{self.kind}:{self.threshold}"


class ReminderScanRun(models.Model):
    """One reminder scan asked for from the 立即扫描 button (or run by beat): at most one is queued or
    running at a time (a partial unique constraint), so clicking twice enqueues once; the page shows the
    latest one's time and result."""

    class State(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "扫描中"
        DONE = "done", "已完成"
        SKIPPED = "skipped", "另一扫描进行中"
        FAILED = "failed", "出错"

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="发起人",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.QUEUED)
    # True while queued or running, then NULL; at most one True row (one scan waiting or under way).
    active = models.BooleanField("进行中", default=True, null=True)
    requested_at = models.DateTimeField("发起时间", auto_now_add=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    result = models.JSONField("结果", default=dict, blank=True)
    error = models.TextField("错误", blank=True)

    class Meta:
        verbose_name = "提醒扫描"
        verbose_name_plural = "提醒扫描"
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["active"], condition=models.Q(active=True), name="one_active_reminder_scan"
            )
        ]

    def __str__(self):
        return f"{self.requested_at:%Y-%m-%d %H:%M} {self.get_state_display()}"
