"""The quarterly report's PDF and a board meeting's pack: the view's time against
WeasyPrint's alone on the same HTML (what the view adds to WeasyPrint: the queries, the
report's data, the charts, the templates), and the peak memory of the view.

Memory is read two ways. At every size, the growth of the process's maximum RSS during
the view's first request, over the RSS it started from: ``getrusage`` gives the
high-water mark, so this is exact when that request sets a new mark (the bench measures
the PDFs before the pages for that reason), and only a bound ("<=") when it does not. For
the small plan, also the peak of Python's allocations during one more request, traced by
tracemalloc, which makes WeasyPrint several times slower: too slow for the large plan,
whose PDF takes WeasyPrint tens of seconds; so the large plan's figures also come from
fewer runs (one by default).
"""

import os
import resource
import time
import tracemalloc
from dataclasses import dataclass, field

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from .pages import QUARTER, Page, Target, Timed, get

QUARTERLY_PDF = Page(
    f"quarterly report Q{QUARTER} PDF", lambda t: reverse("reporting:quarterly-pdf", args=[t.slug, QUARTER])
)
MEETING_PDF = Page(
    f"board meeting Q{QUARTER} pack PDF", lambda t: reverse("reporting:meeting-pdf", args=[t.slug, t.meeting])
)


@dataclass
class PdfFigures(Timed):
    target: Target
    queries: list[str] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    base_seconds: list[float] = field(default_factory=list)
    peak: int | None = None  # bytes traced by tracemalloc during one request of the view
    rss_growth: int | None = None  # bytes the view's first request grew the RSS by, at its peak
    rss_bound: int | None = None  # when it set no new maximum: the growth was at most this
    pdf_bytes: int = 0
    page: str = QUARTERLY_PDF.name


def quarterly_html(slug: str, language: str) -> str:
    """The HTML the quarterly PDF view hands to WeasyPrint, made as the view makes it (with
    the view's own helpers)."""
    from reporting import documents, files, views
    from reporting.builders import build_quarterly_report

    with translation.override(language):
        plan = views._plan(slug)
        report = build_quarterly_report(plan, QUARTER)
        title = files.quarterly_title(report)
        return documents.document(
            "reporting/_quarterly_body.html", documents.quarterly_context(report), title=title, running_title=title
        )


def meeting_html(target: Target, language: str) -> str:
    """The HTML the meeting pack's PDF view hands to WeasyPrint, made as the view makes it."""
    from reporting import meeting_views
    from reporting.meetings import build_meeting_pack, meeting_document

    with translation.override(language):
        return meeting_document(build_meeting_pack(meeting_views._meeting(target.slug, target.meeting)))


def max_rss() -> int:
    """The process's maximum resident set size so far, in bytes (Linux counts in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def current_rss() -> int:
    """The process's resident set size now, in bytes (Linux)."""
    with open("/proc/self/statm", encoding="ascii") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def measure_one(
    client, target: Target, *, repeats: int, warmups: int, trace: bool, page: Page = QUARTERLY_PDF, html_of=None
) -> PdfFigures:
    """Rounds of: the PDF view, then WeasyPrint alone on the same HTML (``html_of(target,
    language)``: the quarterly report's by default). The view's queries are counted in every
    run (some twenty: counting costs nothing beside WeasyPrint) and kept from the first,
    which also gives the reader's language for the HTML.

    Each run is a first download after a change (``versions.changed()`` before it): the PDF
    is made, as it is once per version of the data; the stored file's serving, every later
    reader's, is a row of the pages (bench/pages.py)."""
    from civicplan import versions
    from reporting.pdf import render_pdf

    figure, html = PdfFigures(target=target, page=page.name), None
    url = page.url(target)
    for round_ in range(warmups + repeats):
        versions.changed()
        rss, mark = current_rss(), max_rss()
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            response = get(client, url)
            seconds = time.perf_counter() - start
        if html is None:
            if max_rss() > mark:
                figure.rss_growth = max_rss() - rss
            else:
                figure.rss_bound = mark - rss
            figure.queries = [query["sql"] for query in captured.captured_queries]
            figure.pdf_bytes = len(response.content)
            # The view answers in the reader's language; the HTML is made in the same.
            language = response["Content-Language"]
            html = html_of(target, language) if html_of else quarterly_html(target.slug, language)
        start = time.perf_counter()
        render_pdf(html)
        base = time.perf_counter() - start
        if round_ >= warmups:
            figure.seconds.append(seconds)
            figure.base_seconds.append(base)
    if trace:
        versions.changed()
        tracemalloc.start()
        try:
            get(client, url)
            figure.peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    return figure


def measure_quarterly_pdf(
    client,
    targets: list[Target],
    *,
    repeats: int,
    warmups: int,
    large_repeats: int = 1,
    page=QUARTERLY_PDF,
    html_of=None,
):
    """The small plan: ``warmups`` + ``repeats`` rounds and a traced run; every larger plan:
    ``large_repeats`` rounds (WeasyPrint is warm by then), its first request's growth of
    the max RSS, and no traced run. ``page``/``html_of``: another PDF (measure_one)."""
    small, *larger = targets
    mine = {"page": page, "html_of": html_of}
    figures = [measure_one(client, small, repeats=repeats, warmups=warmups, trace=True, **mine)]
    figures += [measure_one(client, t, repeats=large_repeats, warmups=0, trace=False, **mine) for t in larger]
    return figures


def measure_meeting_pdf(client, targets: list[Target], *, repeats: int, warmups: int, large_repeats: int = 1):
    """The board meeting's pack PDF, measured as the quarterly report's (its targets carry
    their meeting: pages.record_meetings)."""
    return measure_quarterly_pdf(
        client,
        targets,
        repeats=repeats,
        warmups=warmups,
        large_repeats=large_repeats,
        page=MEETING_PDF,
        html_of=meeting_html,
    )
