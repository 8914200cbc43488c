from typing import NamedTuple

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models


class AuditEntry(models.Model):
    """Who changed what: one row for every write a service makes."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    action = models.CharField("操作", max_length=100)
    content_type = models.ForeignKey(
        ContentType, verbose_name="对象类型", on_delete=models.PROTECT, null=True, blank=True
    )
    object_id = models.CharField("对象ID", max_length=64, blank=True)
    target = GenericForeignKey("content_type", "object_id")
    object_repr = models.CharField("对象", max_length=200, blank=True)
    detail = models.JSONField("详情", default=dict, blank=True)
    at = models.DateTimeField("时间", auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "操作审计"
        verbose_name_plural = "操作审计"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self):
        from .labels import action_label

        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {action_label(self.action)} {self.object_repr}"


class TransitionLog(models.Model):
    """A state change of any workflow object: the history every detail page shows."""

    content_type = models.ForeignKey(ContentType, verbose_name="对象类型", on_delete=models.PROTECT)
    object_id = models.PositiveBigIntegerField("对象ID")
    target = GenericForeignKey("content_type", "object_id")
    from_state = models.CharField("原状态", max_length=40, blank=True)
    to_state = models.CharField("新状态", max_length=40)
    action = models.CharField("动作", max_length=40, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField("时间", auto_now_add=True)
    comment = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = "流转记录"
        verbose_name_plural = "流转记录"
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["content_type", "object_id", "at"])]

    def __str__(self):
        from .labels import state_label

        return f"{state_label(self.content_type_id, self.from_state)} → {state_label(self.content_type_id, self.to_state)}"


class HandlingPolicy(models.Model):
    """办理规则: every number the rules of a place set. One active row; edited by staff in the admin."""

    name = models.CharField("名称", max_length=100, default="默认办理规则")
    is_active = models.BooleanField("启用", default=True)
    # lengths
    proposal_title_max = models.PositiveIntegerField("提案案由字数上限", default=50)
    proposal_content_max = models.PositiveIntegerField("提案正文字数上限", default=2500)
    opinion_content_max = models.PositiveIntegerField("社情民意字数上限", default=1500)
    attachment_max_mb = models.PositiveIntegerField("附件大小上限(MB)", default=20)
    attachment_extensions = models.CharField(
        "允许的附件类型", max_length=200, default="pdf,doc,docx,xls,xlsx,jpg,jpeg,png,txt"
    )
    # deadlines (the handling issue uses these)
    reply_months = models.PositiveIntegerField("答复期限(自交办起，月)", default=3)
    extension_cap_months = models.PositiveIntegerField("延期后最长期限(自交办起，月)", default=6)
    adjustment_window_workdays = models.PositiveIntegerField("申请调整期限(工作日)", default=5)
    co_opinion_months = models.PositiveIntegerField("会办意见期限(月)", default=1)
    first_contact_workdays = models.PositiveIntegerField("首次面商期限(工作日)", default=15)
    reply_requires_contact = models.BooleanField("答复前须有面商记录", default=True)
    require_co_opinion = models.BooleanField(
        "主办答复前须收齐会办意见",
        default=False,
        help_text="勾选后，会办单位全部提交会办意见前，主办单位不能答复；不勾选时只提醒。",
    )
    rating_window_workdays = models.PositiveIntegerField("委员测评期限(工作日)", default=15)
    rehandling_months = models.PositiveIntegerField("重新办理期限(月)", default=1)
    publication_workdays = models.PositiveIntegerField("答复公开期限(工作日)", default=20)
    transfer_months = models.PositiveIntegerField("社情民意转办期限(月)", default=1)
    reminder_days_before = models.CharField("提前提醒天数", max_length=50, default="15,7,3,1,0")
    overdue_repeat_days = models.PositiveIntegerField("逾期后每隔几天提醒", default=7)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "办理规则"
        verbose_name_plural = "办理规则"
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"], condition=models.Q(is_active=True), name="one_active_policy"
            )
        ]

    def __str__(self):
        return self.name

    @property
    def allowed_extensions(self) -> set[str]:
        return {e.strip().lower().lstrip(".") for e in self.attachment_extensions.split(",") if e.strip()}


class WorkCalendarDay(models.Model):
    """One day of the work calendar: statutory holidays and 调休 working weekends.

    Seeded per year from the `chinesecalendar` package (by command, never on a request) and editable in
    the admin. A year with no rows falls back to Monday–Friday and marks deadlines provisional.
    """

    class Source(models.TextChoices):
        PACKAGE = "chinesecalendar", "chinesecalendar 数据包"
        MANUAL = "manual", "人工录入"

    date = models.DateField("日期", unique=True)
    is_workday = models.BooleanField("工作日")
    name = models.CharField("名称", max_length=50, blank=True, help_text="节假日或调休名称")
    source = models.CharField("来源", max_length=20, choices=Source.choices, default=Source.MANUAL)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "工作日历"
        verbose_name_plural = "工作日历"
        ordering = ["date"]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {'工作日' if self.is_workday else '休息日'} {self.name}".strip()


class ReminderRow(NamedTuple):
    """What a deadline reminder needs of one HandlingTask."""

    state: str
    due_date: object
    department_id: int
    subject: str
    portal_url: str


class HandlingTask(models.Model):
    """What a department must do by a date: a proposal Assignment or a 社情民意 Transfer.

    The due date is stored (not recomputed on read) together with how it was computed — a start date and
    a span ("3m", "15w"), or no span for a date fixed by an approved extension — so a calendar change can
    recompute the open ones.
    """

    class State(models.TextChoices):
        PENDING = "pending", "待签收"
        ACCEPTED = "accepted", "已签收"
        ADJUSTMENT_REQUESTED = "adjustment_requested", "申请调整"
        REPLIED = "replied", "已答复"
        CANCELLED = "cancelled", "已撤销"
        CLOSED = "closed", "已办结"

    class ExtensionState(models.TextChoices):
        NONE = "", "无"
        PENDING = "pending", "待审批"
        APPROVED = "approved", "已同意"
        REFUSED = "refused", "未同意"

    OPEN_STATES = (State.PENDING, State.ACCEPTED, State.ADJUSTMENT_REQUESTED)
    # What messages call one task of this kind ("该交办没有…", "该转办没有…").
    TASK_NOUN = "交办"

    department = models.ForeignKey(
        "accounts.Department", verbose_name="承办单位", on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField("状态", max_length=30, choices=State.choices, default=State.PENDING)
    assigned_at = models.DateTimeField("交办时间")
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="交办人", on_delete=models.PROTECT, related_name="+"
    )
    due_basis = models.DateField("期限起算日")
    due_span = models.CharField(
        "期限", max_length=10, blank=True, help_text="如 3m（月）、15w（工作日）；空为指定日期"
    )
    due_date = models.DateField("办理期限", db_index=True)
    due_provisional = models.BooleanField(
        "期限待定", default=False, help_text="超出工作日历数据，按周一至周五推算"
    )
    accepted_at = models.DateTimeField("签收时间", null=True, blank=True)
    replied_at = models.DateTimeField("答复时间", null=True, blank=True)
    # 申请调整 and 申请延期 (rules in workflow/handling.py); "self" is the concrete kind.
    adjustment_reason = models.TextField("申请调整理由", blank=True)
    adjustment_from_state = models.CharField("申请调整前状态", max_length=30, blank=True)
    replaced_by = models.ForeignKey(
        "self", verbose_name="调整后交办", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    extension_state = models.CharField(
        "延期申请", max_length=10, choices=ExtensionState.choices, default=ExtensionState.NONE, blank=True
    )
    extension_reason = models.TextField("延期理由", blank=True)
    extension_due_date = models.DateField("申请延期至", null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def is_open(self) -> bool:
        return self.state in self.OPEN_STATES

    def days_left(self, today=None) -> int:
        from django.utils import timezone

        today = today or timezone.localdate()
        return (self.due_date - today).days

    def is_overdue(self, today=None) -> bool:
        return self.is_open and self.days_left(today) < 0

    # What reminders say and link to; concrete kinds override these.
    @classmethod
    def reminder_queryset(cls):
        return cls.objects.select_related("department")

    @classmethod
    def reminder_rows(cls, ids) -> dict:
        """id → ReminderRow for the deadline reminders of these tasks. This default builds them from
        reminder_queryset() instances; a kind with many open tasks overrides it with one values() query
        (the morning scan may render hundreds of thousands)."""
        return {
            task.pk: ReminderRow(
                task.state, task.due_date, task.department_id, task.reminder_subject(), task.portal_url()
            )
            for task in cls.reminder_queryset().filter(pk__in=list(ids))
        }

    def reminder_subject(self) -> str:
        return str(self)

    def portal_url(self) -> str:
        return "/portal/"

    def staff_url(self) -> str:
        return "/workbench/"
