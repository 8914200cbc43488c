from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
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


# The 细项 codes a person may meet, in words (attendance and speech kinds); unknown codes show as typed.
DUTY_DETAIL_LABELS = {
    "present": "出席",
    "leave": "请假",
    "absent": "缺席",
    "oral": "口头发言",
    "written": "书面发言",
}


def duty_detail_label(detail: str) -> str:
    return DUTY_DETAIL_LABELS.get(detail, detail)


def share_fraction(share) -> str:
    """A share as people read it: 0.25 → "1/4", 0.3333 → "1/3", 1 → "1"."""
    from fractions import Fraction

    value = Fraction(str(share)).limit_denominator(20)
    return str(value.numerator) if value.denominator == 1 else f"{value.numerator}/{value.denominator}"


class DutyRecord(models.Model):
    """履职记录: one thing a member did that counts for duty points.

    Made by the system (confirmed) when the work happens — a proposal registered, a meeting attended —
    through members.services.record_duty, or reported by the member (pending until staff confirm).
    Points come from the year's ScoringRule when scores are computed.
    """

    class Kind(models.TextChoices):
        PLENARY_ATTENDANCE = "plenary_attendance", "全体会议出席"
        STANDING_ATTENDANCE = "standing_attendance", "常委会议出席"
        MEETING_ATTENDANCE = "meeting_attendance", "会议活动出席"
        PROPOSAL_SUBMITTED = "proposal_submitted", "提交提案"
        PROPOSAL_REGISTERED = "proposal_registered", "提案立案"
        PROPOSAL_KEY = "proposal_key", "重点提案"
        PROPOSAL_EXCELLENT = "proposal_excellent", "优秀提案"
        OPINION_SUBMITTED = "opinion_submitted", "报送社情民意"
        OPINION_ADOPTED = "opinion_adopted", "社情民意被采用"
        OPINION_UPPER_ADOPTED = "opinion_upper_adopted", "社情民意被上级采用"
        OPINION_INSTRUCTED = "opinion_instructed", "社情民意获批示"
        SPEECH = "speech", "发言"
        RESEARCH = "research", "调研"
        INSPECTION = "inspection", "视察"
        CONSTITUENCY_CONTACT = "constituency_contact", "联系界别群众"
        TRAINING = "training", "学习培训"
        PUBLIC_SERVICE = "public_service", "公益活动"
        ONLINE_DELIBERATION = "online_deliberation", "网络议政发言"
        ONLINE_DELIBERATION_ADOPTED = "online_deliberation_adopted", "网络议政建言被采纳"
        SUPERVISION = "supervision", "民主监督"
        HEARING = "hearing", "听证旁听"
        RECEPTION = "reception", "委员接待"
        OTHER = "other", "其他"

    class Status(models.TextChoices):
        PENDING = "pending", "待确认"
        CONFIRMED = "confirmed", "已确认"
        DECLINED = "declined", "未确认"

    member = models.ForeignKey(
        Member, verbose_name="委员", on_delete=models.PROTECT, related_name="duty_records"
    )
    date = models.DateField("日期", db_index=True)
    kind = models.CharField("类型", max_length=30, choices=Kind.choices)
    detail = models.CharField(
        "细项", max_length=30, blank=True, help_text="如出席情况 present/leave/absent，发言 oral/written"
    )
    share = models.DecimalField(
        "份额", max_digits=5, decimal_places=4, default=1, help_text="联名提案按份额计分"
    )
    people = models.PositiveIntegerField("联系群众人数", null=True, blank=True)
    note = models.TextField("说明", blank=True)
    content_type = models.ForeignKey(
        "contenttypes.ContentType", verbose_name="来源类型", on_delete=models.PROTECT, null=True, blank=True
    )
    object_id = models.PositiveBigIntegerField("来源ID", null=True, blank=True)
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.CONFIRMED)
    decline_reason = models.CharField("未确认原因", max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="记录人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审核人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    source = GenericForeignKey("content_type", "object_id")

    class Meta:
        verbose_name = "履职记录"
        verbose_name_plural = "履职记录"
        ordering = ["-date", "-id"]
        indexes = [
            # A member's records newest first, ties by id, straight from the index (the list's LIMIT reads
            # only its rows: with (member, date) a member's every record was fetched and sorted).
            models.Index(fields=["member", "date", "id"], name="duty_record_member_date_idx"),
            models.Index(fields=["date", "kind", "status"]),
            # The yearly ranking (members.scoring) reads confirmed records from this index alone, already
            # in (member, kind, detail) order, so it aggregates them without a sort or a hash table.
            models.Index(
                fields=["status", "member", "kind", "detail"],
                include=["date", "share", "people"],
                name="duty_score_scan",
            ),
        ]
        constraints = [
            # The same event never counts twice for a member (recording is idempotent).
            models.UniqueConstraint(
                fields=["member", "kind", "content_type", "object_id"],
                condition=models.Q(object_id__isnull=False),
                name="duty_record_once_per_source",
            )
        ]

    def __str__(self):
        return f"{self.member} {self.date} {self.get_kind_display()}"

    @property
    def detail_label(self) -> str:
        """细项 in words: 出席/请假/缺席, 口头发言/书面发言."""
        return duty_detail_label(self.detail)

    @property
    def share_label(self) -> str:
        """ "" for a whole share, else e.g. "联名 1/4"."""
        return "" if self.share == 1 else f"联名 {share_fraction(self.share)}"


class MemberYearScore(models.Model):
    """A member's duty score of a year, kept by members.scoring whenever a record of theirs changes.

    Derived data: members.scoring computes it from the confirmed records and the year's rules (the same
    query the ranking ran live before), inside the transaction that writes the records; a rule change
    recomputes its year. `manage.py rebuild_duty_scores` recomputes it from the records. One row per
    member with a confirmed record in the year."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="year_scores")
    year = models.PositiveSmallIntegerField("年度")
    # Exact (share × points summed, caps applied): ranks compare these, pages show them to 0.01.
    points = models.DecimalField("积分", max_digits=16, decimal_places=6, default=0)
    # Whether any record of the year matched a rule (members with none rank only while serving).
    scored = models.BooleanField(default=False)
    plenary = models.BooleanField(default=False)  # 三个一: a plenary attended (present)
    plenary_any = models.BooleanField(default=False)  # any plenary attendance record
    proposal_or_opinion = models.BooleanField(default=False)
    research = models.BooleanField(default=False)
    contact_quarters = models.PositiveSmallIntegerField(default=0)
    contact_people = models.PositiveIntegerField(default=0)
    by_group = models.JSONField(default=dict)  # group → points after caps ("12.50")
    by_kind = models.JSONField(default=dict)  # kind → points after rule caps
    # Person-times (人次) of the year's figures: confirmed records not 请假/缺席, in all and by kind.
    person_times = models.PositiveIntegerField(default=0)
    attended = models.JSONField(default=dict)  # kind → records
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "年度履职积分"
        verbose_name_plural = "年度履职积分"
        constraints = [models.UniqueConstraint(fields=["member", "year"], name="member_year_score_once")]
        indexes = [
            models.Index(fields=["year", "-points"], name="member_year_score_rank"),
            # The year's figures list the most active members by 人次: the top rows, not a sort of the year.
            models.Index(fields=["year", "-person_times"], name="member_year_person_times"),
            # Whether the year has any plenary attendance (the ranking's grades): its first such row, not a
            # scan of the table for a year whose rows come last (14 ms at a quarter province).
            models.Index(
                fields=["year", "member"],
                name="member_year_plenary_idx",
                condition=models.Q(plenary_any=True),
            ),
        ]

    def __str__(self):
        return f"{self.member_id} {self.year} {self.points}"


class DutyAttendanceCount(models.Model):
    """The year's duty person-times (人次) summed over MemberYearScore, by kind: what the year's figures read
    instead of expanding every member's `attended` (~75 ms a year at a province's 30k members).

    Derived data, kept exact by members.scoring in the transactions that write MemberYearScore: a refresh
    adds the difference its members' rows made, a rebuild recounts its year. Kind "" is every kind: its
    person_times is the year's total, its members those with any person-time."""

    year = models.PositiveSmallIntegerField("年度")
    kind = models.CharField("类型", max_length=30, blank=True)
    person_times = models.BigIntegerField("人次", default=0)
    members = models.IntegerField("委员数", default=0)

    class Meta:
        verbose_name = "年度履职人次汇总"
        verbose_name_plural = "年度履职人次汇总"
        constraints = [models.UniqueConstraint(fields=["year", "kind"], name="duty_attendance_once")]

    def __str__(self):
        return f"{self.year} {self.kind or '合计'} {self.person_times}"


