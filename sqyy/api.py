"""社情民意 API (API.md "社情民意", the /transfers/ part of "Handling tasks", /stats/opinion-reports/).

Thin: selectors read, services write; a DomainError becomes a Chinese 400, PermissionDenied a 403 and
an object the user may not see a 404."""

from django.http import HttpResponse
from django.urls import path
from django.utils import timezone
from django.utils.http import content_disposition_header
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from zhengxie import textsearch
from zhengxie.accounts.models import Role
from zhengxie.accounts.permissions import IsStaffOrLeader, _RolePermission
from zhengxie.api import DisplayField, check_choice_filters
from zhengxie.api_read import ModelSerializer
from zhengxie.params import bounded_int_or_400, year_or_400
from zhengxie.parsers import JSONParser, MultiPartParser
from zhengxie.workflow.api import HistorySerializer
from zhengxie.workflow.errors import InvalidInput
from zhengxie.workflow.selectors import history_of

from . import documents, selectors, services
from .models import (
    Bulletin,
    BulletinItem,
    Forwarding,
    Instruction,
    OpinionAttachment,
    OpinionReport,
    Transfer,
    UpperAdoption,
)

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class CanUseOpinionReports(_RolePermission):
    roles = (Role.STAFF, Role.LEADER, Role.MEMBER)


class CanUseTransfers(_RolePermission):
    roles = (Role.STAFF, Role.LEADER, Role.DEPARTMENT)


# --- serializers -----------------------------------------------------------------------------------


class OpinionInstructionSerializer(ModelSerializer):
    level_display = DisplayField("level")

    class Meta:
        model = Instruction
        fields = ["id", "leader", "level", "level_display", "content", "date", "created_at"]


class OpinionAttachmentSerializer(ModelSerializer):
    class Meta:
        model = OpinionAttachment
        fields = ["id", "name", "size", "file", "uploaded_at"]


class OpinionForwardingSerializer(ModelSerializer):
    bulletin_label = serializers.CharField(source="bulletin.issue_label", default="", read_only=True)

    class Meta:
        model = Forwarding
        fields = ["id", "to", "date", "bulletin", "bulletin_label"]


class OpinionUpperAdoptionSerializer(ModelSerializer):
    kind_display = DisplayField("kind")

    class Meta:
        model = UpperAdoption
        fields = ["id", "body", "kind", "kind_display", "date", "note"]


class TransferReplySerializer(serializers.Serializer):
    result = serializers.CharField(source="reply_result")
    result_display = DisplayField("reply_result")
    content = serializers.CharField(source="reply_content")
    signer = serializers.CharField(source="reply_signer")
    letter = serializers.FileField(source="reply_letter", allow_null=True)
    replied_at = serializers.DateTimeField()


class TransferBriefSerializer(ModelSerializer):
    department_name = serializers.CharField(source="department.name", read_only=True)
    state_display = DisplayField("state")
    reply = serializers.SerializerMethodField()

    class Meta:
        model = Transfer
        fields = [
            "id",
            "department",
            "department_name",
            "state",
            "state_display",
            "assigned_at",
            "due_date",
            "reply",
        ]

    @staticmethod
    def _reply(obj, context) -> dict | None:
        return TransferReplySerializer(obj, context=context).data if obj.has_reply else None

    @extend_schema_field(TransferReplySerializer(allow_null=True))
    def get_reply(self, obj):
        return self._reply(obj, self.context)


class OpinionReportSerializer(ModelSerializer):
    """A list row (and the base of the detail)."""

    state_display = DisplayField("state")
    reflector_name = serializers.CharField(source="reflector_display", read_only=True)
    reflector_kind_display = DisplayField("reflector_kind")
    source_proposal = serializers.SerializerMethodField()
    bulletin = serializers.SerializerMethodField()
    instruction_count = serializers.SerializerMethodField()

    class Meta:
        model = OpinionReport
        fields = [
            "id",
            "title",
            "content",
            "edited_title",
            "edited_content",
            "final_title",
            "category",
            "reflector_kind",
            "reflector_kind_display",
            "reflector",
            "reflector_name",
            "is_urgent",
            "state",
            "state_display",
            "submitted_at",
            "adopted_at",
            "published_at",
            "source_proposal",
            "bulletin",
            "instruction_count",
            "created_at",
        ]

    def get_source_proposal(self, obj) -> int | None:
        proposal = getattr(obj, "source_proposal", None)
        return proposal.pk if proposal is not None else None

    @staticmethod
    def _bulletin(obj):
        item = getattr(obj, "bulletin_item", None)
        return item.bulletin if item is not None else None

    def get_bulletin(self, obj) -> str | None:
        bulletin = self._bulletin(obj)
        return bulletin.issue_label if bulletin is not None else None

    def get_instruction_count(self, obj) -> int:
        count = getattr(obj, "instruction_count", None)
        return count if count is not None else len(obj.instructions.all())


