"""Proposal pages, included at the site root: the member site and the staff review workbench."""

from django.urls import path

from . import views_member, views_review, views_review_keys, views_season

app_name = "proposals"

urlpatterns = [
    # member site
    path("proposals/", views_member.my_list, name="my"),
    path("proposals/new/", views_member.create, name="new"),
    path("proposals/published/", views_member.published, name="published"),
    path("proposals/<int:pk>/", views_member.detail, name="detail"),
    path("proposals/<int:pk>/edit/", views_member.edit, name="edit"),
    path("proposals/<int:pk>/submit/", views_member.submit, name="submit"),
    path("proposals/<int:pk>/withdraw/", views_member.withdraw, name="withdraw"),
    path("proposals/<int:pk>/cosign/", views_member.cosign, name="cosign"),
    path("proposals/<int:pk>/evaluate/", views_member.evaluate, name="evaluate"),
    path("proposals/<int:pk>/publish-opt-out/", views_member.publish_opt_out, name="publish_opt_out"),
    path(
        "proposals/<int:pk>/replies/<int:reply_pk>/letter/",
        views_member.reply_letter,
        name="reply_letter",
    ),
    path(
        "proposals/<int:pk>/attachments/<int:attachment_pk>/",
        views_member.attachment,
        name="attachment",
    ),
    # issue 19: similar-proposal hint, 代录, bulk 交办, public disclosure (no login)
    path("proposals/similar-hint/", views_season.similar_hint, name="similar_hint"),
    path("workbench/proposals/enter/", views_season.enter_for_member, name="enter_for_member"),
    path("workbench/proposals/assign-bulk/", views_season.assign_bulk, name="assign_bulk"),
    path(
        "workbench/proposals/assignments-export/",
        views_season.assignments_export,
        name="assignments_export",
    ),
    path("public/proposals/", views_season.public_list, name="public_list"),
    path("public/proposals/<int:pk>/", views_season.public_detail, name="public_detail"),
    # staff review
    path("workbench/proposals/", views_review.queue, name="review_queue"),
    path("workbench/proposals/all/", views_review.all_list, name="staff_list"),
    # issue 19: the keyboard 立案审查 screen
    path("workbench/proposals/review-keys/", views_review_keys.start, name="review_keys"),
    path("workbench/proposals/review-keys/<int:pk>/", views_review_keys.item, name="review_keys_item"),
    path("workbench/proposals/review-keys/<int:pk>/act/", views_review_keys.act, name="review_keys_act"),
    path("workbench/proposals/register-bulk/", views_review.register_bulk, name="register_bulk"),
    path("workbench/proposals/<int:pk>/", views_review.review, name="review"),
    path("workbench/proposals/<int:pk>/register/", views_review.register, name="register"),
    path("workbench/proposals/<int:pk>/return/", views_review.return_, name="return"),
    path("workbench/proposals/<int:pk>/reject/", views_review.reject, name="reject"),
    path("workbench/proposals/<int:pk>/merge/", views_review.merge, name="merge"),
]
