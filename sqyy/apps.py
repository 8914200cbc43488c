from django.apps import AppConfig


class SqyyConfig(AppConfig):
    name = "sqyy"
    verbose_name = "社情民意"

    def ready(self):
        from zhengxie.workflow.portal import register_portal_source
        from zhengxie.workflow.registry import register_handling_task

        from .models import Transfer
        from .portal import TransferPortalSource

        register_handling_task(Transfer)
        register_portal_source(TransferPortalSource())
