"""Session endpoints (API.md 协商: leave requests, agenda, materials, report opinions, the 发言汇编).

The nested `/meetings/{id}/…` actions live in SessionActionsMixin (mixed into the meeting viewset);
`/leave-requests/{id}/…` and `/materials/{id}/…` are their own viewsets. Thin over sessions.py and the
selectors: an object the user may not see is a 404, a role that may not act is a 403.
"""

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from members.models import Member
from zhengxie.accounts.permissions import IsStaff
from zhengxie.api import DisplayField
from zhengxie.api_read import ModelSerializer
from zhengxie.parsers import JSONParser, MultiPartParser
from zhengxie.workflow.errors import InvalidInput

from . import selectors, sessions
from .models import AgendaItem, LeaveRequest, Material, ReportOpinion
from .session_documents import report_opinions_xlsx, speeches_docx, watermarked_pdf

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class LeaveRequestSerializer(ModelSerializer):
    name = serializers.CharField(source="member.name", read_only=True)
    kind_display = DisplayField("kind")
    state_display = DisplayField("state")

    class Meta:
        model = LeaveRequest
        fields = [
            "id",
            "meeting",
            "member",
            "name",
            "kind",
            "kind_display",
            "reason",
            "state",
            "state_display",
            "decline_reason",
            "decided_at",
            "created_at",
        ]


class LeaveRequestInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=LeaveRequest.Kind.choices, default=LeaveRequest.Kind.PERSONAL)
    reason = serializers.CharField(max_length=200)


class LeaveDeclineSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200)


class AgendaItemSerializer(ModelSerializer):
    class Meta:
        model = AgendaItem
        fields = ["id", "order", "title", "presenter"]


class AgendaItemInputSerializer(serializers.Serializer):
    order = serializers.IntegerField(min_value=1, max_value=999)
    title = serializers.CharField(max_length=300)
    presenter = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


class MaterialSerializer(ModelSerializer):
    read_count = serializers.IntegerField(read_only=True, default=0)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Material
        fields = [
            "id",
            "title",
            "agenda_item",
            "size",
            "is_internal",
            "published_at",
            "uploaded_at",
            "read_count",
            "download_url",
        ]

    def get_download_url(self, obj) -> str:
        return f"/api/v1/materials/{obj.pk}/download/"


class MaterialInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    file = serializers.FileField()
    agenda_item = serializers.IntegerField(required=False, allow_null=True, default=None)
    is_internal = serializers.BooleanField(required=False, default=False)
    publish = serializers.BooleanField(required=False, default=True)


class MaterialReaderSerializer(serializers.Serializer):
    user = serializers.IntegerField(source="user_id")
    name = serializers.CharField(source="user.display_name")
    first_read_at = serializers.DateTimeField()
    last_read_at = serializers.DateTimeField()
    times = serializers.IntegerField()


class ReportOpinionSerializer(ModelSerializer):
    report_display = DisplayField("report")
    member_name = serializers.SerializerMethodField()

    class Meta:
        model = ReportOpinion
        fields = ["id", "report", "report_display", "content", "member", "member_name", "created_at"]

    def get_member_name(self, obj) -> str:
        return obj.member.name if obj.member_id else ""


class ReportOpinionInputSerializer(serializers.Serializer):
    report = serializers.ChoiceField(choices=ReportOpinion.Report.choices)
    content = serializers.CharField()
    member = serializers.PrimaryKeyRelatedField(
        queryset=Member.objects.all(), required=False, allow_null=True, default=None
    )


def _data(request, serializer_class):
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _file(content: bytes, content_type: str, filename: str, inline: bool = False) -> HttpResponse:
    from urllib.parse import quote

    response = HttpResponse(content, content_type=content_type)
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f"{disposition}; filename*=UTF-8''{quote(filename)}"
    response["X-Content-Type-Options"] = "nosniff"
    return response


