"""The history shape every object with a transition log shares (API.md), and the current handling policy."""

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from zhengxie.api_read import ModelSerializer

from .models import HandlingPolicy, TransitionLog
from .selectors import policy_current


class HistorySerializer(ModelSerializer):
    actor = serializers.SerializerMethodField()
    actor_id = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = TransitionLog
        fields = ["from_state", "to_state", "action", "actor", "actor_id", "at", "comment"]

    def get_actor(self, obj) -> str:
        return obj.actor.display_name if obj.actor_id else "系统"


class PolicySerializer(ModelSerializer):
    attachment_extensions = serializers.SerializerMethodField()
    updated_at = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text="未在后台配置时为 null（默认规则）"
    )

    class Meta:
        model = HandlingPolicy
        fields = [
            "name",
            "proposal_title_max",
            "proposal_content_max",
            "opinion_content_max",
            "attachment_max_mb",
            "attachment_extensions",
            "reply_months",
            "extension_cap_months",
            "adjustment_window_workdays",
            "co_opinion_months",
            "first_contact_workdays",
            "reply_requires_contact",
            "rating_window_workdays",
            "rehandling_months",
            "publication_workdays",
            "transfer_months",
            "reminder_days_before",
            "overdue_repeat_days",
            "updated_at",
        ]
        read_only_fields = fields

    def get_attachment_extensions(self, obj) -> list[str]:
        return sorted(obj.allowed_extensions)


class PolicyView(APIView):
    @extend_schema(
        summary="现行办理规则",
        description="字数上限、附件限制、各项期限与时间窗口；提交前可据此检查。机关工作人员在后台修改后即时生效。",
        tags=["参考数据"],
        responses=PolicySerializer,
    )
    def get(self, request):
        return Response(PolicySerializer(policy_current()).data)


urlpatterns = [path("policy/", PolicyView.as_view(), name="api-policy")]
