"""python manage.py rebuild_duty_scores [--year YYYY]: recompute the yearly duty scores from the records."""

from django.core.management.base import BaseCommand

from members import scoring


class Command(BaseCommand):
    help = (
        "按履职记录和积分方案重新计算年度履职积分（MemberYearScore）。平时由写入履职记录的服务随时维护；"
        "批量导入记录或修复数据后运行。不指定 --year 则重算所有有记录的年度。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, action="append", help="只重算这一年度（可重复）")

    def handle(self, *args, year=None, **options):
        years = sorted(set(year)) if year else scoring.stored_years()
        for y in years:
            count = scoring.rebuild_year(y)
            self.stdout.write(f"{y} 年度：{count} 位委员的积分已重算。")
        if not years:
            self.stdout.write("没有履职记录。")
