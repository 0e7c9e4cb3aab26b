"""Large imports at a bounded cost (issue 15, item 4): the status updates, organisational
updates and indicator values are written in bulk (``use_bulk``), the rows a file names are
read in one query, the things rows name once per table. What must not change with it: all
rows or none, each refusal on its line (the database's too), the history, the revision
rule, and the data version, which bulk writes move without signals."""

import datetime
from collections import Counter

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from civicplan import spreadsheets, versions
from civicplan.spreadsheets import import_spreadsheet
from initiatives.models import Initiative, ReviewState, Status, StatusUpdate
from initiatives.resources import IndicatorValueResource, StatusUpdateResource
from tests.factories import (
    AnnualPlanFactory,
    ExpectedResultFactory,
    IndicatorFactory,
    InitiativeFactory,
    PriorityFactory,
    UserFactory,
    quarter_of,
)
from tests.helpers import table_rows
from tests.spreadsheets.files import csv_bytes, xlsx_bytes

pytestmark = pytest.mark.django_db

SLUG = "bulk-22"
UPDATE_COLUMNS = ["plan", "priority", "initiative", "quarter", "status", "narrative", "risks"]
VALUE_COLUMNS = ["plan", "priority", "result", "indicator", "quarter", "value", "note"]


@pytest.fixture
def plan(db):
    """A plan of its own: 5 priorities of 2 initiatives, each with an expected result of two
    indicators; 40 status updates and 40 indicator values to write (10 things, 4 quarters)."""
    plan = AnnualPlanFactory(slug=SLUG, start_date=datetime.date(2022, 7, 1))
    for number in range(1, 6):
        priority = PriorityFactory(annual_plan=plan, number=number)
        result = ExpectedResultFactory(priority=priority, number=1)
        for each in (1, 2):
            InitiativeFactory(priority=priority, number=each)
            IndicatorFactory(expected_result=result, number=each)
    return plan


def update_rows(count, narrative="Avancement"):
    rows = [
        [SLUG, priority, initiative, f"Q{quarter}", "on_track", f"{narrative} {priority}.{initiative} T{quarter}.", ""]
        for priority in range(1, 6)
        for initiative in (1, 2)
        for quarter in range(1, 5)
    ]
    return rows[:count]


def value_rows(count, value=10):
    rows = [
        [SLUG, priority, 1, indicator, quarter, value + quarter, f"Mesure {priority}.1.{indicator}."]
        for priority in range(1, 6)
        for indicator in (1, 2)
        for quarter in range(1, 5)
    ]
    return rows[:count]


def import_updates(rows, *, dry_run=False, user=None, resource=None, fmt="csv"):
    make = csv_bytes if fmt == "csv" else xlsx_bytes
    return import_spreadsheet(
        resource or StatusUpdateResource(), make(UPDATE_COLUMNS, rows), fmt, dry_run=dry_run, user=user
    )


def import_values(rows, *, dry_run=False):
    return import_spreadsheet(IndicatorValueResource(), csv_bytes(VALUE_COLUMNS, rows), "csv", dry_run=dry_run)


def differing(small, large) -> dict:
    """The statements run a different number of times (for the failure's message)."""
    a, b = Counter(small), Counter(large)
    return {sql: (a[sql], b[sql]) for sql in a.keys() | b.keys() if a[sql] != b[sql]}


# --- the number of queries does not grow with the rows ------------------------------------

# 40 rows at most: SQLite takes 999 values a statement and a status update has 20 columns to
# insert, so that more than 49 rows need a second INSERT, in a plain bulk_create too
# (PostgreSQL has no such limit).
SMALL, LARGE = 10, 40


@pytest.mark.parametrize(
    ("kind", "prepare", "dry_run"),
    [
        pytest.param("updates", None, False, id="updates-new"),
        pytest.param("updates", "same", False, id="updates-unchanged"),
        pytest.param("updates", "same", True, id="updates-unchanged-preview"),
        pytest.param("updates", "changed", False, id="updates-changed"),
        pytest.param("updates", None, True, id="updates-new-preview"),
        pytest.param("values", None, False, id="values-new"),
        pytest.param("values", "changed", False, id="values-changed"),
    ],
)
def test_an_import_runs_as_many_queries_for_40_rows_as_for_10(plan, kind, prepare, dry_run):
    """The rows a file names are read in one query, the initiatives, quarters and indicators
    it names once per table, nothing is checked row by row in the database, and the rows
    and their history are written in batches: 10 rows or 40, the same queries."""
    importer, rows = (import_updates, update_rows) if kind == "updates" else (import_values, value_rows)
    changed = (lambda n: update_rows(n, "Nouvel avancement")) if kind == "updates" else (lambda n: value_rows(n, 50))

    def measure(count) -> list[str]:
        """The SQL of the import of ``count`` rows, in a savepoint rolled back after it."""
        with transaction.atomic():
            if prepare:
                assert importer(rows(count)).ok  # the rows exist before the measured import
            data = changed(count) if prepare == "changed" else rows(count)
            with CaptureQueriesContext(connection) as context:
                report = importer(data, dry_run=dry_run)
            assert report.ok, report.errors
            transaction.set_rollback(True)
        return [query["sql"] for query in context.captured_queries]

    small, large = measure(SMALL), measure(LARGE)

    assert len(small) == len(large), differing(small, large)
    assert len(small) <= 25, small  # a query a table or a batch, not a row