class SessionActionsMixin:
    """`/meetings/{id}/leave-requests|agenda|materials|report-opinions/` and the speeches export."""

    @extend_schema(
        methods=["GET"], request=None, responses=LeaveRequestSerializer(many=True), summary="请假申请"
    )
    @extend_schema(
        methods=["POST"], request=LeaveRequestInputSerializer, responses={201: LeaveRequestSerializer}
    )
    @action(detail=True, methods=["get", "post"], url_path="leave-requests")
    def leave_requests(self, request, pk=None):
        meeting = self.get_object()
        if request.method == "POST":
            data = _data(request, LeaveRequestInputSerializer)
            leave = sessions.leave_request_create(
                actor=request.user, meeting=meeting, reason=data["reason"], kind=data["kind"]
            )
            return Response(LeaveRequestSerializer(leave).data, status=status.HTTP_201_CREATED)
        rows = selectors.meeting_leave_requests(meeting, request.user)
        return Response(LeaveRequestSerializer(rows, many=True).data)

    @extend_schema(methods=["GET"], request=None, responses=AgendaItemSerializer(many=True))
    @extend_schema(methods=["POST"], request=AgendaItemInputSerializer, responses={201: AgendaItemSerializer})
    @action(detail=True, methods=["get", "post"])
    def agenda(self, request, pk=None):
        meeting = self.get_object()
        if request.method == "POST":
            self._staff_only(request)
            data = _data(request, AgendaItemInputSerializer)
            item = sessions.agenda_item_add(actor=request.user, meeting=meeting, **data)
            return Response(AgendaItemSerializer(item).data, status=status.HTTP_201_CREATED)
        return Response(AgendaItemSerializer(selectors.meeting_agenda(meeting), many=True).data)

    @extend_schema(methods=["GET"], request=None, responses=MaterialSerializer(many=True))
    @extend_schema(
        methods=["POST"],
        request={"multipart/form-data": MaterialInputSerializer},
        responses={201: MaterialSerializer},
    )
    @action(
        detail=True,
        methods=["get", "post"],
        parser_classes=[MultiPartParser],
    )
    def materials(self, request, pk=None):
        meeting = self.get_object()
        if request.method == "POST":
            self._staff_only(request)
            data = _data(request, MaterialInputSerializer)
            item = None
            if data["agenda_item"] is not None:
                item = AgendaItem.objects.filter(meeting=meeting, pk=data["agenda_item"]).first()
                if item is None:
                    raise InvalidInput("议程不属于该会议。")
            material = sessions.material_upload(
                actor=request.user,
                meeting=meeting,
                title=data["title"],
                file=data["file"],
                agenda_item=item,
                is_internal=data["is_internal"],
                publish=data["publish"],
            )
            material.read_count = 0
            return Response(MaterialSerializer(material).data, status=status.HTTP_201_CREATED)
        rows = selectors.meeting_materials(meeting, request.user)
        return Response(MaterialSerializer(rows, many=True).data)

    @extend_schema(methods=["GET"], request=None, responses=ReportOpinionSerializer(many=True))
    @extend_schema(
        methods=["POST"], request=ReportOpinionInputSerializer, responses={201: ReportOpinionSerializer}
    )
    @action(detail=True, methods=["get", "post"], url_path="report-opinions", parser_classes=[JSONParser])
    def report_opinions(self, request, pk=None):
        meeting = self.get_object()
        self._staff_or_leader_only(request)
        if request.method == "POST":
            self._staff_only(request)
            data = _data(request, ReportOpinionInputSerializer)
            opinion = sessions.report_opinion_add(actor=request.user, meeting=meeting, **data)
            return Response(ReportOpinionSerializer(opinion).data, status=status.HTTP_201_CREATED)
        report = request.query_params.get("report") or None
        if report is not None and report not in ReportOpinion.Report.values:
            raise InvalidInput("report 应为 government、court、procuratorate 或 other。")
        return Response(
            ReportOpinionSerializer(selectors.meeting_report_opinions(meeting, report), many=True).data
        )

    @extend_schema(
        parameters=[OpenApiParameter("report", str, enum=ReportOpinion.Report.values)],
        responses={(200, XLSX): OpenApiTypes.BINARY},
    )
    @action(detail=True, methods=["get"], url_path="report-opinions/export")
    def report_opinions_export(self, request, pk=None):
        meeting = self.get_object()
        self._staff_or_leader_only(request)
        report = request.query_params.get("report") or None
        if report is not None and report not in ReportOpinion.Report.values:
            raise InvalidInput("report 应为 government、court、procuratorate 或 other。")
        content = report_opinions_xlsx(meeting, selectors.meeting_report_opinions(meeting, report), report)
        return _file(content, XLSX, f"{meeting.title}-讨论意见.xlsx")

    @extend_schema(responses={(200, DOCX): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"], url_path="speeches/export")
    def speeches_export(self, request, pk=None):
        meeting = self.get_object()
        self._staff_or_leader_only(request)
        content = speeches_docx(meeting, selectors.meeting_speeches(meeting))
        return _file(content, DOCX, f"{meeting.title}-大会发言汇编.docx")

    def _staff_only(self, request):
        permission = IsStaff()
        if not permission.has_permission(request, self):
            self.permission_denied(request, message=permission.message)

    def _staff_or_leader_only(self, request):
        from zhengxie.accounts.permissions import IsStaffOrLeader

        permission = IsStaffOrLeader()
        if not permission.has_permission(request, self):
            self.permission_denied(request, message=permission.message)


class LeaveRequestViewSet(viewsets.GenericViewSet):
    """`/leave-requests/{id}/approve|decline/` — staff decide; anyone else 404."""

    serializer_class = LeaveRequestSerializer
    queryset = LeaveRequest.objects.none()
    lookup_value_regex = r"[0-9]+"

    def get_object(self):
        return selectors.access_leave_request(self.request.user, self.kwargs["pk"])

    @extend_schema(request=None, responses=LeaveRequestSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        leave = sessions.leave_request_approve(actor=request.user, leave=self.get_object())
        return Response(LeaveRequestSerializer(leave).data)

    @extend_schema(request=LeaveDeclineSerializer, responses=LeaveRequestSerializer)
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        leave = self.get_object()
        data = _data(request, LeaveDeclineSerializer)
        leave = sessions.leave_request_decline(actor=request.user, leave=leave, reason=data["reason"])
        return Response(LeaveRequestSerializer(leave).data)


def material_response(user, material) -> HttpResponse:
    """The file as this user may read it (internal PDFs carry the reader's name); records the read."""
    with material.file.open("rb") as handle:
        content = handle.read()
    if material.is_internal and material.is_pdf:
        content = watermarked_pdf(
            content, reader_name=getattr(user, "display_name", user.username), reader_username=user.username
        )
    sessions.material_mark_read(actor=user, material=material)
    extension = material.file.name.rsplit(".", 1)[-1].lower()
    types = {"pdf": "application/pdf", "docx": DOCX, "xlsx": XLSX}
    return _file(
        content,
        types.get(extension, "application/octet-stream"),
        f"{material.title}.{extension}",
        inline=extension == "pdf",
    )


class MaterialViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """`/materials/{id}/download/` (invitees, staff, leaders; records the read) and `readers/` (staff)."""

    serializer_class = MaterialSerializer
    queryset = Material.objects.none()
    lookup_value_regex = r"[0-9]+"

    def get_object(self):
        return selectors.access_material(self.request.user, self.kwargs["pk"])

    @extend_schema(
        responses={
            (200, "application/pdf"): OpenApiTypes.BINARY,
            (200, DOCX): OpenApiTypes.BINARY,
            (200, XLSX): OpenApiTypes.BINARY,
        }
    )
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        return material_response(request.user, self.get_object())

    @extend_schema(
        responses={200: MaterialReaderSerializer(many=True), 403: OpenApiResponse(description="非工作人员")}
    )
    @action(detail=True, methods=["get"], permission_classes=[IsStaff])
    def readers(self, request, pk=None):
        material = self.get_object()
        return Response(MaterialReaderSerializer(selectors.material_readers(material), many=True).data)


def register(router):
    router.register("leave-requests", LeaveRequestViewSet, basename="leave-request")
    router.register("materials", MaterialViewSet, basename="meeting-material")
