"""Roster API: sectors, parties, terms with plenaries, members (read-only here)."""

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from zhengxie.accounts.models import Role
from zhengxie.accounts.permissions import IsStaff, IsStaffOrLeader, has_role
from zhengxie.api import DisplayField, Pagination
from zhengxie.api_read import ModelSerializer
from zhengxie.params import is_int
from zhengxie.parsers import JSONParser, MultiPartParser

from . import scoring, selectors, services
from .models import DutyRecord, Member, Party, Plenary, Sector, SpecialCommittee, Term
from .permissions import can_view_member_private_fields


class SectorSerializer(ModelSerializer):
    class Meta:
        model = Sector
        fields = ["id", "name", "order"]


class PartySerializer(ModelSerializer):
    class Meta:
        model = Party
        fields = ["id", "name", "short_name", "order"]


class PlenarySerializer(ModelSerializer):
    name = serializers.CharField(read_only=True, help_text="例如：第二次会议")

    class Meta:
        model = Plenary
        fields = ["id", "number", "name", "start_date", "end_date"]


class TermSerializer(ModelSerializer):
    name = serializers.CharField(read_only=True, help_text="例如：第十五届")
    plenaries = PlenarySerializer(many=True, read_only=True)

    class Meta:
        model = Term
        fields = ["id", "number", "name", "start_date", "end_date", "is_current", "plenaries"]


class SectorBriefSerializer(ModelSerializer):
    class Meta:
        model = Sector
        fields = ["id", "name"]


class PartyBriefSerializer(ModelSerializer):
    class Meta:
        model = Party
        fields = ["id", "name"]


class CommitteeBriefSerializer(ModelSerializer):
    class Meta:
        model = SpecialCommittee
        fields = ["id", "name"]


class MemberSerializer(ModelSerializer):
    """委员名册条目。id、姓名、界别、党派之外的字段仅机关工作人员和委员本人可见，其他人的响应中不含这些字段。"""

    # The restricted fields are optional rather than read-only so the schema shows them as may-be-absent.

    PUBLIC_FIELDS = ("id", "name", "sector", "party")

    sector = SectorBriefSerializer(read_only=True, allow_null=True)
    party = PartyBriefSerializer(read_only=True, allow_null=True)
    committees = CommitteeBriefSerializer(many=True, required=False)
    username = serializers.CharField(
        source="user.username", required=False, allow_null=True, help_text="登录用户名；未开通账号时为 null"
    )

    class Meta:
        model = Member
        fields = [
            "id",
            "name",
            "sector",
            "party",
            "gender",
            "ethnicity",
            "birth_date",
            "position",
            "employer",
            "mobile",
            "email",
            "committees",
            "term",
            "status",
            "status_since",
            "status_reason",
            "user",
            "username",
        ]
        read_only_fields = ["id", "name"]
        extra_kwargs = {
            name: {"required": False}
            for name in fields
            if name not in ("id", "name", "sector", "party", "committees")
        }

    def to_representation(self, instance):
        request = self.context.get("request")
        if request is not None and can_view_member_private_fields(request.user, instance):
            return super().to_representation(instance)
        # Build only the public entry, so restricted values are never even read for this user.
        data = {}
        for name in self.PUBLIC_FIELDS:
            field = self.fields[name]
            value = field.get_attribute(instance)
            data[name] = None if value is None else field.to_representation(value)
        return data


@extend_schema_view(
    list=extend_schema(summary="界别列表", tags=["名册"]),
    retrieve=extend_schema(summary="界别详情", tags=["名册"]),
)
class SectorViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = SectorSerializer

    def get_queryset(self):
        return selectors.sector_list()


@extend_schema_view(
    list=extend_schema(summary="党派列表", tags=["名册"]),
    retrieve=extend_schema(summary="党派详情", tags=["名册"]),
)
class PartyViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = PartySerializer

    def get_queryset(self):
        return selectors.party_list()


@extend_schema_view(
    list=extend_schema(summary="届次列表（含会次）", tags=["名册"]),
    retrieve=extend_schema(summary="届次详情（含会次）", tags=["名册"]),
)
class TermViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = TermSerializer

    def get_queryset(self):
        return selectors.terms_with_plenaries()


# --- 履职 ------------------------------------------------------------------------------------------

_YEAR_PARAM = OpenApiParameter("year", int, description="年度，默认今年")


