# The lists' `q` for members, departments and the public match replies only once published
# (`reply_published AND search_replies_vector @@ q`). With the GIN index over every proposal's replies the
# planner had to re-check that arm on each match's heap row, unpacking every matched proposal's tsvectors
# (22k buffers for 养老's 4k matches at a quarter province); over the published ones only, the bitmap
# answers the whole condition (4.5k buffers).

from django.db import migrations

INDEX = "proposals_proposal_replies_pub_gin"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {INDEX} ON proposals_proposal "
            "USING gin (search_replies_vector) WHERE reply_published"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    atomic = False  # CONCURRENTLY: the table stays writable while it builds

    dependencies = [
        ("proposals", "0018_open_due_index"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
