from django.urls import path

from . import views

app_name = "members"

urlpatterns = [
    path("", views.member_home, name="home"),
    # 委员履职: members' own file and self-report; every file for staff and leaders
    path("duty/", views.duty_mine, name="duty_mine"),
    path("duty/report/", views.duty_report, name="duty_report"),
    path("duty/members/<int:pk>/", views.duty_archive, name="duty_archive"),
    path("duty/members/<int:pk>/report.docx", views.duty_report_docx, name="duty_report_docx"),
    path("duty/photos/<int:pk>/", views.duty_photo, name="duty_photo"),
    # staff workbench
    path("workbench/members/pick/", views.member_pick, name="pick"),
    path("workbench/terms/", views.terms, name="terms"),
    path("workbench/duty/", views.duty_ranking, name="duty_ranking"),
    path("workbench/duty/pending/", views.duty_pending, name="duty_pending"),
    path("workbench/duty/low/", views.duty_low, name="duty_low"),
    path("workbench/duty/low/remind/", views.duty_low_remind, name="duty_low_remind"),
    path("workbench/duty/scores.xlsx", views.duty_scores_xlsx, name="duty_scores_xlsx"),
    path("workbench/duty/sectors/<int:pk>/reports.zip", views.duty_sector_zip, name="duty_sector_zip"),
]
