"""Backups: the whole database as a Django fixture with natural keys, gzip-compressed.

A backup is what ``manage.py dumpdata`` writes, so it restores on either database civicplan
runs on: a backup of the demo SQLite file restores into PostgreSQL. Left out, because the
database a backup is restored into makes its own: content types and permissions (the rows
that refer to them name them by natural key, app and model) and sessions (a restore signs
everyone out, and a backup carries no one's session); and what is made from the data
(the data version, stored reports), which the restored database makes again.
"""

import base64
import gzip
import hashlib
import json
import zlib
from collections import Counter
from pathlib import Path

from django.apps import apps
from django.conf import settings

DERIVED = ["civicplan.dataversion", "reporting.reportfile"]
# Background tasks and their results: work of the database it ran on, not data.
WORK = ["django_tasks_database"]
EXCLUDED = ["contenttypes", "auth.permission", "sessions", *DERIVED, *WORK]
# Never restored, whatever a file holds: the database makes these itself, a restore signs
# everyone out (a session in a file would sign someone in), and a data version or a stored
# report from a file could be served for other data.
NEVER_RESTORED = {"contenttypes.contenttype", "auth.permission", "sessions.session", *DERIVED}
GZIP_MAGIC = b"\x1f\x8b"


class BackupError(Exception):
    """The file is not a backup civicplan can restore; the message says why."""


def read(path: Path) -> list[dict]:
    """The rows a backup holds, read whole before anything is written."""
    try:
        with path.open("rb") as raw:
            compressed = raw.read(2) == GZIP_MAGIC
        limit = settings.RESTORE_MAX_BYTES
        opener = gzip.open if compressed else open
        with opener(path, "rb") as stream:
            # Read in pieces, no further than the limit: a small gzip can expand to gigabytes.
            data = stream.read(limit + 1)
        if len(data) > limit:
            raise BackupError(
                f"{path} holds more than {limit // 2**20} MB of data once uncompressed "
                "(RESTORE_MAX_BYTES): it is not restored."
            )
        rows = json.loads(data.decode("utf-8"))
    except FileNotFoundError:
        raise BackupError(f"{path}: there is no such file.") from None
    except (OSError, EOFError, zlib.error) as error:  # gzip.BadGzipFile is an OSError
        raise BackupError(f"{path} cannot be read ({error}): it is damaged or not a backup.") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise BackupError(f"{path} is not a civicplan backup: it is not JSON ({error}).") from None
    if not isinstance(rows, list) or not all(isinstance(row, dict) and "model" in row for row in rows):
        raise BackupError(f"{path} is not a civicplan backup: it is not a list of database rows.")
    if not rows:
        raise BackupError(f"{path} holds no rows: it is not a backup of a civicplan database.")
    never = sorted({str(row["model"]) for row in rows} & NEVER_RESTORED)
    if never:
        raise BackupError(
            f"{path} holds rows of {', '.join(never)}, which a restore never brings back "
            "(the database makes its own; nobody is signed in by a restore): it is not a civicplan backup."
        )
    unknown = sorted({row["model"] for row in rows if not _is_model(row["model"])})
    if unknown:
        raise BackupError(
            f"{path} holds rows of {', '.join(map(str, unknown))}, which this version of civicplan does not have: "
            "restore it with the version that made it."
        )
    _check_published_documents(path, rows)
    return rows


def _check_published_documents(path: Path, rows: list[dict]) -> None:
    """A published board update or annual report is what the board received: its HTML and
    PDF must still be the bytes whose SHA-256 was recorded when it was published."""
    names = {"reporting.boardupdate": "board update", "reporting.annualreview": "annual report"}
    for row in rows:
        fields = row.get("fields", {})
        if row["model"] not in names or fields.get("state") != "published":
            continue
        try:
            html_ok = hashlib.sha256(fields["html"].encode("utf-8")).hexdigest() == fields["html_sha256"]
            pdf_ok = hashlib.sha256(base64.b64decode(fields["pdf"])).hexdigest() == fields["pdf_sha256"]
        except (KeyError, TypeError, ValueError, AttributeError):
            html_ok = pdf_ok = False
        if not (html_ok and pdf_ok):
            what = "HTML" if not html_ok else "PDF"
            raise BackupError(
                f"{path}: the {what} of the published {names[row['model']]} {row.get('pk')} is not what was published "
                "(its SHA-256 differs): the file was changed after the backup. Nothing was restored."
            )


def _is_model(label) -> bool:
    try:
        apps.get_model(label)
    except (LookupError, ValueError, TypeError):
        return False
    return True


def tally(rows: list[dict]) -> Counter:
    """How many rows of each model a backup holds."""
    return Counter(row["model"] for row in rows)
