from django.apps import AppConfig


class ProposalsConfig(AppConfig):
    name = "proposals"
    verbose_name = "提案"

    def ready(self):
        from members.todo import register_todo_source

        from .todo import proposal_todo

        register_todo_source(proposal_todo)
        from zhengxie.workflow.portal import register_portal_source
        from zhengxie.workflow.registry import register_handling_task

        from .models import Assignment
        from .views_portal import AssignmentPortalSource

        register_handling_task(Assignment)
        register_portal_source(AssignmentPortalSource())

        from . import reminders

        reminders.register()
