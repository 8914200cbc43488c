from django.urls import path

from . import views

app_name = "work_calendar"

urlpatterns = [path("holidays/", views.holiday_entry, name="holidays")]
