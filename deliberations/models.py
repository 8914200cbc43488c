"""网络议政: an online deliberation on a subject, its threads of posts, endorsements and the summary's
numbered suggestions (each citing the posts it draws on)."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from members.models import Member
from zhengxie.accounts.models import Department

POST_MAX_LENGTH = 3000


class Deliberation(models.Model):
    """One 网络议政 / 远程协商 subject with its window. `state` stores what staff did (scheduled, closed
    early, summarized); `phase` adds the window: scheduled before it opens, open inside it, closed after."""

    class State(models.TextChoices):
        SCHEDULED = "scheduled", "未开始"
        OPEN = "open", "进行中"
        CLOSED = "closed", "已结束"
        SUMMARIZED = "summarized", "已形成成果"

    title = models.CharField("议政主题", max_length=200)
    description = models.TextField("说明", blank=True)
    topic = models.ForeignKey(
        "consultations.Topic",
        verbose_name="协商议题",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="deliberations",
    )
    opens_at = models.DateTimeField("开始时间")
    closes_at = models.DateTimeField("结束时间")
    state = models.CharField("状态", max_length=20, choices=State.choices, default=State.SCHEDULED)
    closed_at = models.DateTimeField("提前结束时间", null=True, blank=True)
    participants = models.ManyToManyField(
        Member, verbose_name="参与委员", blank=True, related_name="deliberations"
    )
    departments = models.ManyToManyField(
        Department, verbose_name="受邀单位", blank=True, related_name="deliberations"
    )
    summary = models.TextField("综述", blank=True)
    summarized_at = models.DateTimeField("成果形成时间", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="创建人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "网络议政"
        verbose_name_plural = "网络议政"
        ordering = ["-opens_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_at__gt=models.F("opens_at")), name="deliberation_window_positive"
            )
        ]

    def __str__(self):
        return self.title

    def phase(self, now=None) -> str:
        if self.state in (self.State.SUMMARIZED, self.State.CLOSED):
            return self.state
        now = now or timezone.now()
        if now < self.opens_at:
            return self.State.SCHEDULED
        if now < self.closes_at:
            return self.State.OPEN
        return self.State.CLOSED

    def get_phase_display(self) -> str:
        return self.State(self.phase()).label

    @property
    def is_open(self) -> bool:
        return self.phase() == self.State.OPEN


class Post(models.Model):
    """A post or a reply; written by a participating member or for an invited department."""

    deliberation = models.ForeignKey(
        Deliberation, verbose_name="网络议政", on_delete=models.CASCADE, related_name="posts"
    )
    reply_to = models.ForeignKey(
        "self", verbose_name="回复", on_delete=models.PROTECT, null=True, blank=True, related_name="replies"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="发言人", on_delete=models.PROTECT, related_name="+"
    )
    member = models.ForeignKey(
        Member,
        verbose_name="委员",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="deliberation_posts",
    )
    department = models.ForeignKey(
        Department,
        verbose_name="单位",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="deliberation_posts",
    )
    content = models.TextField("内容")
    attachment = models.FileField("附件", upload_to="deliberations/%Y/", blank=True)
    pinned = models.BooleanField("置顶", default=False)
    hidden = models.BooleanField("已屏蔽", default=False)
    hidden_reason = models.CharField("屏蔽原因", max_length=200, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="屏蔽人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField("发表时间", auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "议政发言"
        verbose_name_plural = "议政发言"
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["deliberation", "id"], name="deliberation_post_seq")]

    def __str__(self):
        return f"{self.deliberation}：{self.content[:20]}"

    @property
    def author_label(self) -> str:
        if self.department_id:
            return self.department.name
        if self.member_id:
            return self.member.name
        return self.author.display_name


class Endorsement(models.Model):
    post = models.ForeignKey(Post, verbose_name="发言", on_delete=models.CASCADE, related_name="endorsements")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="赞同人", on_delete=models.PROTECT)
    created_at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "赞同"
        verbose_name_plural = "赞同"
        constraints = [models.UniqueConstraint(fields=["post", "user"], name="endorse_post_once")]

    def __str__(self):
        return f"{self.user} 赞同 #{self.post_id}"


class Suggestion(models.Model):
    """One numbered suggestion of the summary (成果专报), citing the posts it draws on."""

    deliberation = models.ForeignKey(
        Deliberation, verbose_name="网络议政", on_delete=models.CASCADE, related_name="suggestions"
    )
    number = models.PositiveIntegerField("序号")
    content = models.TextField("建议内容")
    posts = models.ManyToManyField(Post, verbose_name="所依据的发言", blank=True, related_name="suggestions")

    class Meta:
        verbose_name = "议政建议"
        verbose_name_plural = "议政建议"
        ordering = ["deliberation", "number"]
        constraints = [
            models.UniqueConstraint(fields=["deliberation", "number"], name="suggestion_number_once")
        ]

    def __str__(self):
        return f"{self.number}. {self.content[:30]}"
