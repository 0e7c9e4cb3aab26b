"""Print the benchmark's table, every figure measured in this run: ``make bench`` (or
``python -m bench --help``). It prints; it asserts nothing about time.

What it does, in a throwaway database that it makes and drops (a temporary SQLite file;
with ``DATABASE_URL`` set, a database ``bench_<name>_<pid>`` next to that one), so it never
touches real data:

1. migrates it, loads the seed plan, the demo users and the demo progress (as ``make run``
   does), and generates the synthetic plans ``synthetic-x1`` and ``synthetic-x20``
   (``manage.py generate_synthetic_plan``; see its docstring for what grows);
2. signed in as the demo editor, measures the quarterly report's PDF on both plans,
   against WeasyPrint alone on the same HTML, with its memory (see ``bench/documents.py``);
3. writes and publishes each synthetic plan's Q2 board update through the views (POST to
   the board update's page, then to "publish"), and records a board meeting reviewing Q2
   with priority 1 in depth and five agenda items (POST to the meeting form);
4. measures, through Django's test ``Client`` in-process, every page on both plans: its SQL
   queries (counted in a run of their own; they must be the same number at 1x and 20x,
   hence the EQUAL/DIFFERENT column) and its median server time over 15 runs after 2
   warm-ups, each run followed by a run of /healthz (the trivial view: up, and SELECT 1)
   so that both share the machine's noise; the ratio is the page's median to /healthz's;
   the published board update's PDF is one of them (a stored file, served as is);
5. the board meeting's pack PDF as the quarterly report's (step 2), after the pages;
6. a 5,000-row XLSX import of status updates, its preview and the export of the rows,
   against a plain ``bulk_create`` of the same rows.

A ratio means more than a time: the machine (and whatever else runs on it) changes every
time, a ratio to something measured alongside much less.
"""

import argparse
import contextlib
import datetime
import io
import os
import platform
import resource
import shutil
import sys
import tempfile
import textwrap
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicplan.settings.test")
django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from bench import documents, pages, spreadsheets  # noqa: E402

MB = 1024 * 1024


def arguments(argv):
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=int, default=20, help="the large plan's scale (default 20)")
    parser.add_argument("--repeats", type=int, default=15, help="timed runs of each page (default 15)")
    parser.add_argument("--warmups", type=int, default=2, help="untimed runs of each page first (default 2)")
    parser.add_argument("--pdf-repeats", type=int, default=3, help="timed runs of the quarterly PDF (default 3)")
    parser.add_argument(
        "--xlsx-repeats", type=int, default=1, help="timed runs of the XLSX import and preview (default 1)"
    )
    parser.add_argument("--no-xlsx", action="store_true", help="leave the spreadsheets out (the slowest part)")
    parser.add_argument(
        "--xlsx-memory",
        action="store_true",
        help="also trace the XLSX preview's peak memory (one more run: slow); the import's is always traced",
    )
    return parser.parse_args(argv)


@contextlib.contextmanager
def throwaway_database():
    """A fresh database, migrated, dropped on the way out: its description."""
    test = connection.settings_dict.setdefault("TEST", {})
    folder = None
    if connection.vendor == "sqlite":
        folder = tempfile.mkdtemp(prefix="civicplan-bench-")
        test["NAME"] = os.path.join(folder, "bench.sqlite3")
    else:
        test["NAME"] = f"bench_{connection.settings_dict['NAME']}_{os.getpid()}"
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        yield describe_database(test["NAME"])
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        if folder:
            shutil.rmtree(folder, ignore_errors=True)


def describe_database(name: str) -> str:
    if connection.vendor == "sqlite":
        import sqlite3

        return f"SQLite {sqlite3.sqlite_version} (temporary file)"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0].split()[0]
    return f"{connection.display_name} {version} (throwaway database {name})"


def describe_machine() -> str:
    cpu = ""
    with contextlib.suppress(OSError), open("/proc/cpuinfo", encoding="utf-8") as info:
        cpu = next((line.split(":", 1)[1].strip() for line in info if line.startswith("model name")), "")
    load = f", load average {os.getloadavg()[0]:.1f} at start" if hasattr(os, "getloadavg") else ""
    return (
        f"Python {platform.python_version()}, Django {django.get_version()}, "
        f"{os.cpu_count()} CPUs{f' ({cpu})' if cpu else ''}, {platform.system()} {platform.machine()}{load}"
    )


