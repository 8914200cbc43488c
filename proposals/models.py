from django.conf import settings
from django.db import connection, models

from members.models import Member, Plenary, Term
from sqyy.models import OpinionReport
from zhengxie.workflow.models import HandlingTask


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
    key_leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="领办领导",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="led_proposals",
    )
    handling_round = models.PositiveSmallIntegerField(
        "办理轮次", default=1, help_text="不满意后重新办理为第2轮"
    )
    assigned_at = models.DateTimeField("交办时间", null=True, blank=True)
    replied_at = models.DateTimeField("答复时间", null=True, blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    closed_unrated = models.BooleanField("未评价办结", default=False)
    is_published = models.BooleanField("已公开", default=False)
    reply_published = models.BooleanField("答复已公开", default=False)
    published_at = models.DateTimeField("公开时间", null=True, blank=True)
    publish_opt_out = models.BooleanField("提案人不同意公开", default=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    # Statistics (issue 9): denormalised by services/handling.py where the events happen; database
    # triggers roll them up into ProposalStatCount (proposals/stats.py reads that).
    stat_contacted = models.BooleanField("已面商", default=False, help_text="统计用：任一承办单位记录过面商")
    stat_satisfaction = models.CharField(
        "提案人最终测评", max_length=30, blank=True, help_text="统计用：提案人最后一轮的满意度"
    )
    stat_on_time = models.BooleanField(
        "首轮按期办复", null=True, blank=True, help_text="统计用：首轮正式答复全部按期；未办复为空"
    )
    stat_revisited = models.BooleanField("已回访", default=False, help_text="统计用：办结后记录过回访")
    # The lists' ?overdue= (issue 15): the earliest due date among the open tasks, kept by the
    # proposals_open_due trigger on proposals_assignment (migration 0017) whoever writes a task, so
    # "overdue" is a range over one partial index instead of a join with every open task.
    open_due_date = models.DateField(
        "最早办理期限",
        null=True,
        blank=True,
        editable=False,
        help_text="未办结交办中最早的办理期限；没有未办结交办时为空",
    )
    # 代录 (issue 19): the staff user who typed in a member's paper proposal; empty when the member did.
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="代录人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # 查重 (issue 19, proposals/search.py): jieba words of the title and the content, space-joined, written
    # by the services that write title/content. On PostgreSQL a generated tsvector column over them with
    # a GIN index (migration 0010) serves the similar-proposal search.
    search_title = models.TextField("案由分词", blank=True, editable=False)
    search_content = models.TextField("正文分词", blank=True, editable=False)
    # The `q` of the lists (issue 19): words of the attachments' text and of the replies (reply content and
    # letter text), kept by the services that add them (proposals/search.py refresh_*). Generated tsvector
    # columns over each, with their own GIN indexes (migration 0011), so search_vector stays as it is.
    search_files = models.TextField("附件分词", blank=True, editable=False)
    search_replies = models.TextField("答复分词", blank=True, editable=False)

    class Meta:
        verbose_name = "提案"
        verbose_name_plural = "提案"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["state", "-submitted_at"]),
            models.Index(fields=["term", "plenary", "serial"]),
            # 第0031号 / 0031 in a list's q (proposals/search.py number_lookup)
            models.Index(fields=["serial"], name="proposal_serial_idx"),
            # Lists (issue 15): one index per list's WHERE + ORDER BY, so a page reads ~page-size rows.
            # The API list and "my proposals": newest change first.
            models.Index(fields=["-updated_at", "-id"], name="proposal_updated_idx"),
            models.Index(fields=["state", "-updated_at", "-id"], name="proposal_state_updated_idx"),
            # The staff register of every proposal: newest submission first.
            models.Index(fields=["-submitted_at", "-id"], name="proposal_submitted_idx"),
            # The review queue: oldest submission first, only what waits for review.
            models.Index(
                fields=["submitted_at", "id"],
                name="proposal_queue_idx",
                condition=models.Q(state__in=["submitted", "awaiting_cosigners"]),
            ),
            # The published list: newest registration first.
            models.Index(
                fields=["-registered_at", "-id"],
                name="proposal_published_idx",
                condition=models.Q(is_published=True),
            ),
            # The 回访 queue: closed and not yet revisited, oldest closing first.
            models.Index(
                fields=["closed_at", "id"],
                name="proposal_revisit_queue_idx",
                condition=models.Q(state="closed", stat_revisited=False),
            ),
            # ?overdue=: the proposals with an open task, by their earliest due date, with what a member's
            # visibility asks of a row (published, own) so the list's capped count is an index-only scan:
            # it read ~8k heap pages a request for the benchmark's member at a quarter province.
            models.Index(
                fields=["open_due_date", "id"],
                name="proposal_open_due_idx",
                condition=models.Q(open_due_date__isnull=False),
                include=["is_published", "proposer"],
            ),
            # The 督办台's key proposals.
            models.Index(fields=["serial", "id"], name="proposal_key_idx", condition=models.Q(is_key=True)),
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

    def save(self, *args, **kwargs):
        # open_due_date belongs to the trigger on the tasks: a whole-row save (the admin's form, a
        # service without update_fields) must not write back the value it read before a task changed.
        if not self._state.adding and kwargs.get("update_fields") is None and not kwargs.get("force_insert"):
            kwargs["update_fields"] = [
                f.name for f in self._meta.concrete_fields if not f.primary_key and f.name != "open_due_date"
            ]
        super().save(*args, **kwargs)

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
        indexes = [
            # A member's open co-sign invitations (their home and list, every view): the few pending rows,
            # not every proposal they ever co-signed.
            models.Index(
                fields=["member"], condition=models.Q(status="pending"), name="cosigner_pending_by_member"
            ),
        ]

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
    text = models.TextField("文字内容", blank=True, editable=False, help_text="DOCX/PDF 中的文字，供检索")

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
        return f"{self.label}：已用至{self.last_serial}号"

    @property
    def label(self) -> str:
        """The key in words: term3-plenary7 → 第十五届第二次会议 (ids looked up), term3-between → 第十五届闭会期间."""
        return sequence_label(self.key)


def sequence_label(key: str, *, terms: dict | None = None, plenaries: dict | None = None) -> str:
    """A NumberSequence key as people read it; terms/plenaries (id → object) spare the look-ups."""
    import re

    from members.models import Plenary, Term

    match = re.fullmatch(r"term(\d+)-(?:plenary(\d+)|between)", key or "")
    if not match:
        return "其他编号序列"
    term_id, plenary_id = int(match[1]), match[2] and int(match[2])
    term = (terms or {}).get(term_id) or Term.objects.filter(pk=term_id).first()
    term_name = term.name if term else "（已删除的届）"
    if not plenary_id:
        return f"{term_name}闭会期间"
    plenary = (plenaries or {}).get(plenary_id) or Plenary.objects.filter(pk=plenary_id).first()
    return f"{term_name}{plenary.name if plenary else '（已删除的会次）'}"


class Assignment(HandlingTask):
    """交办: one row per department. The lead 主办 (or each separate 分办 unit) replies; a co-handling 会办
    unit sends its opinion to the lead."""

    class Role(models.TextChoices):
        LEAD = "lead", "主办"
        CO = "co", "会办"
        SEPARATE = "separate", "分办"

    # Adjustment and extension fields (and ExtensionState) come from HandlingTask.
    proposal = models.ForeignKey(
        Proposal, verbose_name="提案", on_delete=models.PROTECT, related_name="assignments"
    )
    role = models.CharField("办理方式", max_length=10, choices=Role.choices)
    handling_round = models.PositiveSmallIntegerField("办理轮次", default=1)
    co_opinion = models.TextField("会办意见", blank=True)
    # Statistics (issue 9): the proposal's session copied here (filled in save() below)
    # and handling results denormalised by services/handling.py.
    stat_term = models.ForeignKey(
        Term,
        verbose_name="统计届次",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    stat_plenary = models.ForeignKey(
        Plenary,
        verbose_name="统计会次",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    stat_year = models.PositiveSmallIntegerField("统计年度", null=True, blank=True, help_text="提案提交年度")
    stat_on_time = models.BooleanField(
        "首轮按期答复", null=True, blank=True, help_text="统计用：首轮答复或会办意见是否按期；未答复为空"
    )
    stat_result = models.CharField("最近答复类别", max_length=1, blank=True)
    stat_contacted = models.BooleanField("已面商", default=False)
    stat_satisfaction = models.CharField("提案人最终测评", max_length=30, blank=True)

    class Meta:
        verbose_name = "交办"
        verbose_name_plural = "交办"
        ordering = ["due_date", "id"]
        indexes = [
            models.Index(fields=["department", "state", "due_date"]),
            models.Index(fields=["state", "due_date"]),
            # Lists (issue 15): earliest due first, for everyone, per department, and the open ones
            # (overdue lists, the 督办台, the portal) without walking the closed history.
            models.Index(fields=["due_date", "id"], name="assignment_due_idx"),
            models.Index(fields=["department", "due_date", "id"], name="assignment_dept_due_idx"),
            models.Index(
                fields=["due_date", "id"],
                name="assignment_open_due_idx",
                condition=models.Q(state__in=["pending", "accepted", "adjustment_requested"]),
            ),
            models.Index(
                fields=["department", "due_date", "id"],
                name="assignment_dept_open_due_idx",
                condition=models.Q(state__in=["pending", "accepted", "adjustment_requested"]),
            ),
            models.Index(
                fields=["due_date", "id"],
                name="assignment_ext_pending_idx",
                condition=models.Q(extension_state="pending"),
            ),
            # One department's pending extension requests (the 督办台 filtered by unit): with only the index
            # above the planner ANDed it with the department's whole bitmap, 67k rows of the busiest unit
            # for its 37 requests (20 ms at a quarter province).
            models.Index(
                fields=["department", "due_date", "id"],
                name="assignment_dept_ext_due_idx",
                condition=models.Q(extension_state="pending"),
            ),
            # A department's tasks by proposal, with their ids and states, all from the index: the proposals
            # routed to it (its visibility, the lists' ?department=: not cancelled; they read the busiest
            # department's 67k rows on the heap, 0.3 s at 0.25) and the task search's count, which checks
            # each of its tasks against the matching proposals and its own replies (30k buffers for 养老).
            models.Index(
                fields=["department", "proposal", "id"],
                name="assignment_dept_proposal_idx",
                include=["state"],
            ),
            # The proposals with an open task and its due date (the lists' ?overdue=): the open few
            # percent in proposal order, so the merge with the proposals skips the closed history.
            models.Index(
                fields=["proposal", "due_date"],
                name="assignment_open_proposal_idx",
                condition=models.Q(state__in=["pending", "accepted", "adjustment_requested"]),
            ),
        ]

    def __str__(self):
        return f"{self.proposal.number or self.proposal.title}（{self.department.name}·{self.get_role_display()}）"

    @property
    def replies_formally(self) -> bool:
        return self.role in (self.Role.LEAD, self.Role.SEPARATE)

    def save(self, *args, **kwargs):
        # Statistics: copy the proposal's session once (it is fixed after registration), whoever creates
        # the row — services, admin or a data fix. bulk_create skips this; see stats.rebuild_rollups.
        if self.stat_year is None and self.proposal_id:
            from django.utils import timezone

            p = self.proposal
            self.stat_term_id, self.stat_plenary_id = p.term_id, p.plenary_id
            if p.submitted_at:
                self.stat_year = timezone.localtime(p.submitted_at).year
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "stat_term", "stat_plenary", "stat_year"}
        super().save(*args, **kwargs)

    @classmethod
    def reminder_queryset(cls):
        # Only what a reminder says: the scan may render tens of thousands at once.
        return cls.objects.select_related("department", "proposal").only(
            "state",
            "role",
            "due_date",
            "department_id",
            "proposal_id",
            "department__name",
            "proposal__number",
            "proposal__title",
        )

    @classmethod
    def reminder_sql(cls) -> tuple[str, str, str]:
        """reminder_rows' subject and portal link as SQL over this table aliased `t` (joins, subject,
        link), so the morning scan renders and inserts a batch of notices in one statement."""
        from zhengxie.accounts.models import Department

        proposal = connection.ops.quote_name(Proposal._meta.db_table)
        department = connection.ops.quote_name(Department._meta.db_table)
        roles = " ".join(f"WHEN '{value}' THEN '{label}'" for value, label in cls.Role.choices)
        joins = (
            f"LEFT JOIN {proposal} rp ON rp.id = t.proposal_id "
            f"LEFT JOIN {department} rd ON rd.id = t.department_id"
        )
        subject = (
            "rp.number || '《' || rp.title || '》（' || rd.name || '·' "
            f"|| CASE t.role {roles} ELSE t.role END || '）'"
        )
        return joins, subject, "'/portal/assignments/' || t.id || '/'"

    @classmethod
    def reminder_rows(cls, ids) -> dict:
        # one values() query: a cold scan renders hundreds of thousands (reminder_subject's text)
        from zhengxie.workflow.models import ReminderRow

        roles = dict(cls.Role.choices)
        rows = cls.objects.filter(pk__in=list(ids)).values_list(
            "pk",
            "state",
            "due_date",
            "department_id",
            "department__name",
            "role",
            "proposal__number",
            "proposal__title",
        )
        return {
            pk: ReminderRow(
                state,
                due,
                department_id,
                f"{number}《{title}》（{department}·{roles.get(role, role)}）",
                f"/portal/assignments/{pk}/",
            )
            for pk, state, due, department_id, department, role, number, title in rows
        }

    def reminder_subject(self) -> str:
        p = self.proposal
        return f"{p.number}《{p.title}》（{self.department.name}·{self.get_role_display()}）"

    def portal_url(self) -> str:
        return f"/portal/assignments/{self.pk}/"

    def staff_url(self) -> str:
        return f"/workbench/proposals/{self.proposal_id}/"


class Contact(models.Model):
    """面商: the department's contact with the proposer before replying."""

    class Way(models.TextChoices):
        FACE_TO_FACE = "face_to_face", "当面"
        PHONE = "phone", "电话"
        WRITTEN = "written", "书面"
        OTHER = "other", "其他"

    assignment = models.ForeignKey(
        Assignment, verbose_name="交办", on_delete=models.CASCADE, related_name="contacts"
    )
    date = models.DateField("面商日期")
    way = models.CharField("方式", max_length=20, choices=Way.choices)
    people = models.CharField("参加人员", max_length=200, blank=True)
    summary = models.TextField("面商情况")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="记录人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = "面商记录"
        verbose_name_plural = "面商记录"
        ordering = ["date", "id"]

    def __str__(self):
        return f"{self.date} {self.get_way_display()}"


def reply_letter_path(instance, filename):
    return f"replies/{instance.assignment.proposal_id}/{filename}"


class Reply(models.Model):
    """答复: the lead's (or a separate unit's) formal reply, one per handling round."""

    class Result(models.TextChoices):
        A = "A", "A 所提问题已经解决或基本解决"
        B = "B", "B 已列入计划拟解决"
        C = "C", "C 因条件限制暂时不能解决或留作参考"

    assignment = models.ForeignKey(
        Assignment, verbose_name="交办", on_delete=models.PROTECT, related_name="replies"
    )
    handling_round = models.PositiveSmallIntegerField("办理轮次", default=1)
    result = models.CharField("答复类别", max_length=1, choices=Result.choices)
    content = models.TextField("答复内容")
    signer = models.CharField("签发领导", max_length=50, blank=True)
    letter = models.FileField("答复函", upload_to=reply_letter_path, blank=True)
    letter_text = models.TextField(
        "答复函文字", blank=True, editable=False, help_text="DOCX/PDF 中的文字，供检索"
    )
    # The words of the content and the letter's text (proposals/search.py reply_words), written with the
    # reply: a department's task list matches its own replies through a generated tsvector column over
    # them with a GIN index (migration 0016), instead of reading every reply's text.
    search_words = models.TextField("答复分词", blank=True, editable=False)
    due_date = models.DateField("答复时的办理期限", null=True, blank=True)
    on_time = models.BooleanField("按期答复", default=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="答复人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("答复时间", auto_now_add=True)

    class Meta:
        verbose_name = "答复"
        verbose_name_plural = "答复"
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["assignment", "handling_round"], name="one_reply_per_round")
        ]

    def __str__(self):
        return f"{self.assignment} 第{self.handling_round}轮 {self.result}"


class Evaluation(models.Model):
    """满意度测评 by the proposer (and co-signers who wish to) of one handling round."""

    class Satisfaction(models.TextChoices):
        SATISFIED = "satisfied", "满意"
        BASICALLY_SATISFIED = "basically_satisfied", "基本满意"
        DISSATISFIED = "dissatisfied", "不满意"

    proposal = models.ForeignKey(
        Proposal, verbose_name="提案", on_delete=models.CASCADE, related_name="evaluations"
    )
    # Empty for a collective proposal: staff record the organisation's rating on its behalf (recorded_by).
    member = models.ForeignKey(
        Member, verbose_name="测评委员", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="代为录入",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="集体提案：机关工作人员代提案单位录入的测评",
    )
    handling_round = models.PositiveSmallIntegerField("办理轮次", default=1)
    satisfaction = models.CharField("满意度", max_length=30, choices=Satisfaction.choices)
    comment = models.TextField("意见", blank=True)
    created_at = models.DateTimeField("测评时间", auto_now_add=True)

    class Meta:
        verbose_name = "满意度测评"
        verbose_name_plural = "满意度测评"
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "member", "handling_round"], name="one_evaluation_per_member_round"
            ),
            models.UniqueConstraint(
                fields=["proposal", "handling_round"],
                condition=models.Q(member__isnull=True),
                name="one_organization_evaluation_per_round",
            ),
        ]

    def __str__(self):
        return f"{self.member or self.proposal.organization} {self.get_satisfaction_display()}"


