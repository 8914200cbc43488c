"""Notifications API: a user's own in-app notices, and marking one read."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view, inline_serializer
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from zhengxie.api_read import ModelSerializer

from .models import Notification
from .selectors import notifications_of
from .services import notification_mark_read, unread_count


class NotificationSerializer(ModelSerializer):
    is_read = serializers.BooleanField(read_only=True)

    class Meta:
        model = Notification
        fields = ["id", "title", "body", "link", "created_at", "read_at", "is_read"]


_UNREAD = OpenApiParameter(
    "unread", OpenApiTypes.BOOL, OpenApiParameter.QUERY, description="为 true 时只列未读通知"
)


@extend_schema_view(
    list=extend_schema(summary="我的通知", tags=["通知"], parameters=[_UNREAD]),
    retrieve=extend_schema(summary="通知详情", tags=["通知"]),
)
class NotificationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = NotificationSerializer

    def get_queryset(self):
        if not self.request.user.is_authenticated:  # the schema generator asks without a user
            return Notification.objects.none()
        # Only one's own: anybody else's notice is a 404, never a 403.
        unread_only = self.action == "list" and self.request.query_params.get("unread", "").lower() in (
            "true",
            "1",
        )
        return notifications_of(self.request.user, unread_only=unread_only)

    @extend_schema(
        summary="未读通知数",
        tags=["通知"],
        responses={200: inline_serializer("UnreadCount", {"unread": serializers.IntegerField()})},
    )
    @action(detail=False, methods=["get"], url_path="unread-count")
    def unread_count(self, request):
        """From the user's unread counter (kept with every change), not a count over the notices."""
        return Response({"unread": unread_count(request.user)})

    @extend_schema(summary="标记已读", tags=["通知"], request=None, responses={200: NotificationSerializer})
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        notification = self.get_object()  # someone else's notice, or a bad id, is a 404 here
        notification = notification_mark_read(actor=request.user, notification_id=notification.pk)
        return Response(self.get_serializer(notification).data)


def register(router) -> None:
    router.register("notifications", NotificationViewSet, basename="notification")
