"""Roster API: sectors, parties, terms with plenaries, members (read-only here)."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, viewsets

from . import selectors
from .models import Member, Party, Plenary, Sector, SpecialCommittee, Term
from .permissions import can_view_member_private_fields


class SectorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Sector
        fields = ["id", "name", "order"]


class PartySerializer(serializers.ModelSerializer):
    class Meta:
        model = Party
        fields = ["id", "name", "short_name", "order"]


class PlenarySerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True, help_text="例如：第二次会议")

    class Meta:
        model = Plenary
        fields = ["id", "number", "name", "start_date", "end_date"]


class TermSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True, help_text="例如：第十五届")
    plenaries = PlenarySerializer(many=True, read_only=True)

    class Meta:
        model = Term
        fields = ["id", "number", "name", "start_date", "end_date", "is_current", "plenaries"]


class SectorBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Sector
        fields = ["id", "name"]


class PartyBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Party
        fields = ["id", "name"]


class CommitteeBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = SpecialCommittee
        fields = ["id", "name"]


class MemberSerializer(serializers.ModelSerializer):
    """委员名册条目。id、姓名、界别、党派之外的字段仅机关工作人员和委员本人可见，其他人的响应中不含这些字段。"""

    # The restricted fields are optional rather than read-only so the schema shows them as may-be-absent.

    PUBLIC_FIELDS = ("id", "name", "sector", "party")

    sector = SectorBriefSerializer(read_only=True, allow_null=True)
    party = PartyBriefSerializer(read_only=True, allow_null=True)
    committees = CommitteeBriefSerializer(many=True, required=False)

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


_MEMBER_FIELDS_NOTE = (
    "机关工作人员可见全部字段；委员本人可见自己的全部字段；其他人仅见 id、姓名、界别、党派。"
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


def register(router) -> None:
    router.register("sectors", SectorViewSet, basename="sector")
    router.register("parties", PartyViewSet, basename="party")
    router.register("terms", TermViewSet, basename="term")
    router.register("members", MemberViewSet, basename="member")