def load_data(scale: int) -> tuple[list[pages.Target], dict[str, float]]:
    """The seed and demo data as ``make run`` loads them, then the synthetic plans."""
    call_command("loaddata", "annual_plan_2022_23", verbosity=0)
    call_command("create_demo_users", "--force", verbosity=0, stdout=io.StringIO())
    call_command("load_demo", verbosity=0)
    targets, seconds = [], {}
    for size in (1, scale):
        label, slug = f"{size}x", f"synthetic-x{size}"
        start = time.perf_counter()
        call_command("generate_synthetic_plan", scale=size, slug=slug, verbosity=0)
        seconds[label] = time.perf_counter() - start
        targets.append(pages.target(label, slug))
    return targets, seconds


def plan_size(target: pages.Target) -> str:
    from initiatives.models import Initiative, StatusUpdate

    initiatives = Initiative.objects.filter(priority__annual_plan__slug=target.slug).count()
    updates = StatusUpdate.objects.filter(quarter__annual_plan__slug=target.slug).count()
    return f"{target.slug} ({initiatives:,} initiatives, {updates:,} status updates)"


# The table --------------------------------------------------------------------------

COLUMNS = (
    # title, key, alignment
    ("measure", "measure", "<"),
    ("scale", "scale", "<"),
    ("runs", "runs", ">"),
    ("queries", "queries", ">"),
    ("1x vs 20x", "same", "<"),
    ("median ms", "ms", ">"),
    ("base", "base", "<"),
    ("base ms", "base_ms", ">"),
    ("ratio", "ratio", ">"),
    ("traced MB", "peak", ">"),
    ("RSS +MB", "rss", ">"),
)


def ms(seconds: float) -> str:
    value = seconds * 1000
    return f"{value:,.2f}" if value < 10 else f"{value:,.1f}" if value < 1000 else f"{value:,.0f}"


def runs(count: int) -> str:
    return f"{count} run" if count == 1 else f"{count} runs"


def megabytes(size: int | None) -> str:
    return "-" if size is None else f"{size / MB:,.1f}"


def sameness(figures) -> str:
    counts = {len(f.queries) for f in figures}
    return "EQUAL" if len(counts) == 1 else "DIFFERENT"


def page_rows(figures_per_page) -> list[dict]:
    rows = []
    for figures in figures_per_page:
        same = sameness(figures)
        for f in figures:
            rows.append(
                {
                    "measure": f.page,
                    "scale": f.target.label,
                    "runs": len(f.seconds),
                    "queries": len(f.queries),
                    "same": same,
                    "ms": ms(f.p50),
                    "base": pages.HEALTHZ,
                    "base_ms": ms(f.base_p50),
                    "ratio": f"{f.ratio:,.1f}",
                }
            )
    return rows


def pdf_rows(figures) -> list[dict]:
    same = sameness(figures)
    return [
        {
            "measure": f.page,
            "scale": f.target.label,
            "runs": len(f.seconds),
            "queries": len(f.queries),
            "same": same,
            "ms": ms(f.p50),
            "base": "WeasyPrint alone",
            "base_ms": ms(f.base_p50),
            "ratio": f"{f.ratio:,.2f}",
            "peak": megabytes(f.peak),
            "rss": megabytes(f.rss_growth) if f.rss_growth is not None else f"<={megabytes(f.rss_bound)}",
        }
        for f in figures
    ]


def spreadsheet_rows(figures: list[spreadsheets.Figure]) -> list[dict]:
    if not figures:
        return []
    base, *others = figures
    return [
        {
            "measure": f.name,
            "scale": f"{spreadsheets.ROWS:,} rows",
            "runs": f.runs,
            "ms": ms(f.seconds),
            "base": "bulk_create",
            "base_ms": ms(base.seconds),
            "ratio": f"{f.seconds / base.seconds:,.1f}",
            "peak": megabytes(f.peak),
        }
        for f in others
    ]


def table(rows: list[dict], large: str) -> list[str]:
    cells = [[title.replace("20x", large) for title, _key, _align in COLUMNS]]
    cells += [[str(row.get(key, "")) for _t, key, _a in COLUMNS] for row in rows]
    widths = [max(len(line[i]) for line in cells) for i in range(len(COLUMNS))]
    lines = []
    for n, line in enumerate(cells):
        text = "  ".join(
            f"{cell:{align}{width}}" for cell, width, (_t, _k, align) in zip(line, widths, COLUMNS, strict=True)
        )
        lines.append(text.rstrip())
        if n == 0:
            lines.append("  ".join("-" * width for width in widths))
    return lines