def _year_param(request, default="current"):
    raw = request.query_params.get("year")
    if not raw:
        return timezone.localdate().year if default == "current" else default
    try:
        year = int(raw)
    except ValueError:
        raise ValidationError({"year": "年度应为四位数字。"}) from None
    if not 2000 <= year <= 2100:
        raise ValidationError({"year": "年度超出范围。"})
    return year


def _duty_context(request) -> dict:
    return {"request": request, "schemes": {}}


class DutyPhotoSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    url = serializers.SerializerMethodField()

    def get_url(self, photo) -> str:
        return f"/duty/photos/{photo.pk}/"


class DutySourceSerializer(serializers.Serializer):
    type = serializers.CharField(help_text="来源类型，如 proposals.proposal")
    id = serializers.IntegerField()
    label = serializers.CharField()
    url = serializers.CharField(help_text="来源页面，没有页面时为空")


class DutyRecordSerializer(ModelSerializer):
    """一条履职记录。points 为按该年度积分规则计算的本条分值（封顶前，联名按份额）；未确认的记录为 0。"""

    kind = serializers.ChoiceField(choices=DutyRecord.Kind.choices)
    kind_display = DisplayField("kind")
    detail_display = serializers.CharField(
        source="detail_label", read_only=True, help_text="细项的中文，如 出席"
    )
    share_display = serializers.CharField(
        source="share_label", read_only=True, help_text="联名份额，如“联名 1/4”；整份为空"
    )
    status = serializers.ChoiceField(choices=DutyRecord.Status.choices)
    member_name = serializers.CharField(source="member.name", read_only=True)
    points = serializers.SerializerMethodField()
    source = serializers.SerializerMethodField()
    photos = DutyPhotoSerializer(many=True, read_only=True)

    class Meta:
        model = DutyRecord
        fields = [
            "id",
            "member",
            "member_name",
            "date",
            "kind",
            "kind_display",
            "detail",
            "detail_display",
            "share",
            "share_display",
            "people",
            "note",
            "status",
            "decline_reason",
            "points",
            "source",
            "photos",
            "created_at",
            "reviewed_at",
        ]
        read_only_fields = fields

    def _scheme(self, year):
        schemes = self.context.setdefault("schemes", {})
        if year not in schemes:
            schemes[year] = scoring.scheme_for(year)
        return schemes[year]

    def get_points(self, record) -> str:
        return str(self._scheme(record.date.year).points_of(record))

    @extend_schema_field(DutySourceSerializer(allow_null=True))
    def get_source(self, record):
        if record.content_type_id is None:
            return None
        label, url = selectors.duty_source_link(record, self.context["request"].user)
        return {
            "type": f"{record.content_type.app_label}.{record.content_type.model}",
            "id": record.object_id,
            "label": label,
            "url": url,
        }


class DutyReportSerializer(serializers.Serializer):
    kind = serializers.CharField(
        help_text="可自行填报的类型：" + "、".join(str(k) for k in scoring.SELF_REPORTABLE)
    )
    date = serializers.DateField()
    note = serializers.CharField()
    people = serializers.IntegerField(required=False, allow_null=True, min_value=0)
    photos = serializers.ListField(
        child=serializers.FileField(), required=False, help_text="活动照片（multipart，可多张）"
    )


class DutyDeclineSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200)


class DutyScoreSerializer(serializers.Serializer):
    member = serializers.IntegerField(source="member_id")
    name = serializers.CharField()
    sector = serializers.CharField()
    party = serializers.CharField()
    total = serializers.DecimalField(max_digits=8, decimal_places=2)
    rank = serializers.IntegerField(help_text="全年度名次，并列同名次；0 表示不参加排名")
    grade = serializers.CharField(
        allow_null=True,
        help_text="优秀 ≥90，良好 ≥80，称职 ≥60，不称职 <60；该年度尚无任何全会出勤记录时为 null（见 grade_note）",
    )
    grade_note = serializers.CharField(help_text="无等次的原因，如“尚无全会出勤记录”；有等次时为空")
    below_line = serializers.BooleanField(help_text="低于提醒分数线")
    three_ones = serializers.DictField(child=serializers.BooleanField(), help_text="三个一完成情况")
    contact_quarters = serializers.IntegerField(help_text="有联系界别群众活动的季度数")
    contact_people = serializers.IntegerField(help_text="全年联系群众人数")
    by_group = serializers.DictField(
        child=serializers.DecimalField(max_digits=8, decimal_places=2), help_text="各计分项目得分（已封顶）"
    )
    by_kind = serializers.DictField(
        child=serializers.DecimalField(max_digits=8, decimal_places=2),
        help_text="各履职类型得分（项目封顶前）",
    )


