"""The spreadsheets' figures: a 5,000-row XLSX import of status updates against a plain
``bulk_create`` of the same rows, the preview (dry run) of the same file once imported,
and the export of those rows.

The rows are the status updates of a plan of its own (``bench-22``: 5 priorities of 250
initiatives, four quarters each), so that the other plans of the bench's database are
left alone: every reset and every export is limited to that plan.

The import's peak memory is always traced (one more run, tracemalloc), the preview's on
request (``--xlsx-memory``). ``python -m bench.spreadsheets`` measures these rows alone.
"""

import datetime
import io
import statistics
import time
import tracemalloc
from dataclasses import dataclass

ROWS = 5_000
SLUG = "bench-22"


@dataclass(frozen=True)
class Figure:
    name: str
    seconds: float  # the median of the runs
    runs: int
    peak: int | None  # bytes traced by tracemalloc at the peak of one more run, if traced


def build_plan(initiatives_per_priority: int):
    from initiatives.models import Initiative
    from priorities.models import AnnualPlan, Quarter, StrategicPlan, StrategicPriority, quarter_bounds

    strategic = StrategicPlan.objects.create(
        slug="bench", title_fr="Bench", start_year=2022, end_year=2027, overall_goal_fr="Bench."
    )
    plan = AnnualPlan.objects.create(
        strategic_plan=strategic, slug=SLUG, title_fr="Bench 2022-23", start_date=datetime.date(2022, 7, 1)
    )
    for number in range(1, 5):
        start, end = quarter_bounds(plan.start_date, number)
        Quarter.objects.create(annual_plan=plan, number=number, start_date=start, end_date=end)
    priorities = StrategicPriority.objects.bulk_create(
        StrategicPriority(
            annual_plan=plan, number=n, title_fr=f"Priorité {n}", short_title_fr=f"P{n}", statement_fr="…"
        )
        for n in range(1, 6)
    )
    Initiative.objects.bulk_create(
        Initiative(priority=p, number=i, title_fr=f"Initiative {p.number}.{i}")
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


def timed(name, action, *, repeats, reset=None, trace=True) -> Figure:
    """Median seconds of ``action`` over ``repeats`` runs, then, if ``trace``, its peak
    traced memory in one more run (tracing slows Python down, so it is kept out of the
    timed runs)."""
    seconds = []
    for _ in range(repeats):
        if reset:
            reset()
        start = time.perf_counter()
        action()
        seconds.append(time.perf_counter() - start)
    peak = None
    if trace:
        if reset:
            reset()
        tracemalloc.start()
        action()
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return Figure(name=name, seconds=statistics.median(seconds), runs=repeats, peak=peak)


def measure(*, repeats: int, import_repeats: int, trace_imports: bool, rows: int = ROWS) -> list[Figure]:
    """[bulk_create (the base), import, preview, export]. The import's peak memory is traced
    in one more run; the preview's too if ``trace_imports``."""
    from django.conf import settings

    from civicplan.spreadsheet_files import SafeXLSX
    from civicplan.spreadsheets import import_spreadsheet
    from initiatives.models import Initiative, StatusUpdate
    from initiatives.resources import StatusUpdateResource
    from priorities.models import Quarter

    settings.SPREADSHEET_MAX_ROWS = max(settings.SPREADSHEET_MAX_ROWS, rows)
    plan = build_plan(rows // 4 // 5)
    lines = list(status_rows(plan))
    data = xlsx_bytes(lines)
    updates = StatusUpdate.objects.filter(initiative__priority__annual_plan=plan)

    def reset():
        updates.delete()

    def spreadsheet_import():
        report = import_spreadsheet(StatusUpdateResource(), data, "xlsx", dry_run=False)
        if not report.ok or report.new != rows:
            raise SystemExit(f"the import failed: {report.summary()} {report.errors[:3]}")

    initiatives = {
        (i.priority.number, i.number): i
        for i in Initiative.objects.filter(priority__annual_plan=plan).select_related("priority")
    }
    quarters = {q.number: q for q in Quarter.objects.filter(annual_plan=plan)}

    def plain_bulk_create():
        StatusUpdate.objects.bulk_create(
            StatusUpdate(initiative=initiatives[(r[1], r[2])], quarter=quarters[r[3]], status=r[4], narrative=r[5])
            for r in lines
        )

    def unchanged_reimport():
        report = import_spreadsheet(StatusUpdateResource(), data, "xlsx", dry_run=True)
        if report.unchanged != rows:
            raise SystemExit(f"the re-import found changes: {report.summary()}")

    def export():
        resource = StatusUpdateResource()
        SafeXLSX().export_data(resource.export(queryset=resource.get_queryset().filter(pk__in=updates.values("pk"))))

    base = timed("bulk_create of the same rows", plain_bulk_create, repeats=repeats, reset=reset)
    imported = timed("XLSX import, all rows new", spreadsheet_import, repeats=import_repeats, reset=reset, trace=True)
    reset()
    spreadsheet_import()
    preview = timed("XLSX preview, all rows unchanged", unchanged_reimport, repeats=import_repeats, trace=trace_imports)
    exported = timed("XLSX export of those rows", export, repeats=repeats)
    return [base, imported, preview, exported]


def main(argv=None) -> None:
    """``python -m bench.spreadsheets``: the spreadsheets' rows of the bench alone, in a
    throwaway database of their own (the rest of the bench is not run)."""
    import argparse
    import sys

    from bench.__main__ import megabytes, ms, throwaway_database

    parser = argparse.ArgumentParser(prog="python -m bench.spreadsheets", description=main.__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=ROWS, help=f"rows of the file (default {ROWS:,})")
    parser.add_argument("--repeats", type=int, default=1, help="timed runs of the import and preview (default 1)")
    parser.add_argument(
        "--preview-memory", action="store_true", help="also trace the preview's peak memory (one more run: slow)"
    )
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    with throwaway_database() as database:
        base, *others = measure(
            repeats=3, import_repeats=args.repeats, trace_imports=args.preview_memory, rows=args.rows
        )
    print(f"{database}; {args.rows:,} rows; base: bulk_create of the same rows, {ms(base.seconds)} ms")
    for f in others:
        print(
            f"{f.name:<36} {ms(f.seconds):>9} ms  ratio {f.seconds / base.seconds:6.1f}  "
            f"traced peak {megabytes(f.peak):>7} MB"
        )


if __name__ == "__main__":
    main()
