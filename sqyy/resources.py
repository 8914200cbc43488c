"""django-import-export resource: the admin's Excel export of 社情民意 (read-only; reports are entered
through the site so every rule and the transition log apply)."""

from import_export import fields

from zhengxie.exports import SafeExportModelResource

from .models import OpinionReport


class OpinionReportResource(SafeExportModelResource):
    title = fields.Field(attribute="final_title", column_name="标题")
    reflector = fields.Field(attribute="reflector_display", column_name="反映人")
    reflector_kind = fields.Field(attribute="get_reflector_kind_display", column_name="反映人类型")
    category = fields.Field(attribute="category", column_name="类别")
    state = fields.Field(attribute="get_state_display", column_name="状态")
    urgent = fields.Field(column_name="急事急报")
    submitted_at = fields.Field(attribute="submitted_at", column_name="报送时间")
    bulletin = fields.Field(column_name="刊发期号")

    class Meta:
        model = OpinionReport
        fields = [
            "id",
            "title",
            "reflector",
            "reflector_kind",
            "category",
            "state",
            "urgent",
            "submitted_at",
            "bulletin",
        ]
        export_order = fields

    def dehydrate_urgent(self, obj) -> str:
        return "是" if obj.is_urgent else ""

    def dehydrate_bulletin(self, obj) -> str:
        item = getattr(obj, "bulletin_item", None)
        return item.bulletin.issue_label if item is not None else ""
