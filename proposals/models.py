from django.conf import settings
from django.db import models

from members.models import Member, Plenary, Term
from sqyy.models import OpinionReport


class ProposalCategory(models.Model):
    """提案类别 (经济/政治/文化/社会/生态文明/其他 by default; staff edit the list)."""

    name = models.CharField("名称", max_length=50, unique=True)
    order = models.PositiveIntegerField("排序", default=100)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "提案类别"
        verbose_name_plural = "提案类别"
        ordering = ["order", "name"]

    def __str__(self):
        return self.name


class RejectionReason(models.Model):
    """不予立案 standard reasons staff pick from (plus free text)."""

    text = models.CharField("理由", max_length=100, unique=True)
    order = models.PositiveIntegerField("排序", default=100)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "不予立案理由"
        verbose_name_plural = "不予立案理由"
        ordering = ["order", "id"]

    def __str__(self):
        return self.text


class Proposal(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", "草稿"
        AWAITING_COSIGNERS = "awaiting_cosigners", "待联名确认"
        SUBMITTED = "submitted", "待审查"
        RETURNED = "returned", "退回修改"
        WITHDRAWN = "withdrawn", "已撤回"
        REGISTERED = "registered", "已立案"
        NOT_REGISTERED = "not_registered", "不予立案"
        MERGED = "merged", "已并案"
        ASSIGNED = "assigned", "已交办"
        IN_PROGRESS = "in_progress", "办理中"
        REPLIED = "replied", "已答复"
        REHANDLING = "rehandling", "重新办理"
        CLOSED = "closed", "已办结"

    class Kind(models.TextChoices):
        INDIVIDUAL = "individual", "委员个人"
        JOINT = "joint", "委员联名"
        COLLECTIVE = "collective", "集体"

    class Disposition(models.TextChoices):
        OPINION_REPORT = "opinion_report", "转社情民意"
        WORK_SUGGESTION = "work_suggestion", "转工作建议"
        LETTER = "letter", "转委员来信"
        NONE = "none", "不转"

    # States in which the proposal has a number and counts as registered.
    REGISTERED_STATES = (
        State.REGISTERED,
        State.ASSIGNED,
        State.IN_PROGRESS,
        State.REPLIED,
        State.REHANDLING,
        State.CLOSED,
    )

    title = models.CharField("案由", max_length=200)
    content = models.TextField("正文", blank=True)
    category = models.ForeignKey(
        ProposalCategory, verbose_name="类别", on_delete=models.PROTECT, related_name="proposals"
    )
    kind = models.CharField("类型", max_length=20, choices=Kind.choices, default=Kind.INDIVIDUAL)
    organization = models.CharField(
        "提案单位", max_length=100, blank=True, help_text="集体提案的党派、团体、界别或专委会名称"
    )
    proposer = models.ForeignKey(
        Member,
        verbose_name="第一提案人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="proposals",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="录入人", on_delete=models.PROTECT, related_name="+"
    )
    term = models.ForeignKey(Term, verbose_name="届", on_delete=models.PROTECT, related_name="proposals")
    during_plenary = models.BooleanField("大会期间提出", default=True)
    plenary = models.ForeignKey(
        Plenary,
        verbose_name="会次",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="proposals",
    )
    state = models.CharField("状态", max_length=30, choices=State.choices, default=State.DRAFT)
    serial = models.PositiveIntegerField("流水号", null=True, blank=True)
    number = models.CharField("提案编号", max_length=50, blank=True)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    registered_at = models.DateTimeField("立案时间", null=True, blank=True)
    return_reason = models.TextField("退回理由", blank=True)
    rejection_reason = models.ForeignKey(
        RejectionReason, verbose_name="不予立案理由", on_delete=models.PROTECT, null=True, blank=True
    )
    rejection_text = models.TextField("不予立案说明", blank=True)
    disposition = models.CharField("处理方式", max_length=20, choices=Disposition.choices, blank=True)
    opinion_report = models.OneToOneField(
        OpinionReport,
        verbose_name="转社情民意",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="source_proposal",
    )
    merged_into = models.ForeignKey(
        "self",
        verbose_name="并入提案",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged",
    )
    is_key = models.BooleanField("重点提案", default=False)
    is_published = models.BooleanField("已公开", default=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "提案"
        verbose_name_plural = "提案"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["state", "-submitted_at"]),
            models.Index(fields=["term", "plenary", "serial"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["number"], condition=~models.Q(number=""), name="unique_proposal_number"
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="collective") | ~models.Q(organization=""),
                name="collective_proposal_names_organization",
            ),
        ]

    def __str__(self):
        return f"{self.number} {self.title}" if self.number else self.title

    @property
    def proposer_display(self) -> str:
        if self.kind == self.Kind.COLLECTIVE:
            return self.organization
        return self.proposer.name if self.proposer_id else ""


class Cosigner(models.Model):
    """联名人: a member listed on a joint proposal, or a proposer who joined through 并案."""

    class Status(models.TextChoices):
        LISTED = "listed", "待提交"
        PENDING = "pending", "待确认"
        CONFIRMED = "confirmed", "已确认"
        DECLINED = "declined", "已谢绝"

    proposal = models.ForeignKey(
        Proposal, verbose_name="提案", on_delete=models.CASCADE, related_name="cosigners"
    )
    member = models.ForeignKey(
        Member, verbose_name="委员", on_delete=models.PROTECT, related_name="cosignatures"
    )
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.LISTED)
    order = models.PositiveSmallIntegerField("顺序", default=0)
    answered_at = models.DateTimeField("答复时间", null=True, blank=True)
    merged_from = models.ForeignKey(
        Proposal,
        verbose_name="因并案加入自",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = "联名人"
        verbose_name_plural = "联名人"
        ordering = ["order", "id"]
        constraints = [models.UniqueConstraint(fields=["proposal", "member"], name="unique_cosigner")]

    def __str__(self):
        return self.member.name


def attachment_path(instance, filename):
    return f"proposals/{instance.proposal_id}/{filename}"


class ProposalAttachment(models.Model):
    proposal = models.ForeignKey(
        Proposal, verbose_name="提案", on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField("文件", upload_to=attachment_path)
    name = models.CharField("文件名", max_length=200)
    size = models.PositiveIntegerField("大小(字节)")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="上传人", on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "提案附件"
        verbose_name_plural = "提案附件"
        ordering = ["id"]

    def __str__(self):
        return self.name


class NumberSequence(models.Model):
    """The last number given in one sequence: a term's plenary, or its between-sessions sequence.

    Locked with select_for_update while registering, in the same transaction, so numbers never
    repeat and a rolled-back registration leaves no gap.
    """

    key = models.CharField("序列", max_length=50, unique=True)
    last_serial = models.PositiveIntegerField("已用至", default=0)

    class Meta:
        verbose_name = "提案编号序列"
        verbose_name_plural = "提案编号序列"

    def __str__(self):
        return f"{self.key}: {self.last_serial}"
