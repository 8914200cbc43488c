from django.core.management.base import BaseCommand

from zhengxie.notifications.services import notification_counters_repair


class Command(BaseCommand):
    help = "按通知重新计算每个用户的未读数（计数与实际不符时修正），可随时运行。"

    def handle(self, *args, **options):
        fixed = notification_counters_repair()
        self.stdout.write(f"未读计数：修正{fixed}个用户。")