def test_the_existing_rows_are_read_in_one_query(plan):
    assert import_updates(update_rows(LARGE)).ok
    changed = update_rows(LARGE, "Nouvel avancement")

    with CaptureQueriesContext(connection) as context:
        report = import_updates(changed, fmt="xlsx")

    assert (report.new, report.updated, report.unchanged) == (0, LARGE, 0), report.errors
    table = StatusUpdate._meta.db_table
    reads = [
        q["sql"] for q in context.captured_queries if q["sql"].startswith("SELECT") and f'FROM "{table}"' in q["sql"]
    ]
    assert len(reads) == 1, reads


# --- all rows or none, each refusal on its line ------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_one_bad_row_among_many_imports_none_and_says_its_line(plan, fmt):
    rows = update_rows(40)
    rows[22][4] = "at_risk"  # at risk without its risks: the model's rule, on line 24
    rows[35][2] = 7  # priority 5 has no initiative 7: the widget's, on line 37
    before = table_rows("priorities", "initiatives")
    version = versions.current()

    report = import_updates(rows, fmt=fmt)

    # A key column that names nothing refuses the row before it is read (the errors come
    # first), a rule of the model once it is read.
    assert report.errors == [
        "Line 37: Priority 5 has no initiative 7.",
        "Line 24: risks: Say what puts the initiative at risk or off track.",
    ]
    assert table_rows("priorities", "initiatives") == before  # history included
    assert versions.current() == version


class SmallBatches(StatusUpdateResource):
    """Written 4 rows at a time; at row ``conflict_at``, someone else writes the update that
    row names (after the file's rows were read): the database refuses the row's insert."""

    conflict_at = None

    class Meta(StatusUpdateResource.Meta):
        batch_size = 4

    def after_import_row(self, row, row_result, **kwargs):
        super().after_import_row(row, row_result, **kwargs)
        if kwargs["row_number"] == self.conflict_at:
            initiative = Initiative.objects.get(
                priority__annual_plan__slug=SLUG, priority__number=row["priority"], number=row["initiative"]
            )
            quarter = quarter_of(initiative.priority.annual_plan, int(str(row["quarter"]).lstrip("Q")))
            StatusUpdate.objects.create(initiative=initiative, quarter=quarter, narrative="Écrit entre-temps.")


@pytest.mark.parametrize(
    "conflict_at",
    [
        pytest.param(2, id="in-a-batch-before-its-last-row"),
        pytest.param(4, id="the-last-row-of-a-batch"),
        pytest.param(10, id="in-the-last-batch"),
    ],
)
def test_a_row_the_database_refuses_in_a_batch_is_told_on_its_line_and_nothing_is_written(plan, conflict_at):
    before = table_rows("priorities", "initiatives")
    resource = SmallBatches()
    resource.conflict_at = conflict_at

    report = import_updates(update_rows(10), resource=resource)

    assert len(report.errors) == 1, report.errors
    assert report.errors[0].startswith(f"Line {conflict_at + 1}: "), report.errors
    assert "UNIQUE" in report.errors[0].upper(), report.errors  # the database's words, on its line
    assert table_rows("priorities", "initiatives") == before


def test_a_bad_row_after_batches_were_written_still_imports_none(plan):
    rows = update_rows(30)
    rows[-1][3] = "Q5"
    before = table_rows("priorities", "initiatives")

    report = import_updates(rows, resource=SmallBatches())

    assert report.errors == ["Line 31: Quarter 5 does not exist: a plan year has quarters 1 to 4."]
    assert table_rows("priorities", "initiatives") == before


# --- what save() and the signals did, done in bulk ----------------------------------------


def test_bulk_written_rows_have_their_history_by_the_importer(plan):
    importer = UserFactory(username="importer", is_staff=True)

    report = import_updates(update_rows(12), user=importer)

    assert (report.new, report.ok) == (12, True)
    updates = StatusUpdate.objects.filter(quarter__annual_plan=plan)
    assert all(u.author == importer and u.version == 1 for u in updates)
    history = StatusUpdate.history.filter(quarter__annual_plan=plan)
    assert sorted(h.id for h in history) == sorted(u.pk for u in updates)
    assert {(h.history_type, h.history_user) for h in history} == {("+", importer)}


