"""`manage.py seed_demo`: a realistic demo data set, safe to run again.

It lives in the highest app so it may call every app's demo seeder; each seeder is idempotent.
"""

from django.core.management.base import BaseCommand

from members.demo import DEMO_PASSWORD, seed_roster


class Command(BaseCommand):
    help = "载入演示数据（可重复执行），并打印各角色演示账号。"

    def handle(self, *args, **options):
        accounts = seed_roster()
        self.stdout.write(self.style.SUCCESS(f"演示数据已就绪。演示账号（密码均为 {DEMO_PASSWORD}）："))
        for role_label, username, name in accounts:
            self.stdout.write(f"  {role_label:<16} {username:<12} {name}")
