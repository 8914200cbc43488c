"""After the reply (issue 20): 回访, 重点提案 rounds with 领办/批办/联合督办, 优秀提案 and 优秀承办单位,
成果转化, and the members' yearly 民主评议 of the departments. Imported by proposals.models."""

from django.conf import settings
from django.db import models

from members.models import Member


class Revisit(models.Model):
    """回访: staff visit (or call) the proposer of a closed proposal and record the proposer's view."""

    class Way(models.TextChoices):
        FACE_TO_FACE = "face_to_face", "当面"
        PHONE = "phone", "电话"
        WRITTEN = "written", "书面"
        OTHER = "other", "其他"

    proposal = models.ForeignKey(
        "proposals.Proposal", verbose_name="提案", on_delete=models.CASCADE, related_name="revisits"
    )
    date = models.DateField("回访日期")
    way = models.CharField("方式", max_length=20, choices=Way.choices)
    content = models.TextField("回访情况")
    proposer_view = models.TextField("提案人意见", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="记录人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = "提案回访"
        verbose_name_plural = "提案回访"
        ordering = ["date", "id"]

    def __str__(self):
        return f"{self.date} {self.get_way_display()}回访"


class KeyRound(models.Model):
    """重点提案遴选: one round a year; staff propose candidates from registered proposals, a 主席会议
    approves them (the meeting is recorded)."""

    class State(models.TextChoices):
        DRAFT = "draft", "遴选中"
        APPROVED = "approved", "已审定"

    year = models.PositiveSmallIntegerField("年度", unique=True)
    title = models.CharField("名称", max_length=200)
    state = models.CharField("状态", max_length=20, choices=State.choices, default=State.DRAFT)
    meeting = models.ForeignKey(
        "consultations.Meeting",
        verbose_name="审定会议（主席会议）",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    approved_at = models.DateTimeField("审定时间", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="创建人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "重点提案遴选"
        verbose_name_plural = "重点提案遴选"
        ordering = ["-year"]

    def __str__(self):
        return self.title


class KeyCandidate(models.Model):
    round = models.ForeignKey(
        KeyRound, verbose_name="遴选", on_delete=models.CASCADE, related_name="candidates"
    )
    proposal = models.ForeignKey(
        "proposals.Proposal", verbose_name="提案", on_delete=models.PROTECT, related_name="key_candidacies"
    )
    reason = models.TextField("推荐理由", blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="推荐人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("推荐时间", auto_now_add=True)

    class Meta:
        verbose_name = "重点提案候选"
        verbose_name_plural = "重点提案候选"
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["round", "proposal"], name="unique_key_candidate")]

    def __str__(self):
        return str(self.proposal)


class KeyLeader(models.Model):
    """领办领导: a leader with an account, or a Party or government leader without one (name and post)."""

    proposal = models.ForeignKey(
        "proposals.Proposal", verbose_name="提案", on_delete=models.CASCADE, related_name="key_leaders"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="领导账号",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    name = models.CharField("姓名", max_length=50)
    post = models.CharField("职务", max_length=100, blank=True)
    order = models.PositiveSmallIntegerField("顺序", default=0)

    class Meta:
        verbose_name = "领办领导"
        verbose_name_plural = "领办领导"
        ordering = ["order", "id"]

    def __str__(self):
        return f"{self.post}{self.name}"


class KeyInstruction(models.Model):
    """批办: a leader's written instruction on a key proposal."""

    proposal = models.ForeignKey(
        "proposals.Proposal", verbose_name="提案", on_delete=models.CASCADE, related_name="key_instructions"
    )
    leader = models.CharField("批办领导", max_length=50)
    post = models.CharField("职务", max_length=100, blank=True)
    content = models.TextField("批办内容")
    date = models.DateField("批办日期")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="记录人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = "重点提案批办"
        verbose_name_plural = "重点提案批办"
        ordering = ["date", "id"]

    def __str__(self):
        return f"{self.post}{self.leader}批办"


class JointSupervision(models.Model):
    """联合督办: a key proposal supervised together with another office (e.g. 市委督查室、市政府督查室)."""

    proposal = models.ForeignKey(
        "proposals.Proposal", verbose_name="提案", on_delete=models.CASCADE, related_name="joint_supervisions"
    )
    office = models.CharField("联合督办单位", max_length=100)
    date = models.DateField("督办日期")
    note = models.TextField("督办情况")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="记录人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = "联合督办"
        verbose_name_plural = "联合督办"
        ordering = ["date", "id"]

    def __str__(self):
        return f"{self.office} {self.date}"


class ExcellentAward(models.Model):
    """优秀提案: a yearly award for a proposal."""

    proposal = models.ForeignKey(
        "proposals.Proposal", verbose_name="提案", on_delete=models.PROTECT, related_name="awards"
    )
    year = models.PositiveSmallIntegerField("年度")
    title = models.CharField("奖项", max_length=100)
    citation = models.TextField("评语", blank=True)
    awarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="记录人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = "优秀提案"
        verbose_name_plural = "优秀提案"
        ordering = ["-year", "id"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "year"], name="one_award_per_proposal_year")
        ]

    def __str__(self):
        return f"{self.year}年{self.title}"


class DepartmentAward(models.Model):
    """优秀承办单位: a yearly award for a department."""

    department = models.ForeignKey(
        "accounts.Department", verbose_name="承办单位", on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField("年度")
    title = models.CharField("奖项", max_length=100)
    citation = models.TextField("评语", blank=True)
    awarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="记录人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = "优秀承办单位"
        verbose_name_plural = "优秀承办单位"
        ordering = ["-year", "id"]
        constraints = [
            models.UniqueConstraint(fields=["department", "year"], name="one_award_per_department_year")
        ]

    def __str__(self):
        return f"{self.year}年{self.title}"


def outcome_document_path(instance, filename):
    return f"proposals/{instance.proposal_id}/outcomes/{filename}"


class Outcome(models.Model):
    """成果转化: what changed because of a proposal (a policy issued, a project funded, money allocated)."""

    class Kind(models.TextChoices):
        POLICY = "policy", "出台政策"
        PROJECT = "project", "立项实施"
        FUNDING = "funding", "资金投入"
        OTHER = "other", "其他"

    proposal = models.ForeignKey(
        "proposals.Proposal", verbose_name="提案", on_delete=models.CASCADE, related_name="outcomes"
    )
    date = models.DateField("日期")
    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    content = models.TextField("内容")
    document = models.FileField("文件", upload_to=outcome_document_path, blank=True)
    department = models.ForeignKey(
        "accounts.Department",
        verbose_name="记录单位",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="记录人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = "成果转化"
        verbose_name_plural = "成果转化"
        ordering = ["date", "id"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.date}"


class ReviewRound(models.Model):
    """民主评议: once a year members evaluate each department that handled their proposals."""

    class State(models.TextChoices):
        DRAFT = "draft", "未开始"
        OPEN = "open", "评议中"
        CLOSED = "closed", "已结束"

    year = models.PositiveSmallIntegerField("年度", unique=True)
    title = models.CharField("名称", max_length=200)
    state = models.CharField("状态", max_length=20, choices=State.choices, default=State.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="创建人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "民主评议"
        verbose_name_plural = "民主评议"
        ordering = ["-year"]

    def __str__(self):
        return self.title


class DepartmentReview(models.Model):
    """One member's evaluation of one department in a round: 办理态度 and 办理结果 (the two dimensions
    淮安 uses). Only staff see the answers; members never see each other's."""

    class Grade(models.TextChoices):
        SATISFIED = "satisfied", "满意"
        BASICALLY_SATISFIED = "basically_satisfied", "基本满意"
        DISSATISFIED = "dissatisfied", "不满意"

    round = models.ForeignKey(
        ReviewRound, verbose_name="评议", on_delete=models.CASCADE, related_name="reviews"
    )
    member = models.ForeignKey(Member, verbose_name="委员", on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey(
        "accounts.Department", verbose_name="承办单位", on_delete=models.PROTECT, related_name="+"
    )
    attitude = models.CharField("办理态度", max_length=30, choices=Grade.choices)
    result = models.CharField("办理结果", max_length=30, choices=Grade.choices)
    comment = models.TextField("意见建议", blank=True)
    submitted_at = models.DateTimeField("提交时间", auto_now=True)

    class Meta:
        verbose_name = "民主评议表"
        verbose_name_plural = "民主评议表"
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "member", "department"], name="one_review_per_member_department"
            )
        ]

    def __str__(self):
        return f"{self.round.year} {self.department_id}"
