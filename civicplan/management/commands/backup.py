"""``manage.py backup``: the whole database in one file, readable by ``manage.py restore``."""

import hashlib
import os
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils import timezone

from civicplan import backups


class Command(BaseCommand):
    help = (
        "Write the whole database to a gzip-compressed JSON file with natural keys "
        "(backups/civicplan-<UTC date and time>.json.gz unless --output names one), readable only "
        "by its owner, and read it back to check it."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", type=Path, help="The file to write; it must end in .json.gz.")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *, output: Path | None, database: str, **options):
        if output is None:
            output = Path(settings.BASE_DIR) / "backups" / f"civicplan-{timezone.now():%Y%m%d-%H%M%SZ}.json.gz"
        if not output.name.endswith(".json.gz"):
            raise CommandError(f"{output}: a backup's name ends in .json.gz.")
        if output.exists():
            raise CommandError(f"{output} exists already: a backup never overwrites a file.")
        output.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        # Written beside its final name, then renamed: an interrupted backup never looks whole.
        partial = output.with_name(f".{output.name}")
        # Created empty and private first: the backup holds everything, passwords' hashes too.
        os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600))
        try:
            connection = connections[database]
            # One snapshot for every table, while the site goes on serving (on SQLite, the
            # transaction's read lock does it; inside a caller's transaction, the caller's).
            snapshot = connection.vendor == "postgresql" and not connection.in_atomic_block
            with transaction.atomic(using=database):
                if snapshot:
                    with connection.cursor() as cursor:
                        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                call_command(
                    "dumpdata",
                    natural_foreign=True,
                    exclude=backups.EXCLUDED,
                    database=database,
                    output=str(partial),
                    verbosity=0,
                )
            rows = backups.read(partial)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        partial.replace(output)
        digest = hashlib.sha256(output.read_bytes()).hexdigest()
        tables = backups.tally(rows)
        self.stdout.write(
            f"Backed up {len(rows)} records of {len(tables)} models to {output} "
            f"({output.stat().st_size / 1024:.0f} KiB, SHA-256 {digest[:12]}). Keep it as safe as the database."
        )
