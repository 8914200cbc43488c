from django.db import migrations, models

from zhengxie.migration_ops import AddIndexOnline


class Migration(migrations.Migration):
    # Built CONCURRENTLY on PostgreSQL (the table stays writable), which cannot run in a transaction.
    atomic = False

    dependencies = [
        ("notifications", "0005_reminder_pending_index_scan_run_active"),
    ]

    operations = [
        AddIndexOnline(
            model_name="channeldelivery",
            index=models.Index(fields=["created_at"], name="channel_delivery_created"),
        ),
    ]
