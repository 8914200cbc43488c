from django.apps import AppConfig


class SqyyConfig(AppConfig):
    name = "sqyy"
    verbose_name = "社情民意"

    def ready(self):
        from members.todo import register_todo_source

        from .todo import opinion_todo

        register_todo_source(opinion_todo)
        from zhengxie.workflow.portal import register_portal_source
        from zhengxie.workflow.registry import register_handling_task

        from .models import Transfer
        from .portal import TransferPortalSource

        register_handling_task(Transfer)
        register_portal_source(TransferPortalSource())

        from members.selectors import register_duty_source_url

        # Duty records earned by a report link back to it in the member's 履职档案.
        register_duty_source_url(
            "sqyy.opinionreport", member_url="/opinions/{pk}/", staff_url="/workbench/opinions/{pk}/"
        )