class OpinionReportDetailSerializer(OpinionReportSerializer):
    instructions = OpinionInstructionSerializer(many=True, read_only=True)
    attachments = OpinionAttachmentSerializer(many=True, read_only=True)
    forwardings = OpinionForwardingSerializer(many=True, read_only=True)
    upper_adoptions = OpinionUpperAdoptionSerializer(many=True, read_only=True)
    transfers = TransferBriefSerializer(many=True, read_only=True)
    final_content = serializers.CharField(read_only=True)

    class Meta(OpinionReportSerializer.Meta):
        fields = [
            *OpinionReportSerializer.Meta.fields,
            "final_content",
            "return_reason",
            "rejection_reason",
            "forwarded_at",
            "feedback",
            "feedback_at",
            "closed_at",
            "instructions",
            "attachments",
            "forwardings",
            "upper_adoptions",
            "transfers",
        ]


class OpinionReportCreateSerializer(serializers.Serializer):
    title = serializers.CharField(allow_blank=True)
    content = serializers.CharField(allow_blank=True)
    category = serializers.CharField(required=False, allow_blank=True, default="")
    is_urgent = serializers.BooleanField(required=False, default=False)
    reflector_kind = serializers.ChoiceField(
        choices=OpinionReport.ReflectorKind.choices, required=False, allow_null=True, default=None
    )
    reflector = serializers.IntegerField(required=False, allow_null=True, default=None)
    reflector_name = serializers.CharField(required=False, allow_blank=True, default="")


class OpinionReportPatchSerializer(serializers.Serializer):
    title = serializers.CharField(required=False, allow_blank=True)
    content = serializers.CharField(required=False, allow_blank=True)
    category = serializers.CharField(required=False, allow_blank=True)
    is_urgent = serializers.BooleanField(required=False)


class OpinionReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True)


class OpinionAdoptSerializer(serializers.Serializer):
    title = serializers.CharField(required=False, allow_blank=True, default="")
    content = serializers.CharField(required=False, allow_blank=True, default="")


class OpinionInstructionInputSerializer(serializers.Serializer):
    leader = serializers.CharField(allow_blank=True)
    level = serializers.ChoiceField(choices=Instruction.Level.choices)
    content = serializers.CharField(allow_blank=True)
    date = serializers.DateField(required=False, allow_null=True, default=None)


class OpinionTransferInputSerializer(serializers.Serializer):
    departments = serializers.ListField(child=serializers.IntegerField(), allow_empty=True)


class OpinionContentSerializer(serializers.Serializer):
    content = serializers.CharField(allow_blank=True)


class OpinionForwardInputSerializer(serializers.Serializer):
    to = serializers.CharField(allow_blank=True)
    date = serializers.DateField(required=False, allow_null=True, default=None)


class OpinionUpperAdoptionInputSerializer(serializers.Serializer):
    body = serializers.CharField(allow_blank=True)
    kind = serializers.ChoiceField(choices=UpperAdoption.Kind.choices)
    date = serializers.DateField(required=False, allow_null=True, default=None)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class OpinionFileSerializer(serializers.Serializer):
    file = serializers.FileField()


class BulletinItemSerializer(ModelSerializer):
    title = serializers.CharField(source="report.final_title", read_only=True)
    reflector_name = serializers.CharField(source="report.reflector_display", read_only=True)
    state = serializers.CharField(source="report.state", read_only=True)

    class Meta:
        model = BulletinItem
        fields = ["order", "report", "title", "reflector_name", "state"]


