"""A world loaded once per test process for the transactional tests, then put back by SQL.

A transactional test (a browser test, a restore) commits, so it cannot nest in the worlds'
transactions (tests/conftest.py): the flush after it empties every table, and the next one
loads its world again. Loading the seed plan and the demo progress through ``loaddata`` takes
about two seconds on PostgreSQL; putting the same rows back with one INSERT per table takes a
tenth of that. So the first load of a world in a process is done as always and every row of
the database is read back (the load's, and what ``migrate`` made: content types,
permissions, role groups); after a flush, the next test gets all of them again, in place of
what the flush and its post-migrate made anew, with the same ids (a flush does not restart
the sequences, so the ids the post-migrate gave are new ones), sequences set after them, and
a fresh data version, as a load would give it.
"""

from dataclasses import dataclass

from django.apps import apps
from django.core.management.color import no_style
from django.db import connection, transaction


def _tables(cursor) -> list[str]:
    return sorted(connection.introspection.table_names(cursor))


def _rows(cursor, table: str) -> tuple[list[str], list[tuple]]:
    # A table's name from the database's own catalogue: nothing typed by anyone.
    cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608  # nosec B608
    columns = [column[0] for column in cursor.description]
    return columns, cursor.fetchall()


def _state(cursor) -> dict[str, tuple[list[str], list[tuple]]]:
    """Every table's columns and rows, in the order the database gives them."""
    return {table: _rows(cursor, table) for table in _tables(cursor)}


KEPT_BY_FLUSH = {"django_migrations"}


@dataclass
class Snapshot:
    tables: dict[str, tuple[list[str], list[tuple]]]  # every table that holds rows: its columns, rows


def taken_around(load) -> Snapshot:
    """Run ``load`` and read back every row of the database then."""
    load()
    with connection.cursor() as cursor:
        state = _state(cursor)
    return Snapshot(tables={table: data for table, data in state.items() if data[1] and table not in KEPT_BY_FLUSH})


def put_back(snapshot: Snapshot) -> bool:
    """Make the database hold the snapshot's rows and no other, in one transaction; False
    (nothing written) where a table the snapshot has no rows for holds some: a database not
    emptied as a flush empties it."""
    from django.contrib.contenttypes.models import ContentType

    from civicplan import versions

    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in set(_tables(cursor)) - set(snapshot.tables) - KEPT_BY_FLUSH:
            cursor.execute(f"SELECT 1 FROM {quote(table)} LIMIT 1")  # noqa: S608  # nosec B608
            if cursor.fetchone() is not None:
                return False
    # Foreign keys are checked at the commit (Django makes them DEFERRABLE INITIALLY DEFERRED).
    with transaction.atomic(), connection.cursor() as cursor:
        for table in snapshot.tables:
            cursor.execute(f"DELETE FROM {quote(table)}")  # noqa: S608  # nosec B608
        for table, (columns, rows) in snapshot.tables.items():
            names = ", ".join(quote(column) for column in columns)
            values = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {quote(table)} ({names}) VALUES ({values})", rows)  # noqa: S608  # nosec B608
        for sql in connection.ops.sequence_reset_sql(no_style(), apps.get_models(include_auto_created=True)):
            cursor.execute(sql)
    ContentType.objects.clear_cache()  # it holds the ids the post-migrate gave
    versions.changed()  # a load moves the data version; so does this
    return True
