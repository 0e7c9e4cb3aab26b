"""Print the benchmark's figures, every one measured in this run.

So far: a 5,000-row XLSX import of status updates against a plain ``bulk_create`` of the
same rows, and the export of those rows, with peak Python memory. The pages' figures
join this table as the pages arrive.

Runs in a throwaway test database (SQLite in memory, or ``test_<name>`` next to
``DATABASE_URL`` on PostgreSQL), so it never touches real data.
"""

import io
import os
import statistics
import time
import tracemalloc

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicplan.settings.test")
django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

ROWS = 5_000
REPEATS = 3


def build_plan(initiatives_per_priority: int):
    import datetime

    from initiatives.models import Initiative
    from priorities.models import AnnualPlan, Quarter, StrategicPlan, StrategicPriority, quarter_bounds

    strategic = StrategicPlan.objects.create(
        slug="bench", title="Bench", start_year=2022, end_year=2027, overall_goal="Bench."
    )
    plan = AnnualPlan.objects.create(
        strategic_plan=strategic, slug="bench-22", title="Bench 2022-23", start_date=datetime.date(2022, 7, 1)
    )
    for number in range(1, 5):
        start, end = quarter_bounds(plan.start_date, number)
        Quarter.objects.create(annual_plan=plan, number=number, start_date=start, end_date=end)
    priorities = StrategicPriority.objects.bulk_create(
        StrategicPriority(annual_plan=plan, number=n, title=f"Priorité {n}", short_title=f"P{n}", statement="…")
        for n in range(1, 6)
    )
    Initiative.objects.bulk_create(
        Initiative(priority=p, number=i, title=f"Initiative {p.number}.{i}")
        for p in priorities
        for i in range(1, initiatives_per_priority + 1)
    )
    return plan


def status_rows(plan):
    from initiatives.models import Initiative

    for initiative in Initiative.objects.filter(priority__annual_plan=plan).select_related("priority"):
        for quarter in range(1, 5):
            yield [
                plan.slug,
                initiative.priority.number,
                initiative.number,
                quarter,
                "on_track",
                f"Avancement de l'initiative {initiative.code} au trimestre {quarter}.",
            ]


def xlsx_bytes(rows) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["plan", "priority", "initiative", "quarter", "status", "narrative"])
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def timed(action, repeats=REPEATS, reset=None):
    """Median seconds of ``action`` over ``repeats`` runs, then its peak traced memory in
    one more run (tracing slows Python down, so it is kept out of the timed runs)."""
    seconds = []
    for _ in range(repeats):
        if reset:
            reset()
        start = time.perf_counter()
        action()
        seconds.append(time.perf_counter() - start)
    if reset:
        reset()
    tracemalloc.start()
    action()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return statistics.median(seconds), peak


def main():
    from civicplan.spreadsheets import SafeXLSX, import_spreadsheet
    from initiatives.models import Initiative, Quarter, StatusUpdate
    from initiatives.resources import StatusUpdateResource

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        settings.SPREADSHEET_MAX_ROWS = max(settings.SPREADSHEET_MAX_ROWS, ROWS)
        plan = build_plan(ROWS // 4 // 5)
        rows = list(status_rows(plan))
        data = xlsx_bytes(rows)

        def reset():
            StatusUpdate.objects.all().delete()

        def spreadsheet_import():
            report = import_spreadsheet(StatusUpdateResource(), data, "xlsx", dry_run=False)
            if not report.ok or report.new != ROWS:
                raise SystemExit(f"the import failed: {report.summary()} {report.errors[:3]}")

        initiatives = {
            (i.priority.number, i.number): i
            for i in Initiative.objects.filter(priority__annual_plan=plan).select_related("priority")
        }
        quarters = {q.number: q for q in Quarter.objects.filter(annual_plan=plan)}

        def plain_bulk_create():
            StatusUpdate.objects.bulk_create(
                StatusUpdate(initiative=initiatives[(r[1], r[2])], quarter=quarters[r[3]], status=r[4], narrative=r[5])
                for r in rows
            )

        import_seconds, import_peak = timed(spreadsheet_import, reset=reset)
        bulk_seconds, bulk_peak = timed(plain_bulk_create, reset=reset)

        def unchanged_reimport():
            report = import_spreadsheet(StatusUpdateResource(), data, "xlsx", dry_run=True)
            if report.unchanged != ROWS:
                raise SystemExit(f"the re-import found changes: {report.summary()}")

        reset()
        spreadsheet_import()
        preview_seconds, preview_peak = timed(unchanged_reimport)

        def export():
            SafeXLSX().export_data(StatusUpdateResource().export())

        export_seconds, export_peak = timed(export)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)

    mb = 1024 * 1024
    print(f"civicplan benchmark on {connection.vendor}, {ROWS:,} status-update rows, median of {REPEATS} runs")
    print(f"{'measure':<52}{'seconds':>10}{'peak MB':>10}{'ratio':>10}")
    table = [
        ("bulk_create of the rows (base)", bulk_seconds, bulk_peak, 1.0),
        ("XLSX import, all rows new", import_seconds, import_peak, import_seconds / bulk_seconds),
        ("XLSX preview (dry run), all rows unchanged", preview_seconds, preview_peak, preview_seconds / bulk_seconds),
        ("XLSX export of the rows", export_seconds, export_peak, export_seconds / bulk_seconds),
    ]
    for name, seconds, peak, ratio in table:
        print(f"{name:<52}{seconds:>10.2f}{peak / mb:>10.1f}{ratio:>10.1f}")


if __name__ == "__main__":
    main()
