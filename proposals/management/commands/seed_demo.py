"""`manage.py seed_demo`: a realistic demo data set, safe to run again.

It lives in the highest app so it may call every app's demo seeder; each seeder is idempotent.
"""

from importlib import import_module

from django.core.management.base import BaseCommand
from django.utils import timezone

from members.demo import DEMO_PASSWORD, seed_roster
from zhengxie.workflow.calendar import CalendarYearUnavailable
from zhengxie.workflow.models import WorkCalendarDay
from zhengxie.workflow.services import work_calendar_load_year

from ...demo import seed_proposals

# Other apps' seeders, run when the app provides one: (module, function).
OPTIONAL_SEEDERS = [
    ("sqyy.demo", "seed_sqyy_demo"),
    ("consultations.demo", "seed_consultations_demo"),
    ("consultations.demo", "seed_sessions_demo"),
    ("members.demo_duty", "seed_duty_demo"),
    ("deliberations.demo", "seed_deliberations_demo"),
    ("activities.demo", "seed_activities_demo"),
]


class Command(BaseCommand):
    help = "载入演示数据（可重复执行），并打印各角色演示账号。"

    def handle(self, *args, **options):
        year = timezone.localdate().year
        for y in (year, year + 1):
            if WorkCalendarDay.objects.filter(date__year=y).exists():
                continue
            try:
                work_calendar_load_year(actor=None, year=y)
                self.stdout.write(f"已载入{y}年工作日历。")
            except CalendarYearUnavailable as exc:
                self.stdout.write(f"提示：{exc}")
        accounts = seed_roster()
        created = seed_proposals()
        if created:
            self.stdout.write(f"新建演示提案 {created} 件。")
        for module_name, function in OPTIONAL_SEEDERS:
            try:
                module = import_module(module_name)
            except ModuleNotFoundError:
                continue
            if hasattr(module, function):
                getattr(module, function)()
        self.stdout.write(self.style.SUCCESS(f"演示数据已就绪。演示账号（密码均为 {DEMO_PASSWORD}）："))
        for role_label, username, name in accounts:
            self.stdout.write(f"  {role_label:<16} {username:<12} {name}")
