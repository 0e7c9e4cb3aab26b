"""``manage.py restore FILE``: replace every row of the database with a backup's."""

from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.migrations.executor import MigrationExecutor

from civicplan import backups


class Command(BaseCommand):
    help = (
        "Replace every row of the database with those of a backup made by `manage.py backup`, in one "
        "transaction: a file that cannot be restored whole changes nothing. Everyone signs in again."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="A backup: civicplan-<date>.json.gz.")
        parser.add_argument("--noinput", "--no-input", action="store_false", dest="interactive")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *, file: Path, interactive: bool, database: str, **options):
        if not file.name.endswith((".json.gz", ".json")):
            raise CommandError(f"{file}: a backup's name ends in .json.gz (or .json, uncompressed).")
        try:
            rows = backups.read(file)
        except backups.BackupError as error:
            raise CommandError(f"Nothing was restored: {error}") from None
        connection = connections[database]
        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            raise CommandError(
                "Nothing was restored: the database is not up to date with civicplan's migrations. "
                "Run `manage.py migrate` first (`make restore` does)."
            )
        name = connection.settings_dict["NAME"]
        if interactive:
            answer = input(
                f"Every row of the database {name} will be replaced by the {len(rows)} records of {file}.\n"
                "Type 'yes' to go on: "
            )
            if answer != "yes":
                raise CommandError("Nothing was restored.")
        try:
            with transaction.atomic(using=database):
                # Empty, then the content types and permissions the database makes itself.
                call_command("flush", interactive=False, database=database, verbosity=0)
                call_command("loaddata", str(file.resolve()), database=database, verbosity=0)
        except Exception as error:
            raise CommandError(f"Nothing was restored, the database is as it was: {error}") from error
        self.stdout.write(
            f"Restored {len(rows)} records of {len(backups.tally(rows))} models from {file} into {name}. "
            "Everyone signs in again."
        )
