"""Admin for the after-the-reply records (issue 20): read-only lists. Every change goes through the pages
and the API, whose services write the audit row."""

from django.contrib import admin

from .models import (
    DepartmentAward,
    DepartmentReview,
    ExcellentAward,
    JointSupervision,
    KeyInstruction,
    KeyLeader,
    KeyRound,
    Outcome,
    ReviewRound,
    Revisit,
)


class _ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Revisit)
class RevisitAdmin(_ReadOnlyAdmin):
    list_display = ["proposal", "date", "way", "recorded_by"]
    list_filter = ["way"]
    search_fields = ["proposal__number", "proposal__title", "content"]
    list_select_related = ["proposal", "recorded_by"]


@admin.register(KeyRound)
class KeyRoundAdmin(_ReadOnlyAdmin):
    list_display = ["year", "title", "state", "meeting", "approved_at"]
    list_select_related = ["meeting"]


@admin.register(KeyLeader)
class KeyLeaderAdmin(_ReadOnlyAdmin):
    list_display = ["proposal", "name", "post", "user"]
    search_fields = ["name", "proposal__number"]
    list_select_related = ["proposal", "user"]


@admin.register(KeyInstruction)
class KeyInstructionAdmin(_ReadOnlyAdmin):
    list_display = ["proposal", "leader", "post", "date"]
    search_fields = ["leader", "proposal__number"]
    list_select_related = ["proposal"]


@admin.register(JointSupervision)
class JointSupervisionAdmin(_ReadOnlyAdmin):
    list_display = ["proposal", "office", "date"]
    search_fields = ["office", "proposal__number"]
    list_select_related = ["proposal"]


@admin.register(ExcellentAward)
class ExcellentAwardAdmin(_ReadOnlyAdmin):
    list_display = ["year", "title", "proposal"]
    list_filter = ["year"]
    list_select_related = ["proposal"]


@admin.register(DepartmentAward)
class DepartmentAwardAdmin(_ReadOnlyAdmin):
    list_display = ["year", "title", "department"]
    list_filter = ["year"]
    list_select_related = ["department"]


@admin.register(Outcome)
class OutcomeAdmin(_ReadOnlyAdmin):
    list_display = ["proposal", "kind", "date", "department"]
    list_filter = ["kind"]
    search_fields = ["proposal__number", "content"]
    list_select_related = ["proposal", "department"]


@admin.register(ReviewRound)
class ReviewRoundAdmin(_ReadOnlyAdmin):
    list_display = ["year", "title", "state"]


@admin.register(DepartmentReview)
class DepartmentReviewAdmin(_ReadOnlyAdmin):
    list_display = ["round", "department", "member", "attitude", "result", "submitted_at"]
    list_filter = ["round", "attitude", "result"]
    list_select_related = ["round", "department", "member"]
