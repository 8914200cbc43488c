"""/assignments/: what departments do with a proposal routed to them (API.md "Handling tasks")."""

from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from proposals import search, selectors, services
from proposals.models import Assignment, Contact, Reply
from zhengxie.api import DisplayField, check_choice_filters, nested_data
from zhengxie.api_read import ModelSerializer
from zhengxie.parsers import JSONParser, MultiPartParser
from zhengxie.workflow.api import HistorySerializer
from zhengxie.workflow.selectors import history_of


class ContactSerializer(ModelSerializer):
    way_display = DisplayField("way")

    class Meta:
        model = Contact
        fields = ["id", "date", "way", "way_display", "people", "summary", "created_at"]


class ReplySerializer(ModelSerializer):
    result_display = DisplayField("result")
    letter_url = serializers.SerializerMethodField(
        help_text="答复函下载地址（GET，需登录；提案人、联名人、机关、领导、承办单位可下载，其他人 404）；无答复函为 null"
    )

    class Meta:
        model = Reply
        fields = [
            "id",
            "handling_round",
            "result",
            "result_display",
            "content",
            "signer",
            "letter",
            "letter_url",
            "created_at",
        ]

    def get_letter_url(self, obj) -> str | None:
        if not obj.letter:
            return None
        path = reverse("reply-letter", args=[obj.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class AssignmentBriefSerializer(ModelSerializer):
    """How an assignment appears inside a proposal (members see who handles it and the reply)."""

    department_name = serializers.CharField(source="department.name", read_only=True)
    role_display = DisplayField("role")
    state_display = DisplayField("state")
    reply = serializers.SerializerMethodField()

    class Meta:
        model = Assignment
        fields = [
            "id",
            "department",
            "department_name",
            "role",
            "role_display",
            "state",
            "state_display",
            "assigned_at",
            "due_date",
            "replied_at",
            "reply",
        ]

    @extend_schema_field(ReplySerializer(allow_null=True))
    def get_reply(self, obj):
        # Inside a proposal, only the replies the reader may see (selectors.proposal_handling_visible_to).
        replies = getattr(obj, "visible_replies", None)
        if replies is None:
            replies = list(obj.replies.all())
        return nested_data(self, ReplySerializer, replies[-1:])[0] if replies else None


class AssignmentSerializer(AssignmentBriefSerializer):
    proposal_number = serializers.CharField(source="proposal.number", read_only=True)
    proposal_title = serializers.CharField(source="proposal.title", read_only=True)
    days_left = serializers.SerializerMethodField()
    is_overdue = serializers.SerializerMethodField()
    contacts = ContactSerializer(many=True, read_only=True)
    replies = ReplySerializer(many=True, read_only=True)

    class Meta(AssignmentBriefSerializer.Meta):
        fields = [
            *AssignmentBriefSerializer.Meta.fields,
            "proposal",
            "proposal_number",
            "proposal_title",
            "handling_round",
            "due_provisional",
            "days_left",
            "is_overdue",
            "accepted_at",
            "contacts",
            "replies",
            "co_opinion",
            "adjustment_reason",
            "extension_state",
            "extension_reason",
            "extension_due_date",
        ]

    def get_days_left(self, obj) -> int:
        return obj.days_left(timezone.localdate())

    def get_is_overdue(self, obj) -> bool:
        return obj.is_overdue(timezone.localdate())


class AdjustmentReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True)


class ResolveAdjustmentSerializer(serializers.Serializer):
    approve = serializers.BooleanField()
    department = serializers.IntegerField(required=False, allow_null=True, default=None)


class ContactInputSerializer(serializers.Serializer):
    date = serializers.DateField()
    way = serializers.ChoiceField(choices=Contact.Way.choices)
    summary = serializers.CharField(allow_blank=True)
    people = serializers.CharField(required=False, allow_blank=True, default="")


class ReplyInputSerializer(serializers.Serializer):
    result = serializers.ChoiceField(choices=Reply.Result.choices)
    content = serializers.CharField(allow_blank=True)
    signer = serializers.CharField(required=False, allow_blank=True, default="")
    letter = serializers.FileField(required=False, allow_null=True, default=None)


class ContentSerializer(serializers.Serializer):
    content = serializers.CharField(allow_blank=True)


class ExtensionInputSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True)
    due_date = serializers.DateField()


class ApproveSerializer(serializers.Serializer):
    approve = serializers.BooleanField()


def _act(serializer_class=None):
    return extend_schema(request=serializer_class, responses=AssignmentSerializer)


class AssignmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = AssignmentSerializer

    def get_queryset(self):
        params = self.request.query_params
        qs = selectors.assignments_filter(selectors.assignments_visible_to(self.request.user), params=params)
        if self.action == "list" and (params.get("q") or "").strip():
            # Only within what the reader may see (a department: its own assignments and replies).
            found = search.assignment_search(
                qs, params["q"], department_id=selectors.assignments_department_of(self.request.user)
            )
            return search.ordered(found, params, "due_date", "id", rank_limit=search.TASK_RANK_LIMIT)
        return qs.order_by("due_date", "id")

    def get_object(self):
        return selectors.access_assignment(self.request.user, self.kwargs["pk"])

    def _respond(self, assignment):
        fresh = selectors.access_assignment(self.request.user, assignment.pk)
        return Response(AssignmentSerializer(fresh, context=self.get_serializer_context()).data)

    def _input(self, serializer_class):
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "state",
                str,
                description=f"状态，可用逗号分隔多个；可选值：{'、'.join(Assignment.State.values)}",
            ),
            OpenApiParameter("overdue", bool, description="只看已超期"),
            OpenApiParameter("due_before", str, description="期限早于（YYYY-MM-DD）"),
            OpenApiParameter("role", str, enum=Assignment.Role.values),
            OpenApiParameter("proposal", int),
            OpenApiParameter(
                "q",
                str,
                description="全文检索（中文分词）：案由、正文、附件文字和本单位的答复；默认按相关度排序，"
                f"匹配超过 {search.TASK_RANK_LIMIT:,} 条时按期限排序",
            ),
            OpenApiParameter(
                "ordering",
                str,
                enum=["relevance", "default"],
                description="有 q 时的排序：relevance 按相关度（默认），default 按办理期限",
            ),
        ]
    )
    def list(self, request, *args, **kwargs):
        check_choice_filters(request.query_params, state=Assignment.State.values, role=Assignment.Role.values)
        return super().list(request, *args, **kwargs)

    @extend_schema(responses=HistorySerializer(many=True))
    @action(detail=True, methods=["get"])
    def history(self, request, pk=None):
        return Response(HistorySerializer(history_of(self.get_object()), many=True).data)

    @_act()
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        return self._respond(services.assignment_accept(actor=request.user, assignment=self.get_object()))

    @_act(AdjustmentReasonSerializer)
    @action(detail=True, methods=["post"], url_path="request-adjustment")
    def request_adjustment(self, request, pk=None):
        task = self.get_object()
        data = self._input(AdjustmentReasonSerializer)
        return self._respond(
            services.assignment_request_adjustment(actor=request.user, assignment=task, reason=data["reason"])
        )

    @extend_schema(
        request=ResolveAdjustmentSerializer,
        responses=AssignmentSerializer,
        description="同意（approve=true）时本交办取消，返回新单位的交办；不同意时返回本交办。",
    )
    @action(detail=True, methods=["post"], url_path="resolve-adjustment")
    def resolve_adjustment(self, request, pk=None):
        task = self.get_object()
        data = self._input(ResolveAdjustmentSerializer)
        result = services.assignment_resolve_adjustment(
            actor=request.user, assignment=task, approve=data["approve"], department=data["department"]
        )
        return self._respond(result)

    @_act(ContactInputSerializer)
    @action(detail=True, methods=["post"])
    def contacts(self, request, pk=None):
        task = self.get_object()
        data = self._input(ContactInputSerializer)
        services.assignment_add_contact(actor=request.user, assignment=task, **data)
        return self._respond(task)

    # The schema offers multipart only (the letter is a file); a JSON body without a letter is accepted too.
    @extend_schema(
        request={"multipart/form-data": ReplyInputSerializer},
        responses=AssignmentSerializer,
        description=(
            "主办单位答复时若仍有会办单位未提交会办意见，答复照常送出，响应另带 warning（中文提示）；"
            "办理规则 require_co_opinion 开启时则拒绝（400）。"
        ),
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, JSONParser])
    def reply(self, request, pk=None):
        from proposals.handling_selectors import co_units_waiting

        task = self.get_object()
        data = self._input(ReplyInputSerializer)
        waiting = co_units_waiting(task.proposal_id) if task.role == Assignment.Role.LEAD else []
        services.assignment_reply(actor=request.user, assignment=task, **data)
        response = self._respond(task)
        if waiting:
            response.data["warning"] = (
                f"会办单位{'、'.join(waiting)}尚未提交会办意见，答复已在没有其意见的情况下送出。"
            )
        return response

    @_act(ContentSerializer)
    @action(detail=True, methods=["post"], url_path="co-opinion")
    def co_opinion(self, request, pk=None):
        task = self.get_object()
        data = self._input(ContentSerializer)
        return self._respond(
            services.assignment_co_opinion(actor=request.user, assignment=task, content=data["content"])
        )

    @_act(ExtensionInputSerializer)
    @action(detail=True, methods=["post"], url_path="request-extension")
    def request_extension(self, request, pk=None):
        task = self.get_object()
        data = self._input(ExtensionInputSerializer)
        return self._respond(
            services.assignment_request_extension(actor=request.user, assignment=task, **data)
        )

    @_act(ApproveSerializer)
    @action(detail=True, methods=["post"], url_path="resolve-extension")
    def resolve_extension(self, request, pk=None):
        task = self.get_object()
        data = self._input(ApproveSerializer)
        return self._respond(
            services.assignment_resolve_extension(
                actor=request.user, assignment=task, approve=data["approve"]
            )
        )


class ReplyLetterView(APIView):
    """GET /replies/{id}/letter/: the uploaded 答复函 of a reply (the member rates the reply with it)."""

    @extend_schema(summary="下载答复函", responses={(200, "application/octet-stream"): bytes})
    def get(self, request, pk):
        from proposals.handling_selectors import reply_letter_for, reply_letter_response

        return reply_letter_response(reply_letter_for(request.user, pk))
