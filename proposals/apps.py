from django.apps import AppConfig


class ProposalsConfig(AppConfig):
    name = "proposals"
    verbose_name = "提案"

    def ready(self):
        from zhengxie.workflow.registry import register_handling_task

        from .models import Assignment

        register_handling_task(Assignment)
