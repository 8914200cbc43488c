"""Activities pages, included at the site root: the member site and the staff workbench."""

from django.urls import path

from . import views

app_name = "activities"

urlpatterns = [
    # members (and staff through the same case pages)
    path("activities/", views.my_activities, name="mine"),
    path("activities/<int:pk>/", views.activity_detail, name="activity"),
    path("activities/<int:pk>/sign-up/", views.activity_sign_up, name="sign_up"),
    path("cases/", views.case_list, name="cases"),
    path("cases/new/", views.case_create, name="case_create"),
    path("cases/<int:pk>/", views.case_detail, name="case"),
    path("cases/<int:pk>/resolve/", views.case_resolve, name="case_resolve"),
    path("cases/<int:pk>/to-opinion/", views.case_to_opinion, name="case_to_opinion"),
    path("groups/", views.groups, name="groups"),
    path("stations/", views.stations, name="stations"),
    path("stations/new/", views.station_create, name="station_create"),
    # staff workbench
    path("workbench/activities/", views.staff_list, name="staff_list"),
    path("workbench/activities/calendar/", views.staff_calendar, name="calendar"),
    path("workbench/activities/registers/", views.staff_registers, name="registers"),
    path("workbench/activities/groups/new/", views.group_create, name="group_create"),
    path("workbench/activities/supervisors/new/", views.supervisor_appoint, name="supervisor_appoint"),
    path("workbench/activities/<int:pk>/", views.staff_activity, name="staff_activity"),
    path("workbench/activities/<int:pk>/attendance/", views.staff_attendance, name="attendance"),
    path("workbench/activities/<int:pk>/report/", views.staff_report, name="report"),
    path("workbench/activities/<int:pk>/cancel/", views.staff_cancel, name="cancel"),
    path("workbench/activities/<int:pk>/report.docx", views.staff_report_docx, name="report_docx"),
]
