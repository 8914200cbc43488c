from django.db import migrations

CATEGORIES = ["经济", "政治", "文化", "社会", "生态文明", "其他"]
REASONS = [
    "涉及国家秘密",
    "违反法律法规",
    "涉及党派内部事务",
    "属于诉讼或仲裁中的事项",
    "属于学术讨论",
    "个人或亲属的具体问题",
    "推销产品或宣传作品",
    "指名举报或检举他人",
    "缺少具体建议",
    "不符合一事一案要求",
]


def seed(apps, schema_editor):
    Category = apps.get_model("proposals", "ProposalCategory")
    Reason = apps.get_model("proposals", "RejectionReason")
    for order, name in enumerate(CATEGORIES, start=1):
        Category.objects.get_or_create(name=name, defaults={"order": order * 10})
    for order, text in enumerate(REASONS, start=1):
        Reason.objects.get_or_create(text=text, defaults={"order": order * 10})


class Migration(migrations.Migration):
    dependencies = [("proposals", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