@extend_schema_view(
    list=extend_schema(
        summary="履职记录列表",
        description="委员看到本人的记录；机关工作人员和领导看到全部（可按 status、member、kind、year 筛选）。",
        parameters=[
            _YEAR_PARAM,
            OpenApiParameter("status", str, enum=DutyRecord.Status.values),
            OpenApiParameter("member", int),
            OpenApiParameter("kind", str),
        ],
        tags=["履职"],
    ),
    retrieve=extend_schema(summary="履职记录详情", tags=["履职"]),
)
class DutyRecordViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = DutyRecordSerializer
    filterset_class = None

    def get_parsers(self):
        # Reporting may carry photos (multipart); every other body is JSON.
        # (DRF sets `action` only after choosing the parsers, so read it from the method.)
        method = getattr(getattr(self, "request", None), "method", "") or ""
        if getattr(self, "action_map", {}).get(method.lower()) == "create":
            return [MultiPartParser(), JSONParser()]
        return super().get_parsers()

    def get_permissions(self):
        if self.action in ("confirm", "decline"):
            return [IsStaff()]
        return [IsAuthenticated()]

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "schemes": {}}

    def get_queryset(self):
        user = self.request.user
        qs = DutyRecord.objects.select_related("member", "content_type").prefetch_related("source", "photos")
        if not has_role(user, Role.STAFF, Role.LEADER):
            qs = qs.filter(member__user=user) if has_role(user, Role.MEMBER) else qs.none()
        if self.action != "list":
            return qs
        params = self.request.query_params
        if params.get("year"):
            qs = qs.filter(date__year=_year_param(self.request))
        if params.get("status") in DutyRecord.Status.values:
            qs = qs.filter(status=params["status"])
        if is_int(params.get("member", "")):
            qs = qs.filter(member_id=int(params["member"]))
        if params.get("kind") in DutyRecord.Kind.values:
            qs = qs.filter(kind=params["kind"])
        return qs.order_by("-date", "-id")

    @extend_schema(
        summary="委员自行填报履职活动",
        description="仅委员本人；记录为待确认（pending），机关工作人员确认后计分。照片用 multipart 上传。",
        request={"application/json": DutyReportSerializer, "multipart/form-data": DutyReportSerializer},
        responses={201: DutyRecordSerializer},
        tags=["履职"],
    )
    def create(self, request):
        if not has_role(request.user, Role.MEMBER):
            self.permission_denied(request, message="只有委员可以填报履职活动。")
        form = DutyReportSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        record = services.duty_report(
            actor=request.user,
            kind=data["kind"],
            date=data["date"],
            note=data["note"],
            people=data.get("people"),
            photos=data.get("photos", []),
        )
        record = self.get_queryset().get(pk=record.pk)
        return Response(self.get_serializer(record).data, status=status.HTTP_201_CREATED)

    def _record(self, pk):
        return selectors.access_duty_record_for_review(self.request.user, pk)

    @extend_schema(
        summary="确认履职记录（机关）", request=None, responses=DutyRecordSerializer, tags=["履职"]
    )
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        record = services.duty_confirm(actor=request.user, record=self._record(pk))
        return Response(self.get_serializer(self.get_queryset().get(pk=record.pk)).data)

    @extend_schema(
        summary="不予确认履职记录（机关）",
        request=DutyDeclineSerializer,
        responses=DutyRecordSerializer,
        tags=["履职"],
    )
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        form = DutyDeclineSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        record = services.duty_decline(
            actor=request.user, record=self._record(pk), reason=form.validated_data["reason"]
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=record.pk)).data)


