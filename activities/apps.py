from django.apps import AppConfig


class ActivitiesConfig(AppConfig):
    name = "activities"
    verbose_name = "闭会期间履职"

    def ready(self):
        from members.selectors import register_duty_source_url

        from . import reminders

        reminders.register()
        # Attendance records link to the activity in the member's 履职档案.
        register_duty_source_url(
            "activities.activity",
            member_url="/activities/{pk}/",
            staff_url="/workbench/activities/{pk}/",
        )