class Supervision(models.Model):
    """督办 action on a (usually key) proposal."""

    class Kind(models.TextChoices):
        URGE = "urge", "催办"
        INSPECTION = "inspection", "视察督办"
        MEETING = "meeting", "协商督办"

    proposal = models.ForeignKey(
        Proposal, verbose_name="提案", on_delete=models.CASCADE, related_name="supervisions"
    )
    kind = models.CharField("督办方式", max_length=20, choices=Kind.choices)
    note = models.TextField("情况")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="督办人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "督办"
        verbose_name_plural = "督办"
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.created_at:%Y-%m-%d}"


# --- statistics (issue 9) ---------------------------------------------------------------------------


class AssessmentItem(models.Model):
    """考核项目: one scored item of the yearly department assessment (proposals/assessment.py)."""

    class Code(models.TextChoices):
        ON_TIME = "on_time", "按期答复率"
        CONTACTED = "contacted", "面商率"
        SATISFACTION = "satisfaction", "满意率"
        RESULT_MIX = "result_mix", "答复类别（A/B/C）"
        REHANDLING = "rehandling", "重新办理件数"
        OVERDUE = "overdue", "逾期未答复件数"
        MEMBER_REVIEW = "member_review", "委员民主评议"

    code = models.CharField("项目", max_length=20, choices=Code.choices, unique=True)
    weight = models.DecimalField("分值", max_digits=5, decimal_places=1, default=0)
    deduction = models.DecimalField(
        "每件扣分", max_digits=5, decimal_places=1, default=0, help_text="仅用于件数类项目（重新办理、逾期）"
    )
    b_factor = models.DecimalField(
        "B类折算", max_digits=3, decimal_places=2, default=0.8, help_text="仅用于答复类别：A类按1计"
    )
    c_factor = models.DecimalField("C类折算", max_digits=3, decimal_places=2, default=0.5)
    is_active = models.BooleanField("启用", default=True)
    order = models.PositiveIntegerField("排序", default=100)

    class Meta:
        verbose_name = "承办单位考核项目"
        verbose_name_plural = "承办单位考核项目"
        ordering = ["order", "id"]

    def __str__(self):
        return f"{self.get_code_display()}（{self.weight}分）"