class BulletinSerializer(ModelSerializer):
    state_display = DisplayField("state")
    issue_label = serializers.CharField(read_only=True)
    reports = BulletinItemSerializer(source="items", many=True, read_only=True)

    class Meta:
        model = Bulletin
        fields = [
            "id",
            "year",
            "number",
            "issue_label",
            "title",
            "date",
            "editor_note",
            "state",
            "state_display",
            "published_at",
            "forwarded_to",
            "forwarded_on",
            "reports",
        ]


class BulletinCreateSerializer(serializers.Serializer):
    year = serializers.IntegerField(required=False, allow_null=True, default=None)
    date = serializers.DateField(required=False, allow_null=True, default=None)
    title = serializers.CharField(required=False, allow_blank=True, default="")
    editor_note = serializers.CharField(required=False, allow_blank=True, default="")


class BulletinPatchSerializer(serializers.Serializer):
    date = serializers.DateField(required=False)
    title = serializers.CharField(required=False, allow_blank=True)
    editor_note = serializers.CharField(required=False, allow_blank=True)


class BulletinAddSerializer(serializers.Serializer):
    report = serializers.IntegerField()
    position = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=1)


class BulletinRemoveSerializer(serializers.Serializer):
    report = serializers.IntegerField()


class BulletinReorderSerializer(serializers.Serializer):
    reports = serializers.ListField(child=serializers.IntegerField())


class TransferSerializer(TransferBriefSerializer):
    report_title = serializers.CharField(source="report.final_title", read_only=True)
    report_content = serializers.CharField(source="report.final_content", read_only=True)
    reflector_name = serializers.CharField(source="report.reflector_display", read_only=True)
    days_left = serializers.SerializerMethodField()
    is_overdue = serializers.SerializerMethodField()

    class Meta(TransferBriefSerializer.Meta):
        fields = [
            *TransferBriefSerializer.Meta.fields,
            "report",
            "report_title",
            "report_content",
            "reflector_name",
            "due_provisional",
            "days_left",
            "is_overdue",
            "accepted_at",
            "replied_at",
            "adjustment_reason",
            "replaced_by",
            "extension_state",
            "extension_reason",
            "extension_due_date",
        ]

    def get_days_left(self, obj) -> int:
        return obj.days_left(timezone.localdate())

    def get_is_overdue(self, obj) -> bool:
        return obj.is_overdue(timezone.localdate())


class TransferReplyInputSerializer(serializers.Serializer):
    result = serializers.ChoiceField(choices=Transfer.Result.choices)
    content = serializers.CharField(allow_blank=True)
    signer = serializers.CharField(required=False, allow_blank=True, default="")
    letter = serializers.FileField(required=False, allow_null=True, default=None)


class TransferAdjustmentInputSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True)


class TransferAdjustmentDecisionSerializer(serializers.Serializer):
    approve = serializers.BooleanField()
    department = serializers.IntegerField(required=False, allow_null=True, default=None)


class TransferExtensionInputSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True)
    due_date = serializers.DateField()


class TransferExtensionDecisionSerializer(serializers.Serializer):
    approve = serializers.BooleanField()


