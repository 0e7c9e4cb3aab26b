"""Backups: the whole database as a Django fixture with natural keys, gzip-compressed.

A backup is what ``manage.py dumpdata`` writes, so it restores on either database civicplan
runs on: a backup of the demo SQLite file restores into PostgreSQL. Left out, because the
database a backup is restored into makes its own: content types and permissions (the rows
that refer to them name them by natural key, app and model) and sessions (a restore signs
everyone out, and a backup carries no one's session).
"""

import gzip
import json
from collections import Counter
from pathlib import Path

from django.apps import apps

EXCLUDED = ["contenttypes", "auth.permission", "sessions"]
GZIP_MAGIC = b"\x1f\x8b"


class BackupError(Exception):
    """The file is not a backup civicplan can restore; the message says why."""


def read(path: Path) -> list[dict]:
    """The rows a backup holds, read whole before anything is written."""
    try:
        with path.open("rb") as raw:
            compressed = raw.read(2) == GZIP_MAGIC
        opener = gzip.open if compressed else open
        with opener(path, "rt", encoding="utf-8") as text:
            rows = json.load(text)
    except FileNotFoundError:
        raise BackupError(f"{path}: there is no such file.") from None
    except (OSError, EOFError) as error:  # gzip.BadGzipFile is an OSError
        raise BackupError(f"{path} cannot be read ({error}): it is damaged or not a backup.") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise BackupError(f"{path} is not a civicplan backup: it is not JSON ({error}).") from None
    if not isinstance(rows, list) or not all(isinstance(row, dict) and "model" in row for row in rows):
        raise BackupError(f"{path} is not a civicplan backup: it is not a list of database rows.")
    if not rows:
        raise BackupError(f"{path} holds no rows: it is not a backup of a civicplan database.")
    unknown = sorted({row["model"] for row in rows if not _is_model(row["model"])})
    if unknown:
        raise BackupError(
            f"{path} holds rows of {', '.join(map(str, unknown))}, which this version of civicplan does not have: "
            "restore it with the version that made it."
        )
    return rows


def _is_model(label) -> bool:
    try:
        apps.get_model(label)
    except (LookupError, ValueError, TypeError):
        return False
    return True


def tally(rows: list[dict]) -> Counter:
    """How many rows of each model a backup holds."""
    return Counter(row["model"] for row in rows)
