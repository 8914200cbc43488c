"""网络议政 pages, included at the site root: the staff workbench and the participants' thread."""

from django.urls import path

from . import views

app_name = "deliberations"

urlpatterns = [
    path("workbench/deliberations/", views.staff_list, name="staff_list"),
    path("workbench/deliberations/<int:pk>/", views.staff_detail, name="staff_detail"),
    path("workbench/deliberations/<int:pk>/close/", views.staff_close, name="staff_close"),
    path("workbench/deliberations/<int:pk>/summarize/", views.staff_summarize, name="staff_summarize"),
    path("workbench/deliberations/<int:pk>/summary.docx", views.staff_docx, name="staff_docx"),
    path("workbench/deliberations/posts/<int:pk>/", views.staff_post, name="staff_post"),
    path(
        "workbench/deliberations/posts/<int:pk>/<slug:action>/",
        views.staff_post_action,
        name="staff_post_action",
    ),
    path("deliberations/", views.my_list, name="my_list"),
    path("deliberations/<int:pk>/", views.thread, name="thread"),
    path("deliberations/<int:pk>/posts/", views.thread_posts, name="thread_posts"),
    path("deliberations/<int:pk>/post/", views.post_create, name="post_create"),
    path("deliberations/posts/<int:pk>/", views.post_link, name="post_link"),
    path("deliberations/posts/<int:pk>/endorse/", views.post_endorse, name="post_endorse"),
]
