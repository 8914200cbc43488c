from django.core.management.base import BaseCommand

from zhengxie.notifications.services import notifications_archive


class Command(BaseCommand):
    help = "把已读且超过 NOTIFICATION_ARCHIVE_DAYS 天的通知移入归档表（与每晚的定时任务相同）。"

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, help="超过多少天（默认取设置）")

    def handle(self, *args, days=None, **options):
        moved = notifications_archive(days=days)
        self.stdout.write(f"已归档{moved}条通知。")
