"""/consultation-plans/, /topics/ and /meetings/ (API.md "协商"): thin over services and selectors."""

from django.db.models import Prefetch
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from members.models import Member, Plenary, SpecialCommittee
from zhengxie.accounts.models import Department, Role
from zhengxie.accounts.permissions import IsStaff, IsStaffOrLeader, has_role
from zhengxie.api import DisplayField, check_choice_filters, nested_data
from zhengxie.api_read import ModelSerializer
from zhengxie.parsers import JSONParser, MultiPartParser
from zhengxie.workflow.api import HistorySerializer

from . import selectors, services
from .api_sessions import SessionActionsMixin
from .api_sessions import register as register_sessions
from .api_votes import VotingActionsMixin
from .api_votes import register as register_votes
from .documents import plan_docx
from .models import (
    Attendance,
    ConsultationPlan,
    ConsultationType,
    Feedback,
    Meeting,
    Outcome,
    ResearchActivity,
    Speech,
    Topic,
)
from .qr import checkin_path, qr_svg

# --- serializers -------------------------------------------------------------------------------------


class ConsultationPlanSerializer(ModelSerializer):
    state_display = DisplayField("state")
    topic_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = ConsultationPlan
        fields = ["id", "year", "title", "state", "state_display", "approved_on", "topic_count", "created_at"]
        read_only_fields = ["state", "approved_on", "created_at"]


class ConsultationPlanInputSerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    title = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)


class ConsultationApproveSerializer(serializers.Serializer):
    date = serializers.DateField()


class ConsultationOutcomeSerializer(ModelSerializer):
    class Meta:
        model = Outcome
        fields = ["content", "file", "suggestion_count", "submitted_to", "submitted_at"]


class ConsultationFeedbackSerializer(ModelSerializer):
    class Meta:
        model = Feedback
        fields = ["content", "adopted_count", "instruction", "received_on"]


class ConsultationResearchSerializer(ModelSerializer):
    kind_display = DisplayField("kind")
    participants = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = ResearchActivity
        fields = ["id", "kind", "kind_display", "date", "place", "participants", "notes"]


class ConsultationTopicSerializer(ModelSerializer):
    type_display = DisplayField("type")
    state_display = DisplayField("state")
    plan_year = serializers.IntegerField(source="plan.year", read_only=True)
    lead_committee_name = serializers.SerializerMethodField()
    departments = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    outcome = serializers.SerializerMethodField()
    feedback = serializers.SerializerMethodField()
    research_activities = ConsultationResearchSerializer(many=True, read_only=True)

    class Meta:
        model = Topic
        fields = [
            "id",
            "plan",
            "plan_year",
            "title",
            "type",
            "type_display",
            "description",
            "lead_committee",
            "lead_committee_name",
            "departments",
            "planned_month",
            "state",
            "state_display",
            "research_activities",
            "outcome",
            "feedback",
            "created_at",
        ]

    def get_lead_committee_name(self, obj) -> str:
        return obj.lead_committee.name if obj.lead_committee_id else ""

    @extend_schema_field(ConsultationOutcomeSerializer(allow_null=True))
    def get_outcome(self, obj):
        row = getattr(obj, "outcome", None)
        return nested_data(self, ConsultationOutcomeSerializer, [row])[0] if row else None

    @extend_schema_field(ConsultationFeedbackSerializer(allow_null=True))
    def get_feedback(self, obj):
        row = getattr(obj, "feedback", None)
        return nested_data(self, ConsultationFeedbackSerializer, [row])[0] if row else None


class ConsultationTopicInputSerializer(serializers.Serializer):
    plan = serializers.PrimaryKeyRelatedField(queryset=ConsultationPlan.objects.all())
    title = serializers.CharField(max_length=200)
    type = serializers.ChoiceField(choices=ConsultationType.choices)
    lead_committee = serializers.PrimaryKeyRelatedField(
        queryset=SpecialCommittee.objects.all(), required=False, allow_null=True, default=None
    )
    departments = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.filter(is_active=True), many=True, required=False, default=list
    )
    planned_month = serializers.IntegerField(
        min_value=1, max_value=12, required=False, allow_null=True, default=None
    )
    description = serializers.CharField(required=False, allow_blank=True, default="")


