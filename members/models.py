from django.conf import settings
from django.db import models

from zhengxie.utils import chinese_number


class Term(models.Model):
    """届: a five-year term of the committee, e.g. 第十五届."""

    number = models.PositiveSmallIntegerField("届次", unique=True)
    start_date = models.DateField("开始日期")
    end_date = models.DateField("结束日期", null=True, blank=True)
    is_current = models.BooleanField("本届", default=False)

    class Meta:
        verbose_name = "届"
        verbose_name_plural = "届"
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_current"], condition=models.Q(is_current=True), name="one_current_term"
            )
        ]

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        return f"第{chinese_number(self.number)}届"

    @property
    def short_name(self) -> str:
        """十五届 — the form used inside proposal numbers."""
        return f"{chinese_number(self.number)}届"


class Plenary(models.Model):
    """会次: the N-th plenary session (全体会议) of a term, e.g. 第二次会议."""

    term = models.ForeignKey(Term, verbose_name="届", on_delete=models.PROTECT, related_name="plenaries")
    number = models.PositiveSmallIntegerField("会次")
    start_date = models.DateField("开幕日期")
    end_date = models.DateField("闭幕日期")

    class Meta:
        verbose_name = "会次"
        verbose_name_plural = "会次"
        ordering = ["term__number", "number"]
        constraints = [models.UniqueConstraint(fields=["term", "number"], name="unique_plenary_in_term")]

    def __str__(self):
        return f"{self.term.name}{self.name}"

    @property
    def name(self) -> str:
        return f"第{chinese_number(self.number)}次会议"

    @property
    def short_name(self) -> str:
        """二次会议 — the form used inside proposal numbers."""
        return f"{chinese_number(self.number)}次会议"


class _NamedRosterEntry(models.Model):
    name = models.CharField("名称", max_length=100, unique=True)
    order = models.PositiveIntegerField("排序", default=100)

    class Meta:
        abstract = True
        ordering = ["order", "name"]

    def __str__(self):
        return self.name


class Sector(_NamedRosterEntry):
    """界别."""

    class Meta(_NamedRosterEntry.Meta):
        verbose_name = "界别"
        verbose_name_plural = "界别"


class Party(_NamedRosterEntry):
    """党派: the CPC, the eight democratic parties, 无党派人士, 群众."""

    short_name = models.CharField("简称", max_length=20, blank=True)

    class Meta(_NamedRosterEntry.Meta):
        verbose_name = "党派"
        verbose_name_plural = "党派"


class SpecialCommittee(_NamedRosterEntry):
    """专委会, e.g. 提案委员会, 经济委员会."""

    class Meta(_NamedRosterEntry.Meta):
        verbose_name = "专委会"
        verbose_name_plural = "专委会"


class Member(models.Model):
    """政协委员. Holds the link to its User (accounts never imports members)."""

    class Gender(models.TextChoices):
        MALE = "male", "男"
        FEMALE = "female", "女"

    class Position(models.TextChoices):
        CHAIRMAN = "chairman", "主席"
        VICE_CHAIRMAN = "vice_chairman", "副主席"
        SECRETARY_GENERAL = "secretary_general", "秘书长"
        STANDING = "standing", "常委"
        MEMBER = "member", "委员"

    class Status(models.TextChoices):
        SERVING = "serving", "在任"
        SUSPENDED = "suspended", "暂停"
        RESIGNED = "resigned", "辞职"
        REVOKED = "revoked", "撤销"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name="登录账号",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="member",
    )
    name = models.CharField("姓名", max_length=50, db_index=True)
    gender = models.CharField("性别", max_length=10, choices=Gender.choices, blank=True)
    ethnicity = models.CharField("民族", max_length=20, blank=True)
    birth_date = models.DateField("出生日期", null=True, blank=True)
    party = models.ForeignKey(
        Party, verbose_name="党派", on_delete=models.PROTECT, null=True, blank=True, related_name="members"
    )
    sector = models.ForeignKey(
        Sector, verbose_name="界别", on_delete=models.PROTECT, null=True, blank=True, related_name="members"
    )
    committees = models.ManyToManyField(
        SpecialCommittee, verbose_name="专委会", blank=True, related_name="members"
    )
    position = models.CharField("委员职务", max_length=30, choices=Position.choices, default=Position.MEMBER)
    employer = models.CharField("工作单位及职务", max_length=200, blank=True)
    mobile = models.CharField("手机", max_length=20, blank=True)
    email = models.EmailField("邮箱", blank=True)
    term = models.ForeignKey(
        Term, verbose_name="届", on_delete=models.PROTECT, null=True, blank=True, related_name="members"
    )
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.SERVING)
    status_since = models.DateField("状态变更日期", null=True, blank=True)
    status_reason = models.CharField("状态变更原因", max_length=200, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "委员"
        verbose_name_plural = "委员"
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["status", "name"])]

    def __str__(self):
        return self.name

    @property
    def is_serving(self) -> bool:
        return self.status == self.Status.SERVING
