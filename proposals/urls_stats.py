"""Included by the lead at "workbench/stats/"."""

from django.urls import path

from . import views_stats, views_year

app_name = "proposals_stats"

urlpatterns = [
    path("", views_stats.dashboard, name="dashboard"),
    path("export/<slug:key>.<str:fmt>", views_stats.export, name="export"),
    path("assessment/", views_stats.assessment_page, name="assessment"),
    path("year/", views_year.year_page, name="year"),
    path("year/report.docx", views_year.year_report, name="year_report"),
    path("year/export.<str:fmt>", views_year.year_export, name="year_export"),
    path("assessment/export.xlsx", views_stats.assessment_export, name="assessment_export"),
]
