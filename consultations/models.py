"""协商: the yearly plan, its topics from 调研 to 反馈, and the meetings with attendance and speeches.

Workflow lives in services.py; the models hold fields, constraints and small derived properties.
"""

from django.conf import settings
from django.db import models

from members.models import Member, Plenary, SpecialCommittee
from zhengxie.accounts.models import Department


class ConsultationType(models.TextChoices):
    PLENARY = "plenary", "全体会议"
    STANDING_COMMITTEE = "standing_committee", "常委会议"
    CHAIR_MEETING = "chair_meeting", "主席会议"
    SPECIAL_TOPIC = "special_topic", "专题协商会"
    COUNTERPART = "counterpart", "对口协商"
    SECTOR = "sector", "界别协商"
    PROPOSAL_HANDLING = "proposal_handling", "提案办理协商"
    FORUM = "forum", "协商座谈会"
    REMOTE = "remote", "远程协商"
    GRASSROOTS = "grassroots", "基层协商"


class ConsultationPlan(models.Model):
    """年度协商计划: drafted by the office, decided by the 党委 on a date."""

    class State(models.TextChoices):
        DRAFT = "draft", "草案"
        APPROVED = "approved", "已批准"

    year = models.PositiveSmallIntegerField("年度", unique=True)
    title = models.CharField("标题", max_length=200)
    state = models.CharField("状态", max_length=20, choices=State.choices, default=State.DRAFT)
    approved_on = models.DateField("党委批准日期", null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登记批准人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="创建人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "年度协商计划"
        verbose_name_plural = "年度协商计划"
        ordering = ["-year"]

    def __str__(self):
        return self.title or f"{self.year}年度协商计划"

    @property
    def is_approved(self) -> bool:
        return self.state == self.State.APPROVED


class Topic(models.Model):
    """议题: one consultation subject of the plan, followed from the plan to the feedback."""

    class State(models.TextChoices):
        PROPOSED = "proposed", "拟定"
        APPROVED = "approved", "已列入计划"
        RESEARCHING = "researching", "调研视察中"
        HELD = "held", "已协商"
        OUTCOME_SUBMITTED = "outcome_submitted", "成果已报送"
        FEEDBACK_RECEIVED = "feedback_received", "已反馈"
        CLOSED = "closed", "已办结"

    plan = models.ForeignKey(
        ConsultationPlan, verbose_name="年度计划", on_delete=models.PROTECT, related_name="topics"
    )
    title = models.CharField("议题", max_length=200)
    type = models.CharField("协商形式", max_length=30, choices=ConsultationType.choices)
    description = models.TextField("说明", blank=True)
    lead_committee = models.ForeignKey(
        SpecialCommittee,
        verbose_name="牵头专委会",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="consultation_topics",
    )
    departments = models.ManyToManyField(
        Department, verbose_name="协同单位", blank=True, related_name="consultation_topics"
    )
    planned_month = models.PositiveSmallIntegerField("计划月份", null=True, blank=True)
    state = models.CharField(
        "状态", max_length=30, choices=State.choices, default=State.PROPOSED, db_index=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="创建人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "协商议题"
        verbose_name_plural = "协商议题"
        ordering = ["plan__year", "planned_month", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(planned_month__isnull=True)
                | models.Q(planned_month__gte=1, planned_month__lte=12),
                name="topic_planned_month_1_12",
            )
        ]

    def __str__(self):
        return self.title


class ResearchActivity(models.Model):
    """调研/视察 for a topic; each participant earns a duty record."""

    class Kind(models.TextChoices):
        RESEARCH = "research", "调研"
        INSPECTION = "inspection", "视察"

    topic = models.ForeignKey(
        Topic, verbose_name="议题", on_delete=models.CASCADE, related_name="research_activities"
    )
    kind = models.CharField("类型", max_length=20, choices=Kind.choices, default=Kind.RESEARCH)
    date = models.DateField("日期")
    place = models.CharField("地点", max_length=200)
    participants = models.ManyToManyField(
        Member, verbose_name="参加委员", blank=True, related_name="consultation_research"
    )
    notes = models.TextField("情况记录", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="记录人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "调研视察"
        verbose_name_plural = "调研视察"
        ordering = ["date", "id"]

    def __str__(self):
        return f"{self.get_kind_display()}：{self.place}（{self.date:%Y-%m-%d}）"


class Outcome(models.Model):
    """协商成果: the report sent after the meeting (often a 专报), with its count of suggestions."""

    topic = models.OneToOneField(Topic, verbose_name="议题", on_delete=models.CASCADE, related_name="outcome")
    content = models.TextField("成果内容", blank=True)
    file = models.FileField("成果文件", upload_to="consultations/outcomes/%Y/", blank=True)
    suggestion_count = models.PositiveIntegerField("建议条数", default=0)
    submitted_to = models.CharField("报送对象", max_length=200, blank=True)
    submitted_at = models.DateTimeField("报送时间", auto_now_add=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="报送人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = "协商成果"
        verbose_name_plural = "协商成果"

    def __str__(self):
        return f"{self.topic}的协商成果"


class Feedback(models.Model):
    """采纳反馈: how many suggestions were adopted, and any leader's 批示."""

    topic = models.OneToOneField(
        Topic, verbose_name="议题", on_delete=models.CASCADE, related_name="feedback"
    )
    content = models.TextField("反馈情况")
    adopted_count = models.PositiveIntegerField("采纳建议条数", default=0)
    instruction = models.TextField("领导批示", blank=True)
    received_on = models.DateField("反馈日期")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="记录人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = "采纳反馈"
        verbose_name_plural = "采纳反馈"

    def __str__(self):
        return f"{self.topic}的采纳反馈"


class Meeting(models.Model):
    """协商活动: a meeting, optionally for a topic, with its invitees, speeches and minutes."""

    class State(models.TextChoices):
        PLANNED = "planned", "筹备中"
        HELD = "held", "已举行"
        CANCELLED = "cancelled", "已取消"

    topic = models.ForeignKey(
        Topic,
        verbose_name="议题",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="meetings",
    )
    title = models.CharField("名称", max_length=200)
    type = models.CharField("会议类型", max_length=30, choices=ConsultationType.choices)
    plenary = models.ForeignKey(
        Plenary,
        verbose_name="会次",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sittings",
        help_text="全体会议的各场次（开幕大会、分组讨论、闭幕大会）各为一个会议，属于同一会次",
    )
    start = models.DateTimeField("开始时间", db_index=True)
    end = models.DateTimeField("结束时间")
    place = models.CharField("地点", max_length=200)
    remote_url = models.URLField(
        "远程会议链接", blank=True, help_text="远程协商：委员会自有视频会议平台的入会链接，委员可远程参会"
    )
    invited_officials = models.TextField("邀请党政领导及部门", blank=True, help_text="每行一位")
    state = models.CharField("状态", max_length=20, choices=State.choices, default=State.PLANNED)
    notice_due = models.DateField("通知截止日期", null=True, blank=True)
    materials_due = models.DateField("材料截止日期", null=True, blank=True)
    minutes_due = models.DateField("纪要截止日期", null=True, blank=True)
    minutes = models.TextField("会议纪要", blank=True)
    minutes_at = models.DateTimeField("纪要时间", null=True, blank=True)
    held_at = models.DateTimeField("确认举行时间", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="创建人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "协商活动"
        verbose_name_plural = "协商活动"
        ordering = ["-start", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="meeting_end_after_start"
            )
        ]

    def __str__(self):
        return self.title

    @property
    def is_session(self) -> bool:
        """全会、常委会、主席会议: the committee's own sessions (leave needs approval; no reply = absent)."""
        return self.type in SESSION_TYPES


SESSION_TYPES = frozenset(
    {ConsultationType.PLENARY, ConsultationType.STANDING_COMMITTEE, ConsultationType.CHAIR_MEETING}
)


class Attendance(models.Model):
    """One invited member of a meeting: the invitation, the member's answer, and the attendance."""

    class Reply(models.TextChoices):
        PENDING = "pending", "未回复"
        ATTEND = "attend", "参加"
        LEAVE = "leave", "请假"

    class Status(models.TextChoices):
        PRESENT = "present", "出席"
        LEAVE = "leave", "请假"
        ABSENT = "absent", "缺席"

    meeting = models.ForeignKey(
        Meeting, verbose_name="协商活动", on_delete=models.CASCADE, related_name="attendances"
    )
    member = models.ForeignKey(
        Member, verbose_name="委员", on_delete=models.PROTECT, related_name="consultation_attendances"
    )
    reply = models.CharField("回复", max_length=20, choices=Reply.choices, default=Reply.PENDING)
    leave_reason = models.CharField("请假事由", max_length=200, blank=True)
    replied_at = models.DateTimeField("回复时间", null=True, blank=True)
    status = models.CharField("出席情况", max_length=20, choices=Status.choices, blank=True, default="")
    checked_in_at = models.DateTimeField("签到时间", null=True, blank=True)
    remote = models.BooleanField("远程参会", default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登记人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    invited_at = models.DateTimeField("邀请时间", auto_now_add=True)

    class Meta:
        verbose_name = "参会委员"
        verbose_name_plural = "参会委员"
        ordering = ["meeting", "member__name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "member"], name="attendance_once_per_member")
        ]

    def __str__(self):
        return f"{self.meeting} · {self.member}"


class Speech(models.Model):
    """发言材料 a member submits before the meeting; staff pick the oral ones (口头发言)."""

    meeting = models.ForeignKey(
        Meeting, verbose_name="协商活动", on_delete=models.CASCADE, related_name="speeches"
    )
    member = models.ForeignKey(
        Member, verbose_name="委员", on_delete=models.PROTECT, related_name="consultation_speeches"
    )
    title = models.CharField("题目", max_length=200)
    content = models.TextField("内容")
    is_oral = models.BooleanField("安排口头发言", default=False)
    order = models.PositiveIntegerField("发言顺序", null=True, blank=True)
    submitted_at = models.DateTimeField("提交时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "发言材料"
        verbose_name_plural = "发言材料"
        ordering = ["meeting", "-is_oral", models.F("order").asc(nulls_last=True), "submitted_at", "id"]
        constraints = [models.UniqueConstraint(fields=["meeting", "member"], name="speech_once_per_member")]

    def __str__(self):
        return self.title


class LeaveRequest(models.Model):
    """请假: an invitee asks with a reason; staff approve (the attendance becomes 请假) or decline."""

    class Kind(models.TextChoices):
        PERSONAL = "personal", "事假"
        SICK = "sick", "病假"
        OFFICIAL = "official", "公务"

    class State(models.TextChoices):
        PENDING = "pending", "待审批"
        APPROVED = "approved", "已批准"
        DECLINED = "declined", "未批准"

    meeting = models.ForeignKey(
        Meeting, verbose_name="会议", on_delete=models.CASCADE, related_name="leave_requests"
    )
    member = models.ForeignKey(
        Member, verbose_name="委员", on_delete=models.PROTECT, related_name="leave_requests"
    )
    kind = models.CharField("请假类别", max_length=20, choices=Kind.choices, default=Kind.PERSONAL)
    reason = models.CharField("事由", max_length=200)
    state = models.CharField("状态", max_length=20, choices=State.choices, default=State.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审批人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    decline_reason = models.CharField("未批准原因", max_length=200, blank=True)
    created_at = models.DateTimeField("申请时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "请假申请"
        verbose_name_plural = "请假申请"
        ordering = ["meeting", "created_at", "id"]
        constraints = [
            # One open request per invitee and meeting; a declined one may be followed by a new one.
            models.UniqueConstraint(
                fields=["meeting", "member"],
                condition=models.Q(state__in=["pending", "approved"]),
                name="leave_request_one_open",
            )
        ]

    def __str__(self):
        return f"{self.member} · {self.get_kind_display()}"


class AgendaItem(models.Model):
    """议程: the meeting's items in order, each with its presenter."""

    meeting = models.ForeignKey(Meeting, verbose_name="会议", on_delete=models.CASCADE, related_name="agenda")
    order = models.PositiveIntegerField("顺序")
    title = models.CharField("议程", max_length=300)
    presenter = models.CharField("报告人/主持人", max_length=100, blank=True)

    class Meta:
        verbose_name = "会议议程"
        verbose_name_plural = "会议议程"
        ordering = ["meeting", "order", "id"]

    def __str__(self):
        return f"{self.order}. {self.title}"


def _material_path(instance, filename):
    return f"consultations/materials/{instance.meeting_id}/{filename}"


class Material(models.Model):
    """会议材料: a file for the meeting (or one agenda item), read by invitees on their phones."""

    meeting = models.ForeignKey(
        Meeting, verbose_name="会议", on_delete=models.CASCADE, related_name="materials"
    )
    agenda_item = models.ForeignKey(
        AgendaItem,
        verbose_name="议程",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="materials",
    )
    title = models.CharField("标题", max_length=200)
    file = models.FileField("文件", upload_to=_material_path, max_length=300)
    size = models.PositiveBigIntegerField("大小（字节）", default=0)
    is_internal = models.BooleanField(
        "内部材料", default=False, help_text="下载的PDF带阅读人姓名水印，便于追查外泄"
    )
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="上传人", on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "会议材料"
        verbose_name_plural = "会议材料"
        ordering = ["meeting", "agenda_item__order", "id"]

    def __str__(self):
        return self.title

    @property
    def is_pdf(self) -> bool:
        return self.file.name.lower().endswith(".pdf")


class MaterialRead(models.Model):
    """阅读回执: who opened which material, first and last time."""

    material = models.ForeignKey(
        Material, verbose_name="会议材料", on_delete=models.CASCADE, related_name="reads"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="阅读人", on_delete=models.PROTECT, related_name="+"
    )
    first_read_at = models.DateTimeField("首次阅读", auto_now_add=True)
    last_read_at = models.DateTimeField("最近阅读", auto_now=True)
    times = models.PositiveIntegerField("次数", default=1)

    class Meta:
        verbose_name = "阅读回执"
        verbose_name_plural = "阅读回执"
        ordering = ["material", "first_read_at"]
        constraints = [models.UniqueConstraint(fields=["material", "user"], name="material_read_once")]

    def __str__(self):
        return f"{self.material} · {self.user}"


class ReportOpinion(models.Model):
    """分组讨论 opinions on the 政府/法院/检察院 work reports, for the office that answers each."""

    class Report(models.TextChoices):
        GOVERNMENT = "government", "政府工作报告"
        COURT = "court", "法院工作报告"
        PROCURATORATE = "procuratorate", "检察院工作报告"
        OTHER = "other", "其他报告"

    meeting = models.ForeignKey(
        Meeting, verbose_name="会议", on_delete=models.CASCADE, related_name="report_opinions"
    )
    report = models.CharField("针对报告", max_length=20, choices=Report.choices)
    content = models.TextField("意见内容")
    member = models.ForeignKey(
        Member,
        verbose_name="提出委员",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="report_opinions",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="记录人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = "报告讨论意见"
        verbose_name_plural = "报告讨论意见"
        ordering = ["meeting", "report", "id"]

    def __str__(self):
        return f"{self.get_report_display()}：{self.content[:20]}"


class Vote(models.Model):
    """表决/选举 in a meeting. Results exist only after close; a secret vote keeps no link from a ballot
    to its voter: 'has voted' (VoterMark) and the ballots are stored apart, ballots carry neither the voter
    nor a time, and their keys are random."""

    class Kind(models.TextChoices):
        RESOLUTION = "resolution", "表决"
        ELECTION = "election", "选举"

    class Rule(models.TextChoices):
        MAJORITY_OF_ALL = "majority_of_all", "全体应到人数过半数"
        MAJORITY_OF_PRESENT = "majority_of_present", "实到人数过半数"
        TWO_THIRDS_OF_ALL = "two_thirds_of_all", "全体应到人数三分之二以上"

    class State(models.TextChoices):
        DRAFT = "draft", "未开始"
        OPEN = "open", "投票中"
        CLOSED = "closed", "已结束"

    meeting = models.ForeignKey(Meeting, verbose_name="会议", on_delete=models.PROTECT, related_name="votes")
    title = models.CharField("表决事项", max_length=200)
    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    secret = models.BooleanField("无记名", default=True)
    rule = models.CharField("通过规则", max_length=30, choices=Rule.choices, default=Rule.MAJORITY_OF_ALL)
    max_choices = models.PositiveSmallIntegerField("应选人数", null=True, blank=True)
    candidates = models.ManyToManyField(
        Member, verbose_name="候选人", through="VoteCandidate", related_name="candidacies", blank=True
    )
    state = models.CharField("状态", max_length=20, choices=State.choices, default=State.DRAFT)
    eligible = models.PositiveIntegerField("应到人数", default=0, help_text="关闭时按受邀名单确定")
    present = models.PositiveIntegerField("实到人数", default=0, help_text="关闭时按签到出席确定")
    result = models.JSONField("结果", null=True, blank=True)
    opened_at = models.DateTimeField("开始时间", null=True, blank=True)
    closed_at = models.DateTimeField("结束时间", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="创建人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "表决/选举"
        verbose_name_plural = "表决/选举"
        ordering = ["meeting", "created_at", "id"]

    def __str__(self):
        return self.title


class VoteCandidate(models.Model):
    vote = models.ForeignKey(
        Vote, verbose_name="选举", on_delete=models.CASCADE, related_name="candidate_rows"
    )
    member = models.ForeignKey(Member, verbose_name="候选人", on_delete=models.PROTECT, related_name="+")
    order = models.PositiveSmallIntegerField("顺序", default=0)

    class Meta:
        verbose_name = "候选人"
        verbose_name_plural = "候选人"
        ordering = ["vote", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["vote", "member"], name="vote_candidate_once")]

    def __str__(self):
        return str(self.member)


def _random_key():
    import uuid

    return uuid.uuid4()


class VoterMark(models.Model):
    """'Has voted': one row per voter and vote (the database refuses a second). No time is kept, and the
    key is random, so nothing orders these rows against the ballots."""

    id = models.UUIDField(primary_key=True, default=_random_key, editable=False)
    vote = models.ForeignKey(Vote, verbose_name="表决", on_delete=models.CASCADE, related_name="voter_marks")
    member = models.ForeignKey(Member, verbose_name="委员", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "投票记录"
        verbose_name_plural = "投票记录"
        constraints = [models.UniqueConstraint(fields=["vote", "member"], name="one_ballot_per_voter")]

    def __str__(self):
        return f"{self.vote} · {self.member}"


class Ballot(models.Model):
    """One ballot. `voter` is set only for a named (记名) vote; a secret ballot has no voter and no time."""

    class Choice(models.TextChoices):
        YES = "yes", "赞成"
        NO = "no", "反对"
        ABSTAIN = "abstain", "弃权"

    id = models.UUIDField(primary_key=True, default=_random_key, editable=False)
    vote = models.ForeignKey(Vote, verbose_name="表决", on_delete=models.CASCADE, related_name="ballots")
    voter = models.ForeignKey(
        Member,
        verbose_name="投票人（记名）",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    choice = models.CharField("表决意见", max_length=10, choices=Choice.choices, blank=True)
    candidates = models.ManyToManyField(
        Member, verbose_name="所选候选人", through="BallotCandidate", related_name="+"
    )

    class Meta:
        verbose_name = "选票"
        verbose_name_plural = "选票"
        constraints = [
            models.UniqueConstraint(
                fields=["vote", "voter"], condition=models.Q(voter__isnull=False), name="named_ballot_once"
            )
        ]

    def __str__(self):
        return f"{self.vote}的选票"


class BallotCandidate(models.Model):
    id = models.UUIDField(primary_key=True, default=_random_key, editable=False)
    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="chosen")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "所选候选人"
        verbose_name_plural = "所选候选人"
        constraints = [models.UniqueConstraint(fields=["ballot", "member"], name="ballot_candidate_once")]

    def __str__(self):
        return str(self.member_id)