class ConsultationTopicUpdateSerializer(serializers.Serializer):
    """PATCH: only the fields sent change; the rest keep their value."""

    title = serializers.CharField(max_length=200, required=False)
    type = serializers.ChoiceField(choices=ConsultationType.choices, required=False)
    lead_committee = serializers.PrimaryKeyRelatedField(
        queryset=SpecialCommittee.objects.all(), required=False, allow_null=True
    )
    departments = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.filter(is_active=True), many=True, required=False
    )
    planned_month = serializers.IntegerField(min_value=1, max_value=12, required=False, allow_null=True)
    description = serializers.CharField(required=False, allow_blank=True)


class ConsultationOutcomeInputSerializer(serializers.Serializer):
    content = serializers.CharField(required=False, allow_blank=True, default="")
    suggestion_count = serializers.IntegerField(min_value=0)
    submitted_to = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    file = serializers.FileField(required=False, allow_null=True, default=None)


class ConsultationFeedbackInputSerializer(serializers.Serializer):
    content = serializers.CharField()
    adopted_count = serializers.IntegerField(min_value=0)
    instruction = serializers.CharField(required=False, allow_blank=True, default="")
    received_on = serializers.DateField(required=False, allow_null=True, default=None)


class ConsultationResearchInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ResearchActivity.Kind.choices, default="research")
    date = serializers.DateField()
    place = serializers.CharField(max_length=200)
    participants = serializers.PrimaryKeyRelatedField(queryset=Member.objects.all(), many=True, default=list)
    notes = serializers.CharField(required=False, allow_blank=True, default="")


class ConsultationCloseSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class ConsultationAttendanceSerializer(ModelSerializer):
    name = serializers.CharField(source="member.name", read_only=True)
    reply_display = DisplayField("reply")
    status_display = DisplayField("status")

    class Meta:
        model = Attendance
        fields = [
            "member",
            "name",
            "reply",
            "reply_display",
            "leave_reason",
            "replied_at",
            "status",
            "status_display",
            "checked_in_at",
            "remote",
        ]


class ConsultationSpeechSerializer(ModelSerializer):
    name = serializers.CharField(source="member.name", read_only=True)

    class Meta:
        model = Speech
        fields = ["id", "member", "name", "title", "content", "is_oral", "submitted_at"]


