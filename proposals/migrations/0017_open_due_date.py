# Proposal.open_due_date and the trigger that keeps it (issue 15: the lists' ?overdue=).

from django.db import migrations, models

OPEN_STATES = "('pending', 'accepted', 'adjustment_requested')"

# The earliest due date among a proposal's open tasks, written only when it changes. A row trigger on the
# tasks, like proposals_assignment_stat beside it: every writer (the services, the season's bulk assign,
# the calendar recompute, the admin, a data fix in psql) keeps it without knowing it exists.
FUNCTION = f"""
CREATE OR REPLACE FUNCTION proposals_open_due() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    pid bigint;
    due date;
BEGIN
    -- A change that leaves the task's proposal, due date and openness as they were changes nothing here
    -- (a statistics column, replied → closed, a whole-row save): no lock, no read.
    IF TG_OP = 'UPDATE' AND OLD.proposal_id = NEW.proposal_id AND OLD.due_date = NEW.due_date
       AND (OLD.state IN {OPEN_STATES}) = (NEW.state IN {OPEN_STATES}) THEN
        RETURN NULL;
    END IF;
    FOREACH pid IN ARRAY (
        CASE TG_OP
            WHEN 'INSERT' THEN ARRAY[NEW.proposal_id]
            WHEN 'DELETE' THEN ARRAY[OLD.proposal_id]
            ELSE ARRAY(SELECT DISTINCT unnest(ARRAY[OLD.proposal_id, NEW.proposal_id]))
        END
    ) LOOP
        -- Lock the proposal first, then read its tasks in a new statement (a new snapshot under READ
        -- COMMITTED): two departments replying at once are taken one after the other, and the second
        -- sees the first's task closed instead of writing a minimum from before it.
        PERFORM 1 FROM proposals_proposal WHERE id = pid FOR NO KEY UPDATE;
        SELECT min(a.due_date) INTO due FROM proposals_assignment a
        WHERE a.proposal_id = pid AND a.state IN {OPEN_STATES};
        UPDATE proposals_proposal SET open_due_date = due
        WHERE id = pid AND open_due_date IS DISTINCT FROM due;
    END LOOP;
    RETURN NULL;
END $$;
"""

CREATE = [
    FUNCTION,
    "DROP TRIGGER IF EXISTS proposals_open_due ON proposals_assignment",
    # UPDATE OF: a reply's text or a statistics column leaves it alone.
    "CREATE TRIGGER proposals_open_due AFTER INSERT OR DELETE OR UPDATE OF state, due_date, proposal_id "
    "ON proposals_assignment FOR EACH ROW EXECUTE FUNCTION proposals_open_due()",
]

# One pass over the open tasks (a few percent of them), whatever the history's size.
FILL = f"""
UPDATE proposals_proposal p SET open_due_date = o.due
FROM (
    SELECT proposal_id, min(due_date) AS due FROM proposals_assignment
    WHERE state IN {OPEN_STATES} GROUP BY proposal_id
) o
WHERE p.id = o.proposal_id AND p.open_due_date IS DISTINCT FROM o.due
"""


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return  # the embedded SQLite demo filters ?overdue= through the tasks (proposals.selectors)
    with schema_editor.connection.cursor() as cursor:
        for statement in CREATE:
            cursor.execute(statement)
        cursor.execute(FILL)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER IF EXISTS proposals_open_due ON proposals_assignment")
        cursor.execute("DROP FUNCTION IF EXISTS proposals_open_due()")


class Migration(migrations.Migration):
    dependencies = [
        ("proposals", "0016_reply_search_words"),
    ]

    operations = [
        migrations.AddField(
            model_name="proposal",
            name="open_due_date",
            field=models.DateField(
                blank=True,
                editable=False,
                help_text="未办结交办中最早的办理期限；没有未办结交办时为空",
                null=True,
                verbose_name="最早办理期限",
            ),
        ),
        migrations.RunPython(create_trigger, drop_trigger, elidable=False),
    ]
