"""Proposals API: /proposals/ (intake, rating, 督办, 公开) and /assignments/ (the departments' handling)."""

from django.urls import path

from . import exports
from .assignments import AssignmentViewSet, ReplyLetterView
from .proposals import BulkRegisterView, ProposalViewSet
from .reference import CategoryViewSet, LeaderViewSet, RejectionReasonViewSet
from .stats import ProposalStatsSummaryView, ProposalStatsView
from .year import YearReportView, YearStatsView


def register(router):
    router.register("proposals/bulk-register", BulkRegisterView, basename="proposal-bulk-register")
    router.register("proposals", ProposalViewSet, basename="proposal")
    router.register("assignments", AssignmentViewSet, basename="assignment")
    router.register("proposal-categories", CategoryViewSet, basename="proposal-category")
    router.register("rejection-reasons", RejectionReasonViewSet, basename="rejection-reason")
    router.register("leaders", LeaderViewSet, basename="leader")


urlpatterns = [
    path("replies/<int:pk>/letter/", ReplyLetterView.as_view(), name="reply-letter"),
    path("stats/proposals/", ProposalStatsView.as_view(), name="stats-proposals"),
    path("stats/proposals/summary/", ProposalStatsSummaryView.as_view(), name="stats-proposals-summary"),
    path("stats/year/", YearStatsView.as_view(), name="stats-year"),
    path("stats/year/report/", YearReportView.as_view(), name="stats-year-report"),
    # Downloads (issue 14): before the router so "export" is never read as a proposal id.
    path("proposals/export/", exports.ProposalRegisterExportView.as_view(), name="proposal-export"),
    path("proposals/<int:pk>/form/", exports.ProposalFormView.as_view(), name="proposal-form"),
    path(
        "assignments/<int:pk>/reply-letter-draft/",
        exports.ReplyLetterDraftView.as_view(),
        name="assignment-reply-letter-draft",
    ),
    path("stats/proposals/export/", exports.StatsTableExportView.as_view(), name="stats-proposals-export"),
    path("stats/assessment/", exports.AssessmentView.as_view(), name="stats-assessment"),
    path("stats/assessment/export/", exports.AssessmentExportView.as_view(), name="stats-assessment-export"),
]
