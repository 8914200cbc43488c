from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("notifications/", views.notification_list, name="list"),
    path("notifications/archive/", views.notification_archive, name="archive"),
    path("notifications/<int:pk>/read/", views.notification_read, name="read"),
    path("notifications/read-all/", views.notification_read_all, name="read_all"),
    path("notifications/preferences/", views.preference_update, name="preferences"),
    path("workbench/reminders/", views.reminder_dashboard, name="reminders"),
    path("workbench/reminders/scan/", views.reminder_scan_now, name="scan_now"),
]
