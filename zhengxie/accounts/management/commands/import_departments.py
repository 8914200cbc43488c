"""python manage.py import_departments FILE [--credentials-out FILE] [--dry-run]  (API.md "Operations")."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from zhengxie.accounts.imports import (
    DEPARTMENT_COLUMNS,
    PASSWORD_COLUMN,
    read_table,
    write_credentials,
)
from zhengxie.accounts.services import departments_import
from zhengxie.workflow.errors import DomainError


class RosterImportCommand(BaseCommand):
    """Shared by import_departments and import_members: read, import all-or-nothing, report."""

    columns: tuple[str, ...] = ()
    credentials_name_label = "姓名"
    requires_migrations_checks = True

    def service(self, *, table, dry_run):
        raise NotImplementedError

    def add_arguments(self, parser):
        parser.add_argument(
            "file",
            help=f"Excel（.xlsx）或 UTF-8 CSV 文件，列：{'、'.join(self.columns)}[、{PASSWORD_COLUMN}]",
        )
        parser.add_argument(
            "--credentials-out",
            metavar="FILE",
            help="把新账号的激活链接（委员）或随机初始密码（承办单位）写入这个 CSV 文件（不会打印到屏幕或日志）",
        )
        parser.add_argument("--dry-run", action="store_true", help="只检查并显示结果，不写入数据库")

    def handle(self, *args, file, credentials_out=None, dry_run=False, **options):
        try:
            table = read_table(file)
            with transaction.atomic():
                report = self.service(table=table, dry_run=dry_run)
                if report.credentials and not dry_run:
                    if not credentials_out:
                        # Rolls the import back: passwords nobody can read would lock the new users out.
                        raise CommandError(
                            f"有 {len(report.credentials)} 个新账号没有给出{PASSWORD_COLUMN}，需要生成激活链接或随机密码。"
                            "请加上 --credentials-out 文件路径（只写入该文件）；本次未导入任何数据。"
                        )
                    write_credentials(
                        credentials_out, report.credentials, name_label=self.credentials_name_label
                    )
        except DomainError as exc:
            # ImportRejected lists every bad row as 第N行：reason; nothing was written.
            raise CommandError(exc.message) from exc
        for line in report.summary_lines():
            self.stdout.write(line)
        if dry_run:
            self.stdout.write(self.style.WARNING("试运行（--dry-run）：以上为检查结果，未写入数据库。"))
        elif report.credentials:
            what = "激活链接" if report.credentials[0].activation_url else "随机初始密码"
            self.stdout.write(f"{len(report.credentials)} 个新账号的{what}已写入 {credentials_out}")
        self.stdout.write(self.style.SUCCESS("导入完成。" if not dry_run else "检查通过。"))


class Command(RosterImportCommand):
    help = "导入承办单位及其门户账号（按单位代码新建或更新）。"
    columns = DEPARTMENT_COLUMNS
    credentials_name_label = "单位名称"

    def service(self, *, table, dry_run):
        return departments_import(actor=None, table=table, dry_run=dry_run)
