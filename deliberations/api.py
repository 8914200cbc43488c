"""/deliberations/ and /posts/ (API.md "网络议政"): thin over services and selectors."""

from django.db.models import Prefetch
from django.http import HttpResponse
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from consultations.models import Topic
from members.models import Member
from zhengxie.accounts.models import Department
from zhengxie.accounts.permissions import IsStaff, IsStaffOrLeader
from zhengxie.api_read import ModelSerializer
from zhengxie.parsers import JSONParser, MultiPartParser

from . import selectors, services
from .documents import summary_docx
from .models import POST_MAX_LENGTH, Deliberation, Post, Suggestion

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

# --- serializers -------------------------------------------------------------------------------------


class DeliberationSuggestionSerializer(ModelSerializer):
    posts = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Suggestion
        fields = ["number", "content", "posts"]


class DeliberationSerializer(ModelSerializer):
    state = serializers.SerializerMethodField()
    state_display = serializers.SerializerMethodField()
    post_count = serializers.IntegerField(read_only=True)
    participant_count = serializers.IntegerField(read_only=True)
    departments = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    suggestions = DeliberationSuggestionSerializer(many=True, read_only=True)

    class Meta:
        model = Deliberation
        fields = [
            "id",
            "title",
            "description",
            "topic",
            "state",
            "state_display",
            "opens_at",
            "closes_at",
            "closed_at",
            "post_count",
            "participant_count",
            "departments",
            "summary",
            "summarized_at",
            "suggestions",
            "created_at",
        ]

    @extend_schema_field(serializers.ChoiceField(choices=Deliberation.State.choices))
    def get_state(self, obj) -> str:
        return obj.phase()

    def get_state_display(self, obj) -> str:
        return obj.get_phase_display()


class DeliberationInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    topic = serializers.PrimaryKeyRelatedField(
        queryset=Topic.objects.all(), required=False, allow_null=True, default=None
    )
    opens_at = serializers.DateTimeField()
    closes_at = serializers.DateTimeField()
    participants = serializers.PrimaryKeyRelatedField(
        queryset=Member.objects.all(), many=True, required=False, help_text="不填时：全体在任委员"
    )
    departments = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.all(), many=True, required=False, default=list
    )


class DeliberationPostSerializer(ModelSerializer):
    author = serializers.CharField(source="author_label", read_only=True)
    endorse_count = serializers.IntegerField(read_only=True)
    endorsed = serializers.BooleanField(read_only=True)
    hidden_reason = serializers.SerializerMethodField()

    class Meta:
        model = Post
        fields = [
            "id",
            "deliberation",
            "reply_to",
            "author",
            "member",
            "department",
            "content",
            "attachment",
            "pinned",
            "hidden",
            "hidden_reason",
            "endorse_count",
            "endorsed",
            "created_at",
        ]

    def get_hidden_reason(self, obj) -> str:
        return obj.hidden_reason if obj.hidden else ""


class DeliberationPostInputSerializer(serializers.Serializer):
    content = serializers.CharField(max_length=POST_MAX_LENGTH)
    reply_to = serializers.IntegerField(required=False, allow_null=True, default=None)
    attachment = serializers.FileField(required=False, allow_null=True, default=None)


class DeliberationHideSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200)


class DeliberationPinSerializer(serializers.Serializer):
    pinned = serializers.BooleanField(default=True)


class DeliberationSuggestionInputSerializer(serializers.Serializer):
    content = serializers.CharField()
    posts = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)


class DeliberationSummarizeSerializer(serializers.Serializer):
    suggestions = DeliberationSuggestionInputSerializer(many=True)
    summary = serializers.CharField(required=False, allow_blank=True, default="")


def _input(request, serializer_class):
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _staff_only(view, request) -> None:
    """Checked after the object is found, so an object the user may not see stays a 404."""
    permission = IsStaff()
    if not permission.has_permission(request, view):
        view.permission_denied(request, message=permission.message)


# --- viewsets ----------------------------------------------------------------------------------------


class DeliberationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    serializer_class = DeliberationSerializer
    parser_classes = [JSONParser, MultiPartParser]

    def get_permissions(self):
        if self.action == "create":
            return [IsStaff()]
        return super().get_permissions()

    def get_queryset(self):
        return selectors.deliberations_visible_to(self.request.user).prefetch_related(
            "departments",
            Prefetch("suggestions", queryset=Suggestion.objects.prefetch_related("posts").order_by("number")),
        )

    def get_object(self):
        selectors.access_deliberation(self.request.user, self.kwargs["pk"])
        return self.get_queryset().get(pk=self.kwargs["pk"])

    def _respond(self, deliberation, code=status.HTTP_200_OK):
        fresh = self.get_queryset().get(pk=deliberation.pk)
        return Response(DeliberationSerializer(fresh).data, status=code)

    @extend_schema(request=DeliberationInputSerializer, responses={201: DeliberationSerializer})
    def create(self, request, *args, **kwargs):
        data = _input(request, DeliberationInputSerializer)
        deliberation = services.deliberation_create(
            actor=request.user,
            title=data["title"],
            description=data["description"],
            topic=data["topic"],
            opens_at=data["opens_at"],
            closes_at=data["closes_at"],
            participants=data.get("participants"),
            departments=data["departments"],
        )
        return self._respond(deliberation, status.HTTP_201_CREATED)

    @extend_schema(
        methods=["GET"],
        parameters=[OpenApiParameter("after", int, description="只返回此编号之后的发言（轮询新发言）")],
        responses=DeliberationPostSerializer(many=True),
    )
    @extend_schema(
        methods=["POST"], request=DeliberationPostInputSerializer, responses={201: DeliberationPostSerializer}
    )
    @action(detail=True, methods=["get", "post"], parser_classes=[JSONParser, MultiPartParser])
    def posts(self, request, pk=None):
        deliberation = selectors.access_deliberation(request.user, pk)
        if request.method == "POST":
            data = _input(request, DeliberationPostInputSerializer)
            reply_to = None
            if data["reply_to"]:
                reply_to = Post.objects.filter(pk=data["reply_to"], deliberation=deliberation).first()
                if reply_to is None:
                    raise serializers.ValidationError({"reply_to": ["所回复的发言不存在。"]})
            post = services.post_create(
                actor=request.user,
                deliberation=deliberation,
                content=data["content"],
                reply_to=reply_to,
                attachment=data["attachment"],
            )
            fresh = selectors.posts_for(request.user, deliberation).get(pk=post.pk)
            return Response(
                DeliberationPostSerializer(fresh, context={"request": request}).data,
                status=status.HTTP_201_CREATED,
            )
        try:
            after = int(request.query_params.get("after") or 0)
        except ValueError:
            raise serializers.ValidationError({"after": ["应为发言编号。"]}) from None
        qs = selectors.posts_for(request.user, deliberation, after=after)
        page = self.paginate_queryset(qs)
        data = DeliberationPostSerializer(page, many=True, context={"request": request}).data
        return self.get_paginated_response(data)

    @extend_schema(request=None, responses=DeliberationSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        deliberation = self.get_object()
        _staff_only(self, request)
        return self._respond(services.deliberation_close(actor=request.user, deliberation=deliberation))

    @extend_schema(request=DeliberationSummarizeSerializer, responses=DeliberationSerializer)
    @action(detail=True, methods=["post"])
    def summarize(self, request, pk=None):
        deliberation = self.get_object()
        _staff_only(self, request)
        data = _input(request, DeliberationSummarizeSerializer)
        return self._respond(
            services.deliberation_summarize(
                actor=request.user,
                deliberation=deliberation,
                suggestions=data["suggestions"],
                summary=data["summary"],
            )
        )

    @extend_schema(responses={(200, DOCX): bytes})
    @action(detail=True, methods=["get"])
    def export(self, request, pk=None):
        deliberation = self.get_object()
        if not IsStaffOrLeader().has_permission(request, self):
            self.permission_denied(request, message=IsStaffOrLeader.message)
        response = HttpResponse(
            summary_docx(deliberation, selectors.deliberation_suggestions(deliberation)), content_type=DOCX
        )
        response["Content-Disposition"] = f'attachment; filename="deliberation-{deliberation.pk}.docx"'
        return response


class DeliberationPostViewSet(viewsets.GenericViewSet):
    serializer_class = DeliberationPostSerializer

    def get_queryset(self):
        return Post.objects.none()

    def _respond(self, request, post):
        fresh = selectors.posts_for(request.user, post.deliberation).get(pk=post.pk)
        return Response(DeliberationPostSerializer(fresh, context={"request": request}).data)

    @extend_schema(request=DeliberationHideSerializer, responses=DeliberationPostSerializer)
    @action(detail=True, methods=["post"])
    def hide(self, request, pk=None):
        post = selectors.access_post(request.user, pk)
        _staff_only(self, request)
        data = _input(request, DeliberationHideSerializer)
        return self._respond(
            request, services.post_hide(actor=request.user, post=post, reason=data["reason"])
        )

    @extend_schema(request=DeliberationPinSerializer, responses=DeliberationPostSerializer)
    @action(detail=True, methods=["post"])
    def pin(self, request, pk=None):
        post = selectors.access_post(request.user, pk)
        _staff_only(self, request)
        data = _input(request, DeliberationPinSerializer)
        return self._respond(request, services.post_pin(actor=request.user, post=post, pinned=data["pinned"]))

    @extend_schema(request=None, responses=DeliberationPostSerializer)
    @action(detail=True, methods=["post"])
    def endorse(self, request, pk=None):
        post = selectors.access_post(request.user, pk)
        services.post_endorse(actor=request.user, post=post)
        return self._respond(request, post)


def register(router):
    router.register("deliberations", DeliberationViewSet, basename="deliberation")
    router.register("posts", DeliberationPostViewSet, basename="deliberation-post")
