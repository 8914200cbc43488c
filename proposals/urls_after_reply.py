"""After-the-reply pages (issue 20), included at the site root."""

from django.urls import path

from . import views_after_reply as views

app_name = "proposals_after"

urlpatterns = [
    path("proposals/reviews/", views.member_reviews, name="member_reviews"),
    path("portal/assignments/<int:pk>/outcome/", views.portal_outcome, name="portal_outcome"),
    path("workbench/proposals/after/revisits/", views.revisit_queue, name="revisit_queue"),
    path("workbench/proposals/after/awards/", views.awards, name="awards"),
    path("workbench/proposals/after/awards.docx", views.awards_docx, name="awards_docx"),
    path("workbench/proposals/after/department-award/", views.department_award, name="department_award"),
    path("workbench/proposals/after/key-rounds/", views.key_rounds, name="key_rounds"),
    path("workbench/proposals/after/key-rounds/<int:pk>/", views.key_round, name="key_round"),
    path(
        "workbench/proposals/after/key-rounds/<int:pk>/candidate/",
        views.key_round_candidate,
        name="key_round_candidate",
    ),
    path(
        "workbench/proposals/after/key-rounds/<int:pk>/approve/",
        views.key_round_approve,
        name="key_round_approve",
    ),
    path("workbench/proposals/after/reviews/", views.review_rounds, name="review_rounds"),
    path("workbench/proposals/after/<int:pk>/", views.panel, name="panel"),
    path("workbench/proposals/after/<int:pk>/revisit/", views.revisit, name="revisit"),
    path("workbench/proposals/after/<int:pk>/outcome/", views.outcome, name="outcome"),
    path("workbench/proposals/after/<int:pk>/award/", views.award, name="award"),
    path("workbench/proposals/after/<int:pk>/key-leader/", views.key_leader, name="key_leader"),
    path("workbench/proposals/after/<int:pk>/instruction/", views.instruction, name="instruction"),
    path(
        "workbench/proposals/after/<int:pk>/joint-supervision/",
        views.joint_supervision,
        name="joint_supervision",
    ),
]