class ConsultationMeetingSerializer(ModelSerializer):
    type_display = DisplayField("type")
    state_display = DisplayField("state")
    topic_title = serializers.SerializerMethodField()
    is_session = serializers.BooleanField(read_only=True, help_text="全会、常委会议或主席会议")
    invitees = serializers.SerializerMethodField(
        help_text="受邀委员及其回复、出席情况：详情中机关和领导看到全部、委员只看到自己；列表中每人只看到自己"
        "（全体会议邀请全体委员，列表不逐人列出，人数见 attendance）"
    )
    attendance = serializers.SerializerMethodField(help_text="受邀人数与出席、请假、缺席人数")
    speeches = serializers.SerializerMethodField()

    class Meta:
        model = Meeting
        fields = [
            "id",
            "topic",
            "topic_title",
            "title",
            "type",
            "type_display",
            "plenary",
            "is_session",
            "start",
            "end",
            "place",
            "remote_url",
            "invited_officials",
            "state",
            "state_display",
            "notice_due",
            "materials_due",
            "minutes_due",
            "minutes",
            "held_at",
            "invitees",
            "attendance",
            "speeches",
        ]

    def _sees_all(self) -> bool:
        request = self.context.get("request")
        return bool(request and has_role(request.user, Role.STAFF, Role.LEADER))

    @extend_schema_field(
        {
            "type": "object",
            "properties": {k: {"type": "integer"} for k in ("invited", "present", "leave", "absent")},
        }
    )
    def get_attendance(self, obj) -> dict:
        if hasattr(obj, "n_invited"):  # the list: counted in the database (selectors.meetings_brief)
            return {k: getattr(obj, f"n_{k}") or 0 for k in ("invited", "present", "leave", "absent")}
        rows = list(obj.attendances.all())
        counts = {k: sum(1 for r in rows if r.status == k) for k in ("present", "leave", "absent")}
        return {"invited": len(rows), **counts}

    def _own(self, rows):
        request = self.context.get("request")
        user_id = request.user.pk if request else None
        return [r for r in rows if r.member.user_id == user_id]

    def get_topic_title(self, obj) -> str:
        return obj.topic.title if obj.topic_id else ""

    @extend_schema_field(ConsultationAttendanceSerializer(many=True))
    def get_invitees(self, obj):
        rows = list(obj.attendances.all())
        brief = hasattr(obj, "n_invited")  # the list prefetched the reader's own rows only
        visible = rows if self._sees_all() and not brief else self._own(rows)
        return nested_data(self, ConsultationAttendanceSerializer, visible)

    @extend_schema_field(ConsultationSpeechSerializer(many=True))
    def get_speeches(self, obj):
        rows = list(obj.speeches.all())
        return nested_data(self, ConsultationSpeechSerializer, rows if self._sees_all() else self._own(rows))


class ConsultationMeetingInputSerializer(serializers.Serializer):
    topic = serializers.PrimaryKeyRelatedField(
        queryset=Topic.objects.all(), required=False, allow_null=True, default=None
    )
    title = serializers.CharField(max_length=200)
    type = serializers.ChoiceField(choices=ConsultationType.choices)
    start = serializers.DateTimeField()
    end = serializers.DateTimeField(required=False, allow_null=True, default=None)
    place = serializers.CharField(max_length=200)
    invitees = serializers.PrimaryKeyRelatedField(
        queryset=Member.objects.all(),
        many=True,
        required=False,
        help_text="不填时：全体会议邀请全体在任委员，常委会议邀请在任常委和主席、副主席、秘书长，主席会议邀请主席、副主席、秘书长",
    )
    invited_officials = serializers.CharField(required=False, allow_blank=True, default="")
    plenary = serializers.PrimaryKeyRelatedField(
        queryset=Plenary.objects.all(),
        required=False,
        allow_null=True,
        default=None,
        help_text="全体会议所属会次（不填时按开始日期匹配）",
    )


class ConsultationMeetingUpdateSerializer(serializers.Serializer):
    """PATCH: only the fields sent change; a new start alone keeps the meeting's length."""

    title = serializers.CharField(max_length=200, required=False)
    type = serializers.ChoiceField(choices=ConsultationType.choices, required=False)
    start = serializers.DateTimeField(required=False)
    end = serializers.DateTimeField(required=False)
    place = serializers.CharField(max_length=200, required=False)
    invited_officials = serializers.CharField(required=False, allow_blank=True)


class ConsultationInviteSerializer(serializers.Serializer):
    members = serializers.PrimaryKeyRelatedField(queryset=Member.objects.all(), many=True)


class ConsultationAttendanceInputSerializer(serializers.Serializer):
    member = serializers.PrimaryKeyRelatedField(queryset=Member.objects.all())
    status = serializers.ChoiceField(choices=Attendance.Status.choices)
    remote = serializers.BooleanField(required=False, default=False, help_text="通过远程会议链接出席")


class ConsultationRemoteUrlSerializer(serializers.Serializer):
    url = serializers.CharField(allow_blank=True, max_length=200, help_text="空字符串表示取消远程参会")


