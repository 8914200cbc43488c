"""The proposal register (提案办理情况登记表) for Excel export: on the workbench and in the admin.

Every column reads what the queryset prefetched (selectors._base plus the evaluations), so an export
costs the same few queries whatever the number of proposals."""

from django.db.models import Prefetch
from django.utils import timezone
from import_export import fields

from zhengxie.exports import SafeExportModelResource

from .models import Assignment, Cosigner, Evaluation, Proposal, Reply


def _long_texts() -> list[str]:
    """Long texts (and search vectors) of a proposal, which no column shows: not read for an export of
    thousands of rows."""
    from django.db.models import TextField

    return [
        f.name
        for f in Proposal._meta.concrete_fields
        if isinstance(f, TextField) or f.get_internal_type() not in _SHORT_TYPES
    ]


_SHORT_TYPES = {
    "AutoField",
    "BigAutoField",
    "BooleanField",
    "CharField",
    "DateField",
    "DateTimeField",
    "DecimalField",
    "ForeignKey",
    "IntegerField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "SmallIntegerField",
    "BigIntegerField",
}


def _local(value):
    # Excel cells hold no time zone: write the local (Asia/Shanghai) wall time.
    return timezone.localtime(value).replace(tzinfo=None) if value else None


class ProposalRegisterResource(SafeExportModelResource):
    number = fields.Field(column_name="编号")
    title = fields.Field(column_name="案由")
    proposers = fields.Field(column_name="提案人")
    kind = fields.Field(column_name="类型")
    category = fields.Field(column_name="类别")
    session = fields.Field(column_name="会次")
    state = fields.Field(column_name="状态")
    submitted_at = fields.Field(column_name="提交时间")
    registered_at = fields.Field(column_name="立案时间")
    departments = fields.Field(column_name="承办单位(主办/会办/分办)")
    due_date = fields.Field(column_name="办理期限")
    reply_result = fields.Field(column_name="答复类别")
    satisfaction = fields.Field(column_name="满意度")
    is_key = fields.Field(column_name="是否重点")

    class Meta:
        model = Proposal
        name = "提案办理情况登记表"
        fields = (
            "number",
            "title",
            "proposers",
            "kind",
            "category",
            "session",
            "state",
            "submitted_at",
            "registered_at",
            "departments",
            "due_date",
            "reply_result",
            "satisfaction",
            "is_key",
        )
        export_order = fields

    def filter_export(self, queryset, **kwargs):
        """What the columns read and nothing else (the admin hands over its changelist queryset, the
        workbench the staff list's): four joins, the proposal without its long texts, and per chunk of
        rows four prefetches (co-signers, assignments, replies, evaluations)."""
        return (
            queryset.select_related(None)
            .select_related("category", "proposer", "term", "plenary")
            .defer(*_long_texts())
            .prefetch_related(None)
            .prefetch_related(
                Prefetch(
                    "cosigners", queryset=Cosigner.objects.select_related("member").order_by("order", "id")
                ),
                Prefetch(
                    "assignments",
                    queryset=Assignment.objects.select_related("department")
                    .defer("co_opinion")
                    .prefetch_related(
                        Prefetch(
                            "replies",
                            queryset=Reply.objects.only(
                                "id", "assignment", "handling_round", "result"
                            ).order_by("handling_round", "id"),
                        )
                    )
                    .order_by("id"),
                ),
                Prefetch("evaluations", queryset=Evaluation.objects.order_by("handling_round", "id")),
            )
        )

    @staticmethod
    def _tasks(proposal) -> list[Assignment]:
        return [t for t in proposal.assignments.all() if t.state != Assignment.State.CANCELLED]

    def dehydrate_number(self, proposal):
        return proposal.number

    def dehydrate_title(self, proposal):
        return proposal.title

    def dehydrate_proposers(self, proposal):
        names = [proposal.proposer_display] if proposal.proposer_display else []
        names += [
            c.member.name
            for c in proposal.cosigners.all()
            if c.status == Cosigner.Status.CONFIRMED and c.member.name not in names
        ]
        return "、".join(names)

    def dehydrate_kind(self, proposal):
        return proposal.get_kind_display()

    def dehydrate_category(self, proposal):
        return proposal.category.name

    def dehydrate_session(self, proposal):
        if proposal.during_plenary and proposal.plenary_id:
            return f"{proposal.term.short_name}{proposal.plenary.short_name}"
        return f"{proposal.term.short_name}闭会期间"

    def dehydrate_state(self, proposal):
        return proposal.get_state_display()

    def dehydrate_submitted_at(self, proposal):
        return _local(proposal.submitted_at)

    def dehydrate_registered_at(self, proposal):
        return _local(proposal.registered_at)

    def dehydrate_departments(self, proposal):
        return "、".join(f"{t.department.name}（{t.get_role_display()}）" for t in self._tasks(proposal))

    def dehydrate_due_date(self, proposal):
        # The formal reply's deadline (主办 or each 分办 unit); 会办 deadlines only feed the lead.
        dates = sorted({t.due_date for t in self._tasks(proposal) if t.replies_formally})
        if len(dates) == 1:
            return dates[0]
        return "、".join(f"{d:%Y-%m-%d}" for d in dates)

    def dehydrate_reply_result(self, proposal):
        results = []
        for task in self._tasks(proposal):
            replies = [r for r in task.replies.all() if r.handling_round == proposal.handling_round]
            if replies:
                results.append(replies[-1].result)
        return "、".join(results)

    def dehydrate_satisfaction(self, proposal):
        if proposal.closed_unrated:
            return "未评价"
        # The proposer's rating (for a collective proposal the organisation's, which staff record: member
        # empty). While it is handled again the current round has none yet: show the last round's.
        own: list[Evaluation] = [e for e in proposal.evaluations.all() if e.member_id == proposal.proposer_id]
        current = [e for e in own if e.handling_round == proposal.handling_round]
        if current:
            return current[-1].get_satisfaction_display()
        if proposal.state == Proposal.State.REHANDLING:
            earlier = [e for e in own if e.handling_round < proposal.handling_round]
            return f"{earlier[-1].get_satisfaction_display()}（重新办理中）" if earlier else "重新办理中"
        return ""

    def dehydrate_is_key(self, proposal):
        return "是" if proposal.is_key else "否"
