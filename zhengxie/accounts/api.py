"""Account API: token sign-in, who am I, and the list of 承办单位."""

from django.contrib.auth import authenticate
from django.core.exceptions import ObjectDoesNotExist
from django.urls import path
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view, inline_serializer
from rest_framework import serializers, status, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from zhengxie.api_read import ModelSerializer

from .models import ApiToken, Department, Role
from .services import api_token_issue, api_token_revoke, api_tokens_revoke_all

ErrorSerializer = inline_serializer("Error", fields={"detail": serializers.CharField()})

LOGIN_FAILED_MESSAGE = "用户名或密码错误。"
LOCKED_OUT_MESSAGE = "登录失败次数过多，账号已暂时锁定，请稍后再试。"


class TokenObtainSerializer(serializers.Serializer):
    username = serializers.CharField(label="用户名")
    password = serializers.CharField(label="密码", trim_whitespace=False, style={"input_type": "password"})


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(label="令牌")
    expires = serializers.DateTimeField(label="到期时间")


class TokenObtainView(APIView):
    """用用户名和密码换取令牌；之后每个请求带上请求头 `Authorization: Token <令牌>`。

    每次登录签发一个新令牌（每台设备各自一个），`expires` 时到期（默认 30 天）；退出登录、修改密码或账号停用后
    立即失效。
    """

    authentication_classes = ()
    permission_classes = ()

    @extend_schema(
        summary="获取令牌",
        tags=["账号"],
        auth=[],
        request=TokenObtainSerializer,
        responses={
            200: TokenSerializer,
            400: OpenApiResponse(ErrorSerializer, description="用户名或密码错误"),
            429: OpenApiResponse(ErrorSerializer, description="失败次数过多，暂时锁定"),
        },
    )
    def post(self, request):
        form = TokenObtainSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        # authenticate() goes through axes, so failed attempts here count towards the lockout too.
        user = authenticate(request=request, **form.validated_data)
        if getattr(request, "axes_locked_out", False):
            # axes marks the DRF request it was given; its middleware only sees the Django one.
            return Response({"detail": LOCKED_OUT_MESSAGE}, status=status.HTTP_429_TOO_MANY_REQUESTS)
        if user is None or not user.is_active:
            return Response({"detail": LOGIN_FAILED_MESSAGE}, status=status.HTTP_400_BAD_REQUEST)
        token, key = api_token_issue(user=user, device=request.META.get("HTTP_USER_AGENT", ""))
        return Response(TokenSerializer({"token": key, "expires": token.expires_at}).data)


class LogoutView(APIView):
    """退出登录：本次请求所用的令牌立即失效（其他设备的令牌不受影响）。"""

    @extend_schema(
        summary="退出登录（注销当前令牌）",
        tags=["账号"],
        request=None,
        responses={
            204: OpenApiResponse(description="已注销"),
            400: OpenApiResponse(ErrorSerializer, description="本次请求未使用令牌"),
        },
    )
    def post(self, request):
        if not isinstance(request.auth, ApiToken):
            return Response({"detail": "本次请求未使用令牌。"}, status=status.HTTP_400_BAD_REQUEST)
        api_token_revoke(actor=request.user, token=request.auth)
        return Response(status=status.HTTP_204_NO_CONTENT)


class LogoutAllView(APIView):
    """在所有设备上退出登录：本账号的全部令牌立即失效。"""

    @extend_schema(
        summary="退出所有设备（注销全部令牌）",
        tags=["账号"],
        request=None,
        responses={204: OpenApiResponse(description="已注销")},
    )
    def post(self, request):
        api_tokens_revoke_all(actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    name = serializers.CharField(source="display_name")
    role = serializers.ChoiceField(source="effective_role", choices=Role.choices)
    member = serializers.SerializerMethodField()
    department = serializers.IntegerField(source="department_id", allow_null=True)

    def get_member(self, user) -> int | None:
        # The Member row lives in a higher app; reach it through the reverse one-to-one only.
        try:
            return user.member.pk
        except ObjectDoesNotExist:
            return None


class MeView(APIView):
    @extend_schema(summary="当前用户", tags=["账号"], responses={200: MeSerializer})
    def get(self, request):
        return Response(MeSerializer(request.user).data)


class DepartmentSerializer(ModelSerializer):
    class Meta:
        model = Department
        fields = ["id", "name", "code", "contact", "phone", "email", "is_active"]


@extend_schema_view(
    list=extend_schema(summary="承办单位列表", tags=["名册"]),
    retrieve=extend_schema(summary="承办单位详情", tags=["名册"]),
)
class DepartmentViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = DepartmentSerializer
    queryset = Department.objects.order_by("code")
    filterset_fields = ["is_active"]


def register(router) -> None:
    router.register("departments", DepartmentViewSet, basename="department")


urlpatterns = [
    path("auth/token/", TokenObtainView.as_view(), name="api-token"),
    path("auth/logout/", LogoutView.as_view(), name="api-logout"),
    path("auth/logout-all/", LogoutAllView.as_view(), name="api-logout-all"),
    path("me/", MeView.as_view(), name="api-me"),
]
