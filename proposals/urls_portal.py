"""Department portal pages for proposal assignments; included at "portal/"."""

from django.urls import path

from . import views_portal as views

app_name = "proposals_portal"

urlpatterns = [
    path("assignments/<int:pk>/", views.assignment_detail, name="assignment"),
    path("assignments/<int:pk>/accept/", views.assignment_accept, name="accept"),
    path("assignments/<int:pk>/adjust/", views.assignment_adjust, name="adjust"),
    path("assignments/<int:pk>/extend/", views.assignment_extend, name="extend"),
    path("assignments/<int:pk>/contact/", views.assignment_contact, name="contact"),
    path("assignments/<int:pk>/co-opinion/", views.assignment_co_opinion, name="co_opinion"),
    path("assignments/<int:pk>/reply/", views.assignment_reply, name="reply"),
    path("assignments/<int:pk>/reply-letter.docx", views.reply_letter_draft, name="reply_letter_draft"),
    path(
        "assignments/<int:pk>/attachments/<int:attachment_pk>/",
        views.attachment_download,
        name="attachment",
    ),
    path(
        "assignments/<int:pk>/replies/<int:reply_pk>/letter/",
        views.reply_letter_download,
        name="reply_letter",
    ),
]