# --- 委员履职: photos of self-reports and the yearly scoring schemes ------------------------------------


def duty_photo_path(instance, filename):
    import os
    import uuid

    ext = os.path.splitext(filename)[1].lower()[:10]
    return f"duty/{instance.record_id}/{uuid.uuid4().hex}{ext}"


class DutyPhoto(models.Model):
    """A photo a member attaches to a self-reported activity (活动照片)."""

    record = models.ForeignKey(
        DutyRecord, verbose_name="履职记录", on_delete=models.CASCADE, related_name="photos"
    )
    file = models.FileField("照片", upload_to=duty_photo_path)
    name = models.CharField("文件名", max_length=200, blank=True)
    created_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "活动照片"
        verbose_name_plural = "活动照片"
        ordering = ["id"]

    def __str__(self):
        return self.name or self.file.name


class ScoringScheme(models.Model):
    """积分方案 of one year: the group caps and the low-score line; its rules hang below it.

    A year without a scheme is scored with the defaults in members.scoring, so editing one year's scheme
    never changes another year's scores."""

    year = models.PositiveSmallIntegerField("年度", unique=True)
    cap_plenary = models.DecimalField("全体会议封顶", max_digits=6, decimal_places=2, null=True, blank=True)
    cap_standing = models.DecimalField("常委会议封顶", max_digits=6, decimal_places=2, null=True, blank=True)
    cap_proposal = models.DecimalField("提案封顶", max_digits=6, decimal_places=2, null=True, blank=True)
    cap_activity = models.DecimalField("会议活动封顶", max_digits=6, decimal_places=2, null=True, blank=True)
    cap_opinion = models.DecimalField("社情民意封顶", max_digits=6, decimal_places=2, null=True, blank=True)
    cap_bonus = models.DecimalField("奖励加分封顶", max_digits=6, decimal_places=2, null=True, blank=True)
    low_line = models.DecimalField(
        "提醒分数线", max_digits=6, decimal_places=2, default=60, help_text="低于此分的委员列入提醒名单"
    )
    contact_people_target = models.PositiveIntegerField("年联系群众人数目标", default=40)
    contact_quarter_target = models.PositiveSmallIntegerField("每季度联系活动次数目标", default=1)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "积分方案"
        verbose_name_plural = "积分方案"
        ordering = ["-year"]

    def __str__(self):
        return f"{self.year}年度积分方案"


