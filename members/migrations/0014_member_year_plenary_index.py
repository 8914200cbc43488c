from django.db import migrations, models

from zhengxie.migration_ops import AddIndexOnline


class Migration(migrations.Migration):
    # Built CONCURRENTLY on PostgreSQL (the table stays writable), which cannot run in a transaction.
    atomic = False

    dependencies = [
        ("members", "0013_duty_record_member_date_id_index"),
    ]

    operations = [
        AddIndexOnline(
            model_name="memberyearscore",
            index=models.Index(
                condition=models.Q(("plenary_any", True)), fields=["year", "member"], name="member_year_plenary_idx"
            ),
        ),
    ]
