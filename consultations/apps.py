from django.apps import AppConfig


class ConsultationsConfig(AppConfig):
    name = "consultations"
    verbose_name = "协商"

    def ready(self):
        from members.todo import register_todo_source

        from .todo import meeting_todo

        register_todo_source(meeting_todo)
        from . import reminders

        reminders.register()

        from members.selectors import register_duty_source_url

        # Attendance records link to the meeting in the member's 履职档案.
        register_duty_source_url(
            "consultations.meeting",
            member_url="/meetings/{pk}/",
            staff_url="/workbench/consultations/meetings/{pk}/",
        )
