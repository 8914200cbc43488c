"""Proposals API (API.md "Proposals"): thin — selectors read, services write."""

from django.db import transaction
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from proposals import search, selectors, services
from proposals.models import Assignment, Cosigner, Evaluation, Proposal, ProposalAttachment, Supervision
from zhengxie.api import DisplayField, check_choice_filters, nested_data
from zhengxie.api_read import ModelSerializer
from zhengxie.api_schema import policy_limited_text
from zhengxie.params import is_int
from zhengxie.parsers import MultiPartParser
from zhengxie.workflow.api import HistorySerializer

from .assignments import AssignmentBriefSerializer


class CosignerSerializer(ModelSerializer):
    name = serializers.CharField(source="member.name", read_only=True)
    status_display = DisplayField("status")
    joined_by_merge = serializers.SerializerMethodField()

    class Meta:
        model = Cosigner
        fields = ["member", "name", "status", "status_display", "answered_at", "joined_by_merge"]

    def get_joined_by_merge(self, obj) -> bool:
        return obj.merged_from_id is not None


class AttachmentSerializer(ModelSerializer):
    class Meta:
        model = ProposalAttachment
        fields = ["id", "name", "size", "file", "uploaded_at"]


class ProposalSerializer(ModelSerializer):
    category_name = serializers.CharField(source="category.name", read_only=True)
    state_display = DisplayField("state")
    kind_display = DisplayField("kind")
    proposer_name = serializers.CharField(source="proposer_display", read_only=True)
    cosigners = serializers.SerializerMethodField()
    attachments = AttachmentSerializer(many=True, read_only=True)
    rejection_reason = serializers.CharField(source="rejection_reason.text", default="", read_only=True)
    assignments = serializers.SerializerMethodField()

    class Meta:
        model = Proposal
        fields = [
            "id",
            "number",
            "title",
            "content",
            "category",
            "category_name",
            "kind",
            "kind_display",
            "organization",
            "state",
            "state_display",
            "proposer",
            "proposer_name",
            "cosigners",
            "term",
            "during_plenary",
            "plenary",
            "submitted_at",
            "registered_at",
            "return_reason",
            "rejection_reason",
            "rejection_text",
            "disposition",
            "merged_into",
            "opinion_report",
            "is_key",
            "key_leader",
            "handling_round",
            "assigned_at",
            "replied_at",
            "closed_at",
            "closed_unrated",
            "is_published",
            "reply_published",
            "publish_opt_out",
            "entered_by",
            "attachments",
            "assignments",
            "created_at",
            "updated_at",
        ]

    @extend_schema_field(CosignerSerializer(many=True))
    def get_cosigners(self, obj):
        # Declined co-signers are off the proposal; unsent invitations show as listed.
        rows = [c for c in obj.cosigners.all() if c.status != Cosigner.Status.DECLINED]
        return nested_data(self, CosignerSerializer, rows)

    @extend_schema_field(AssignmentBriefSerializer(many=True))
    def get_assignments(self, obj):
        # Which replies the reader sees is selectors.reply_rule's, exactly as on the pages.
        rows = selectors.proposal_handling_visible_to(self.context["request"].user, obj)
        return nested_data(self, AssignmentBriefSerializer, rows)


class ProposalWriteSerializer(serializers.Serializer):
    title = policy_limited_text("proposal_title_max", max_length=200, allow_blank=True)
    content = policy_limited_text("proposal_content_max", allow_blank=True, required=False, default="")
    category = serializers.CharField(help_text="类别 id 或名称")
    kind = serializers.ChoiceField(choices=Proposal.Kind.choices, default=Proposal.Kind.INDIVIDUAL)
    cosigners = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)
    organization = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    during_plenary = serializers.BooleanField(required=False, default=False)
    plenary = serializers.IntegerField(required=False, allow_null=True, default=None)
    proposer = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text="代录：机关工作人员为该委员录入（委员 id）"
    )


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True)


class CosignSerializer(serializers.Serializer):
    agree = serializers.BooleanField()


class RejectSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True, required=False, default="")
    reason_code = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="标准理由 id 或文字"
    )
    disposition = serializers.ChoiceField(choices=Proposal.Disposition.choices)


class MergeSerializer(serializers.Serializer):
    into = serializers.IntegerField()


class AttachmentUploadSerializer(serializers.Serializer):
    file = serializers.FileField()


class AssignItemSerializer(serializers.Serializer):
    department = serializers.IntegerField()
    role = serializers.ChoiceField(choices=Assignment.Role.choices)
    due_date = serializers.DateField(
        required=False,
        allow_null=True,
        help_text="指定办理期限（可选，须晚于今天且不超过交办后最长期限）；不填按办理规则推算",
    )


class AssignSerializer(serializers.Serializer):
    assignments = AssignItemSerializer(many=True)


class EvaluateSerializer(serializers.Serializer):
    satisfaction = serializers.ChoiceField(choices=Evaluation.Satisfaction.choices)
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class MarkKeySerializer(serializers.Serializer):
    leader = serializers.IntegerField(required=False, allow_null=True, default=None)
    is_key = serializers.BooleanField(required=False, default=True)


class SuperviseSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Supervision.Kind.choices)
    note = serializers.CharField(allow_blank=True)


class OptOutSerializer(serializers.Serializer):
    opt_out = serializers.BooleanField()


FILTER_PARAMETERS = [
    OpenApiParameter(
        "state", str, description=f"状态，可用逗号分隔多个；可选值：{'、'.join(Proposal.State.values)}"
    ),
    OpenApiParameter("kind", str, enum=Proposal.Kind.values),
    OpenApiParameter("department", int, description="承办单位 id：有该单位（未取消）交办的提案"),
    OpenApiParameter("overdue", bool, description="只看有超期未答复交办的提案"),
    OpenApiParameter("term", int),
    OpenApiParameter("plenary", int),
    OpenApiParameter("category", int),
    OpenApiParameter("key", bool, description="只看重点提案"),
    OpenApiParameter(
        "q",
        str,
        description="全文检索（中文分词）：案由、正文、答复、附件（DOCX/PDF）文字；编号（如 十五届二次第0031号、"
        "第0031号、0031、2026-0031）；提案人姓名",
    ),
    OpenApiParameter(
        "ordering",
        str,
        enum=["relevance", "default"],
        description="有 q 时默认按相关度；default 为列表原有顺序",
    ),
]


def _act(serializer_class=None, **schema):
    """An action: POST, returns the proposal's new representation."""
    return extend_schema(request=serializer_class, responses=ProposalSerializer, **schema)


class ProposalViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    serializer_class = ProposalSerializer

    def get_queryset(self):
        qs = selectors.proposals_visible_to(self.request.user)
        if self.action == "list":
            qs = selectors.whole_rows_for_list(qs, attachments=True)
        else:
            qs = qs.prefetch_related("attachments")
        params = self.request.query_params
        qs = selectors.proposals_filter(qs, params=params, user=self.request.user)
        return search.ordered(qs, params, "-updated_at", "-id")

    def get_object(self):
        return selectors.access_proposal(self.request.user, self.kwargs["pk"])

    def _respond(self, proposal, code=status.HTTP_200_OK):
        fresh = selectors.access_proposal(self.request.user, proposal.pk)
        return Response(ProposalSerializer(fresh, context=self.get_serializer_context()).data, status=code)

    def _input(self, serializer_class):
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    @extend_schema(parameters=FILTER_PARAMETERS)
    def list(self, request, *args, **kwargs):
        check_choice_filters(request.query_params, state=Proposal.State.values, kind=Proposal.Kind.values)
        return super().list(request, *args, **kwargs)

    @extend_schema(request=ProposalWriteSerializer, responses={201: ProposalSerializer})
    def create(self, request, *args, **kwargs):
        data = self._input(ProposalWriteSerializer)
        proposal = services.proposal_create(actor=request.user, **data)
        return self._respond(proposal, status.HTTP_201_CREATED)

    @extend_schema(request=ProposalWriteSerializer(partial=True), responses=ProposalSerializer)
    def partial_update(self, request, pk=None):
        proposal = self.get_object()
        serializer = ProposalWriteSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        changes = {k: v for k, v in serializer.validated_data.items() if k in request.data}
        services.proposal_update(actor=request.user, proposal=proposal, **changes)
        return self._respond(proposal)

    @extend_schema(responses=HistorySerializer(many=True))
    @action(detail=True, methods=["get"])
    def history(self, request, pk=None):
        proposal = self.get_object()
        return Response(HistorySerializer(selectors.proposal_history(proposal), many=True).data)

    @_act()
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._respond(services.proposal_submit(actor=request.user, proposal=self.get_object()))

    @_act(ReasonSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        proposal = self.get_object()
        reason = request.data.get("reason", "") if hasattr(request.data, "get") else ""
        return self._respond(services.proposal_withdraw(actor=request.user, proposal=proposal, reason=reason))

    @extend_schema(
        request=CosignSerializer,
        responses={200: ProposalSerializer, 204: None},
        description="同意联名（agree=true）返回提案；谢绝（agree=false）后提案不再对本人可见，返回 204 无内容。",
    )
    @action(detail=True, methods=["post"])
    def cosign(self, request, pk=None):
        proposal = self.get_object()
        data = self._input(CosignSerializer)
        proposal = services.proposal_cosign(actor=request.user, proposal=proposal, agree=data["agree"])
        if not data["agree"]:
            return Response(status=status.HTTP_204_NO_CONTENT)
        return self._respond(proposal)

    @_act(ReasonSerializer)
    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request, pk=None):
        proposal = self.get_object()
        data = self._input(ReasonSerializer)
        return self._respond(
            services.proposal_return(actor=request.user, proposal=proposal, reason=data["reason"])
        )

    @_act()
    @action(detail=True, methods=["post"])
    def register(self, request, pk=None):
        return self._respond(services.proposal_register(actor=request.user, proposal=self.get_object()))

    @_act(RejectSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        proposal = self.get_object()
        data = self._input(RejectSerializer)
        return self._respond(
            services.proposal_reject(
                actor=request.user,
                proposal=proposal,
                reason=data["reason"],
                reason_code=data["reason_code"] or None,
                disposition=data["disposition"],
            )
        )

    @_act(MergeSerializer)
    @action(detail=True, methods=["post"])
    def merge(self, request, pk=None):
        proposal = self.get_object()
        data = self._input(MergeSerializer)
        # The target must be visible to the actor too; otherwise it "does not exist".
        target = selectors.access_proposal(request.user, data["into"])
        return self._respond(services.proposal_merge(actor=request.user, proposal=proposal, into=target))

    @_act(AssignSerializer)
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        proposal = self.get_object()
        data = self._input(AssignSerializer)
        items = [dict(item) for item in data["assignments"]]
        return self._respond(
            services.proposal_assign(actor=request.user, proposal=proposal, assignments=items)
        )

    @_act(EvaluateSerializer)
    @action(detail=True, methods=["post"])
    def evaluate(self, request, pk=None):
        proposal = self.get_object()
        data = self._input(EvaluateSerializer)
        services.proposal_evaluate(actor=request.user, proposal=proposal, **data)
        return self._respond(proposal)

    @_act()
    @action(detail=True, methods=["post"], url_path="close-unrated")
    def close_unrated(self, request, pk=None):
        return self._respond(services.proposal_close_unrated(actor=request.user, proposal=self.get_object()))

    @_act(MarkKeySerializer)
    @action(detail=True, methods=["post"], url_path="mark-key")
    def mark_key(self, request, pk=None):
        proposal = self.get_object()
        data = self._input(MarkKeySerializer)
        return self._respond(
            services.proposal_mark_key(
                actor=request.user, proposal=proposal, leader=data["leader"], is_key=data["is_key"]
            )
        )

    @_act(SuperviseSerializer)
    @action(detail=True, methods=["post"])
    def supervise(self, request, pk=None):
        proposal = self.get_object()
        data = self._input(SuperviseSerializer)
        services.proposal_supervise(actor=request.user, proposal=proposal, **data)
        return self._respond(proposal)

    @_act()
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        return self._respond(services.proposal_publish(actor=request.user, proposal=self.get_object()))

    @_act()
    @action(detail=True, methods=["post"])
    def unpublish(self, request, pk=None):
        return self._respond(services.proposal_unpublish(actor=request.user, proposal=self.get_object()))

    @_act(OptOutSerializer)
    @action(detail=True, methods=["post"], url_path="publish-opt-out")
    def publish_opt_out(self, request, pk=None):
        proposal = self.get_object()
        data = self._input(OptOutSerializer)
        return self._respond(
            services.proposal_set_publish_opt_out(
                actor=request.user, proposal=proposal, opt_out=data["opt_out"]
            )
        )

    @extend_schema(
        request={"multipart/form-data": AttachmentUploadSerializer}, responses={201: ProposalSerializer}
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser])
    def attachments(self, request, pk=None):
        proposal = self.get_object()
        data = self._input(AttachmentUploadSerializer)
        services.proposal_attachment_add(actor=request.user, proposal=proposal, uploaded_file=data["file"])
        return self._respond(proposal, status.HTTP_201_CREATED)


