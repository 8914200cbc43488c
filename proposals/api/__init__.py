"""Proposals API: /proposals/ (intake, rating, 督办, 公开) and /assignments/ (the departments' handling)."""

from django.urls import path

from . import after_reply as after
from . import exports
from .assignments import AssignmentViewSet, ReplyLetterView
from .proposals import BulkRegisterView, ProposalViewSet
from .reference import CategoryViewSet, LeaderViewSet, RejectionReasonViewSet
from .season import (
    AssignBulkView,
    AssignmentSheetView,
    PublicProposalDetail,
    PublicProposalList,
    SimilarView,
)
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
    # issue 19 (before the router's proposals/{pk}/ and departments/{pk}/ routes)
    path("proposals/similar/", SimilarView.as_view(), name="proposal-similar"),
    path("proposals/assign-bulk/", AssignBulkView.as_view(), name="proposal-assign-bulk"),
    path("departments/<int:pk>/assignment-sheet/", AssignmentSheetView.as_view(), name="assignment-sheet"),
    path("assignments/export/", exports.AssignmentsExportView.as_view(), name="assignments-export"),
    path("public/proposals/", PublicProposalList.as_view(), name="public-proposal-list"),
    path("public/proposals/<int:pk>/", PublicProposalDetail.as_view(), name="public-proposal-detail"),
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
    # After the reply (issue 20); before the router, so "revisit-queue" is not read as a proposal id.
    path("proposals/revisit-queue/", after.RevisitQueueView.as_view(), name="proposal-revisit-queue"),
    path(
        "proposals/<int:pk>/after-reply/", after.ProposalAfterReplyView.as_view(), name="proposal-after-reply"
    ),
    path("proposals/<int:pk>/revisit/", after.RevisitView.as_view(), name="proposal-revisit"),
    path("proposals/<int:pk>/award/", after.AwardView.as_view(), name="proposal-award"),
    path("proposals/<int:pk>/outcomes/", after.OutcomesView.as_view(), name="proposal-outcomes"),
    path("proposals/<int:pk>/key-leaders/", after.KeyLeadersView.as_view(), name="proposal-key-leaders"),
    path("proposals/<int:pk>/instructions/", after.InstructionsView.as_view(), name="proposal-instructions"),
    path(
        "proposals/<int:pk>/joint-supervisions/",
        after.JointSupervisionsView.as_view(),
        name="proposal-joint-supervisions",
    ),
    path("awards/", after.AwardListView.as_view(), name="awards"),
    path("awards/export/", after.AwardExportView.as_view(), name="awards-export"),
    path("department-awards/", after.DepartmentAwardListView.as_view(), name="department-awards"),
    path("key-rounds/", after.KeyRoundListView.as_view(), name="key-rounds"),
    path("key-rounds/<int:pk>/", after.KeyRoundDetailView.as_view(), name="key-round"),
    path(
        "key-rounds/<int:pk>/candidates/", after.KeyRoundCandidatesView.as_view(), name="key-round-candidates"
    ),
    path("key-rounds/<int:pk>/approve/", after.KeyRoundApproveView.as_view(), name="key-round-approve"),
    path("review-rounds/", after.ReviewRoundListView.as_view(), name="review-rounds"),
    path(
        "review-rounds/<int:pk>/open/",
        after.ReviewRoundActionView.as_view(action_name="open"),
        name="review-round-open",
    ),
    path(
        "review-rounds/<int:pk>/close/",
        after.ReviewRoundActionView.as_view(action_name="close"),
        name="review-round-close",
    ),
    path("review-rounds/<int:pk>/forms/", after.ReviewFormsView.as_view(), name="review-round-forms"),
    path("review-rounds/<int:pk>/results/", after.ReviewResultsView.as_view(), name="review-round-results"),
]
