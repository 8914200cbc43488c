"""社情民意 API. Minimal for now: staff list the reports (including those turned from proposals)."""

from rest_framework import mixins, serializers, viewsets

from zhengxie.workflow.api import HistorySerializer  # noqa: F401 - the 社情民意 issue adds history/

from . import selectors
from .models import OpinionReport


class OpinionReportSerializer(serializers.ModelSerializer):
    state_display = serializers.CharField(source="get_state_display", read_only=True)
    reflector_name = serializers.CharField(source="reflector_display", read_only=True)
    source_proposal = serializers.SerializerMethodField()

    class Meta:
        model = OpinionReport
        fields = [
            "id",
            "title",
            "content",
            "category",
            "reflector",
            "reflector_name",
            "state",
            "state_display",
            "submitted_at",
            "source_proposal",
            "created_at",
        ]

    def get_source_proposal(self, obj) -> int | None:
        proposal = getattr(obj, "source_proposal", None)
        return proposal.pk if proposal is not None else None


class OpinionReportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = OpinionReportSerializer

    def get_queryset(self):
        return selectors.opinion_reports_visible_to(self.request.user).select_related("source_proposal")


def register(router):
    router.register("opinion-reports", OpinionReportViewSet, basename="opinion-report")
