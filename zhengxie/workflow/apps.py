from django.apps import AppConfig


class WorkflowConfig(AppConfig):
    name = "zhengxie.workflow"
    label = "workflow"
    verbose_name = "流程与审计"