def differences(figures_per_page) -> list[str]:
    notes = []
    for figures in figures_per_page:
        if sameness(figures) == "DIFFERENT":
            small, large = figures[0], figures[-1]
            notes.append(
                f"{small.page}: {len(small.queries)} queries at {small.target.label}, "
                f"{len(large.queries)} at {large.target.label}"
            )
            notes += [f"    {line}" for line in pages.query_difference(small.queries, large.queries)]
    return notes


def main(argv=None) -> None:
    args = arguments(argv)
    started = time.perf_counter()
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    machine = describe_machine()
    # The test Client's requests name the host "testserver".
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    steps = {}
    with throwaway_database() as database:
        steps["database"] = time.perf_counter() - started
        step = time.perf_counter()
        targets, generated = load_data(args.scale)
        sizes = [plan_size(t) for t in targets]
        client = Client()
        client.force_login(get_user_model().objects.get(username="editor"))
        steps["data"] = time.perf_counter() - step

        # The PDFs first: their memory is read from the process's maximum RSS, which the
        # board updates' PDFs and the large pages would have raised already.
        step = time.perf_counter()
        pdf_figures = documents.measure_quarterly_pdf(client, targets, repeats=args.pdf_repeats, warmups=1)
        steps["PDF"] = time.perf_counter() - step
        step = time.perf_counter()
        published = pages.publish_board_updates(client, targets)
        # Each plan's board meeting reviews the quarter just published (its pack opens with it).
        targets = pages.record_meetings(client, targets)
        page_figures = pages.measure_pages(
            client, targets, repeats=args.repeats, warmups=args.warmups, pages=(*pages.PAGES, pages.BOARD_PDF)
        )
        steps["pages"] = time.perf_counter() - step
        step = time.perf_counter()
        # After the pages: its RSS growth is then a bound ("<="), the quarterly PDF's is exact.
        meeting_figures = documents.measure_meeting_pdf(client, targets, repeats=args.pdf_repeats, warmups=1)
        steps["meeting PDF"] = time.perf_counter() - step
        sheet_figures = []
        if not args.no_xlsx:
            step = time.perf_counter()
            sheet_figures = spreadsheets.measure(
                repeats=3, import_repeats=args.xlsx_repeats, trace_imports=args.xlsx_memory
            )
            steps["XLSX"] = time.perf_counter() - step

    large = targets[-1].label
    rows = page_rows(page_figures) + pdf_rows(pdf_figures) + pdf_rows(meeting_figures) + spreadsheet_rows(sheet_figures)
    print(f"civicplan bench, {now}: {database}; {machine}")
    plans = (
        f"Plans: {sizes[0]} and {sizes[1]}, generated in {generated['1x']:.1f} s and {generated[large]:.1f} s; "
        f"their Q2 board updates published (PDF included) in {published['1x']:.1f} s and {published[large]:.1f} s."
    )
    small_pdf, large_pdf = pdf_figures[0], pdf_figures[-1]
    method = (
        f"Pages: signed in as the demo editor; median of {runs(args.repeats)} after {args.warmups} warm-ups, "
        f"each run followed by one of {pages.HEALTHZ} (the base). Quarterly PDF ({small_pdf.pdf_bytes / MB:.1f} MB "
        f"and {large_pdf.pdf_bytes / MB:.1f} MB): median of {runs(args.pdf_repeats)} after 1 warm-up at 1x, "
        f"{runs(len(large_pdf.seconds))} at {large}, each followed by WeasyPrint alone on the same HTML (the base); "
        "the board meeting's pack PDF likewise, measured after the pages. "
        "XLSX: against a bulk_create of the same rows (median of 3 runs)."
    )
    print(textwrap.fill(plans, width=120))
    print(textwrap.fill(method, width=120))
    print()
    print("\n".join(table(rows, large)))
    print()
    legend = (
        f"queries: SQL queries of one request, signing in included. 1x vs {large}: the same number of queries at "
        "both sizes, or not. median ms: the request's server time, in-process. ratio: median / the base's median. "
        "traced MB: the peak of Python's allocations during one more run (tracemalloc; WeasyPrint's included). "
        "RSS +MB: how far the first request raised the process's resident memory at its peak."
    )
    print(textwrap.fill(legend, width=120))
    notes = differences([*page_figures, pdf_figures, meeting_figures])
    if notes:
        print(f"Queries run a different number of times (at 1x -> at {large}: the query, numbers and strings as ?):")
        print("\n".join(notes))
    total = time.perf_counter() - started
    print(
        f"Measured in {total // 60:.0f} min {total % 60:.0f} s ("
        + ", ".join(f"{name} {seconds:.0f} s" for name, seconds in steps.items())
        + f"); maximum RSS of the process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB."
    )


if __name__ == "__main__":
    main(sys.argv[1:])
