"""社情民意 pages: members under opinions/, the office under workbench/opinions/, departments under
portal/transfers/ (this module is included at the site root)."""

from django.urls import path

from . import views

app_name = "sqyy"

urlpatterns = [
    path("opinions/", views.my_list, name="my_list"),
    path("opinions/new/", views.my_new, name="my_new"),
    path("opinions/<int:pk>/", views.my_detail, name="my_detail"),
    path("opinions/<int:pk>/edit/", views.my_edit, name="my_edit"),
    path("opinions/<int:pk>/submit/", views.my_submit, name="my_submit"),
    path("opinions/<int:pk>/attachments/<int:attachment_pk>/", views.attachment_download, name="attachment"),
    path("workbench/opinions/", views.inbox, name="inbox"),
    path("workbench/opinions/new/", views.staff_new, name="staff_new"),
    path("workbench/opinions/stats/", views.stats, name="stats"),
    path("workbench/opinions/stats/members.csv", views.stats_members_csv, name="stats-members-csv"),
    path("workbench/opinions/bulletins/", views.bulletin_list, name="bulletins"),
    path(
        "workbench/opinions/bulletins/<int:year>.xlsx",
        views.bulletin_year_export,
        name="bulletin_year_export",
    ),
    path("workbench/opinions/bulletins/<int:pk>/", views.bulletin_detail, name="bulletin"),
    path("workbench/opinions/bulletins/<int:pk>/export.docx", views.bulletin_export, name="bulletin_export"),
    path("workbench/opinions/bulletins/<int:pk>/<slug:name>/", views.bulletin_action, name="bulletin_action"),
    path(
        "workbench/opinions/transfers/<int:pk>/adjustment/",
        views.transfer_resolve_adjustment,
        name="transfer_resolve_adjustment",
    ),
    path(
        "workbench/opinions/transfers/<int:pk>/extension/",
        views.transfer_resolve_extension,
        name="transfer_resolve_extension",
    ),
    path("workbench/opinions/<int:pk>/", views.staff_detail, name="staff_detail"),
    path("workbench/opinions/<int:pk>/<slug:name>/", views.staff_action, name="staff_action"),
    path("portal/transfers/<int:pk>/", views.transfer_detail, name="transfer"),
    path("portal/transfers/<int:pk>/accept/", views.transfer_accept, name="transfer_accept"),
    path("portal/transfers/<int:pk>/reply/", views.transfer_reply, name="transfer_reply"),
    path("portal/transfers/<int:pk>/adjust/", views.transfer_adjust, name="transfer_adjust"),
    path("portal/transfers/<int:pk>/extend/", views.transfer_extend, name="transfer_extend"),
    path("portal/transfers/<int:pk>/letter/", views.transfer_letter, name="transfer_letter"),
]
