from django.apps import AppConfig


class DeliberationsConfig(AppConfig):
    name = "deliberations"
    verbose_name = "网络议政"

    def ready(self):
        from members.selectors import register_duty_source_url

        from . import reminders

        reminders.register()
        # Post records link to the thread in the member's 履职档案.
        register_duty_source_url(
            "deliberations.post",
            member_url="/deliberations/posts/{pk}/",
            staff_url="/workbench/deliberations/posts/{pk}/",
        )