class ConsultationReplySerializer(serializers.Serializer):
    attend = serializers.BooleanField()
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)


class ConsultationSpeechInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    content = serializers.CharField()


class ConsultationPickSerializer(serializers.Serializer):
    speech = serializers.IntegerField()
    oral = serializers.BooleanField(default=True)


class ConsultationCheckInSerializer(serializers.Serializer):
    token = serializers.CharField()


class ConsultationMinutesSerializer(serializers.Serializer):
    content = serializers.CharField()


class ConsultationCancelSerializer(serializers.Serializer):
    reason = serializers.CharField()


class ConsultationCheckinCodeSerializer(serializers.Serializer):
    url = serializers.CharField()
    token = serializers.CharField()
    svg = serializers.CharField()


def _input(request, serializer_class):
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _staff_only(view, request) -> None:
    """Checked after get_object, so an object the user may not see stays a 404 rather than a 403."""
    permission = IsStaff()
    if not permission.has_permission(request, view):
        view.permission_denied(request, message=permission.message)


# --- viewsets ----------------------------------------------------------------------------------------


class ConsultationPlanViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    serializer_class = ConsultationPlanSerializer

    def get_permissions(self):
        if self.action in ("create", "approve"):
            return [IsStaff()]
        return super().get_permissions()

    def get_queryset(self):
        return selectors.plans_visible_to(self.request.user)

    def get_object(self):
        return selectors.access_plan(self.request.user, self.kwargs["pk"])

    def _respond(self, plan, code=status.HTTP_200_OK):
        fresh = selectors.access_plan(self.request.user, plan.pk)
        return Response(ConsultationPlanSerializer(fresh).data, status=code)

    @extend_schema(request=ConsultationPlanInputSerializer, responses={201: ConsultationPlanSerializer})
    def create(self, request, *args, **kwargs):
        data = _input(request, ConsultationPlanInputSerializer)
        plan = services.plan_create(actor=request.user, year=data["year"], title=data["title"])
        return self._respond(plan, status.HTTP_201_CREATED)

    @extend_schema(request=ConsultationApproveSerializer, responses=ConsultationPlanSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        plan = self.get_object()
        data = _input(request, ConsultationApproveSerializer)
        return self._respond(services.plan_approve(actor=request.user, plan=plan, date=data["date"]))

    @extend_schema(responses=HistorySerializer(many=True))
    @action(detail=True, methods=["get"])
    def history(self, request, pk=None):
        from zhengxie.workflow.selectors import history_of

        return Response(HistorySerializer(history_of(self.get_object()), many=True).data)

    @extend_schema(
        responses={
            (
                200,
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            ): OpenApiTypes.BINARY
        }
    )
    @action(detail=True, methods=["get"], permission_classes=[IsStaffOrLeader])
    def export(self, request, pk=None):
        plan = self.get_object()
        response = HttpResponse(
            plan_docx(plan, selectors.plan_topics(plan)),
            content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        )
        response["Content-Disposition"] = f'attachment; filename="consultation-plan-{plan.year}.docx"'
        return response


class ConsultationTopicViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    serializer_class = ConsultationTopicSerializer

    def get_permissions(self):
        if self.action == "create":
            return [IsStaff()]
        return super().get_permissions()

    def get_queryset(self):
        qs = selectors.topics_visible_to(self.request.user).prefetch_related(
            Prefetch(
                "research_activities",
                queryset=ResearchActivity.objects.prefetch_related("participants").order_by("date", "id"),
            )
        )
        return selectors.topics_filter(qs, params=self.request.query_params).order_by(
            "-plan__year", "planned_month", "id"
        )

    def get_object(self):
        return selectors.access_topic(self.request.user, self.kwargs["pk"])

    def _respond(self, topic, code=status.HTTP_200_OK):
        fresh = self.get_queryset().filter(pk=topic.pk).first() or selectors.access_topic(
            self.request.user, topic.pk
        )
        return Response(
            ConsultationTopicSerializer(fresh, context=self.get_serializer_context()).data, status=code
        )

    @extend_schema(
        parameters=[
            OpenApiParameter("plan", int),
            OpenApiParameter("year", int),
            OpenApiParameter("state", str, description="状态，可用逗号分隔多个"),
            OpenApiParameter("type", str, enum=ConsultationType.values),
            OpenApiParameter("month", int),
        ]
    )
    def list(self, request, *args, **kwargs):
        check_choice_filters(request.query_params, state=Topic.State.values, type=ConsultationType.values)
        return super().list(request, *args, **kwargs)

    @extend_schema(request=ConsultationTopicInputSerializer, responses={201: ConsultationTopicSerializer})
    def create(self, request, *args, **kwargs):
        data = _input(request, ConsultationTopicInputSerializer)
        topic = services.topic_create(actor=request.user, **data)
        return self._respond(topic, status.HTTP_201_CREATED)

    @extend_schema(request=ConsultationTopicUpdateSerializer, responses=ConsultationTopicSerializer)
    def partial_update(self, request, *args, **kwargs):
        topic = self.get_object()
        _staff_only(self, request)
        data = _input(request, ConsultationTopicUpdateSerializer)
        current = {
            "title": topic.title,
            "type": topic.type,
            "lead_committee": topic.lead_committee,
            "departments": list(topic.departments.all()),
            "planned_month": topic.planned_month,
        }
        return self._respond(services.topic_update(actor=request.user, topic=topic, **{**current, **data}))

    @extend_schema(request=None, responses=ConsultationTopicSerializer)
    @action(detail=True, methods=["post"], url_path="start-research")
    def start_research(self, request, pk=None):
        return self._respond(services.topic_start_research(actor=request.user, topic=self.get_object()))

    @extend_schema(request=ConsultationResearchInputSerializer, responses=ConsultationTopicSerializer)
    @action(detail=True, methods=["post"])
    def research(self, request, pk=None):
        topic = self.get_object()
        data = _input(request, ConsultationResearchInputSerializer)
        services.research_activity_add(actor=request.user, topic=topic, **data)
        return self._respond(topic)

    @extend_schema(request=ConsultationOutcomeInputSerializer, responses=ConsultationTopicSerializer)
    @action(
        detail=True, methods=["post"], url_path="submit-outcome", parser_classes=[MultiPartParser, JSONParser]
    )
    def submit_outcome(self, request, pk=None):
        topic = self.get_object()
        data = _input(request, ConsultationOutcomeInputSerializer)
        return self._respond(services.topic_submit_outcome(actor=request.user, topic=topic, **data))

    @extend_schema(request=ConsultationFeedbackInputSerializer, responses=ConsultationTopicSerializer)
    @action(detail=True, methods=["post"])
    def feedback(self, request, pk=None):
        topic = self.get_object()
        data = _input(request, ConsultationFeedbackInputSerializer)
        return self._respond(services.topic_feedback(actor=request.user, topic=topic, **data))

    @extend_schema(request=ConsultationCloseSerializer, responses=ConsultationTopicSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        topic = self.get_object()
        data = _input(request, ConsultationCloseSerializer)
        return self._respond(services.topic_close(actor=request.user, topic=topic, comment=data["comment"]))

    @extend_schema(responses=HistorySerializer(many=True))
    @action(detail=True, methods=["get"])
    def history(self, request, pk=None):
        return Response(HistorySerializer(selectors.topic_history(self.get_object()), many=True).data)


class ConsultationMeetingViewSet(
    SessionActionsMixin,
    VotingActionsMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = ConsultationMeetingSerializer

    def get_permissions(self):
        if self.action == "create":
            return [IsStaff()]
        return super().get_permissions()

    def get_queryset(self):
        qs = selectors.meetings_visible_to(self.request.user)
        if self.action == "list":  # a plenary invites every member: the list counts them instead
            qs = selectors.meetings_brief(qs, self.request.user)
        qs = qs.prefetch_related(
            Prefetch("speeches", queryset=Speech.objects.select_related("member").order_by("-is_oral", "id"))
        )
        return selectors.meetings_filter(qs, params=self.request.query_params)

    def get_object(self):
        return selectors.access_meeting(self.request.user, self.kwargs["pk"])

    def _respond(self, meeting, code=status.HTTP_200_OK):
        fresh = self.get_queryset().get(pk=meeting.pk)
        return Response(
            ConsultationMeetingSerializer(fresh, context=self.get_serializer_context()).data, status=code
        )

    @extend_schema(
        parameters=[
            OpenApiParameter("topic", int),
            OpenApiParameter("state", str, description="状态，可用逗号分隔多个"),
            OpenApiParameter("upcoming", bool, description="只看未结束的活动"),
            OpenApiParameter(
                "type",
                str,
                description="会议类型，可用逗号分隔多个（plenary、standing_committee、chair_meeting…）",
            ),
            OpenApiParameter("plenary", int, description="会次（全体会议的各场次）"),
        ]
    )
    def list(self, request, *args, **kwargs):
        check_choice_filters(request.query_params, state=Meeting.State.values)
        return super().list(request, *args, **kwargs)

    @extend_schema(request=ConsultationMeetingInputSerializer, responses={201: ConsultationMeetingSerializer})
    def create(self, request, *args, **kwargs):
        data = _input(request, ConsultationMeetingInputSerializer)
        topic = data.pop("topic")
        if topic is not None:
            topic = selectors.access_topic(request.user, topic.pk)
        data.setdefault("invitees", None)
        meeting = services.meeting_create(actor=request.user, topic=topic, **data)
        return self._respond(meeting, status.HTTP_201_CREATED)

    @extend_schema(request=ConsultationMeetingUpdateSerializer, responses=ConsultationMeetingSerializer)
    def partial_update(self, request, *args, **kwargs):
        meeting = self.get_object()
        _staff_only(self, request)
        data = _input(request, ConsultationMeetingUpdateSerializer)
        return self._respond(services.meeting_update(actor=request.user, meeting=meeting, **data))

    @extend_schema(request=ConsultationInviteSerializer, responses=ConsultationMeetingSerializer)
    @action(detail=True, methods=["post"])
    def invite(self, request, pk=None):
        meeting = self.get_object()
        data = _input(request, ConsultationInviteSerializer)
        services.meeting_invite(actor=request.user, meeting=meeting, members=data["members"])
        return self._respond(meeting)

    @extend_schema(request=ConsultationReplySerializer, responses=ConsultationMeetingSerializer)
    @action(detail=True, methods=["post"])
    def reply(self, request, pk=None):
        meeting = self.get_object()
        data = _input(request, ConsultationReplySerializer)
        services.meeting_reply(
            actor=request.user, meeting=meeting, attend=data["attend"], reason=data["reason"]
        )
        return self._respond(meeting)

    @extend_schema(request=ConsultationAttendanceInputSerializer, responses=ConsultationMeetingSerializer)
    @action(detail=True, methods=["post"])
    def attendance(self, request, pk=None):
        meeting = self.get_object()
        data = _input(request, ConsultationAttendanceInputSerializer)
        services.meeting_record_attendance(
            actor=request.user,
            meeting=meeting,
            member=data["member"],
            status=data["status"],
            remote=data["remote"],
        )
        return self._respond(meeting)

    @extend_schema(request=ConsultationRemoteUrlSerializer, responses=ConsultationMeetingSerializer)
    @action(detail=True, methods=["post"], url_path="remote-link")
    def remote_link(self, request, pk=None):
        """远程协商: set the meeting's link on the committee's own video platform (staff)."""
        meeting = self.get_object()
        data = _input(request, ConsultationRemoteUrlSerializer)
        services.meeting_set_remote_url(actor=request.user, meeting=meeting, url=data["url"])
        return self._respond(meeting)

    @extend_schema(request=None, responses=ConsultationMeetingSerializer)
    @action(detail=True, methods=["post"], url_path="attend-remotely")
    def attend_remotely(self, request, pk=None):
        """An invited member attends through the remote link (recorded as remote, counts as present)."""
        meeting = self.get_object()
        services.meeting_attend_remotely(actor=request.user, meeting=meeting)
        return self._respond(meeting)

    @extend_schema(request=ConsultationCheckInSerializer, responses=ConsultationMeetingSerializer)
    @action(detail=True, methods=["post"], url_path="check-in")
    def check_in(self, request, pk=None):
        meeting = self.get_object()
        data = _input(request, ConsultationCheckInSerializer)
        services.meeting_check_in(actor=request.user, meeting=meeting, token=data["token"])
        return self._respond(meeting)

    @extend_schema(responses=ConsultationCheckinCodeSerializer)
    @action(detail=True, methods=["get"], url_path="checkin-code", permission_classes=[IsStaff])
    def checkin_code(self, request, pk=None):
        meeting = self.get_object()
        url = request.build_absolute_uri(checkin_path(meeting))
        return Response({"url": url, "token": services.checkin_token(meeting), "svg": qr_svg(url)})

    @extend_schema(request=ConsultationSpeechInputSerializer, responses=ConsultationMeetingSerializer)
    @action(detail=True, methods=["post"])
    def speeches(self, request, pk=None):
        meeting = self.get_object()
        data = _input(request, ConsultationSpeechInputSerializer)
        services.speech_submit(
            actor=request.user, meeting=meeting, title=data["title"], content=data["content"]
        )
        return self._respond(meeting)

    @extend_schema(request=ConsultationPickSerializer, responses=ConsultationMeetingSerializer)
    @action(detail=True, methods=["post"], url_path="pick-speech")
    def pick_speech(self, request, pk=None):
        meeting = self.get_object()
        data = _input(request, ConsultationPickSerializer)
        speech = Speech.objects.filter(meeting=meeting, pk=data["speech"]).first()
        if speech is None:
            from django.http import Http404

            raise Http404
        services.speech_pick(actor=request.user, speech=speech, oral=data["oral"])
        return self._respond(meeting)

    @extend_schema(request=None, responses=ConsultationMeetingSerializer)
    @action(detail=True, methods=["post"])
    def hold(self, request, pk=None):
        return self._respond(services.meeting_hold(actor=request.user, meeting=self.get_object()))

    @extend_schema(request=ConsultationMinutesSerializer, responses=ConsultationMeetingSerializer)
    @action(detail=True, methods=["post"])
    def minutes(self, request, pk=None):
        meeting = self.get_object()
        data = _input(request, ConsultationMinutesSerializer)
        return self._respond(
            services.meeting_minutes_save(actor=request.user, meeting=meeting, minutes=data["content"])
        )

    @extend_schema(request=ConsultationCancelSerializer, responses=ConsultationMeetingSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        meeting = self.get_object()
        data = _input(request, ConsultationCancelSerializer)
        return self._respond(
            services.meeting_cancel(actor=request.user, meeting=meeting, reason=data["reason"])
        )

    @extend_schema(responses=HistorySerializer(many=True))
    @action(detail=True, methods=["get"])
    def history(self, request, pk=None):
        return Response(HistorySerializer(selectors.meeting_history(self.get_object()), many=True).data)


def register(router):
    router.register("consultation-plans", ConsultationPlanViewSet, basename="consultation-plan")
    router.register("topics", ConsultationTopicViewSet, basename="consultation-topic")
    router.register("meetings", ConsultationMeetingViewSet, basename="consultation-meeting")
    register_sessions(router)
    register_votes(router)
