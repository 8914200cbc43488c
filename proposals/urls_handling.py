"""Staff handling pages and exports, under /workbench/handling/."""

from django.urls import path

from . import views_handling as views

app_name = "proposals_handling"

urlpatterns = [
    path("board/", views.board, name="board"),
    path("register.xlsx", views.register_xlsx, name="register_xlsx"),
    path("proposals/<int:pk>/assign/", views.proposal_assign, name="assign"),
    path("proposals/<int:pk>/key/", views.proposal_mark_key, name="mark_key"),
    path("proposals/<int:pk>/supervise/", views.proposal_supervise, name="supervise"),
    path("proposals/<int:pk>/publish/", views.proposal_publish, name="publish"),
    path("proposals/<int:pk>/unpublish/", views.proposal_unpublish, name="unpublish"),
    path("proposals/<int:pk>/close-unrated/", views.proposal_close_unrated, name="close_unrated"),
    path("proposals/<int:pk>/evaluate/", views.proposal_evaluate_on_behalf, name="evaluate_on_behalf"),
    path("proposals/<int:pk>/form.docx", views.proposal_form, name="form_docx"),
    path("assignments/<int:pk>/extension/", views.assignment_extension, name="extension"),
    path("assignments/<int:pk>/adjustment/", views.assignment_adjustment, name="adjustment"),
]
