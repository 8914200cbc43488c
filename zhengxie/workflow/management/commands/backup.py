"""python manage.py backup DIR [--method auto|pg_dump|sqlite|json]: the database and every uploaded file."""

from django.core.management.base import BaseCommand, CommandError

from zhengxie.backup import BackupError, backup


class Command(BaseCommand):
    help = "备份数据库和全部上传文件到一个新目录（含校验和清单），可在新机器上用 restore 恢复。"

    def add_arguments(self, parser):
        parser.add_argument("directory", help="备份目录（不存在或为空）")
        parser.add_argument(
            "--method",
            default="auto",
            choices=["auto", "pg_dump", "sqlite", "json"],
            help="数据库备份方式；auto：PostgreSQL 用 pg_dump（没有时用 json），SQLite 用 sqlite",
        )

    def handle(self, *args, directory, method="auto", **options):
        try:
            manifest = backup(directory, method=method, log=self.stdout.write)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"备份完成：{directory}（数据库 {manifest['database']['method']}，上传文件 {len(manifest['media'])} 个）"
            )
        )
