from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db import models

from members.models import Member
from zhengxie.workflow.models import HandlingTask

CATEGORY_SUGGESTIONS = ["经济发展", "社会民生", "文化教育", "生态环境", "城乡建设", "政治法治", "其他"]


class OpinionCategory(models.Model):
    """社情民意类别: the managed list a report's 类别 is chosen from (staff keep it in the admin).

    Reports store the name, so renaming or retiring an entry never rewrites what was filed."""

    name = models.CharField("名称", max_length=50, unique=True)
    order = models.PositiveIntegerField("排序", default=100)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "社情民意类别"
        verbose_name_plural = "社情民意类别"
        ordering = ["order", "name"]

    def __str__(self):
        return self.name


class OpinionReport(models.Model):
    """社情民意信息: what a reflector wrote (title/content, kept as submitted) and the office's edited text."""

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

    class ReflectorKind(models.TextChoices):
        MEMBER = "member", "委员"
        PARTY = "party", "民主党派"
        ORGANIZATION = "organization", "人民团体/组织"
        SECTOR = "sector", "界别"
        COMMITTEE = "committee", "专委会"
        STAFF = "staff", "机关工作人员"

    # States in which the office may still edit the text that goes into a bulletin.
    EDITABLE_BY_STAFF = (State.SUBMITTED, State.ADOPTED)
    # States from which 批示 may be recorded (adopted or later, until closed).
    INSTRUCTABLE = (State.ADOPTED, State.PUBLISHED, State.FORWARDED, State.TRANSFERRED)

    title = models.CharField("标题（原稿）", max_length=200)
    content = models.TextField("内容（原稿）")
    edited_title = models.CharField("编辑后标题", max_length=200, blank=True)
    edited_content = models.TextField("编辑后内容", blank=True)
    category = models.CharField("类别", max_length=50, blank=True)
    reflector_kind = models.CharField(
        "反映人类型", max_length=20, choices=ReflectorKind.choices, default=ReflectorKind.MEMBER
    )
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
    is_urgent = models.BooleanField("急事急报", default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="录入人", on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField("状态", max_length=20, choices=State.choices, default=State.DRAFT, db_index=True)
    return_reason = models.TextField("退回理由", blank=True)
    rejection_reason = models.TextField("不予采用理由", blank=True)
    submitted_at = models.DateTimeField("报送时间", null=True, blank=True)
    adopted_at = models.DateTimeField("采用时间", null=True, blank=True)
    adopted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="采用编辑",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    published_at = models.DateTimeField("刊发时间", null=True, blank=True)
    forwarded_at = models.DateTimeField("报送上级时间", null=True, blank=True)
    feedback = models.TextField("反馈意见", blank=True)
    feedback_at = models.DateTimeField("反馈时间", null=True, blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    # The `q` of the lists (issue 19, zhengxie/textsearch.py): jieba words of the original and edited
    # title/content (kept by save() below) and of the attachments' text (services). A generated weighted
    # tsvector over them with a GIN index (migration) answers the search on PostgreSQL.
    search_title = models.TextField("标题分词", blank=True, editable=False)
    search_content = models.TextField("内容分词", blank=True, editable=False)
    search_files = models.TextField("附件分词", blank=True, editable=False)

    TEXT_FIELDS = frozenset({"title", "content", "edited_title", "edited_content"})
    # The segmented words the list's `q` matches in SQL: several times the report's text, read by no list.
    SEARCH_FIELDS = ("search_title", "search_content", "search_files")

    class Meta:
        verbose_name = "社情民意信息"
        verbose_name_plural = "社情民意信息"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["state", "submitted_at"]),
            # Lists (issue 15): the API list (newest first) and the staff inbox (urgent, newest submitted).
            models.Index(fields=["-created_at", "-id"], name="opinion_created_idx"),
            models.Index(fields=["state", "-is_urgent", "-submitted_at", "-id"], name="opinion_inbox_idx"),
            # The year's statistics (sqyy.selectors.opinion_report_stats) group a year's reports four ways:
            # everything they read is in this index, so none of them visits the wide rows (at a province's
            # 26k reports a year, each grouping read 20k table pages: ~100 ms).
            models.Index(
                fields=["submitted_at"],
                include=[
                    "id",
                    "state",
                    "published_at",
                    "category",
                    "reflector_kind",
                    "reflector",
                    "is_urgent",
                ],
                name="opinion_stats_cover_idx",
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        """Derived data only: the segmented words follow the text on every save that writes it."""
        update_fields = kwargs.get("update_fields")
        if update_fields is None or self.TEXT_FIELDS & set(update_fields):
            from zhengxie.textsearch import index_texts

            self.search_title = index_texts(self.title, self.edited_title)
            self.search_content = index_texts(self.content, self.edited_content)
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "search_title", "search_content"}
        super().save(*args, **kwargs)

    @property
    def reflector_display(self) -> str:
        return self.reflector.name if self.reflector_id else self.reflector_name

    # The reverse one-to-ones as a value or None: a template asking `r.bulletin_item` of a report without one
    # gets an exception, which Django's template engine answers with a dir() of the report per row.
    @property
    def bulletin_entry(self):
        try:
            return self.bulletin_item
        except ObjectDoesNotExist:
            return None

    @property
    def proposal_source(self):
        try:
            return self.source_proposal
        except ObjectDoesNotExist:
            return None

    @property
    def final_title(self) -> str:
        """The text a bulletin prints: the office's edit where there is one, else the original."""
        return self.edited_title or self.title

    @property
    def final_content(self) -> str:
        return self.edited_content or self.content

    @property
    def is_edited(self) -> bool:
        return bool(self.edited_title or self.edited_content)


def opinion_attachment_path(instance, filename):
    return f"sqyy/{instance.report_id}/{filename}"


class OpinionAttachment(models.Model):
    report = models.ForeignKey(
        OpinionReport, verbose_name="社情民意", on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField("文件", upload_to=opinion_attachment_path)
    name = models.CharField("文件名", max_length=200)
    size = models.PositiveIntegerField("大小(字节)")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="上传人", on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)
    text = models.TextField("文字内容", blank=True, editable=False, help_text="DOCX/PDF 中的文字，供检索")

    class Meta:
        verbose_name = "社情民意附件"
        verbose_name_plural = "社情民意附件"
        ordering = ["id"]

    def __str__(self):
        return self.name


class Instruction(models.Model):
    """批示: a leader's written instruction on a report; any number per report."""

    class Level(models.TextChoices):
        DISTRICT = "district", "区级"
        CITY = "city", "市级"
        PROVINCE = "province", "省级"
        NATIONAL = "national", "国家级"

    report = models.ForeignKey(
        OpinionReport, verbose_name="社情民意", on_delete=models.PROTECT, related_name="instructions"
    )
    leader = models.CharField("批示领导", max_length=100)
    level = models.CharField("批示级别", max_length=10, choices=Level.choices)
    content = models.TextField("批示内容")
    date = models.DateField("批示日期")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="录入人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("录入时间", auto_now_add=True)

    class Meta:
        verbose_name = "批示"
        verbose_name_plural = "批示"
        ordering = ["date", "id"]

    def __str__(self):
        return f"{self.leader}（{self.get_level_display()}）{self.date}"


class BulletinSequence(models.Model):
    """The last issue number of a year; locked with select_for_update so issue numbers have no gaps."""

    year = models.PositiveIntegerField("年份", unique=True)
    last_number = models.PositiveIntegerField("已用至", default=0)

    class Meta:
        verbose_name = "期刊编号序列"
        verbose_name_plural = "期刊编号序列"

    def __str__(self):
        return f"{self.year}: {self.last_number}"


class Bulletin(models.Model):
    """《社情民意》: one issue of the journal, numbered per year (2026年第12期)."""

    class State(models.TextChoices):
        DRAFT = "draft", "编辑中"
        PUBLISHED = "published", "已刊发"
        FORWARDED = "forwarded", "已报送"

    year = models.PositiveIntegerField("年份")
    number = models.PositiveIntegerField("期号")
    title = models.CharField("刊名", max_length=100, default="社情民意")
    date = models.DateField("日期")
    editor_note = models.TextField("编者按", blank=True)
    state = models.CharField("状态", max_length=20, choices=State.choices, default=State.DRAFT)
    published_at = models.DateTimeField("刊发时间", null=True, blank=True)
    forwarded_to = models.CharField("报送单位", max_length=300, blank=True)
    forwarded_on = models.DateField("报送日期", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="编辑", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "《社情民意》期刊"
        verbose_name_plural = "《社情民意》期刊"
        ordering = ["-year", "-number"]
        constraints = [models.UniqueConstraint(fields=["year", "number"], name="bulletin_number_per_year")]

    def __str__(self):
        return self.issue_label

    @property
    def issue_label(self) -> str:
        return f"{self.year}年第{self.number}期"


class BulletinItem(models.Model):
    """A report's place in a bulletin; a report appears in one bulletin only."""

    bulletin = models.ForeignKey(
        Bulletin, verbose_name="期刊", on_delete=models.CASCADE, related_name="items"
    )
    report = models.OneToOneField(
        OpinionReport, verbose_name="社情民意", on_delete=models.PROTECT, related_name="bulletin_item"
    )
    order = models.PositiveIntegerField("顺序", default=0)

    class Meta:
        verbose_name = "期刊篇目"
        verbose_name_plural = "期刊篇目"
        ordering = ["order", "id"]

    def __str__(self):
        return f"{self.bulletin} #{self.order} {self.report}"


class Forwarding(models.Model):
    """报送: a report sent to the Party committee, the government or the 上级政协 (to whom, when)."""

    report = models.ForeignKey(
        OpinionReport, verbose_name="社情民意", on_delete=models.PROTECT, related_name="forwardings"
    )
    bulletin = models.ForeignKey(
        Bulletin,
        verbose_name="随期刊报送",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="forwardings",
    )
    to = models.CharField("报送单位", max_length=300)
    date = models.DateField("报送日期")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="录入人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("录入时间", auto_now_add=True)

    class Meta:
        verbose_name = "报送记录"
        verbose_name_plural = "报送记录"
        ordering = ["date", "id"]

    def __str__(self):
        return f"{self.date} 报送{self.to}"


class UpperAdoption(models.Model):
    """上级采用: a higher body took up the report, on its own (单篇采用) or in a compilation (转送采用)."""

    class Kind(models.TextChoices):
        SINGLE = "single", "单篇采用"
        COMPILED = "compiled", "转送采用"

    report = models.ForeignKey(
        OpinionReport, verbose_name="社情民意", on_delete=models.PROTECT, related_name="upper_adoptions"
    )
    body = models.CharField("采用单位", max_length=200)
    kind = models.CharField("采用方式", max_length=10, choices=Kind.choices)
    date = models.DateField("采用日期")
    note = models.CharField("说明", max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="录入人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("录入时间", auto_now_add=True)

    class Meta:
        verbose_name = "上级采用"
        verbose_name_plural = "上级采用"
        ordering = ["date", "id"]

    def __str__(self):
        return f"{self.body}{self.get_kind_display()}"


def transfer_letter_path(instance, filename):
    return f"sqyy/transfers/{instance.report_id}/{filename}"


class Transfer(HandlingTask):
    """转办: a report sent to a department for handling, with the department's reply on the row."""

    TASK_NOUN = "转办"

    class Result(models.TextChoices):
        A = "A", "A 所提问题已经解决或基本解决"
        B = "B", "B 已列入计划拟解决"
        C = "C", "C 因条件限制暂时不能解决或留作参考"

    report = models.ForeignKey(
        OpinionReport, verbose_name="社情民意", on_delete=models.PROTECT, related_name="transfers"
    )
    reply_result = models.CharField("答复类别", max_length=1, choices=Result.choices, blank=True)
    reply_content = models.TextField("答复内容", blank=True)
    reply_signer = models.CharField("签发领导", max_length=50, blank=True)
    reply_letter = models.FileField("答复函", upload_to=transfer_letter_path, blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="答复人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = "社情民意转办"
        verbose_name_plural = "社情民意转办"
        ordering = ["due_date", "id"]
        indexes = [
            models.Index(fields=["department", "state", "due_date"]),
            # Lists (issue 15): earliest due first, for everyone and per department.
            models.Index(fields=["due_date", "id"], name="transfer_due_idx"),
            models.Index(fields=["department", "due_date", "id"], name="transfer_dept_due_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "department"],
                condition=~models.Q(state="cancelled"),
                name="one_open_transfer_per_department",
            )
        ]

    def __str__(self):
        return f"《{self.report.final_title}》转{self.department.name}"

    @property
    def has_reply(self) -> bool:
        return bool(self.reply_result)

    @classmethod
    def reminder_queryset(cls):
        return cls.objects.select_related("department", "report").only(
            "state",
            "due_date",
            "department_id",
            "report_id",
            "department__name",
            "report__title",
            "report__edited_title",
        )

    def reminder_subject(self) -> str:
        return f"社情民意转办《{self.report.final_title}》（{self.department.name}）"

    def portal_url(self) -> str:
        return f"/portal/transfers/{self.pk}/"

    def staff_url(self) -> str:
        return f"/workbench/opinions/{self.report_id}/"