class AssessmentGrade(models.Model):
    """考核等次: a department scoring at least min_score gets this grade (the highest that fits)."""

    name = models.CharField("等次", max_length=20, unique=True)
    min_score = models.DecimalField("最低分", max_digits=5, decimal_places=1)

    class Meta:
        verbose_name = "承办单位考核等次"
        verbose_name_plural = "承办单位考核等次"
        ordering = ["-min_score"]

    def __str__(self):
        return f"{self.name}（≥{self.min_score}）"


class ProposalStatCount(models.Model):
    """Rollup of received proposals (submitted, not draft or withdrawn) by every dimension the statistics
    group on, kept exact by database triggers (migration 0007) on every insert, update and delete of a
    proposal — so a year's figures read a few hundred rows instead of scanning a million. Never written
    by Python code."""

    term_id = models.BigIntegerField()
    plenary_id = models.BigIntegerField(null=True)
    year = models.SmallIntegerField()
    month = models.SmallIntegerField()
    state = models.CharField(max_length=30)
    kind = models.CharField(max_length=20)
    category_id = models.BigIntegerField()
    contacted = models.BooleanField()
    satisfaction = models.CharField(max_length=30)
    on_time = models.BooleanField(null=True)
    revisited = models.BooleanField(default=False)
    n = models.IntegerField(default=0)

    class Meta:
        verbose_name = "提案统计汇总"
        verbose_name_plural = "提案统计汇总"
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "term_id",
                    "plenary_id",
                    "year",
                    "month",
                    "state",
                    "kind",
                    "category_id",
                    "contacted",
                    "satisfaction",
                    "on_time",
                    "revisited",
                ],
                name="proposal_stat_count_key",
                nulls_distinct=False,
            )
        ]

    def __str__(self):
        return f"{self.year}-{self.month:02d} {self.state} {self.kind}: {self.n}"


