"""The member roster in the admin's import/export: same columns and same service as `import_members`."""

from import_export import fields

from zhengxie.accounts.resources import ServiceImportResource

from .imports import COMMITTEE_JOINER
from .models import Member
from .services import members_import


class MemberResource(ServiceImportResource):
    name = fields.Field(attribute="name", column_name="姓名")
    gender = fields.Field(column_name="性别")
    ethnicity = fields.Field(attribute="ethnicity", column_name="民族")
    birth_date = fields.Field(column_name="出生日期")
    party = fields.Field(column_name="党派")
    sector = fields.Field(column_name="界别")
    committees = fields.Field(column_name="专委会")
    position = fields.Field(column_name="委员职务")
    employer = fields.Field(attribute="employer", column_name="工作单位及职务")
    mobile = fields.Field(attribute="mobile", column_name="手机")
    email = fields.Field(attribute="email", column_name="邮箱")
    username = fields.Field(column_name="用户名")

    class Meta:
        name = "委员名册"

    def dehydrate_gender(self, member):
        return member.get_gender_display() if member.gender else ""

    def dehydrate_birth_date(self, member):
        # A date, so .xlsx gets a real date cell; CSV writes it as 1970-05-01.
        return member.birth_date

    def dehydrate_party(self, member):
        return member.party.name if member.party_id else ""

    def dehydrate_sector(self, member):
        return member.sector.name if member.sector_id else ""

    def dehydrate_committees(self, member):
        return COMMITTEE_JOINER.join(c.name for c in member.committees.all())

    def dehydrate_position(self, member):
        return member.get_position_display()

    def dehydrate_username(self, member):
        return member.user.username if member.user_id else ""

    def get_queryset(self):
        return Member.objects.select_related("user", "party", "sector").prefetch_related("committees")

    def run_service(self, *, actor, table, dry_run):
        return members_import(actor=actor, table=table, dry_run=dry_run)
