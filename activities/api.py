"""/activities/, /stations/, /cases/, /groups/ and /supervisors/ (API.md "Activities between sessions"):
thin over services and selectors. Objects a user may not see are 404; visible ones the role may not
change are 403."""

from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from consultations.models import Topic
from members.models import Member, Sector, SpecialCommittee
from sqyy.models import OpinionReport
from zhengxie.accounts.models import Department, Role
from zhengxie.accounts.permissions import IsStaff, IsStaffOrLeader, _RolePermission
from zhengxie.api import DisplayField, check_choice_filters
from zhengxie.api_read import ModelSerializer
from zhengxie.params import year_or_400

from . import selectors, services
from .documents import activity_report_docx
from .models import Activity, Case, Group, Participant, Station, SupervisorAppointment


class IsStaffLeaderOrMember(_RolePermission):
    roles = (Role.STAFF, Role.LEADER, Role.MEMBER)


# --- serializers -------------------------------------------------------------------------------------


class ParticipantSerializer(ModelSerializer):
    name = serializers.CharField(source="member.name", read_only=True)
    status_display = DisplayField("status")

    class Meta:
        model = Participant
        fields = ["member", "name", "status", "status_display", "signed_up"]


class ActivitySerializer(ModelSerializer):
    kind_display = DisplayField("kind")
    state_display = DisplayField("state")
    participant_count = serializers.IntegerField(read_only=True)
    present_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Activity
        fields = [
            "id",
            "kind",
            "kind_display",
            "title",
            "start",
            "end",
            "place",
            "station",
            "group",
            "committee",
            "topic",
            "state",
            "state_display",
            "participant_count",
            "present_count",
            "report_content",
            "suggestion_count",
            "reported_at",
            "created_at",
        ]


class ActivityDetailSerializer(ActivitySerializer):
    participants = ParticipantSerializer(many=True, read_only=True)

    class Meta(ActivitySerializer.Meta):
        fields = [*ActivitySerializer.Meta.fields, "participants"]


class ActivityInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Activity.Kind.choices)
    title = serializers.CharField(max_length=200)
    start = serializers.DateTimeField()
    end = serializers.DateTimeField(required=False, allow_null=True, default=None)
    place = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    participants = serializers.PrimaryKeyRelatedField(
        many=True, queryset=Member.objects.all(), required=False, default=list
    )
    station = serializers.PrimaryKeyRelatedField(
        queryset=Station.objects.all(), required=False, allow_null=True, default=None
    )
    group = serializers.PrimaryKeyRelatedField(
        queryset=Group.objects.all(), required=False, allow_null=True, default=None
    )
    committee = serializers.PrimaryKeyRelatedField(
        queryset=SpecialCommittee.objects.all(), required=False, allow_null=True, default=None
    )
    topic = serializers.PrimaryKeyRelatedField(
        queryset=Topic.objects.all(), required=False, allow_null=True, default=None
    )


class AttendanceInputSerializer(serializers.Serializer):
    member = serializers.PrimaryKeyRelatedField(queryset=Member.objects.all())
    status = serializers.ChoiceField(choices=Participant.Status.choices, help_text="present/leave/absent")


class ReportInputSerializer(serializers.Serializer):
    content = serializers.CharField()
    suggestion_count = serializers.IntegerField(min_value=0, default=0)


class StationSerializer(ModelSerializer):
    kind_display = DisplayField("kind")
    members = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    case_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Station
        fields = ["id", "name", "kind", "kind_display", "address", "schedule", "members", "case_count"]


class StationInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    kind = serializers.ChoiceField(choices=Station.Kind.choices, default=Station.Kind.STATION)
    address = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    schedule = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    members = serializers.PrimaryKeyRelatedField(many=True, queryset=Member.objects.all(), default=list)


