"""Reference lists an app needs to fill in proposal actions: categories, 不予立案 reasons, 领办 leaders."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets

from proposals.models import ProposalCategory, RejectionReason
from zhengxie.accounts.models import Role, User
from zhengxie.accounts.permissions import IsStaff
from zhengxie.api_read import ModelSerializer


class CategorySerializer(ModelSerializer):
    class Meta:
        model = ProposalCategory
        fields = ["id", "name"]


class RejectionReasonSerializer(ModelSerializer):
    class Meta:
        model = RejectionReason
        fields = ["id", "text"]


class LeaderSerializer(ModelSerializer):
    name = serializers.CharField(source="display_name", read_only=True)

    class Meta:
        model = User
        fields = ["id", "name"]


@extend_schema_view(list=extend_schema(summary="提案类别（提交提案时的 category）", tags=["参考数据"]))
class CategoryViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = CategorySerializer
    pagination_class = None
    queryset = ProposalCategory.objects.filter(is_active=True).order_by("order", "name")


@extend_schema_view(
    list=extend_schema(summary="不予立案标准理由（reject 的 reason_code）", tags=["参考数据"])
)
class RejectionReasonViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = RejectionReasonSerializer
    permission_classes = [IsStaff]
    pagination_class = None
    queryset = RejectionReason.objects.filter(is_active=True).order_by("order", "id")


@extend_schema_view(
    list=extend_schema(summary="可领办重点提案的领导（mark-key 的 leader）", tags=["参考数据"])
)
class LeaderViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = LeaderSerializer
    permission_classes = [IsStaff]
    pagination_class = None
    queryset = User.objects.filter(role=Role.LEADER, is_active=True).order_by("id")
