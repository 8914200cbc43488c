from django.db import migrations

# The CPC, the eight democratic parties, then 无党派人士 and 群众, in the customary order.
PARTIES = [
    ("中国共产党", "中共"),
    ("中国国民党革命委员会", "民革"),
    ("中国民主同盟", "民盟"),
    ("中国民主建国会", "民建"),
    ("中国民主促进会", "民进"),
    ("中国农工民主党", "农工党"),
    ("中国致公党", "致公党"),
    ("九三学社", "九三学社"),
    ("台湾民主自治同盟", "台盟"),
    ("无党派人士", "无党派"),
    ("群众", "群众"),
]


def seed(apps, schema_editor):
    Party = apps.get_model("members", "Party")
    for order, (name, short) in enumerate(PARTIES, start=1):
        Party.objects.get_or_create(name=name, defaults={"short_name": short, "order": order * 10})


class Migration(migrations.Migration):
    dependencies = [("members", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
