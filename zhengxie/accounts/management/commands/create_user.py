"""python manage.py create_user USERNAME --role staff|leader [--name NAME] [--password P]."""

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from zhengxie.accounts.models import Role, User
from zhengxie.accounts.services import user_create
from zhengxie.workflow.errors import DomainError

ALLOWED_ROLES = (Role.STAFF, Role.LEADER)


class Command(BaseCommand):
    help = "创建机关工作人员（staff）或领导（leader）账号；不给密码时生成随机密码并显示一次。"

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, help="staff 或 leader")
        parser.add_argument("--name", default="", help="姓名")
        parser.add_argument("--password", help="初始密码（不给则随机生成并显示）")

    def handle(self, *args, username, role, name="", password=None, **options):
        if role not in ALLOWED_ROLES:
            raise CommandError(
                f"角色只能是 staff 或 leader，不能是 {role}。委员和承办单位账号请用 import_members / import_departments 导入。"
            )
        if password is not None:
            try:
                validate_password(password, user=User(username=username, name=name))
            except ValidationError as exc:
                raise CommandError("密码不符合要求：" + "；".join(exc.messages)) from exc
        try:
            user, generated = user_create(
                actor=None, username=username, role=role, name=name, password=password
            )
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"已创建{user.get_role_display()}账号 {user.username}（{user.display_name}）。"
            )
        )
        if password is None:
            # Shown once on the operator's terminal; it is not stored anywhere in clear.
            self.stdout.write(f"初始密码：{generated}")
