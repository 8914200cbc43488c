from django.db import migrations, models

from zhengxie.migration_ops import AddIndexOnline


class Migration(migrations.Migration):
    # Built CONCURRENTLY on PostgreSQL (the table stays writable), which cannot run in a transaction.
    atomic = False

    dependencies = [
        ("proposals", "0022_cosigner_pending_index"),
    ]

    operations = [
        AddIndexOnline(
            model_name="assignment",
            index=models.Index(
                condition=models.Q(("extension_state", "pending")),
                fields=["department", "due_date", "id"],
                name="assignment_dept_ext_due_idx",
            ),
        ),
    ]
