"""The plenary season (API.md "Proposals", issue 19): GET /proposals/similar/, POST /proposals/assign-bulk/,
GET /departments/{id}/assignment-sheet/, and the public GET /public/proposals/ and /public/proposals/{id}/."""

from django.http import Http404, HttpResponse
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, inline_serializer
from rest_framework import serializers
from rest_framework.generics import ListAPIView, RetrieveAPIView
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from proposals import season_selectors, services
from proposals.models import Proposal
from proposals.season_documents import assignment_sheet_docx, assignment_sheet_rows
from zhengxie.accounts.models import Department, Role
from zhengxie.accounts.permissions import require_role
from zhengxie.api import DisplayField, Pagination, nested_data
from zhengxie.api_read import ModelSerializer
from zhengxie.params import parse_int

from .proposals import AssignItemSerializer

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class SimilarSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    number = serializers.CharField()
    title = serializers.CharField()
    year = serializers.SerializerMethodField()
    state = serializers.CharField()
    score = serializers.FloatField()

    def get_year(self, obj) -> int | None:
        return season_selectors.proposal_year(obj)


class SimilarView(APIView):
    """GET /proposals/similar/?title=&content=&exclude=: at most 10, most similar first."""

    @extend_schema(
        summary="相似提案（查重）",
        parameters=[
            OpenApiParameter("title", str),
            OpenApiParameter("content", str),
            OpenApiParameter("exclude", int, description="不列出的提案 id（如正在修改的本件）"),
        ],
        responses=SimilarSerializer(many=True),
    )
    def get(self, request):
        exclude = request.query_params.get("exclude")
        rows = season_selectors.similar_proposals(
            request.user,
            title=request.query_params.get("title", "")[:500],
            content=request.query_params.get("content", "")[:20000],
            exclude=parse_int(exclude),
        )
        return Response(SimilarSerializer(rows, many=True).data)


class BulkAssignItemSerializer(serializers.Serializer):
    proposal = serializers.IntegerField()
    assignments = AssignItemSerializer(many=True)


class BulkAssignSerializer(serializers.Serializer):
    items = BulkAssignItemSerializer(many=True, allow_empty=False)


class AssignBulkView(APIView):
    """POST /proposals/assign-bulk/: all or nothing."""

    @extend_schema(
        summary="批量交办（全部成功或全部不变）",
        request=BulkAssignSerializer,
        responses=inline_serializer(
            "BulkAssignResult",
            {
                "assigned": inline_serializer(
                    "BulkAssigned",
                    {"id": serializers.IntegerField(), "number": serializers.CharField()},
                    many=True,
                )
            },
        ),
    )
    def post(self, request):
        require_role(request.user, Role.STAFF)
        serializer = BulkAssignSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        items = [
            {"proposal": item["proposal"], "assignments": [dict(a) for a in item["assignments"]]}
            for item in serializer.validated_data["items"]
        ]
        done = services.proposals_assign_bulk(actor=request.user, items=items)
        return Response({"assigned": [{"id": p.pk, "number": p.number} for p in done]})


class AssignmentSheetView(APIView):
    """GET /departments/{id}/assignment-sheet/?term=&plenary=: the department's 交办单 (DOCX)."""

    @extend_schema(
        summary="承办单位交办单（DOCX）",
        parameters=[OpenApiParameter("term", int), OpenApiParameter("plenary", int)],
        responses={(200, DOCX_TYPE): bytes},
    )
    def get(self, request, pk):
        require_role(request.user, Role.STAFF, Role.LEADER, Role.DEPARTMENT)
        department = Department.objects.filter(pk=pk).first()
        if department is None or (
            request.user.effective_role == Role.DEPARTMENT and request.user.department_id != department.pk
        ):
            raise Http404("承办单位不存在。")
        term, plenary = request.query_params.get("term"), request.query_params.get("plenary")
        rows = assignment_sheet_rows(
            department,
            term=parse_int(term),
            plenary=parse_int(plenary),
        )
        response = HttpResponse(assignment_sheet_docx(department, rows), content_type=DOCX_TYPE)
        response["Content-Disposition"] = (
            f"attachment; filename*=UTF-8''assignment-sheet-{department.pk}.docx"
        )
        return response


# --- public disclosure ------------------------------------------------------------------------------


class PublicReplySerializer(serializers.Serializer):
    department = serializers.CharField()
    result = serializers.CharField()
    content = serializers.CharField()
    date = serializers.DateTimeField()


class PublicProposalSerializer(ModelSerializer):
    category = serializers.CharField(source="category.name")
    kind_display = DisplayField("kind")
    proposers = serializers.SerializerMethodField()
    session = serializers.SerializerMethodField()
    departments = serializers.SerializerMethodField()
    replies = serializers.SerializerMethodField()

    class Meta:
        model = Proposal
        fields = [
            "id",
            "number",
            "title",
            "content",
            "category",
            "kind_display",
            "proposers",
            "session",
            "registered_at",
            "departments",
            "replies",
        ]

    def get_proposers(self, obj) -> list[str]:
        first = obj.proposer_display
        return [first, *[c.member.name for c in obj.public_cosigners]] if first else []

    def get_session(self, obj) -> str:
        return f"{obj.term.name}{obj.plenary.name if obj.plenary_id else '闭会期间'}"

    def get_departments(self, obj) -> list[str]:
        return [a.department.name for a in obj.public_assignments]

    @extend_schema_field(PublicReplySerializer(many=True))
    def get_replies(self, obj):
        # Only where the reply is published (the prefetch already holds nothing otherwise).
        if not obj.reply_published:
            return []
        rows = [
            {
                "department": a.department.name,
                "result": r.get_result_display(),
                "content": r.content,
                "date": r.created_at,
            }
            for a in obj.public_assignments
            for r in a.public_replies
        ]
        return nested_data(self, PublicReplySerializer, rows)


class PublicPagination(Pagination):
    """The API lists' pagination with a capped count, and ?page= only to 10,000 rows: an anonymous client
    may not make the server count or skip a province's whole history on every request."""

    page_size = 20
    page_size_query_param = None
    cap_unkeyed = True  # ordered by registered_at (nullable: no cursor), so ?page= stops at max_offset


class PublicProposalList(ListAPIView):
    """GET /public/proposals/?year=&category=&department=&q=: no login."""

    permission_classes = [AllowAny]
    authentication_classes = []
    serializer_class = PublicProposalSerializer
    pagination_class = PublicPagination

    @extend_schema(
        summary="公开提案（无需登录）",
        parameters=[
            OpenApiParameter("year", int),
            OpenApiParameter("category", int),
            OpenApiParameter("department", int),
            OpenApiParameter("q", str),
        ],
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return season_selectors.public_proposals(self.request.query_params)


class PublicProposalDetail(RetrieveAPIView):
    """GET /public/proposals/{id}/: 404 unless published."""

    permission_classes = [AllowAny]
    authentication_classes = []
    serializer_class = PublicProposalSerializer

    @extend_schema(summary="公开提案详情（无需登录）")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_object(self):
        return season_selectors.public_proposal(self.kwargs["pk"])
