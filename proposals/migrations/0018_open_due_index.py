from django.db import migrations, models

from zhengxie.migration_ops import AddIndexOnline


class Migration(migrations.Migration):
    # Built CONCURRENTLY on PostgreSQL (the table stays writable), which cannot run in a transaction.
    atomic = False

    dependencies = [
        ("proposals", "0017_open_due_date"),
    ]

    operations = [
        AddIndexOnline(
            model_name="proposal",
            index=models.Index(
                condition=models.Q(("open_due_date__isnull", False)),
                fields=["open_due_date", "id"],
                name="proposal_open_due_idx",
                include=("is_published", "proposer"),
            ),
        ),
    ]
