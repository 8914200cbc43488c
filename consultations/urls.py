"""协商 pages, included at the site root: the staff workbench and the member site."""

from django.urls import path

from . import views, views_sessions, views_votes

app_name = "consultations"

urlpatterns = [
    # staff workbench
    path("workbench/consultations/", views.board, name="board"),
    path("workbench/consultations/plans/new/", views.plan_create, name="plan_create"),
    path("workbench/consultations/plans/<int:pk>/approve/", views.plan_approve, name="plan_approve"),
    path("workbench/consultations/plans/<int:pk>/docx/", views.plan_download, name="plan_docx"),
    path("workbench/consultations/plans/<int:pk>/topics/new/", views.topic_create, name="topic_create"),
    path("workbench/consultations/topics/<int:pk>/", views.topic_detail, name="topic"),
    path("workbench/consultations/topics/<int:pk>/edit/", views.topic_edit, name="topic_edit"),
    path(
        "workbench/consultations/topics/<int:pk>/<slug:action>/",
        views.topic_action,
        name="topic_action",
    ),
    path("workbench/consultations/meetings/", views.meeting_list, name="meetings"),
    path("workbench/consultations/meetings/new/", views.meeting_create, name="meeting_create"),
    path("workbench/consultations/meetings/<int:pk>/", views.meeting_detail, name="meeting"),
    path("workbench/consultations/meetings/<int:pk>/edit/", views.meeting_edit, name="meeting_edit"),
    path(
        "workbench/consultations/meetings/<int:pk>/session/<slug:action>/",
        views_sessions.session_action,
        name="session_action",
    ),
    path(
        "workbench/consultations/meetings/<int:pk>/speeches.docx",
        views_sessions.speeches_export,
        name="speeches_export",
    ),
    path(
        "workbench/consultations/meetings/<int:pk>/opinions.xlsx",
        views_sessions.opinions_export,
        name="opinions_export",
    ),
    path(
        "workbench/consultations/meetings/<int:pk>/progress/",
        views_sessions.checkin_progress,
        name="checkin_progress",
    ),
    path(
        "workbench/consultations/meetings/<int:pk>/votes/new/",
        views_votes.vote_create,
        name="vote_create",
    ),
    path(
        "workbench/consultations/votes/<int:pk>/<slug:action>/do/",
        views_votes.vote_control,
        name="vote_control",
    ),
    path("workbench/consultations/votes/<int:pk>/screen/", views_votes.vote_screen, name="vote_screen"),
    path(
        "workbench/consultations/votes/<int:pk>/screen/live/",
        views_votes.vote_screen_live,
        name="vote_screen_live",
    ),
    path("workbench/consultations/votes/<int:pk>/result.docx", views_votes.vote_export, name="vote_export"),
    path(
        "workbench/consultations/materials/<int:pk>/readers/",
        views_sessions.material_readers,
        name="material_readers",
    ),
    path(
        "workbench/consultations/meetings/<int:pk>/<slug:action>/",
        views.meeting_action,
        name="meeting_action",
    ),
    # member site
    path("meetings/", views.my_meetings, name="my_meetings"),
    path("meetings/<int:pk>/", views.member_meeting, name="member_meeting"),
    path("meetings/<int:pk>/reply/", views.member_reply, name="member_reply"),
    path("meetings/<int:pk>/speech/", views.member_speech, name="member_speech"),
    path("meetings/<int:pk>/check-in/", views.check_in, name="check_in"),
    path("meetings/<int:pk>/attend-remotely/", views.attend_remotely, name="attend_remotely"),
    path("meetings/<int:pk>/leave/", views_sessions.member_leave, name="member_leave"),
    path("votes/<int:pk>/", views_votes.member_vote, name="member_vote"),
    path("votes/<int:pk>/ballot/", views_votes.member_ballot, name="member_ballot"),
    path("meetings/materials/<int:pk>/", views_sessions.material_download, name="material"),
]
