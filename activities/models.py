"""Between sessions: 视察, 调研, 民主监督, 培训, 接待 and 听证 activities; 委员工作站; 民情 cases; 活动组;
the 监督员 register. Attendance turns into confirmed duty records through members.services.record_duty."""

from django.conf import settings
from django.db import models

from members.models import DutyRecord, Member, Sector, SpecialCommittee


class Station(models.Model):
    """委员工作站 / 委员工作室 / 协商议事室: where members meet the people."""

    class Kind(models.TextChoices):
        STATION = "station", "委员工作站"
        STUDIO = "studio", "委员工作室"
        ROOM = "room", "协商议事室"

    name = models.CharField("名称", max_length=100, unique=True)
    kind = models.CharField("类型", max_length=20, choices=Kind.choices, default=Kind.STATION)
    address = models.CharField("地址", max_length=200, blank=True)
    members = models.ManyToManyField(Member, verbose_name="值守委员", blank=True, related_name="stations")
    schedule = models.CharField("接待安排", max_length=200, blank=True, help_text="如：每月第一个周五上午")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "委员工作站"
        verbose_name_plural = "委员工作站"
        ordering = ["kind", "name"]

    def __str__(self):
        return self.name


class Group(models.Model):
    """界别活动组 / 专委会委员小组 with a convener."""

    class Kind(models.TextChoices):
        SECTOR_GROUP = "sector_group", "界别活动组"
        COMMITTEE_GROUP = "committee_group", "专委会活动组"

    name = models.CharField("名称", max_length=100, unique=True)
    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    convener = models.ForeignKey(
        Member, verbose_name="召集人", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    members = models.ManyToManyField(Member, verbose_name="组员", blank=True, related_name="activity_groups")
    sector = models.ForeignKey(Sector, verbose_name="界别", on_delete=models.PROTECT, null=True, blank=True)
    committee = models.ForeignKey(
        SpecialCommittee, verbose_name="专委会", on_delete=models.PROTECT, null=True, blank=True
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "活动组"
        verbose_name_plural = "活动组"
        ordering = ["kind", "name"]

    def __str__(self):
        return self.name


class Activity(models.Model):
    """An activity between sessions organised by the office, a 专委会 or a group."""

    class Kind(models.TextChoices):
        INSPECTION = "inspection", "视察"
        RESEARCH = "research", "调研"
        SUPERVISION = "supervision", "民主监督"
        TRAINING = "training", "学习培训"
        RECEPTION = "reception", "委员接待日"
        HEARING = "hearing", "听证旁听"

    class State(models.TextChoices):
        PLANNED = "planned", "计划中"
        DONE = "done", "已完成"
        CANCELLED = "cancelled", "已取消"

    # The duty record a present participant earns, by activity kind.
    DUTY_KIND = {
        Kind.INSPECTION: DutyRecord.Kind.INSPECTION,
        Kind.RESEARCH: DutyRecord.Kind.RESEARCH,
        Kind.SUPERVISION: DutyRecord.Kind.SUPERVISION,
        Kind.TRAINING: DutyRecord.Kind.TRAINING,
        Kind.RECEPTION: DutyRecord.Kind.RECEPTION,
        Kind.HEARING: DutyRecord.Kind.HEARING,
    }

    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    title = models.CharField("活动名称", max_length=200)
    start = models.DateTimeField("开始时间", db_index=True)
    end = models.DateTimeField("结束时间", null=True, blank=True)
    place = models.CharField("地点", max_length=200, blank=True)
    station = models.ForeignKey(
        Station,
        verbose_name="工作站",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="activities",
    )
    group = models.ForeignKey(
        Group,
        verbose_name="活动组",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="activities",
    )
    committee = models.ForeignKey(
        SpecialCommittee, verbose_name="牵头专委会", on_delete=models.PROTECT, null=True, blank=True
    )
    topic = models.ForeignKey(
        "consultations.Topic",
        verbose_name="协商议题",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="activities",
    )
    state = models.CharField("状态", max_length=20, choices=State.choices, default=State.PLANNED)
    report_content = models.TextField("活动报告", blank=True)
    suggestion_count = models.PositiveIntegerField("意见建议条数", default=0)
    reported_at = models.DateTimeField("报告时间", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="创建人", on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "履职活动"
        verbose_name_plural = "履职活动"
        ordering = ["-start", "-id"]

    def __str__(self):
        return self.title

    @property
    def duty_kind(self) -> str:
        return self.DUTY_KIND[self.kind]


class Participant(models.Model):
    class Status(models.TextChoices):
        INVITED = "invited", "已邀请"
        PRESENT = "present", "出席"
        LEAVE = "leave", "请假"
        ABSENT = "absent", "缺席"

    activity = models.ForeignKey(
        Activity, verbose_name="活动", on_delete=models.CASCADE, related_name="participants"
    )
    member = models.ForeignKey(Member, verbose_name="委员", on_delete=models.PROTECT, related_name="+")
    status = models.CharField("出席情况", max_length=20, choices=Status.choices, default=Status.INVITED)
    signed_up = models.BooleanField("本人报名", default=False)

    class Meta:
        verbose_name = "参加委员"
        verbose_name_plural = "参加委员"
        ordering = ["activity", "member__name"]
        constraints = [models.UniqueConstraint(fields=["activity", "member"], name="activity_member_once")]

    def __str__(self):
        return f"{self.activity} · {self.member}"


class SupervisorAppointment(models.Model):
    """民主监督员 / 特约监督员: a member appointed to watch an office for a term."""

    class Kind(models.TextChoices):
        DEMOCRATIC = "democratic", "民主监督员"
        SPECIAL = "special", "特约监督员"

    member = models.ForeignKey(
        Member, verbose_name="委员", on_delete=models.PROTECT, related_name="supervisor_appointments"
    )
    kind = models.CharField("类型", max_length=20, choices=Kind.choices, default=Kind.DEMOCRATIC)
    office = models.CharField("受聘单位", max_length=100)
    department = models.ForeignKey(
        "accounts.Department", verbose_name="对应承办单位", on_delete=models.PROTECT, null=True, blank=True
    )
    start_date = models.DateField("聘任日期")
    end_date = models.DateField("任期届满", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "监督员"
        verbose_name_plural = "监督员"
        ordering = ["office", "member__name"]

    def __str__(self):
        return f"{self.office}{self.get_kind_display()} {self.member}"


class Case(models.Model):
    """民情 (实事): a problem the people brought to a member, followed to resolution or turned into 社情民意."""

    class State(models.TextChoices):
        OPEN = "open", "办理中"
        RESOLVED = "resolved", "已解决"
        CONVERTED = "converted", "已转社情民意"

    member = models.ForeignKey(Member, verbose_name="委员", on_delete=models.PROTECT, related_name="cases")
    title = models.CharField("标题", max_length=200)
    content = models.TextField("群众反映的问题")
    station = models.ForeignKey(
        Station, verbose_name="工作站", on_delete=models.PROTECT, null=True, blank=True, related_name="cases"
    )
    people = models.PositiveIntegerField("涉及群众人数", null=True, blank=True)
    state = models.CharField("状态", max_length=20, choices=State.choices, default=State.OPEN, db_index=True)
    resolution = models.TextField("解决情况", blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="办结人", on_delete=models.PROTECT, null=True, related_name="+"
    )
    resolved_at = models.DateTimeField("办结时间", null=True, blank=True)
    opinion_report = models.OneToOneField(
        "sqyy.OpinionReport",
        verbose_name="社情民意",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="case",
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "民情实事"
        verbose_name_plural = "民情实事"
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.title
