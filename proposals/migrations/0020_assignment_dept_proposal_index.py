from django.db import migrations, models

from zhengxie.migration_ops import AddIndexOnline, RemoveIndexOnline


class Migration(migrations.Migration):
    # Built CONCURRENTLY on PostgreSQL (the table stays writable), which cannot run in a transaction.
    atomic = False

    dependencies = [
        ("proposals", "0019_published_replies_gin"),
    ]

    operations = [
        AddIndexOnline(
            model_name="assignment",
            index=models.Index(
                fields=["department", "proposal", "id"], name="assignment_dept_proposal_idx", include=("state",)
            ),
        ),
        # The new index answers what this partial one did (its state is in the index).
        RemoveIndexOnline(model_name="assignment", name="assignment_dept_routed_idx"),
    ]
