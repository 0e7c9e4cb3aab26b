"""Reports made once per version of the data, and served stored to every reader after that.

A report is a pure function of the plan's data, the report (and its quarter), the language
and the audience (what the reader may see: ``readers`` read approved work only, as do the
board; ``editors`` also read what is not yet published). So it is made once per version
of the data (civicplan.versions), and kept under that version with the code that made it
(``release()``): a page's body in Django's cache, a file (PDF, workbook) in the database
(``ReportFile``), where every app server finds it, and in each server process's memory once
read there (``FileMemory``).

A file is made by whoever asks for it first: a background worker (``tasks.prepare``, after
an approval, a lock or a round's end) or the first reader. Whoever starts records it
(one row per document and version, unique): a second reader meanwhile is told it is being
prepared rather than make it again. A failure is recorded with its reason and logged; the
next request tries again. An attempt that never finished (its worker died) is taken over
after ``STALE_AFTER``.
"""

import contextlib
import functools
import hashlib
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from civicplan import versions

from .models import ReportFile

logger = logging.getLogger(__name__)
T = TypeVar("T")

READERS, EDITORS = "readers", "editors"
# A making that started this long ago and never finished is taken over by the next reader.
STALE_AFTER = timedelta(minutes=10)
# A page body stays in the cache this long; a new version of the data makes a new key anyway.
BODY_TIMEOUT = 24 * 60 * 60


@dataclass(frozen=True)
class Document:
    """What a report document is made from, but the data: its kind (``quarterly-pdf``), plan,
    quarter, language and audience."""

    kind: str
    plan: str
    quarter: int | None
    language: str
    audience: str = READERS

    @property
    def name(self) -> str:
        quarter = f"q{self.quarter}" if self.quarter is not None else "year"
        return f"{self.kind}/{self.plan}/{quarter}/{self.language}/{self.audience}"