class ScoringRule(models.Model):
    """积分规则: a duty kind (and optionally its detail, e.g. attendance leave/absent) → points per record,
    with an optional yearly cap of its own; the group's cap applies on top."""

    class Group(models.TextChoices):
        PLENARY = "plenary", "全体会议"
        STANDING = "standing", "常委会议"
        PROPOSAL = "proposal", "提案"
        ACTIVITY = "activity", "会议活动"
        OPINION = "opinion", "社情民意"
        BONUS = "bonus", "奖励加分"

    scheme = models.ForeignKey(
        ScoringScheme, verbose_name="积分方案", on_delete=models.CASCADE, related_name="rules"
    )
    kind = models.CharField("履职类型", max_length=30, choices=DutyRecord.Kind.choices)
    detail = models.CharField(
        "细项",
        max_length=30,
        blank=True,
        help_text="空表示该类型的其他情况；如 present/leave/absent、oral/written",
    )
    group = models.CharField("计分项目", max_length=20, choices=Group.choices)
    points = models.DecimalField("每次分值", max_digits=6, decimal_places=2)
    cap = models.DecimalField("年度封顶", max_digits=6, decimal_places=2, null=True, blank=True)
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "积分规则"
        verbose_name_plural = "积分规则"
        ordering = ["scheme", "group", "kind", "detail"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "kind", "detail"], name="scoring_rule_once_per_kind")
        ]

    def __str__(self):
        label = self.get_kind_display()
        return f"{label}（{self.detail}）" if self.detail else label