class GroupSerializer(ModelSerializer):
    kind_display = DisplayField("kind")
    members = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    convener_name = serializers.SerializerMethodField()

    class Meta:
        model = Group
        fields = [
            "id",
            "name",
            "kind",
            "kind_display",
            "convener",
            "convener_name",
            "sector",
            "committee",
            "members",
        ]

    def get_convener_name(self, obj) -> str:
        return obj.convener.name if obj.convener_id else ""


class GroupInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    kind = serializers.ChoiceField(choices=Group.Kind.choices)
    convener = serializers.PrimaryKeyRelatedField(
        queryset=Member.objects.all(), required=False, allow_null=True, default=None
    )
    members = serializers.PrimaryKeyRelatedField(many=True, queryset=Member.objects.all(), default=list)
    sector = serializers.PrimaryKeyRelatedField(
        queryset=Sector.objects.all(), required=False, allow_null=True, default=None
    )
    committee = serializers.PrimaryKeyRelatedField(
        queryset=SpecialCommittee.objects.all(), required=False, allow_null=True, default=None
    )


class CaseSerializer(ModelSerializer):
    state_display = DisplayField("state")
    member_name = serializers.CharField(source="member.name", read_only=True)
    opinion_report_state = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = [
            "id",
            "member",
            "member_name",
            "title",
            "content",
            "station",
            "people",
            "state",
            "state_display",
            "resolution",
            "resolved_at",
            "opinion_report",
            "opinion_report_state",
            "created_at",
        ]

    def get_opinion_report_state(self, obj) -> str:
        return obj.opinion_report.state if obj.opinion_report_id else ""


class CaseInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    content = serializers.CharField()
    station = serializers.PrimaryKeyRelatedField(
        queryset=Station.objects.all(), required=False, allow_null=True, default=None
    )
    people = serializers.IntegerField(min_value=0, required=False, allow_null=True, default=None)


class CaseResolveSerializer(serializers.Serializer):
    content = serializers.CharField()


class OpinionCreatedSerializer(serializers.Serializer):
    opinion_report = serializers.IntegerField()
    state = serializers.ChoiceField(choices=OpinionReport.State.choices)


class SupervisorSerializer(ModelSerializer):
    kind_display = DisplayField("kind")
    member_name = serializers.CharField(source="member.name", read_only=True)

    class Meta:
        model = SupervisorAppointment
        fields = [
            "id",
            "member",
            "member_name",
            "kind",
            "kind_display",
            "office",
            "department",
            "start_date",
            "end_date",
        ]


class SupervisorInputSerializer(serializers.Serializer):
    member = serializers.PrimaryKeyRelatedField(queryset=Member.objects.all())
    kind = serializers.ChoiceField(choices=SupervisorAppointment.Kind.choices, default="democratic")
    office = serializers.CharField(max_length=100)
    department = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.all(), required=False, allow_null=True, default=None
    )
    start_date = serializers.DateField()
    end_date = serializers.DateField(required=False, allow_null=True, default=None)


class CoverageSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    serving = serializers.IntegerField()
    trained = serializers.IntegerField()
    coverage = serializers.FloatField()
    new_members = serializers.IntegerField()
    new_trained = serializers.IntegerField()
    new_coverage = serializers.FloatField()


class YearStatsSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    activities = serializers.DictField(child=serializers.IntegerField())
    cases = serializers.DictField(child=serializers.IntegerField())
    training = CoverageSerializer()


def _input(request, serializer_class):
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _staff_only(view, request) -> None:
    """Checked after get_object, so an object the user may not see stays a 404 rather than a 403."""
    permission = IsStaff()
    if not permission.has_permission(request, view):
        view.permission_denied(request, message=permission.message)


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
YEAR = OpenApiParameter("year", int, description="年度")


# --- viewsets ----------------------------------------------------------------------------------------


class ActivityViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    serializer_class = ActivitySerializer
    permission_classes = [IsStaffLeaderOrMember]

    def get_permissions(self):
        if self.action == "create":
            return [IsStaff()]
        if self.action in ("coverage", "year_stats"):
            return [IsStaffOrLeader()]
        return super().get_permissions()

    def get_queryset(self):
        qs = selectors.activities_visible_to(self.request.user)
        if self.action == "list":
            check_choice_filters(
                self.request.query_params, kind=Activity.Kind.values, state=Activity.State.values
            )
            qs = selectors.activities_filter(qs, params=self.request.query_params)
        if self.action == "retrieve":
            qs = qs.prefetch_related("participants__member")
        return qs

    def get_object(self):
        return selectors.access_activity(self.request.user, self.kwargs["pk"])

    def get_serializer_class(self):
        return ActivityDetailSerializer if self.action == "retrieve" else ActivitySerializer

    def retrieve(self, request, *args, **kwargs):
        return self._respond(self.get_object())

    def _respond(self, activity, code=status.HTTP_200_OK):
        fresh = self.get_queryset().prefetch_related("participants__member").get(pk=activity.pk)
        return Response(ActivityDetailSerializer(fresh).data, status=code)

    @extend_schema(
        parameters=[OpenApiParameter("kind", str), OpenApiParameter("state", str), YEAR],
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=ActivityInputSerializer, responses={201: ActivityDetailSerializer})
    def create(self, request, *args, **kwargs):
        data = _input(request, ActivityInputSerializer)
        activity = services.activity_create(actor=request.user, **data)
        return self._respond(activity, status.HTTP_201_CREATED)

    @extend_schema(request=AttendanceInputSerializer, responses=ActivityDetailSerializer)
    @action(detail=True, methods=["post"])
    def attendance(self, request, pk=None):
        activity = self.get_object()
        _staff_only(self, request)
        data = _input(request, AttendanceInputSerializer)
        services.activity_set_attendance(
            actor=request.user, activity=activity, member=data["member"], status=data["status"]
        )
        return self._respond(activity)

    @extend_schema(request=ReportInputSerializer, responses=ActivityDetailSerializer)
    @action(detail=True, methods=["post"])
    def report(self, request, pk=None):
        activity = self.get_object()
        _staff_only(self, request)
        data = _input(request, ReportInputSerializer)
        services.activity_report(actor=request.user, activity=activity, **data)
        return self._respond(activity)

    @extend_schema(request=None, responses={201: ActivityDetailSerializer})
    @action(detail=True, methods=["post"], url_path="sign-up")
    def sign_up(self, request, pk=None):
        activity = self.get_object()
        services.activity_sign_up(actor=request.user, activity=activity)
        return self._respond(activity, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={(200, DOCX): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"], url_path="report-docx")
    def report_docx(self, request, pk=None):
        activity = self.get_object()
        if request.user.effective_role not in (Role.STAFF, Role.LEADER):
            self.permission_denied(request)
        data = activity_report_docx(activity, selectors.activity_participants(activity))
        response = HttpResponse(data, content_type=DOCX)
        response["Content-Disposition"] = f"attachment; filename=activity-{activity.pk}.docx"
        return response

    @extend_schema(parameters=[YEAR], responses=CoverageSerializer)
    @action(detail=False, methods=["get"])
    def coverage(self, request):
        year = year_or_400(request.query_params.get("year"), default=timezone.localdate().year)
        return Response(CoverageSerializer(selectors.training_coverage(year)).data)

    @extend_schema(parameters=[YEAR], responses=YearStatsSerializer)
    @action(detail=False, methods=["get"], url_path="year-stats")
    def year_stats(self, request):
        """The year's lines for the work report: activities and person-times, cases, training coverage."""
        year = year_or_400(request.query_params.get("year"), default=timezone.localdate().year)
        return Response(
            {
                "year": year,
                "activities": selectors.activity_year_stats(year),
                "cases": selectors.case_counts(year),
                "training": selectors.training_coverage(year),
            }
        )


class StationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    serializer_class = StationSerializer
    permission_classes = [IsStaffLeaderOrMember]

    def get_permissions(self):
        return [IsStaff()] if self.action == "create" else super().get_permissions()

    def get_queryset(self):
        return selectors.stations_visible_to(self.request.user)

    def get_object(self):
        return selectors.access_station(self.request.user, self.kwargs["pk"])

    @extend_schema(request=StationInputSerializer, responses={201: StationSerializer})
    def create(self, request, *args, **kwargs):
        station = services.station_create(actor=request.user, **_input(request, StationInputSerializer))
        fresh = selectors.access_station(request.user, station.pk)
        return Response(StationSerializer(fresh).data, status=status.HTTP_201_CREATED)


class GroupViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    serializer_class = GroupSerializer
    permission_classes = [IsStaffLeaderOrMember]

    def get_permissions(self):
        return [IsStaff()] if self.action == "create" else super().get_permissions()

    def get_queryset(self):
        return selectors.groups_visible_to(self.request.user)

    def get_object(self):
        return selectors.access_group(self.request.user, self.kwargs["pk"])

    @extend_schema(request=GroupInputSerializer, responses={201: GroupSerializer})
    def create(self, request, *args, **kwargs):
        group = services.group_create(actor=request.user, **_input(request, GroupInputSerializer))
        fresh = selectors.access_group(request.user, group.pk)
        return Response(GroupSerializer(fresh).data, status=status.HTTP_201_CREATED)


class CaseViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    serializer_class = CaseSerializer
    permission_classes = [IsStaffLeaderOrMember]

    def get_queryset(self):
        qs = selectors.cases_visible_to(self.request.user)
        if self.action == "list":
            check_choice_filters(self.request.query_params, state=Case.State.values)
            if self.request.query_params.get("state"):
                qs = qs.filter(state__in=self.request.query_params["state"].split(","))
        return qs

    def get_object(self):
        return selectors.access_case(self.request.user, self.kwargs["pk"])

    def _respond(self, case, code=status.HTTP_200_OK):
        return Response(CaseSerializer(selectors.access_case(self.request.user, case.pk)).data, status=code)

    @extend_schema(request=CaseInputSerializer, responses={201: CaseSerializer})
    def create(self, request, *args, **kwargs):
        case = services.case_create(actor=request.user, **_input(request, CaseInputSerializer))
        return self._respond(case, status.HTTP_201_CREATED)

    @extend_schema(request=CaseResolveSerializer, responses=CaseSerializer)
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        case = self.get_object()
        services.case_resolve(
            actor=request.user, case=case, content=_input(request, CaseResolveSerializer)["content"]
        )
        return self._respond(case)

    @extend_schema(request=None, responses={201: OpinionCreatedSerializer})
    @action(detail=True, methods=["post"], url_path="to-opinion")
    def to_opinion(self, request, pk=None):
        case = self.get_object()
        report = services.case_to_opinion(actor=request.user, case=case)
        return Response({"opinion_report": report.pk, "state": report.state}, status=status.HTTP_201_CREATED)


class SupervisorViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    serializer_class = SupervisorSerializer
    permission_classes = [IsStaffOrLeader]

    def get_permissions(self):
        return [IsStaff()] if self.action == "create" else super().get_permissions()

    def get_queryset(self):
        return selectors.supervisors()

    @extend_schema(request=SupervisorInputSerializer, responses={201: SupervisorSerializer})
    def create(self, request, *args, **kwargs):
        row = services.supervisor_appoint(actor=request.user, **_input(request, SupervisorInputSerializer))
        return Response(SupervisorSerializer(row).data, status=status.HTTP_201_CREATED)


def register(router):
    router.register("activities", ActivityViewSet, basename="activity")
    router.register("stations", StationViewSet, basename="station")
    router.register("groups", GroupViewSet, basename="activity-group")
    router.register("cases", CaseViewSet, basename="case")
    router.register("supervisors", SupervisorViewSet, basename="supervisor")
