from django.apps import AppConfig


class ConsultationsConfig(AppConfig):
    name = "consultations"
    verbose_name = "协商"

    def ready(self):
        from . import reminders

        reminders.register()