def test_a_bulk_update_is_a_new_version_with_its_history_and_keeps_an_approved_text(plan):
    assert import_updates(update_rows(8)).ok
    approved = StatusUpdate.objects.filter(quarter__annual_plan=plan).order_by("pk").first()
    approved.review_state, approved.reviewed_at = (
        ReviewState.APPROVED,
        datetime.datetime(2022, 10, 3, tzinfo=datetime.UTC),
    )
    approved.save()
    approved.refresh_from_db()
    StatusUpdate.history.all().delete()
    rows = update_rows(8)
    rows[0][4:7] = ["at_risk", "Retard des fonds.", "Le bailleur tarde."]

    report = import_updates(rows)

    assert (report.new, report.updated, report.unchanged) == (0, 1, 7), report.errors
    revision = StatusUpdate.objects.get(pk=approved.pk)
    assert (revision.status, revision.narrative, revision.risks) == (
        Status.AT_RISK,
        "Retard des fonds.",
        "Le bailleur tarde.",
    )
    assert revision.version == approved.version + 1
    assert revision.updated_at > approved.updated_at
    # The revision rule, as on the site: the approved text stays readable until approved again.
    assert revision.review_state == ReviewState.SUBMITTED and revision.submitted_at is not None
    assert revision.approved_narrative == approved.narrative and revision.approved_at == approved.reviewed_at
    (record,) = StatusUpdate.history.all()
    assert (record.id, record.history_type, record.version, record.narrative) == (
        approved.pk,
        "~",
        revision.version,
        "Retard des fonds.",
    )


# --- the data version ------------------------------------------------------------------


@pytest.fixture
def counted_changes(monkeypatch):
    calls = []
    original = versions.changed

    def changed(*args, **kwargs):
        calls.append(args)
        return original(*args, **kwargs)

    monkeypatch.setattr(versions, "changed", changed)
    return calls


def test_a_bulk_import_moves_the_data_version_once_and_a_preview_does_not(plan, counted_changes):
    before = versions.current()

    assert import_updates(update_rows(20), dry_run=True).new == 20
    assert versions.current() == before
    assert counted_changes == []

    assert import_updates(update_rows(20)).new == 20
    assert versions.current() != before
    assert len(counted_changes) == 1  # bulk writes send no signal: one call for the import

    moved = versions.current()
    assert import_updates(update_rows(20)).unchanged == 20  # nothing written, nothing moved
    assert versions.current() == moved and len(counted_changes) == 1
    assert import_values(value_rows(8)).new == 8
    assert versions.current() != moved


def test_after_the_commit_a_bulk_import_moves_the_version_and_a_preview_does_not(
    plan, settings, django_capture_on_commit_callbacks
):
    """As in production: the version is replaced once the import's transaction commits."""
    settings.DATA_VERSION_AFTER_COMMIT = True
    before = versions.current()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert import_updates(update_rows(20), dry_run=True).new == 20
    assert callbacks == [] and versions.current() == before

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert import_updates(update_rows(20)).new == 20
    assert len(callbacks) == 1
    assert versions.current() != before


def history_of(plan) -> list[tuple]:
    """Each history record of the plan's status updates, but for its own id and date."""
    model = StatusUpdate.history.model
    names = [f.attname for f in model._meta.concrete_fields if f.name not in {"history_id", "history_date"}]
    return sorted(model.objects.filter(quarter__annual_plan=plan).values_list(*names))


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_history_a_bulk_import_writes_is_django_simple_history_s(plan, fmt):
    """The history is copied in the database (INSERT ... SELECT): record for record what
    django-simple-history's bulk_create_with_history and bulk_update_with_history write for
    the same rows (no change reason, the importer, "+" then "~")."""
    importer = UserFactory(username="importer", is_staff=True)
    written = StatusUpdate.objects.filter(quarter__annual_plan=plan)

    def by_simple_history(update):
        StatusUpdate.history.all().delete()
        StatusUpdate.history.bulk_history_create(
            list(written.all()), update=update, default_user=importer, default_change_reason=None
        )
        return history_of(plan)

    assert import_updates(update_rows(12), user=importer, fmt=fmt).new == 12
    created = history_of(plan)
    assert len(created) == 12 and {(r[-2], r[-1]) for r in created} == {("+", importer.pk)}
    assert created == by_simple_history(update=False)

    StatusUpdate.history.all().delete()
    rows = update_rows(12)
    rows[3][4:7] = ["off_track", "Arrêtée.", "Plus de financement."]
    assert import_updates(rows, user=importer, fmt=fmt).updated == 1
    changed = history_of(plan)
    assert len(changed) == 1 and changed[0][-2:] == ("~", importer.pk)
    assert changed == [r for r in by_simple_history(update=True) if r[0] == changed[0][0]]


def test_a_history_of_another_shape_is_written_by_django_simple_history(plan, monkeypatch):
    """A history table with columns of its own is not copied in SQL: django-simple-history's
    bulk functions write it, with the same records."""
    monkeypatch.setattr(spreadsheets, "history_copier", lambda model: None)
    importer = UserFactory(username="importer", is_staff=True)

    assert import_updates(update_rows(6), user=importer).new == 6
    rows = update_rows(6)
    rows[0][5] = "Changé."
    assert import_updates(rows, user=importer).updated == 1

    history = StatusUpdate.history.filter(quarter__annual_plan=plan)
    assert sorted(history.values_list("history_type", flat=True)) == ["+"] * 6 + ["~"]
    assert {h.history_user for h in history} == {importer}
    assert history.get(history_type="~").narrative == "Changé."
