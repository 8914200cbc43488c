"""After the reply (issue 20, API.md "Proposals"): 回访, 优秀提案, 成果转化 on /proposals/{id}/…, the
重点提案 rounds (/key-rounds/), 领办/批办/联合督办 of a key proposal, the award list and its DOCX, and the
members' 民主评议 of the departments (/review-rounds/). Views are thin: services write, selectors read."""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from proposals import after_selectors, selectors, services
from proposals.models import (
    DepartmentAward,
    DepartmentReview,
    ExcellentAward,
    JointSupervision,
    KeyCandidate,
    KeyInstruction,
    KeyLeader,
    KeyRound,
    Outcome,
    Proposal,
    ReviewRound,
    Revisit,
)
from zhengxie.accounts.models import Role
from zhengxie.accounts.permissions import require_role
from zhengxie.api_read import ModelSerializer

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


# --- serializers -----------------------------------------------------------------------------------


class RevisitSerializer(ModelSerializer):
    class Meta:
        model = Revisit
        fields = ["id", "proposal", "date", "way", "content", "proposer_view", "created_at"]


class RevisitInputSerializer(serializers.Serializer):
    date = serializers.DateField()
    way = serializers.ChoiceField(choices=Revisit.Way.choices)
    content = serializers.CharField(allow_blank=True)
    proposer_view = serializers.CharField(required=False, allow_blank=True, default="")


class AwardSerializer(ModelSerializer):
    number = serializers.CharField(source="proposal.number", read_only=True)
    proposal_title = serializers.CharField(source="proposal.title", read_only=True)
    proposer = serializers.CharField(source="proposal.proposer_display", read_only=True)

    class Meta:
        model = ExcellentAward
        fields = ["id", "proposal", "number", "proposal_title", "proposer", "year", "title", "citation"]


class AwardInputSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    title = serializers.CharField(allow_blank=True)
    citation = serializers.CharField(required=False, allow_blank=True, default="")


class DepartmentAwardSerializer(ModelSerializer):
    department_name = serializers.CharField(source="department.name", read_only=True)

    class Meta:
        model = DepartmentAward
        fields = ["id", "department", "department_name", "year", "title", "citation"]


class DepartmentAwardInputSerializer(serializers.Serializer):
    department = serializers.IntegerField()
    year = serializers.IntegerField()
    title = serializers.CharField(allow_blank=True)
    citation = serializers.CharField(required=False, allow_blank=True, default="")


class OutcomeSerializer(ModelSerializer):
    has_document = serializers.SerializerMethodField()

    class Meta:
        model = Outcome
        fields = ["id", "proposal", "date", "kind", "content", "department", "has_document", "created_at"]

    def get_has_document(self, obj) -> bool:
        return bool(obj.document)


class OutcomeInputSerializer(serializers.Serializer):
    date = serializers.DateField()
    kind = serializers.ChoiceField(choices=Outcome.Kind.choices)
    content = serializers.CharField(allow_blank=True)
    document = serializers.FileField(required=False)


class KeyLeaderSerializer(ModelSerializer):
    class Meta:
        model = KeyLeader
        fields = ["id", "user", "name", "post"]


class KeyLeaderInputSerializer(serializers.Serializer):
    user = serializers.IntegerField(required=False, allow_null=True, default=None)
    name = serializers.CharField(required=False, allow_blank=True, default="")
    post = serializers.CharField(required=False, allow_blank=True, default="")


class InstructionSerializer(ModelSerializer):
    class Meta:
        model = KeyInstruction
        fields = ["id", "leader", "post", "content", "date"]


class InstructionInputSerializer(serializers.Serializer):
    leader = serializers.CharField(allow_blank=True)
    post = serializers.CharField(required=False, allow_blank=True, default="")
    content = serializers.CharField(allow_blank=True)
    date = serializers.DateField()


class JointSupervisionSerializer(ModelSerializer):
    class Meta:
        model = JointSupervision
        fields = ["id", "office", "date", "note"]


class JointSupervisionInputSerializer(serializers.Serializer):
    office = serializers.CharField(allow_blank=True)
    date = serializers.DateField()
    note = serializers.CharField(allow_blank=True)


class AfterReplySerializer(serializers.Serializer):
    revisits = RevisitSerializer(many=True)
    outcomes = OutcomeSerializer(many=True)
    awards = AwardSerializer(many=True)
    key_leaders = KeyLeaderSerializer(many=True)
    key_instructions = InstructionSerializer(many=True)
    joint_supervisions = JointSupervisionSerializer(many=True)


class RevisitQueueSerializer(ModelSerializer):
    proposer = serializers.CharField(source="proposer_display", read_only=True)

    class Meta:
        model = Proposal
        fields = ["id", "number", "title", "proposer", "closed_at"]


