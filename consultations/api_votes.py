"""表决/选举 endpoints (API.md "Voting"): `/meetings/{id}/votes/` and `/votes/{id}/…`. Thin over voting.py."""

import io

from django.utils import timezone
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from members.models import Member
from zhengxie.accounts.permissions import IsStaff, IsStaffOrLeader
from zhengxie.api import DisplayField
from zhengxie.api_read import ModelSerializer

from . import selectors, voting
from .api_sessions import DOCX, _file
from .models import Ballot, Vote


def extend_schema_field_list(serializer_class):
    return extend_schema_field(serializer_class(many=True))


def extend_schema_field_nullable(serializer_class):
    return extend_schema_field(serializer_class(allow_null=True))


class VoteCandidateSerializer(serializers.Serializer):
    member = serializers.IntegerField()
    name = serializers.CharField()


class VoteResultCandidateSerializer(serializers.Serializer):
    member = serializers.IntegerField()
    name = serializers.CharField()
    votes = serializers.IntegerField()
    elected = serializers.BooleanField()


class VoteResultSerializer(serializers.Serializer):
    """Resolution: yes/no/abstain/not_voted/passed; election: candidates (and tie)."""

    yes = serializers.IntegerField(required=False)
    no = serializers.IntegerField(required=False)
    abstain = serializers.IntegerField(required=False)
    not_voted = serializers.IntegerField()
    passed = serializers.BooleanField(required=False)
    candidates = VoteResultCandidateSerializer(many=True, required=False)
    tie = serializers.BooleanField(required=False, help_text="最后一个名额得票相同，须再次投票")


class NamedBallotSerializer(serializers.Serializer):
    member = serializers.IntegerField()
    name = serializers.CharField()
    choice = serializers.CharField(allow_blank=True)
    candidates = serializers.ListField(child=serializers.IntegerField())


class VoteSerializer(ModelSerializer):
    kind_display = DisplayField("kind")
    rule_display = DisplayField("rule")
    state_display = DisplayField("state")
    eligible = serializers.SerializerMethodField(help_text="应到（受邀）人数")
    present = serializers.SerializerMethodField(help_text="实到（签到出席）人数")
    cast = serializers.SerializerMethodField(help_text="已投票人数")
    candidates = serializers.SerializerMethodField()
    has_voted = serializers.SerializerMethodField()
    result = serializers.SerializerMethodField()
    ballots = serializers.SerializerMethodField()

    class Meta:
        model = Vote
        fields = [
            "id",
            "meeting",
            "title",
            "kind",
            "kind_display",
            "secret",
            "rule",
            "rule_display",
            "max_choices",
            "state",
            "state_display",
            "eligible",
            "present",
            "cast",
            "candidates",
            "has_voted",
            "result",
            "ballots",
            "opened_at",
            "closed_at",
        ]

    def _progress(self, obj):
        if not hasattr(obj, "_progress"):
            obj._progress = selectors.vote_progress(obj)
        return obj._progress

    def get_eligible(self, obj) -> int:
        return self._progress(obj)["eligible"]

    def get_present(self, obj) -> int:
        return self._progress(obj)["present"]

    def get_cast(self, obj) -> int:
        return self._progress(obj)["cast"]

    @extend_schema_field_list(VoteCandidateSerializer)
    def get_candidates(self, obj):
        return [{"member": c.member_id, "name": c.member.name} for c in obj.candidate_rows.all()]

    def get_has_voted(self, obj) -> bool:
        request = self.context.get("request")
        return bool(request and selectors.has_voted(obj, request.user))

    @extend_schema_field_nullable(VoteResultSerializer)
    def get_result(self, obj):
        return obj.result if obj.state == Vote.State.CLOSED else None

    @extend_schema_field_list(NamedBallotSerializer)
    def get_ballots(self, obj):
        return selectors.named_ballots(obj)


class VoteInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=Vote.Kind.choices)
    secret = serializers.BooleanField(default=True)
    candidates = serializers.PrimaryKeyRelatedField(queryset=Member.objects.all(), many=True, required=False)
    max_choices = serializers.IntegerField(min_value=1, max_value=999, required=False, allow_null=True)
    rule = serializers.ChoiceField(choices=Vote.Rule.choices, default=Vote.Rule.MAJORITY_OF_ALL)


class BallotInputSerializer(serializers.Serializer):
    choice = serializers.ChoiceField(choices=Ballot.Choice.choices, required=False)
    candidates = serializers.ListField(child=serializers.IntegerField(min_value=1), required=False)


