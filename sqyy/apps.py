from django.apps import AppConfig


class SqyyConfig(AppConfig):
    name = "sqyy"
    verbose_name = "社情民意"