class AssignmentStatCount(models.Model):
    """Rollup of non-cancelled handling tasks, kept by a database trigger like ProposalStatCount: one row
    per scope (term, plenary, year) and department — and, for open tasks, per due date (to count the
    overdue ones on any day) — with the count of each figure the statistics need as its own column, so a
    department's figures are plain sums over a few rows (issue 15: the earlier row per combination of
    every dimension made ~58k rows for 750k tasks, each figure a filtered sum over all of them)."""

    term_id = models.BigIntegerField(null=True)
    plenary_id = models.BigIntegerField(null=True)
    year = models.SmallIntegerField(null=True)
    department_id = models.BigIntegerField()
    open = models.BooleanField()
    due_date = models.DateField(null=True)
    # The counts (see STAT_COUNTS in migration 0021 for each one's condition).
    n = models.IntegerField("交办", default=0)
    replied = models.IntegerField("已答复", default=0)
    on_time = models.IntegerField("按期答复", default=0)
    late = models.IntegerField("逾期答复", default=0)
    result_a = models.IntegerField("A类", default=0)
    result_b = models.IntegerField("B类", default=0)
    result_c = models.IntegerField("C类", default=0)
    formal_replied = models.IntegerField("主办分办已答复", default=0)
    contacted = models.IntegerField("已面商", default=0)
    rehandled = models.IntegerField("重新办理", default=0)
    rated = models.IntegerField("已测评", default=0)
    satisfied = models.IntegerField("满意", default=0)

    COUNTS = (
        "n",
        "replied",
        "on_time",
        "late",
        "result_a",
        "result_b",
        "result_c",
        "formal_replied",
        "contacted",
        "rehandled",
        "rated",
        "satisfied",
    )

    class Meta:
        verbose_name = "交办统计汇总"
        verbose_name_plural = "交办统计汇总"
        constraints = [
            models.UniqueConstraint(
                fields=["term_id", "plenary_id", "year", "department_id", "open", "due_date"],
                name="assignment_stat_count_key",
                nulls_distinct=False,
            )
        ]

    def __str__(self):
        return f"{self.year} 单位{self.department_id}: {self.n}"


from .models_after_reply import (  # noqa: E402, F401  (issue 20: after the reply)
    DepartmentAward,
    DepartmentReview,
    ExcellentAward,
    JointSupervision,
    KeyCandidate,
    KeyInstruction,
    KeyLeader,
    KeyRound,
    Outcome,
    ReviewRound,
    Revisit,
)