def _data(request, serializer_class):
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class VotingActionsMixin:
    """`/meetings/{id}/votes/`: staff create; everyone who sees the meeting lists its votes."""

    @extend_schema(methods=["GET"], request=None, responses=VoteSerializer(many=True))
    @extend_schema(methods=["POST"], request=VoteInputSerializer, responses={201: VoteSerializer})
    @action(detail=True, methods=["get", "post"])
    def votes(self, request, pk=None):
        meeting = self.get_object()
        context = self.get_serializer_context()
        if request.method == "POST":
            self._staff_only(request)
            data = _data(request, VoteInputSerializer)
            vote = voting.vote_create(
                actor=request.user,
                meeting=meeting,
                title=data["title"],
                kind=data["kind"],
                secret=data["secret"],
                rule=data["rule"],
                candidates=data.get("candidates", []),
                max_choices=data.get("max_choices"),
            )
            vote = selectors.access_vote(request.user, vote.pk)
            return Response(VoteSerializer(vote, context=context).data, status=status.HTTP_201_CREATED)
        return Response(VoteSerializer(selectors.meeting_votes(meeting), many=True, context=context).data)


class VoteViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = VoteSerializer
    queryset = Vote.objects.none()
    lookup_value_regex = r"[0-9]+"

    def get_object(self):
        return selectors.access_vote(self.request.user, self.kwargs["pk"])

    def _respond(self, vote):
        fresh = selectors.access_vote(self.request.user, vote.pk)
        return Response(VoteSerializer(fresh, context=self.get_serializer_context()).data)

    @extend_schema(request=None, responses=VoteSerializer)
    @action(detail=True, methods=["post"], permission_classes=[IsStaff])
    def open(self, request, pk=None):
        return self._respond(voting.vote_open(actor=request.user, vote=self.get_object()))

    @extend_schema(request=None, responses=VoteSerializer)
    @action(detail=True, methods=["post"], permission_classes=[IsStaff])
    def close(self, request, pk=None):
        return self._respond(voting.vote_close(actor=request.user, vote=self.get_object()))

    @extend_schema(
        request=BallotInputSerializer,
        responses={
            201: inline_serializer(
                "BallotAccepted", {"detail": serializers.CharField(), "cast": serializers.IntegerField()}
            )
        },
    )
    @action(detail=True, methods=["post"])
    def ballot(self, request, pk=None):
        vote = self.get_object()
        data = _data(request, BallotInputSerializer)
        voting.ballot_cast(
            actor=request.user, vote=vote, choice=data.get("choice"), candidates=data.get("candidates")
        )
        # The ballot is not echoed back: only that it was counted.
        return Response(
            {"detail": "投票成功。", "cast": selectors.vote_progress(vote)["cast"]},
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(responses={(200, DOCX): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"], permission_classes=[IsStaffOrLeader])
    def export(self, request, pk=None):
        vote = self.get_object()
        if vote.state != Vote.State.CLOSED:
            from zhengxie.workflow.errors import InvalidInput

            raise InvalidInput("投票结束后才能导出结果。")
        return _file(vote_result_docx(vote), DOCX, f"{vote.title}-计票结果.docx")


def vote_result_docx(vote: Vote) -> bytes:
    """The result sheet for the 监票人 to sign: counts, the rule, the outcome, signature lines."""
    from .session_documents import _font, _text

    document = Document()
    heading = document.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(heading.add_run(_text(f"{vote.meeting.title}")), "宋体", 14, bold=True)
    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(title.add_run(_text(f"{vote.title}{vote.get_kind_display()}计票结果")), "黑体", 18, bold=True)
    result = vote.result or {}
    lines = [
        f"表决方式：{'无记名' if vote.secret else '记名'}投票；通过规则：{vote.get_rule_display()}。",
        f"应到{vote.eligible}人，实到{vote.present}人，"
        f"投票{vote.eligible - result.get('not_voted', 0)}人，未投票{result.get('not_voted', 0)}人。",
    ]
    if vote.kind == Vote.Kind.RESOLUTION:
        lines.append(
            f"赞成{result.get('yes', 0)}票，反对{result.get('no', 0)}票，弃权{result.get('abstain', 0)}票。"
            f"结果：{'通过' if result.get('passed') else '未通过'}。"
        )
    for line in lines:
        _font(document.add_paragraph().add_run(_text(line)), "仿宋", 12)
    if vote.kind == Vote.Kind.ELECTION:
        table = document.add_table(rows=1, cols=3)
        table.style = "Table Grid"
        for cell, text in zip(table.rows[0].cells, ["候选人", "得票", "结果"], strict=True):
            cell.text = text
        for row in result.get("candidates", []):
            cells = table.add_row().cells
            cells[0].text = _text(row["name"])
            cells[1].text = str(row["votes"])
            cells[2].text = "当选" if row["elected"] else "未当选"
        if result.get("tie"):
            document.add_paragraph("注：最后一个名额得票相同，须对得票相同者再次投票。")
    for ballot in selectors.named_ballots(vote):
        label = dict(Ballot.Choice.choices).get(ballot["choice"], "")
        document.add_paragraph(_text(f"{ballot['name']}：{label}"))
    closed = timezone.localtime(vote.closed_at).strftime("%Y年%m月%d日 %H:%M") if vote.closed_at else ""
    _font(document.add_paragraph().add_run(f"计票时间：{closed}"), "仿宋", 12)
    for role in ("总监票人", "监票人", "监票人", "计票人"):
        _font(document.add_paragraph().add_run(f"{role}（签名）：________________"), "仿宋", 12)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def register(router):
    router.register("votes", VoteViewSet, basename="vote")