class KeyCandidateSerializer(ModelSerializer):
    number = serializers.CharField(source="proposal.number", read_only=True)
    title = serializers.CharField(source="proposal.title", read_only=True)

    class Meta:
        model = KeyCandidate
        fields = ["id", "proposal", "number", "title", "reason"]


class KeyRoundSerializer(ModelSerializer):
    candidates = KeyCandidateSerializer(many=True, read_only=True)

    class Meta:
        model = KeyRound
        fields = ["id", "year", "title", "state", "meeting", "approved_at", "candidates"]


class RoundInputSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    title = serializers.CharField(required=False, allow_blank=True, default="")


class CandidateInputSerializer(serializers.Serializer):
    proposal = serializers.IntegerField()
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class ApproveInputSerializer(serializers.Serializer):
    meeting = serializers.IntegerField()


class ReviewRoundSerializer(ModelSerializer):
    class Meta:
        model = ReviewRound
        fields = ["id", "year", "title", "state"]


class ReviewFormSerializer(serializers.Serializer):
    department = serializers.IntegerField()
    department_name = serializers.CharField()
    attitude = serializers.CharField(allow_null=True)
    result = serializers.CharField(allow_null=True)
    comment = serializers.CharField()


class ReviewInputSerializer(serializers.Serializer):
    department = serializers.IntegerField()
    attitude = serializers.ChoiceField(choices=DepartmentReview.Grade.choices)
    result = serializers.ChoiceField(choices=DepartmentReview.Grade.choices)
    comment = serializers.CharField(required=False, allow_blank=True, default="")


_grades = {g: serializers.IntegerField() for g in DepartmentReview.Grade.values}


class GradeCountSerializer(serializers.Serializer):
    satisfied = serializers.IntegerField()
    basically_satisfied = serializers.IntegerField()
    dissatisfied = serializers.IntegerField()


class ReviewResultSerializer(serializers.Serializer):
    department = serializers.IntegerField()
    name = serializers.CharField()
    forms = serializers.IntegerField()
    attitude = GradeCountSerializer()
    result = GradeCountSerializer()
    score = serializers.DecimalField(max_digits=5, decimal_places=1)


def _input(request, serializer_class) -> dict:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _created(serializer_class, obj):
    return Response(serializer_class(obj).data, status=status.HTTP_201_CREATED)


def _page(view, request, qs, serializer_class):
    from zhengxie.api import Pagination

    paginator = Pagination()
    page = paginator.paginate_queryset(qs, request, view=view)
    return paginator.get_paginated_response(serializer_class(page, many=True).data)


# --- on one proposal -------------------------------------------------------------------------------


class ProposalAfterReplyView(APIView):
    """GET /proposals/{id}/after-reply/: 回访, 成果转化, awards, 领办, 批办, 联合督办 of a proposal."""

    @extend_schema(summary="提案答复后记录", responses=AfterReplySerializer)
    def get(self, request, pk):
        proposal = selectors.access_proposal(request.user, pk)
        data = after_selectors.proposal_after_reply(proposal)
        if not after_selectors.can_see_revisits(request.user, proposal):
            data["revisits"] = []  # the proposer's own view stays with the office and the proposers
        return Response(AfterReplySerializer(data).data)


class RevisitView(APIView):
    @extend_schema(
        summary="回访提案人（机关）", request=RevisitInputSerializer, responses={201: RevisitSerializer}
    )
    def post(self, request, pk):
        proposal = selectors.access_proposal(request.user, pk)
        revisit = services.proposal_revisit(
            actor=request.user, proposal=proposal, **_input(request, RevisitInputSerializer)
        )
        return _created(RevisitSerializer, revisit)


class AwardView(APIView):
    @extend_schema(
        summary="评为优秀提案（机关）", request=AwardInputSerializer, responses={201: AwardSerializer}
    )
    def post(self, request, pk):
        proposal = selectors.access_proposal(request.user, pk)
        award = services.proposal_award(
            actor=request.user, proposal=proposal, **_input(request, AwardInputSerializer)
        )
        return _created(AwardSerializer, award)


class OutcomesView(APIView):
    parser_classes = [JSONParser, MultiPartParser]

    @extend_schema(summary="成果转化记录", responses=OutcomeSerializer(many=True))
    def get(self, request, pk):
        proposal = selectors.access_proposal(request.user, pk)
        return Response(OutcomeSerializer(proposal.outcomes.all(), many=True).data)

    @extend_schema(
        summary="记录成果转化（机关或承办单位）",
        request={"multipart/form-data": OutcomeInputSerializer},
        responses={201: OutcomeSerializer},
    )
    def post(self, request, pk):
        proposal = selectors.access_proposal(request.user, pk)
        outcome = services.proposal_add_outcome(
            actor=request.user, proposal=proposal, **_input(request, OutcomeInputSerializer)
        )
        return _created(OutcomeSerializer, outcome)


