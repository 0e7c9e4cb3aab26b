"""The suite's shared fixtures, and how the seed plan and the demo progress are loaded once.

Most tests read the seed's plan (``seed_plan``) or the plan with the demo accounts and the
demo progress of Q1-Q3 (``demo_progress``). Loading them takes about a second; loading them
for each of 600 tests took half the suite's time. So they are loaded once per test process
(each pytest-xdist worker has its own database), in transactions that every test nests in:

- the tests are ordered by the world they need: none, then the plan, then the demo progress
  (after pytest-django's own order: tests in a transaction first, transactional tests next,
  tests without a database last);
- ``_World`` keeps a stack of open transactions, one per world: the plan's, then the demo's
  on top. Before each test it rolls back what the test may not see and loads what it needs;
  pytest-django's ``db`` then wraps the test in a savepoint, rolled back after it as always;
- a transactional test (a browser test, a restore) commits, so it cannot nest: every world
  is rolled back before it, and ``seed_plan`` loads the plan for that test alone; the first
  such load in a process through the fixtures, the next ones by putting back, by SQL, every
  row that first load left (tests/snapshots.py: a tenth of the time).

A test sees exactly what a per-test load gave it, and whatever it writes is rolled back.
"""

import contextlib
import os
from collections import OrderedDict

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from reporting import pdf, stored
from reporting.pdf import write_pdf as _write_pdf
from tests import snapshots
from tests.factories import UserFactory
from tests.helpers import DEMO_FIXTURE, PLAN_FIXTURE, client_in, recreate_roles

EMPTY, PLAN, DEMO = 0, 1, 2

# Hypothesis (tests/test_fuzz.py): a bounded, repeatable run by default (CI), many more
# examples with HYPOTHESIS_PROFILE=deep. No example database: nothing written to the tree.
_FUZZ = {
    "deadline": None,
    "database": None,
    "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
}
hypothesis_settings.register_profile("civicplan", max_examples=8, derandomize=True, **_FUZZ)
hypothesis_settings.register_profile("deep", max_examples=300, **_FUZZ)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "civicplan"))


def load_plan() -> None:
    call_command("loaddata", PLAN_FIXTURE, verbosity=0)


def load_demo() -> None:
    call_command("create_demo_users", "--force", verbosity=0)
    # The fixture alone (its rounds included: Q1 and Q2 closed, Q3 open), without the locks
    # that `manage.py load_demo` adds on Q1 and Q2 for `make run`: most tests change a
    # record of some quarter; tests/initiatives/test_demo_fixture.py checks load_demo.
    call_command("loaddata", DEMO_FIXTURE, verbosity=0)


LOADERS = {PLAN: load_plan, DEMO: load_demo}


def _is_transactional(item) -> bool:
    marker = item.get_closest_marker("django_db")
    if marker and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences")):
        return True
    names = getattr(item, "fixturenames", ())
    return bool({"transactional_db", "live_server", "django_db_reset_sequences"} & set(names))


def _uses_db(item) -> bool:
    return bool(item.get_closest_marker("django_db")) or "db" in getattr(item, "fixturenames", ())


def _world_of(item) -> int:
    names = getattr(item, "fixturenames", ())
    if _is_transactional(item):
        return EMPTY
    if "demo_progress" in names:
        return DEMO
    if "seed_plan" in names:
        return PLAN
    return EMPTY


class _World:
    """The worlds loaded under the running tests, as a stack of open transactions."""

    def __init__(self, blocker) -> None:
        self.blocker = blocker
        self.open: list = []  # One atomic() per world above EMPTY, the plan's first.

    def become(self, level: int) -> None:
        if level == len(self.open):
            return
        with self.blocker.unblock():
            # Nothing else may be open over the worlds: a module-scoped fixture holding a
            # transaction (tests/test_permission_matrix.py) must not straddle two worlds.
            assert len(connection.atomic_blocks) == len(self.open), (
                "a transaction is open over the test worlds: keep a module's tests that hold one in one world"
            )
            while len(self.open) > level:
                transaction.set_rollback(True)
                self.open.pop().__exit__(None, None, None)
            while len(self.open) < level:
                block = transaction.atomic()
                block.__enter__()
                self.open.append(block)
                LOADERS[len(self.open)]()


_world: _World | None = None
_wanted = EMPTY


# Modules whose tests one worker runs, all of them: each builds a world of its own once
# (tests/test_permission_matrix.py: the demo and eight report PDFs, 20-50 s), which would be
# built again on every worker that ran one of its tests.
ONE_WORKER = frozenset({"tests/test_permission_matrix.py"})


