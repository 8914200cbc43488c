from django.core.management.base import BaseCommand, CommandError

from zhengxie.workflow.calendar import CalendarYearUnavailable
from zhengxie.workflow.services import work_calendar_load_year


class Command(BaseCommand):
    help = "从 chinesecalendar 数据包载入某年的法定节假日和调休（人工录入的日期保持不变）。"

    def add_arguments(self, parser):
        parser.add_argument("years", nargs="+", type=int, help="年份，如 2026")

    def handle(self, *args, years, **options):
        for year in years:
            try:
                result = work_calendar_load_year(actor=None, year=year)
            except CalendarYearUnavailable as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(
                f"{year}年：新增{result['created']}天，更新{result['updated']}天，"
                f"保留人工录入{result['kept_manual']}天，重算期限{result['recomputed']}项。"
            )
