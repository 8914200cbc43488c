"""python manage.py restore DIR [--force]: load a backup made by `backup` into this database and MEDIA_ROOT."""

from django.core.management.base import BaseCommand, CommandError

from zhengxie.backup import BackupError, restore


class Command(BaseCommand):
    help = "从 backup 生成的目录恢复数据库和上传文件；目标不是空的时拒绝，除非加 --force。"

    def add_arguments(self, parser):
        parser.add_argument("directory", help="backup 生成的备份目录")
        parser.add_argument(
            "--force", action="store_true", help="目标数据库或上传文件目录不是空的时，清空后覆盖"
        )

    def handle(self, *args, directory, force=False, **options):
        try:
            report = restore(directory, force=force, log=self.stdout.write)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"恢复完成：数据库（{report.method}）和 {report.files} 个上传文件，校验和一致。"
            )
        )
        if report.unapplied:
            self.stdout.write(
                self.style.WARNING(
                    "备份早于当前程序，还有迁移未执行，请运行 python manage.py migrate："
                    + "、".join(report.unapplied)
                )
            )