def pytest_xdist_make_scheduler(config, log):
    """pytest-xdist's ``load`` (a test at a time to whichever worker is free), but for the
    modules of ``ONE_WORKER``: each a single unit of work. (Its ``loadgroup`` would do this
    from a mark, but renames the tests to do so, which pytest 9's test ids no longer allow.)"""
    from xdist.scheduler import LoadScopeScheduling

    class Scheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            module = nodeid.split("::", 1)[0]
            return module if module in ONE_WORKER else nodeid

    return Scheduling(config, log)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """pytest-django's order (in a transaction, transactional, no database), then by world."""

    def key(item):
        group = 1 if _is_transactional(item) else 0 if _uses_db(item) else 2
        return group, _world_of(item)

    items.sort(key=key)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    global _wanted
    if not _uses_db(item):
        return
    _wanted = _world_of(item)
    if _world is not None:
        _world.become(_wanted)


@pytest.fixture(scope="session")
def _worlds(django_db_setup, django_db_blocker):
    """The worlds' stack, made by the first test that needs the plan (session-scoped, so set
    up before that test's ``db``), emptied at the end of the session."""
    global _world
    _world = _World(django_db_blocker)
    _world.become(_wanted)
    yield _world
    _world.become(EMPTY)
    _world = None


# Per world: every row of the database once a transactional test had loaded it, to put
# back by SQL in the next one (tests/snapshots.py).
_snapshots: dict[int, snapshots.Snapshot] = {}


def _load_world(level: int) -> None:
    """The role groups a previous flush may have taken, and the world's fixtures."""
    recreate_roles()
    for each in range(PLAN, level + 1):
        LOADERS[each]()


def _load_for_one_test(request, level: int) -> None:
    """In a transactional test nothing is nested: load the world for this test (its flush
    at the end takes it away); the first time in this process through its fixtures, then
    by putting back every row that load left (tests/snapshots.py)."""
    if _is_transactional(request.node):
        if level not in _snapshots or not snapshots.put_back(_snapshots[level]):
            _snapshots[level] = snapshots.taken_around(lambda: _load_world(level))
    else:
        assert _world is not None and len(_world.open) >= level


@pytest.fixture
def seed_plan(_worlds, db, request):
    """The seed's annual plan 2022-23, loaded from its fixture."""
    _load_for_one_test(request, PLAN)


@pytest.fixture
def demo_progress(_worlds, db, request):
    """The seed plan with the demo accounts and the demo progress of Q1-Q3."""
    _load_for_one_test(request, DEMO)


@pytest.fixture(autouse=True)
def _site_language():
    """Each test starts in the site's language: a request leaves its reader's language
    active in the thread, and the plan's text (``priority.title``) reads in the active one."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: counters (password-reset limits), stored
    charts and report files kept in memory of an earlier test are not this one's."""
    cache.clear()
    stored.memory.clear()


# A PDF laid out once per test process for each document (at most PDFS_KEPT kept).
PDFS_KEPT = 48
_pdfs: OrderedDict = OrderedDict()


def _write_pdf_once(html, logo):
    key = (html, logo if not isinstance(logo, Exception) else str(logo), _static_places())
    if key in _pdfs:
        _pdfs.move_to_end(key)
        return _pdfs[key]
    made = _pdfs[key] = _write_pdf(html, logo)
    if len(_pdfs) > PDFS_KEPT:
        _pdfs.popitem(last=False)
    return made


def _static_places():
    return (str(settings.STATIC_ROOT), tuple(str(place) for place in settings.STATICFILES_DIRS))


@pytest.fixture(autouse=True)
def _each_document_laid_out_once(request, monkeypatch):
    """WeasyPrint makes the same bytes from the same document, its logo and its static files
    (reporting/pdf.py keeps the clock out; tests/reporting/test_pdf.py proves it), so a
    document a test process has laid out already is given its PDF again instead of laying
    it out again: the suite's largest cost. Everything above ``write_pdf`` runs as always,
    the logo's read included (query counts hold), and a test counting renders counts them
    above it. The renderer's own tests (marked ``renderer``) lay out every time."""
    if not request.node.get_closest_marker("renderer"):
        monkeypatch.setattr(pdf, "write_pdf", _write_pdf_once)


@pytest.fixture
def django_assert_num_queries():
    """pytest-django's, but a failure always lists the SQL that ran (pytest-django's does
    only with -v): a page that grew a query says which at once."""

    @contextlib.contextmanager
    def assert_num_queries(expected: int):
        with CaptureQueriesContext(connection) as context:
            yield context
        if len(context) != expected:
            sql = "\n".join(f"{n}. {query['sql']}" for n, query in enumerate(context.captured_queries, 1))
            pytest.fail(f"Expected {expected} queries, {len(context)} ran:\n{sql}", pytrace=False)

    return assert_num_queries


@pytest.fixture
def client():
    """A reader who chose English: the tests read the English interface (the tests of
    translations choose French)."""
    return client_in("en")


@pytest.fixture
def users(demo_progress, django_user_model):
    """The demo accounts, by username."""
    return {u.username: u for u in django_user_model.objects.all()}


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_staff=True, is_superuser=True)
