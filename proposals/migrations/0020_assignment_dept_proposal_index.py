from django.db import migrations, models

from zhengxie.migration_ops import AddIndexOnline


class Migration(migrations.Migration):
    # Built CONCURRENTLY on PostgreSQL (the table stays writable), which cannot run in a transaction.
    atomic = False

    dependencies = [
        ("proposals", "0019_published_replies_gin"),
    ]

    operations = [
        AddIndexOnline(
            model_name="assignment",
            index=models.Index(fields=["department", "proposal", "id"], name="assignment_dept_proposal_idx"),
        ),
    ]
