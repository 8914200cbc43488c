"""python manage.py open_term NUMBER --start YYYY-MM-DD [--end YYYY-MM-DD] [--plenary N:START:END ...]."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from members.services import plenary_save, term_open
from zhengxie.workflow.errors import DomainError


def _date(text: str, what: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(f"{what}“{text}”不是 YYYY-MM-DD 格式的日期。") from exc


def _plenary(text: str) -> tuple[int, date, date]:
    parts = text.split(":")
    if len(parts) != 3 or not parts[0].isdigit():
        raise CommandError(
            f"--plenary “{text}” 应写成 会次:开幕日期:闭幕日期，例如 1:2027-01-10:2027-01-14。"
        )
    return int(parts[0]), _date(parts[1], "开幕日期"), _date(parts[2], "闭幕日期")


class Command(BaseCommand):
    help = "开启（或更新）一届政协并设为本届，原本届不再是本届；可同时设置会次。可重复执行。"

    def add_arguments(self, parser):
        parser.add_argument("number", type=int, help="届次，如 15 表示第十五届")
        parser.add_argument("--start", required=True, help="本届开始日期 YYYY-MM-DD")
        parser.add_argument("--end", help="本届结束日期 YYYY-MM-DD（可不填）")
        parser.add_argument(
            "--plenary",
            action="append",
            default=[],
            metavar="N:START:END",
            help="会次及其开幕、闭幕日期，如 1:2027-01-10:2027-01-14；可写多次",
        )

    def handle(self, *args, number, start, end=None, plenary=(), **options):
        start_date = _date(start, "开始日期")
        end_date = _date(end, "结束日期") if end else None
        plenaries = [_plenary(p) for p in plenary]
        try:
            term, created = term_open(actor=None, number=number, start_date=start_date, end_date=end_date)
            self.stdout.write(
                self.style.SUCCESS(
                    f"{'已开启' if created else '已更新'}{term.name}（本届），自 {term.start_date} 起。"
                )
            )
            for n, opening, closing in plenaries:
                item, item_created = plenary_save(
                    actor=None, term=term, number=n, start_date=opening, end_date=closing
                )
                self.stdout.write(
                    f"{'新建' if item_created else '已有'}{term.name}{item.name}：{item.start_date} 至 {item.end_date}"
                )
        except DomainError as exc:
            raise CommandError(exc.message) from exc