@extend_schema(
    request=inline_serializer(
        "BulkRegister", {"ids": serializers.ListField(child=serializers.IntegerField())}
    ),
    # 200, not 201: nothing is created; each id is reported as registered or failed.
    responses={
        200: inline_serializer(
            "BulkRegisterResult",
            {
                "registered": inline_serializer(
                    "BulkRegistered",
                    {"id": serializers.IntegerField(), "number": serializers.CharField()},
                    many=True,
                ),
                "failed": inline_serializer(
                    "BulkRegisterFailed",
                    {"id": serializers.IntegerField(), "detail": serializers.CharField()},
                    many=True,
                ),
            },
        )
    },
)
class BulkRegisterView(viewsets.ViewSet):
    """POST /proposals/bulk-register/ {"ids": [...]}: staff register many; each refusal is reported."""

    def create(self, request):
        ids = request.data.get("ids") if hasattr(request.data, "get") else None
        if not isinstance(ids, list) or not all(is_int(i) for i in ids):
            return Response(
                {"detail": "请提供要立案的提案编号列表 ids。"}, status=status.HTTP_400_BAD_REQUEST
            )
        with transaction.atomic():
            visible = set(
                selectors.proposals_visible_to(request.user).filter(pk__in=ids).values_list("pk", flat=True)
            )
        result = services.proposals_register_bulk(actor=request.user, proposal_ids=visible)
        failed = [{"id": pk, "detail": msg} for pk, msg in result.failed]
        failed += [{"id": int(pk), "detail": "提案不存在。"} for pk in ids if int(pk) not in visible]
        return Response(
            {"registered": [{"id": p.pk, "number": p.number} for p in result.registered], "failed": failed}
        )