class KeyLeadersView(APIView):
    @extend_schema(
        summary="添加领办领导（机关）", request=KeyLeaderInputSerializer, responses={201: KeyLeaderSerializer}
    )
    def post(self, request, pk):
        proposal = selectors.access_proposal(request.user, pk)
        leader = services.key_leader_add(
            actor=request.user, proposal=proposal, **_input(request, KeyLeaderInputSerializer)
        )
        return _created(KeyLeaderSerializer, leader)


class InstructionsView(APIView):
    @extend_schema(
        summary="记录批办（机关）", request=InstructionInputSerializer, responses={201: InstructionSerializer}
    )
    def post(self, request, pk):
        proposal = selectors.access_proposal(request.user, pk)
        record = services.key_instruction_add(
            actor=request.user, proposal=proposal, **_input(request, InstructionInputSerializer)
        )
        return _created(InstructionSerializer, record)


class JointSupervisionsView(APIView):
    @extend_schema(
        summary="记录联合督办（机关）",
        request=JointSupervisionInputSerializer,
        responses={201: JointSupervisionSerializer},
    )
    def post(self, request, pk):
        proposal = selectors.access_proposal(request.user, pk)
        record = services.joint_supervision_add(
            actor=request.user, proposal=proposal, **_input(request, JointSupervisionInputSerializer)
        )
        return _created(JointSupervisionSerializer, record)


class RevisitQueueView(APIView):
    """GET /proposals/revisit-queue/: closed proposals not yet revisited (staff)."""

    @extend_schema(summary="待回访提案（机关）", responses=RevisitQueueSerializer(many=True))
    def get(self, request):
        require_role(request.user, Role.STAFF)
        return _page(self, request, after_selectors.revisit_queue(), RevisitQueueSerializer)


# --- awards ----------------------------------------------------------------------------------------

YEAR_PARAMETER = [OpenApiParameter("year", int, description="年度")]


def _year_param(request) -> int | None:
    from zhengxie.workflow.errors import InvalidInput

    value = request.query_params.get("year")
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        raise InvalidInput("年度无效。") from None


class AwardListView(APIView):
    """GET /awards/?year=: 优秀提案 (anyone signed in: awards are public honours)."""

    @extend_schema(summary="优秀提案名单", parameters=YEAR_PARAMETER, responses=AwardSerializer(many=True))
    def get(self, request):
        return _page(self, request, after_selectors.awards(_year_param(request)), AwardSerializer)


class AwardExportView(APIView):
    @extend_schema(
        summary="导出优秀提案名单（DOCX，机关）",
        parameters=[OpenApiParameter("year", int, required=True)],
        responses={(200, DOCX_TYPE): bytes},
    )
    def get(self, request):
        from proposals.documents_after_reply import awards_docx
        from zhengxie.workflow.errors import InvalidInput

        require_role(request.user, Role.STAFF, Role.LEADER)
        year = _year_param(request)
        if not year:
            raise InvalidInput("请指定年度。")
        response = HttpResponse(awards_docx(year), content_type=DOCX_TYPE)
        response["Content-Disposition"] = f'attachment; filename="awards-{year}.docx"'
        return response


class DepartmentAwardListView(APIView):
    @extend_schema(
        summary="优秀承办单位名单", parameters=YEAR_PARAMETER, responses=DepartmentAwardSerializer(many=True)
    )
    def get(self, request):
        return _page(
            self, request, after_selectors.department_awards(_year_param(request)), DepartmentAwardSerializer
        )

    @extend_schema(
        summary="评为优秀承办单位（机关）",
        request=DepartmentAwardInputSerializer,
        responses={201: DepartmentAwardSerializer},
    )
    def post(self, request):
        award = services.department_award(
            actor=request.user, **_input(request, DepartmentAwardInputSerializer)
        )
        return _created(DepartmentAwardSerializer, award)


# --- 重点提案 rounds ---------------------------------------------------------------------------------


def _staff_or_leader(request):
    require_role(request.user, Role.STAFF, Role.LEADER)


class KeyRoundListView(APIView):
    @extend_schema(summary="重点提案遴选（机关、领导）", responses=KeyRoundSerializer(many=True))
    def get(self, request):
        _staff_or_leader(request)
        qs = after_selectors.key_rounds().prefetch_related("candidates__proposal")
        return _page(self, request, qs, KeyRoundSerializer)

    @extend_schema(
        summary="新建年度重点提案遴选（机关）",
        request=RoundInputSerializer,
        responses={201: KeyRoundSerializer},
    )
    def post(self, request):
        return _created(
            KeyRoundSerializer,
            services.key_round_create(actor=request.user, **_input(request, RoundInputSerializer)),
        )


