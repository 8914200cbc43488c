"""Included by the lead at "workbench/stats/"."""

from django.urls import path

from . import views_stats

app_name = "proposals_stats"

urlpatterns = [
    path("", views_stats.dashboard, name="dashboard"),
    path("export/<slug:key>.<str:fmt>", views_stats.export, name="export"),
    path("assessment/", views_stats.assessment_page, name="assessment"),
    path("assessment/export.xlsx", views_stats.assessment_export, name="assessment_export"),
]