def _input(request, serializer_class) -> dict:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _file(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    return response


# --- /opinion-reports/ -----------------------------------------------------------------------------


def _report_act(serializer_class=None):
    return extend_schema(request=serializer_class, responses=OpinionReportDetailSerializer)


class OpinionReportViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    permission_classes = [IsAuthenticated, CanUseOpinionReports]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_serializer_class(self):
        return OpinionReportSerializer if self.action == "list" else OpinionReportDetailSerializer

    def get_queryset(self):
        qs = selectors.opinion_reports_visible_to(self.request.user)
        params = self.request.query_params
        qs = selectors.reports_filter(qs, params=params).defer(*OpinionReport.SEARCH_FIELDS)
        return textsearch.ordered(selectors.with_list_related(qs), params, "-created_at", "-id")

    def get_object(self):
        return selectors.access_report(self.request.user, self.kwargs["pk"])

    def _respond(self, report, code=status.HTTP_200_OK):
        fresh = selectors.access_report(self.request.user, report.pk)
        return Response(
            OpinionReportDetailSerializer(fresh, context=self.get_serializer_context()).data, status=code
        )

    @extend_schema(
        parameters=[
            OpenApiParameter("state", str, description="状态，可用逗号分隔多个"),
            OpenApiParameter("year", int, description="报送年份"),
            OpenApiParameter("category", str),
            OpenApiParameter("reflector_kind", str, enum=OpinionReport.ReflectorKind.values),
            OpenApiParameter("urgent", bool, description="只看急事急报"),
            OpenApiParameter("available", bool, description="已采用且未编入期刊"),
            OpenApiParameter(
                "q",
                str,
                description="全文检索（中文分词）：标题、内容（原稿和编辑稿）、附件（DOCX/PDF）文字；反映人姓名",
            ),
            OpenApiParameter(
                "ordering",
                str,
                enum=["relevance", "default"],
                description="有 q 时默认按相关度；default 为原有顺序",
            ),
        ]
    )
    def list(self, request, *args, **kwargs):
        check_choice_filters(request.query_params, state=OpinionReport.State.values)
        return super().list(request, *args, **kwargs)

    @extend_schema(request=OpinionReportCreateSerializer, responses={201: OpinionReportDetailSerializer})
    def create(self, request, *args, **kwargs):
        data = _input(request, OpinionReportCreateSerializer)
        return self._respond(
            services.opinion_report_create(actor=request.user, **data), status.HTTP_201_CREATED
        )

    @extend_schema(request=OpinionReportPatchSerializer, responses=OpinionReportDetailSerializer)
    def partial_update(self, request, pk=None):
        """Draft/returned: the reflector's own text; submitted/adopted: the office's edited text."""
        report = self.get_object()
        data = _input(request, OpinionReportPatchSerializer)
        if report.state in (OpinionReport.State.DRAFT, OpinionReport.State.RETURNED):
            services.opinion_report_update(actor=request.user, report=report, **data)
        else:
            services.opinion_report_edit(actor=request.user, report=report, **data)
        return self._respond(report)

    @extend_schema(request=None, responses=HistorySerializer(many=True))
    @action(detail=True, methods=["get"])
    def history(self, request, pk=None):
        return Response(HistorySerializer(history_of(self.get_object()), many=True).data)

    @_report_act()
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._respond(services.opinion_report_submit(actor=request.user, report=self.get_object()))

    @_report_act(OpinionReasonSerializer)
    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request, pk=None):
        report = self.get_object()
        data = _input(request, OpinionReasonSerializer)
        return self._respond(services.opinion_report_return(actor=request.user, report=report, **data))

    @_report_act(OpinionAdoptSerializer)
    @action(detail=True, methods=["post"])
    def adopt(self, request, pk=None):
        report = self.get_object()
        data = _input(request, OpinionAdoptSerializer)
        return self._respond(services.opinion_report_adopt(actor=request.user, report=report, **data))

    @_report_act(OpinionReasonSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        report = self.get_object()
        data = _input(request, OpinionReasonSerializer)
        return self._respond(services.opinion_report_reject(actor=request.user, report=report, **data))

    @_report_act(OpinionInstructionInputSerializer)
    @action(detail=True, methods=["post"])
    def instructions(self, request, pk=None):
        report = self.get_object()
        data = _input(request, OpinionInstructionInputSerializer)
        services.opinion_report_add_instruction(actor=request.user, report=report, **data)
        return self._respond(report)

    @_report_act(OpinionForwardInputSerializer)
    @action(detail=True, methods=["post"])
    def forward(self, request, pk=None):
        report = self.get_object()
        data = _input(request, OpinionForwardInputSerializer)
        services.opinion_report_forward(actor=request.user, report=report, **data)
        return self._respond(report)

    @_report_act(OpinionUpperAdoptionInputSerializer)
    @action(detail=True, methods=["post"], url_path="upper-adoptions")
    def upper_adoptions(self, request, pk=None):
        report = self.get_object()
        data = _input(request, OpinionUpperAdoptionInputSerializer)
        services.opinion_report_record_upper_adoption(actor=request.user, report=report, **data)
        return self._respond(report)

    @_report_act(OpinionTransferInputSerializer)
    @action(detail=True, methods=["post"])
    def transfer(self, request, pk=None):
        report = self.get_object()
        data = _input(request, OpinionTransferInputSerializer)
        services.opinion_report_transfer(actor=request.user, report=report, departments=data["departments"])
        return self._respond(report)

    @_report_act(OpinionContentSerializer)
    @action(detail=True, methods=["post"])
    def feedback(self, request, pk=None):
        report = self.get_object()
        data = _input(request, OpinionContentSerializer)
        return self._respond(services.opinion_report_feedback(actor=request.user, report=report, **data))

    @extend_schema(
        request={"multipart/form-data": OpinionFileSerializer}, responses=OpinionReportDetailSerializer
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser])
    def attachments(self, request, pk=None):
        report = self.get_object()
        upload = request.FILES.get("file")
        if upload is None:
            raise InvalidInput("请选择附件。")
        services.opinion_report_attachment_add(actor=request.user, report=report, file=upload)
        return self._respond(report)