class KeyRoundDetailView(APIView):
    @extend_schema(summary="重点提案遴选详情", responses=KeyRoundSerializer)
    def get(self, request, pk):
        _staff_or_leader(request)
        return Response(KeyRoundSerializer(get_object_or_404(KeyRound, pk=pk)).data)


class KeyRoundCandidatesView(APIView):
    @extend_schema(
        summary="推荐候选重点提案（机关）",
        request=CandidateInputSerializer,
        responses={201: KeyCandidateSerializer},
    )
    def post(self, request, pk):
        require_role(request.user, Role.STAFF)
        round_ = get_object_or_404(KeyRound, pk=pk)
        data = _input(request, CandidateInputSerializer)
        proposal = get_object_or_404(Proposal, pk=data["proposal"])
        candidate = services.key_round_add_candidate(
            actor=request.user, round=round_, proposal=proposal, reason=data["reason"]
        )
        return _created(KeyCandidateSerializer, candidate)


class KeyRoundApproveView(APIView):
    @extend_schema(
        summary="主席会议审定重点提案（机关）", request=ApproveInputSerializer, responses=KeyRoundSerializer
    )
    def post(self, request, pk):
        require_role(request.user, Role.STAFF)
        round_ = get_object_or_404(KeyRound, pk=pk)
        services.key_round_approve(
            actor=request.user, round=round_, meeting=_input(request, ApproveInputSerializer)["meeting"]
        )
        return Response(KeyRoundSerializer(KeyRound.objects.get(pk=pk)).data)


# --- 民主评议 ---------------------------------------------------------------------------------------


class ReviewRoundListView(APIView):
    @extend_schema(summary="民主评议", responses=ReviewRoundSerializer(many=True))
    def get(self, request):
        require_role(request.user, Role.STAFF, Role.LEADER, Role.MEMBER)
        qs = ReviewRound.objects.order_by("-year")
        if request.user.effective_role == Role.MEMBER:
            qs = qs.exclude(state=ReviewRound.State.DRAFT)
        return _page(self, request, qs, ReviewRoundSerializer)

    @extend_schema(
        summary="新建年度民主评议（机关）",
        request=RoundInputSerializer,
        responses={201: ReviewRoundSerializer},
    )
    def post(self, request):
        return _created(
            ReviewRoundSerializer,
            services.review_round_create(actor=request.user, **_input(request, RoundInputSerializer)),
        )


class ReviewRoundActionView(APIView):
    action_name = ""

    @extend_schema(summary="开始或结束民主评议（机关）", request=None, responses=ReviewRoundSerializer)
    def post(self, request, pk):
        require_role(request.user, Role.STAFF)
        round_ = get_object_or_404(ReviewRound, pk=pk)
        service = services.review_round_open if self.action_name == "open" else services.review_round_close
        return Response(ReviewRoundSerializer(service(actor=request.user, round=round_)).data)


class ReviewFormsView(APIView):
    """A member's own forms (one per department that handled the member's proposals); never others'."""

    def _member_round(self, request, pk):
        from members.models import Member

        require_role(request.user, Role.MEMBER)
        round_ = get_object_or_404(ReviewRound.objects.exclude(state=ReviewRound.State.DRAFT), pk=pk)
        return get_object_or_404(Member, user=request.user), round_

    @extend_schema(summary="我的民主评议表（委员）", responses=ReviewFormSerializer(many=True))
    def get(self, request, pk):
        member, round_ = self._member_round(request, pk)
        forms = [
            {
                "department": f["department"].pk,
                "department_name": f["department"].name,
                "attitude": f["review"].attitude if f["review"] else None,
                "result": f["review"].result if f["review"] else None,
                "comment": f["review"].comment if f["review"] else "",
            }
            for f in after_selectors.member_review_forms(member, round_)
        ]
        return Response(ReviewFormSerializer(forms, many=True).data)

    @extend_schema(
        summary="提交民主评议表（委员）", request=ReviewInputSerializer, responses={201: ReviewFormSerializer}
    )
    def post(self, request, pk):
        member, round_ = self._member_round(request, pk)
        review = services.department_review_submit(
            actor=request.user, round=round_, **_input(request, ReviewInputSerializer)
        )
        data = {
            "department": review.department_id,
            "department_name": review.department.name,
            "attitude": review.attitude,
            "result": review.result,
            "comment": review.comment,
        }
        return Response(ReviewFormSerializer(data).data, status=status.HTTP_201_CREATED)


class ReviewResultsView(APIView):
    @extend_schema(
        summary="民主评议结果（按承办单位，机关、领导）", responses=ReviewResultSerializer(many=True)
    )
    def get(self, request, pk):
        _staff_or_leader(request)
        round_ = get_object_or_404(ReviewRound, pk=pk)
        return Response(ReviewResultSerializer(after_selectors.review_results(round_), many=True).data)
