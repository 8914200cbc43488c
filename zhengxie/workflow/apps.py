from django.apps import AppConfig


class WorkflowConfig(AppConfig):
    name = "zhengxie.workflow"
    label = "workflow"
    verbose_name = "流程与审计"

    def ready(self):
        from zhengxie.dates import install

        install()  # every entered date within 1900–2100 (forms and API alike)

        from zhengxie import choice_labels

        choice_labels.install()  # get_FOO_display() from a dict made once per field

        from zhengxie import model_loading

        model_loading.install()  # rows become instances without Model.__init__'s per-field loop
