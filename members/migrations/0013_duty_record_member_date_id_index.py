from django.db import migrations, models

from zhengxie.migration_ops import AddIndexOnline, RemoveIndexOnline


class Migration(migrations.Migration):
    # Built CONCURRENTLY on PostgreSQL (the table stays writable), which cannot run in a transaction.
    atomic = False

    dependencies = [
        ("members", "0012_year_score_person_times_index"),
    ]

    operations = [
        AddIndexOnline(
            model_name="dutyrecord",
            index=models.Index(fields=["member", "date", "id"], name="duty_record_member_date_idx"),
        ),
        # The new index answers everything this one did.
        RemoveIndexOnline(model_name="dutyrecord", name="members_dut_member__b5ff6c_idx"),
    ]