@functools.cache
def release() -> str:
    """A fingerprint of the code and the words that make reports: the templates, the
    stylesheets, the compiled catalogues and the apps' Python. A deployment that changes
    any of them makes every report again (under the same data version)."""
    base = Path(settings.BASE_DIR)
    digest = hashlib.sha256()
    patterns = ("templates/**/*.html", "static/civicplan/*.css", "locale/**/*.mo", "*/*.py", "*/templatetags/*.py")
    for path in sorted({p for pattern in patterns for p in base.glob(pattern) if ".venv" not in p.parts}):
        digest.update(str(path.relative_to(base)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def version() -> str:
    """The version a document is stored under now: the data's, and the code's."""
    return f"{versions.current()}:{release()}"


# --- Page bodies and their parts, in the cache -----------------------------------------------


def cached(key: str, make: Callable[[], T], *, what: str = "a report") -> T:
    """``make()``'s result, kept in Django's cache under ``key`` (for ``BODY_TIMEOUT``): from
    the cache, or made and put there. A cache that is down (Redis restarting) costs time,
    never the report: ``what`` is then made without it, and the log says so."""
    try:
        found = cache.get(key)
    except Exception:
        logger.warning("The cache could not be read: %s is made without it.", what, exc_info=True)
        return make()
    if found is None:
        found = make()
        try:
            cache.set(key, found, BODY_TIMEOUT)
        except Exception:
            logger.warning("The cache could not keep %s.", what, exc_info=True)
    return found


def made_of_key(kind: str, made_of: object) -> str:
    """A cache key for what is made from ``made_of`` alone, in the reader's language: the
    hash of its repr (frozen dataclasses of strings, numbers, dates and tuples, and Texts,
    whose repr carries their language: all of what they hold)."""
    digest = hashlib.sha256(repr((made_of, get_language())).encode()).hexdigest()
    return f"{kind}:{digest}"


def body(document: Document, make: Callable[[], str]) -> str:
    """The HTML of a report's body for this version of the data: from the cache, or made
    (``make()``) and put there."""
    html = cached(f"report-body:{document.name}:{version()}", lambda: str(make()))
    # The HTML our own templates made (autoescaped), kept in our own cache.
    return mark_safe(html)  # noqa: S308  # nosec B308 B703


def fragment(kind: str, made_of: object, make: Callable[[], str]) -> str:
    """The HTML of a part of a report (a priority's section) made from ``made_of`` alone,
    kept under what it is made of and the code that makes it (``release()``): a change to
    the plan that does not touch ``made_of`` does not make it again."""
    html = cached(f"{made_of_key(kind, made_of)}:{release()}", lambda: str(make()), what=f"a report's {kind}")
    return mark_safe(html)  # noqa: S308  # nosec B308 B703


# --- Files, in the database ------------------------------------------------------------------


class NotReady(Exception):
    """The document is being made by someone else, or its making failed (``failed``)."""

    def __init__(self, record: ReportFile):
        super().__init__(record.document)
        self.record = record

    @property
    def failed(self) -> bool:
        return self.record.state == ReportFile.State.FAILED


class FileMemory:
    """Files read lately, kept in this process's memory by document and version, up to
    ``budget`` bytes (the least recently read go first). A stored file never changes (one
    per document and version, made once), so a copy serves every later reader of that
    version: what they cost is the query of the version, not the file's bytes."""

    def __init__(self, budget: int):
        self.budget, self.used = budget, 0
        self._files: OrderedDict[tuple[str, str], ReportFile] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[str, str]) -> ReportFile | None:
        with self._lock:
            record = self._files.get(key)
            if record is not None:
                self._files.move_to_end(key)
            return record

    def keep(self, key: tuple[str, str], record: ReportFile) -> None:
        size = len(record.content)
        if size > self.budget:
            return
        with self._lock:
            if key in self._files:
                return
            self._files[key] = record
            self.used += size
            while self.used > self.budget:
                _, dropped = self._files.popitem(last=False)
                self.used -= len(dropped.content)

    def clear(self) -> None:
        with self._lock:
            self._files.clear()
            self.used = 0


memory = FileMemory(settings.REPORT_FILES_MEMORY_MB * 1024 * 1024)


def _remember(record: ReportFile) -> None:
    """Keep a ready file read with its bytes (not one read without them) in memory."""
    if "content" not in record.get_deferred_fields():
        record.content = bytes(record.content)  # PostgreSQL's bytea is read as a memoryview
        memory.keep((record.document, record.version), record)


def file(
    document: Document, make: Callable[[], bytes], *, content: bool = True, before_making: Callable | None = None
) -> ReportFile:
    """The stored file of ``document`` for this version of the data: from this process's
    memory after the query of the version (what every reader but the first costs), else
    from the database in one more, else made now by ``make()`` (after ``before_making()``,
    which reads what making needs, or raises Http404) if nobody has made it or is making
    it. Read with its bytes, unless ``content`` is False (a reader who may have it already,
    ETag: ``sha256``, is answered without them: they are deferred). NotReady: someone else
    is making it, or it could not be made (then the next call tries again).

    Called outside a transaction (the views are ``non_atomic_requests``): the row that says
    it is being made is seen by every other reader at once, not when the making ends."""
    stamp = version()
    kept = memory.get((document.name, stamp))
    if kept is not None:
        return kept
    found = _find(document, stamp, content=content)
    if found is not None and found.state == ReportFile.State.READY:
        _remember(found)
        return found
    if before_making is not None:
        before_making()
    claimed = _claim(document, stamp, found)
    if claimed is None:
        raise NotReady(_find(document, stamp) or found)
    return _make(claimed, make)


def prepare(document: Document, make: Callable[[], bytes]) -> None:
    """For a worker: make the document for this version unless it is made or being made
    (a failure is logged and recorded, for the next reader to try again)."""
    with contextlib.suppress(NotReady):
        file(document, make, content=False)


def _find(document: Document, stamp: str, *, content: bool = False) -> ReportFile | None:
    records = ReportFile.objects.filter(document=document.name, version=stamp)
    return (records if content else records.defer("content")).first()


def _claim(document: Document, stamp: str, found: ReportFile | None) -> ReportFile | None:
    """This process's turn to make it: a new row in PREPARING, or a failed or abandoned one
    taken over (only one claimant wins: the update is conditional on the state seen)."""
    now = timezone.now()
    if found is None:
        try:
            with transaction.atomic():
                return ReportFile.objects.create(document=document.name, version=stamp, started_at=now)
        except IntegrityError:
            return None  # someone started it a moment ago
    abandoned = found.state == ReportFile.State.PREPARING and found.started_at < now - STALE_AFTER
    if found.state != ReportFile.State.FAILED and not abandoned:
        return None
    taken = ReportFile.objects.filter(pk=found.pk, state=found.state, started_at=found.started_at).update(
        state=ReportFile.State.PREPARING, started_at=now, error=""
    )
    if not taken:
        return None
    found.state, found.started_at, found.error = ReportFile.State.PREPARING, now, ""
    return found


def _make(record: ReportFile, make: Callable[[], bytes]) -> ReportFile:
    try:
        content = make()
    except Exception as error:
        logger.exception("The report %s could not be made", record.document)
        record.state, record.error = ReportFile.State.FAILED, f"{type(error).__name__}: {error}"[:2000]
        record.save(update_fields=["state", "error"])
        raise NotReady(record) from error
    record.content, record.sha256 = content, hashlib.sha256(content).hexdigest()
    record.state, record.made_at = ReportFile.State.READY, timezone.now()
    record.save(update_fields=["content", "sha256", "state", "made_at"])
    # The same document made earlier (from older data) is read by nobody any more.
    ReportFile.objects.filter(
        document=record.document, state=ReportFile.State.READY, started_at__lt=record.started_at
    ).delete()
    _remember(record)
    return record
