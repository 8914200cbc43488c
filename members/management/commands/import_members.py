"""python manage.py import_members FILE [--credentials-out FILE] [--dry-run]  (API.md "Operations")."""

from members.imports import MEMBER_COLUMNS
from members.services import members_import
from zhengxie.accounts.management.commands.import_departments import RosterImportCommand


class Command(RosterImportCommand):
    help = "导入委员名册及其账号（按用户名新建或更新；党派、界别、专委会按名称匹配，没有的新建）。"
    columns = MEMBER_COLUMNS

    def service(self, *, table, dry_run):
        return members_import(actor=None, table=table, dry_run=dry_run)
