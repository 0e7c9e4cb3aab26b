"""A database rule that an event's dates fall inside its quarter.

A check constraint cannot read another row, so this is a trigger, written for the two
databases civicplan runs on. The model's ``clean()`` gives the friendly message first;
this catches any write that skips it (bulk writes, raw SQL, a fixture).
"""

from django.db import migrations

# Both triggers (SQLite, PostgreSQL) raise the same message, written out in each: no formatting of SQL text.
SQLITE_CHECK = """
    SELECT RAISE(ABORT, 'event dates must fall inside the quarter of the event')
    WHERE (NEW.start_date IS NOT NULL OR NEW.end_date IS NOT NULL)
      AND EXISTS (
        SELECT 1 FROM priorities_quarter q WHERE q.id = NEW.quarter_id AND (
             (NEW.start_date IS NOT NULL AND (NEW.start_date < q.start_date OR NEW.start_date > q.end_date))
          OR (NEW.end_date IS NOT NULL AND (NEW.end_date < q.start_date OR NEW.end_date > q.end_date))
        )
      );
"""

SQLITE_FORWARD = [
    f"CREATE TRIGGER priorities_event_dates_insert BEFORE INSERT ON priorities_event BEGIN {SQLITE_CHECK} END;",
    f"CREATE TRIGGER priorities_event_dates_update BEFORE UPDATE ON priorities_event BEGIN {SQLITE_CHECK} END;",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS priorities_event_dates_insert;",
    "DROP TRIGGER IF EXISTS priorities_event_dates_update;",
]

POSTGRES_FORWARD = [
    """
    CREATE FUNCTION priorities_event_dates_inside_quarter() RETURNS trigger AS $$
    DECLARE
        q_start date;
        q_end date;
    BEGIN
        SELECT start_date, end_date INTO q_start, q_end FROM priorities_quarter WHERE id = NEW.quarter_id;
        IF (NEW.start_date IS NOT NULL AND (NEW.start_date < q_start OR NEW.start_date > q_end))
           OR (NEW.end_date IS NOT NULL AND (NEW.end_date < q_start OR NEW.end_date > q_end)) THEN
            RAISE EXCEPTION 'event dates must fall inside the quarter of the event' USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
    END;
    $$ LANGUAGE plpgsql;
    """,
    """
    CREATE TRIGGER priorities_event_dates_inside_quarter
    BEFORE INSERT OR UPDATE ON priorities_event
    FOR EACH ROW EXECUTE FUNCTION priorities_event_dates_inside_quarter();
    """,
]
POSTGRES_BACKWARD = [
    "DROP TRIGGER IF EXISTS priorities_event_dates_inside_quarter ON priorities_event;",
    "DROP FUNCTION IF EXISTS priorities_event_dates_inside_quarter();",
]


def run(statements_by_vendor):
    def apply(apps, schema_editor):
        statements = statements_by_vendor.get(schema_editor.connection.vendor)
        if statements is None:
            raise RuntimeError(f"no event-date trigger for {schema_editor.connection.vendor}")
        for statement in statements:
            schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [("priorities", "0001_initial")]

    operations = [
        migrations.RunPython(
            run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}),
        )
    ]
