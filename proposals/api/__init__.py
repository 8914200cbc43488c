"""Proposals API: /proposals/ (intake, rating, 督办, 公开) and /assignments/ (the departments' handling)."""

from .assignments import AssignmentViewSet
from .proposals import BulkRegisterView, ProposalViewSet


def register(router):
    router.register("proposals/bulk-register", BulkRegisterView, basename="proposal-bulk-register")
    router.register("proposals", ProposalViewSet, basename="proposal")
    router.register("assignments", AssignmentViewSet, basename="assignment")
