from datetime import date

from django.core.management.base import BaseCommand, CommandError

from zhengxie.notifications.services import reminders_scan


class Command(BaseCommand):
    help = "立即执行每日到期提醒扫描（与 Celery beat 每天早上执行的相同，可重复运行）。"

    def add_arguments(self, parser):
        parser.add_argument("--today", help="按指定日期扫描，格式 YYYY-MM-DD")

    def handle(self, *args, today=None, **options):
        try:
            day = date.fromisoformat(today) if today else None
        except ValueError as exc:
            raise CommandError("--today 的格式应为 YYYY-MM-DD。") from exc
        result = reminders_scan(today=day)
        if not result.ran:
            self.stdout.write("另一个扫描正在进行，本次未执行。")
            return
        self.stdout.write(
            f"到期提醒：候选{result.candidates}条，新增{result.created}条，已发送{result.sent}条，"
            f"不再适用{result.skipped}条，出错{result.failed}条。"
        )
