from django.conf import settings
from django.db import models

from members.models import Member


class OpinionReport(models.Model):
    """社情民意信息. Minimal for now: the 社情民意 issue adds editing, bulletins, 批示 and transfers."""

    class State(models.TextChoices):
        DRAFT = "draft", "草稿"
        SUBMITTED = "submitted", "已报送"
        RETURNED = "returned", "退回修改"
        ADOPTED = "adopted", "已采用"
        NOT_ADOPTED = "not_adopted", "未采用"
        PUBLISHED = "published", "已刊发"
        FORWARDED = "forwarded", "已报送上级"
        TRANSFERRED = "transferred", "已转办"
        CLOSED = "closed", "已办结"

    title = models.CharField("标题", max_length=200)
    content = models.TextField("内容")
    category = models.CharField("类别", max_length=50, blank=True)
    reflector = models.ForeignKey(
        Member,
        verbose_name="反映人（委员）",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="opinion_reports",
    )
    reflector_name = models.CharField(
        "反映人/单位", max_length=200, blank=True, help_text="党派、团体、界别或专委会等非委员个人反映时填写"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="录入人", on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField("状态", max_length=20, choices=State.choices, default=State.DRAFT, db_index=True)
    submitted_at = models.DateTimeField("报送时间", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "社情民意信息"
        verbose_name_plural = "社情民意信息"
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.title

    @property
    def reflector_display(self) -> str:
        return self.reflector.name if self.reflector_id else self.reflector_name