# --- /bulletins/ -----------------------------------------------------------------------------------


def _bulletin_act(serializer_class=None):
    return extend_schema(request=serializer_class, responses=BulletinSerializer)


class BulletinViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    permission_classes = [IsAuthenticated, IsStaffOrLeader]
    serializer_class = BulletinSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        qs = selectors.bulletins_filter(
            selectors.bulletins_visible_to(self.request.user), params=self.request.query_params
        )
        return selectors.with_items(qs).order_by("-year", "-number")

    def get_object(self):
        return selectors.access_bulletin(self.request.user, self.kwargs["pk"])

    def _respond(self, bulletin, code=status.HTTP_200_OK):
        fresh = selectors.access_bulletin(self.request.user, bulletin.pk)
        return Response(BulletinSerializer(fresh, context=self.get_serializer_context()).data, status=code)

    @extend_schema(
        parameters=[OpenApiParameter("year", int), OpenApiParameter("state", str, enum=Bulletin.State.values)]
    )
    def list(self, request, *args, **kwargs):
        check_choice_filters(request.query_params, state=Bulletin.State.values)
        return super().list(request, *args, **kwargs)

    @extend_schema(request=BulletinCreateSerializer, responses={201: BulletinSerializer})
    def create(self, request, *args, **kwargs):
        data = _input(request, BulletinCreateSerializer)
        return self._respond(services.bulletin_create(actor=request.user, **data), status.HTTP_201_CREATED)

    @extend_schema(request=BulletinPatchSerializer, responses=BulletinSerializer)
    def partial_update(self, request, pk=None):
        bulletin = self.get_object()
        data = _input(request, BulletinPatchSerializer)
        return self._respond(services.bulletin_update(actor=request.user, bulletin=bulletin, **data))

    @extend_schema(request=None, responses=HistorySerializer(many=True))
    @action(detail=True, methods=["get"])
    def history(self, request, pk=None):
        return Response(HistorySerializer(history_of(self.get_object()), many=True).data)

    def _report(self, pk):
        """A report the caller can see, else a 400 naming it (an invisible id must not be confirmed)."""
        report = selectors.opinion_reports_visible_to(self.request.user).filter(pk=pk).first()
        if report is None:
            raise InvalidInput(f"社情民意不存在（编号 {pk}）。")
        return report

    @_bulletin_act(BulletinAddSerializer)
    @action(detail=True, methods=["post"])
    def add(self, request, pk=None):
        bulletin = self.get_object()
        data = _input(request, BulletinAddSerializer)
        services.bulletin_add_report(
            actor=request.user,
            bulletin=bulletin,
            report=self._report(data["report"]),
            position=data["position"],
        )
        return self._respond(bulletin)

    @_bulletin_act(BulletinRemoveSerializer)
    @action(detail=True, methods=["post"])
    def remove(self, request, pk=None):
        bulletin = self.get_object()
        data = _input(request, BulletinRemoveSerializer)
        services.bulletin_remove_report(actor=request.user, bulletin=bulletin, report=data["report"])
        return self._respond(bulletin)

    @_bulletin_act(BulletinReorderSerializer)
    @action(detail=True, methods=["post"])
    def reorder(self, request, pk=None):
        bulletin = self.get_object()
        data = _input(request, BulletinReorderSerializer)
        return self._respond(
            services.bulletin_reorder(actor=request.user, bulletin=bulletin, report_ids=data["reports"])
        )

    @_bulletin_act()
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        return self._respond(services.bulletin_publish(actor=request.user, bulletin=self.get_object()))

    @_bulletin_act(OpinionForwardInputSerializer)
    @action(detail=True, methods=["post"])
    def forward(self, request, pk=None):
        bulletin = self.get_object()
        data = _input(request, OpinionForwardInputSerializer)
        return self._respond(services.bulletin_forward(actor=request.user, bulletin=bulletin, **data))

    @extend_schema(request=None, responses={(200, DOCX_TYPE): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def export(self, request, pk=None):
        bulletin = self.get_object()
        return _file(documents.bulletin_docx(bulletin), DOCX_TYPE, f"社情民意{bulletin.issue_label}.docx")

    @extend_schema(
        parameters=[OpenApiParameter("year", int, required=True)],
        request=None,
        responses={(200, XLSX_TYPE): OpenApiTypes.BINARY},
    )
    @action(detail=False, methods=["get"], url_path="year-export")
    def year_export(self, request):
        if not request.query_params.get("year"):
            raise InvalidInput("请指定年份，如 ?year=2026。")
        year = year_or_400(request.query_params.get("year"))
        return _file(documents.year_list_xlsx(year), XLSX_TYPE, f"社情民意{year}年刊发目录.xlsx")


# --- /transfers/ -----------------------------------------------------------------------------------


class TransferViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [IsAuthenticated, CanUseTransfers]
    serializer_class = TransferSerializer

    def get_queryset(self):
        qs = selectors.transfers_visible_to(self.request.user)
        return selectors.transfers_filter(qs, params=self.request.query_params).order_by("due_date", "id")

    def get_object(self):
        return selectors.access_transfer(self.request.user, self.kwargs["pk"])

    def _respond(self, task):
        fresh = selectors.access_transfer(self.request.user, task.pk)
        return Response(TransferSerializer(fresh, context=self.get_serializer_context()).data)

    @extend_schema(
        parameters=[
            OpenApiParameter("state", str, description="状态，可用逗号分隔多个"),
            OpenApiParameter("overdue", bool, description="只看已超期"),
            OpenApiParameter("due_before", str, description="期限早于（YYYY-MM-DD）"),
            OpenApiParameter("report", int),
        ]
    )
    def list(self, request, *args, **kwargs):
        check_choice_filters(request.query_params, state=Transfer.State.values)
        return super().list(request, *args, **kwargs)

    @extend_schema(request=None, responses=HistorySerializer(many=True))
    @action(detail=True, methods=["get"])
    def history(self, request, pk=None):
        return Response(HistorySerializer(history_of(self.get_object()), many=True).data)

    @extend_schema(request=None, responses=TransferSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        return self._respond(services.transfer_accept(actor=request.user, transfer=self.get_object()))

    @extend_schema(
        request={
            "application/json": TransferReplyInputSerializer,
            "multipart/form-data": TransferReplyInputSerializer,
        },
        responses=TransferSerializer,
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, JSONParser])
    def reply(self, request, pk=None):
        task = self.get_object()
        data = _input(request, TransferReplyInputSerializer)
        return self._respond(services.transfer_reply(actor=request.user, transfer=task, **data))

    @extend_schema(request=TransferAdjustmentInputSerializer, responses=TransferSerializer)
    @action(detail=True, methods=["post"], url_path="request-adjustment")
    def request_adjustment(self, request, pk=None):
        task = self.get_object()
        data = _input(request, TransferAdjustmentInputSerializer)
        return self._respond(
            services.transfer_request_adjustment(actor=request.user, transfer=task, reason=data["reason"])
        )

    @extend_schema(
        request=TransferAdjustmentDecisionSerializer,
        responses=TransferSerializer,
        description="返回本转办：同意时已撤销，replaced_by 为改由新单位承办的转办；不同意时回到申请前状态。",
    )
    @action(detail=True, methods=["post"], url_path="resolve-adjustment")
    def resolve_adjustment(self, request, pk=None):
        task = self.get_object()
        data = _input(request, TransferAdjustmentDecisionSerializer)
        services.transfer_resolve_adjustment(
            actor=request.user, transfer=task, approve=data["approve"], department=data["department"]
        )
        return self._respond(task)

    @extend_schema(request=TransferExtensionInputSerializer, responses=TransferSerializer)
    @action(detail=True, methods=["post"], url_path="request-extension")
    def request_extension(self, request, pk=None):
        task = self.get_object()
        data = _input(request, TransferExtensionInputSerializer)
        return self._respond(services.transfer_request_extension(actor=request.user, transfer=task, **data))

    @extend_schema(request=TransferExtensionDecisionSerializer, responses=TransferSerializer)
    @action(detail=True, methods=["post"], url_path="resolve-extension")
    def resolve_extension(self, request, pk=None):
        task = self.get_object()
        data = _input(request, TransferExtensionDecisionSerializer)
        return self._respond(
            services.transfer_resolve_extension(actor=request.user, transfer=task, approve=data["approve"])
        )


# --- /stats/opinion-reports/ -----------------------------------------------------------------------

_COUNT_FIELDS = {
    name: serializers.IntegerField()
    for name in (
        "received",
        "adopted",
        "not_adopted",
        "published",
        "forwarded",
        "upper_adopted",
        "instructed",
        "transferred",
        "closed",
    )
}


# by_member: the most reflecting members first, a page at a time (a province's year has thousands).
MEMBERS_DEFAULT = 100
MEMBERS_MAX = 1000


class OpinionStatsView(APIView):
    permission_classes = [IsAuthenticated, IsStaffOrLeader]

    @extend_schema(
        parameters=[
            OpenApiParameter("year", int, description="年份，默认今年"),
            OpenApiParameter("members_offset", int, description="by_member 从第几位委员起（0 起），默认 0"),
            OpenApiParameter(
                "members_limit",
                int,
                description=f"by_member 的行数，默认 {MEMBERS_DEFAULT}，至多 {MEMBERS_MAX}",
            ),
        ],
        responses=OpenApiResponse(
            inline_serializer(
                "OpinionReportStats",
                {
                    "year": serializers.IntegerField(),
                    **_COUNT_FIELDS,
                    "urgent": serializers.IntegerField(),
                    "published_issues": serializers.IntegerField(),
                    "upper_adopted_single": serializers.IntegerField(),
                    "upper_adopted_compiled": serializers.IntegerField(),
                    "instructions": serializers.IntegerField(),
                    "adoption_rate": serializers.FloatField(),
                    "instructions_by_level": inline_serializer(
                        "OpinionStatsLevel",
                        {
                            "level": serializers.CharField(),
                            "name": serializers.CharField(),
                            "count": serializers.IntegerField(),
                        },
                        many=True,
                    ),
                    "by_reflector_kind": inline_serializer(
                        "OpinionStatsByKind",
                        {
                            "reflector_kind": serializers.CharField(),
                            "name": serializers.CharField(),
                            **_COUNT_FIELDS,
                        },
                        many=True,
                    ),
                    "by_category": inline_serializer(
                        "OpinionStatsByCategory",
                        {"category": serializers.CharField(), **_COUNT_FIELDS},
                        many=True,
                    ),
                    "members": serializers.IntegerField(
                        help_text="有社情民意的委员人数（全部；by_member 只是 members_offset 起的 members_limit 行）"
                    ),
                    "by_member": inline_serializer(
                        "OpinionStatsByMember",
                        {
                            "member": serializers.IntegerField(),
                            "name": serializers.CharField(),
                            **_COUNT_FIELDS,
                        },
                        many=True,
                    ),
                },
            )
        ),
    )
    def get(self, request):
        params = request.query_params
        year = year_or_400(params.get("year"), default=timezone.localdate().year)
        offset = bounded_int_or_400(
            params.get("members_offset"), default=0, low=0, high=10**9, name="members_offset"
        )
        limit = bounded_int_or_400(
            params.get("members_limit"),
            default=MEMBERS_DEFAULT,
            low=1,
            high=MEMBERS_MAX,
            name="members_limit",
        )
        return Response(selectors.opinion_report_stats(year, member_limit=limit, member_offset=offset))


def register(router):
    router.register("opinion-reports", OpinionReportViewSet, basename="opinion-report")
    router.register("bulletins", BulletinViewSet, basename="bulletin")
    router.register("transfers", TransferViewSet, basename="transfer")


urlpatterns = [path("stats/opinion-reports/", OpinionStatsView.as_view(), name="stats-opinion-reports")]
