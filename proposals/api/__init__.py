"""Proposals API: /proposals/ (intake, rating, 督办, 公开) and /assignments/ (the departments' handling)."""

from django.urls import path

from .assignments import AssignmentViewSet
from .proposals import BulkRegisterView, ProposalViewSet
from .stats import ProposalStatsSummaryView, ProposalStatsView


def register(router):
    router.register("proposals/bulk-register", BulkRegisterView, basename="proposal-bulk-register")
    router.register("proposals", ProposalViewSet, basename="proposal")
    router.register("assignments", AssignmentViewSet, basename="assignment")


urlpatterns = [
    path("stats/proposals/", ProposalStatsView.as_view(), name="stats-proposals"),
    path("stats/proposals/summary/", ProposalStatsSummaryView.as_view(), name="stats-proposals-summary"),
]