@extend_schema_view(
    list=extend_schema(
        summary="年度履职积分排名",
        description="机关工作人员和领导可见。名次为全年度名次（并列同名次），筛选不改变名次。",
        parameters=[
            _YEAR_PARAM,
            OpenApiParameter("sector", int, description="界别"),
            OpenApiParameter("party", int, description="党派"),
            OpenApiParameter("committee", int, description="专委会"),
            OpenApiParameter("grade", str, description="等次"),
            OpenApiParameter("low", bool, description="只看低于提醒分数线的委员"),
            OpenApiParameter("ordering", str, enum=list(selectors.RANKING_ORDERS), description="排序"),
        ],
        tags=["履职"],
    )
)
class DutyScoreViewSet(viewsets.GenericViewSet):
    serializer_class = DutyScoreSerializer
    permission_classes = [IsStaffOrLeader]
    pagination_class = Pagination
    filterset_class = None

    def get_queryset(self):
        return Member.objects.none()  # the rows come from members.scoring, not a queryset

    def list(self, request):
        year = _year_param(request)
        scheme = scoring.scheme_for(year)
        params = request.query_params
        # Filtered, ordered and paged in the database: a count and a page query, however many rank.
        rows = scoring.RankingRows(
            year,
            scheme,
            sector=params.get("sector"),
            party=params.get("party"),
            committee=params.get("committee") if is_int(params.get("committee", "")) else None,
            grade=params.get("grade"),
            low=params.get("low") in ("1", "true", "True"),
            ordering=params.get("ordering"),
        )
        page = self.paginate_queryset(rows)
        scoring.with_breakdown(scheme, page)
        return self.get_paginated_response(DutyScoreSerializer(page, many=True).data)


_MEMBER_FIELDS_NOTE = (
    "机关工作人员可见全部字段；委员本人可见自己的全部字段；其他人仅见 id、姓名、界别、党派。"
    "按 status、term、committee 筛选仅限机关工作人员（其他人使用返回 400），按界别、党派、姓名筛选对所有人开放。"
)


@extend_schema_view(
    list=extend_schema(summary="委员列表", description=_MEMBER_FIELDS_NOTE, tags=["名册"]),
    retrieve=extend_schema(summary="委员详情", description=_MEMBER_FIELDS_NOTE, tags=["名册"]),
)
class MemberViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = MemberSerializer
    filterset_class = selectors.MemberFilter

    def get_queryset(self):
        return selectors.member_list(user=self.request.user)

    @extend_schema(
        summary="委员的履职记录",
        description="委员只能查看本人的记录（他人返回 404）；机关工作人员和领导可查看全部。",
        parameters=[_YEAR_PARAM],
        responses=DutyRecordSerializer(many=True),
        tags=["履职"],
    )
    @action(detail=True, methods=["get"], url_path="duty-records", pagination_class=Pagination)
    def duty_records(self, request, pk=None):
        member = selectors.access_member_duty(request.user, pk)
        year = _year_param(request, default=None)
        records = selectors.duty_records_of(member, year=year)
        page = self.paginate_queryset(records)
        data = DutyRecordSerializer(page, many=True, context=_duty_context(request)).data
        return self.get_paginated_response(data)

    @extend_schema(
        summary="委员的年度积分",
        description="总分、名次（并列同名次）、等次与分项；委员只能查看本人（他人返回 404）。",
        parameters=[_YEAR_PARAM],
        responses=DutyScoreSerializer,
        tags=["履职"],
    )
    @action(detail=True, methods=["get"], url_path="score", pagination_class=None, filterset_class=None)
    def score(self, request, pk=None):
        member = selectors.access_member_duty(request.user, pk)
        row, _scheme = selectors.member_year_score(member, _year_param(request))
        return Response(DutyScoreSerializer(row).data)


def register(router) -> None:
    router.register("sectors", SectorViewSet, basename="sector")
    router.register("parties", PartyViewSet, basename="party")
    router.register("terms", TermViewSet, basename="term")
    router.register("members", MemberViewSet, basename="member")
    router.register("duty-records", DutyRecordViewSet, basename="duty-record")
    router.register("scores", DutyScoreViewSet, basename="duty-score")


def _export_urls():
    from django.urls import path

    from . import api_exports

    return [
        path(
            "members/<int:pk>/duty-report/",
            api_exports.MemberDutyReportView.as_view(),
            name="member-duty-report",
        ),
        path("scores/export/", api_exports.DutyScoresExportView.as_view(), name="duty-scores-export"),
        path(
            "sectors/<int:pk>/duty-reports/",
            api_exports.SectorDutyReportsView.as_view(),
            name="sector-duty-reports",
        ),
    ]


urlpatterns = _export_urls()
