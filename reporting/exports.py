"""The quarterly report as a workbook, for readers who want the numbers: drawn from the
same report data as the page and the PDF."""

import tablib
from django.utils.translation import gettext as _

from civicplan.spreadsheets import neutralise
from civicplan.workbooks import workbook
from initiatives.models import Status
from priorities.models import quarter_code

from .data import QuarterlyReport
from .templatetags.reporting import status_label, trend_label

# A spreadsheet cell holds at most 32,767 characters (Excel's limit; longer ones break the file there).
CELL_MAX = 32_767


def _cell(value):
    # Every text comes from people's writing: a cell starting with "=" must stay text.
    value = neutralise(value)
    if isinstance(value, str) and len(value) > CELL_MAX:
        return value[: CELL_MAX - 1] + "…"
    return value


def _sheet(title: str, headers: list[str], rows: list[list]) -> tablib.Dataset:
    return tablib.Dataset(*[[_cell(cell) for cell in row] for row in rows], headers=headers, title=title[:31])


def quarterly_databook(report: QuarterlyReport) -> tablib.Databook:
    """The quarterly report's sheets (:func:`quarterly_workbook` makes the workbook)."""
    quarters = [quarter_code(q) for q in range(1, report.quarter.number + 1)]
    initiatives = _sheet(
        _("Initiatives"),
        [
            _("Priority"),
            _("Initiative"),
            _("Title"),
            _("Lead"),
            *quarters,
            _("Trend"),
            _("Progress"),
            _("Risks"),
            _("Next steps"),
        ],
        [
            [
                row.priority_number,
                row.code,
                row.title,
                row.lead,
                *[status_label(e.status) for e in row.entries],
                trend_label(row.trend),
                row.current.narrative,
                row.current.risks,
                row.current.next_steps,
            ]
            for row in report.initiatives
        ],
    )
    organisational = _sheet(
        _("Organisational priorities"),
        [
            _("Area"),
            _("Title"),
            _("Lead"),
            *quarters,
            _("Trend"),
            _("Progress"),
            _("Risks"),
            _("Next steps"),
        ],
        [
            [
                row.code,
                row.title,
                row.lead,
                *[status_label(e.status) for e in row.entries],
                trend_label(row.trend),
                row.current.narrative,
                row.current.risks,
                row.current.next_steps,
            ]
            for row in report.organisational
        ],
    )
    counts = _sheet(
        _("Status counts"),
        [_("Priority"), _("Quarter"), *[Status(s).label for s in Status.values], _("No approved update")],
        [
            [section.number, quarter_code(c.quarter), *[c.count(s) for s in Status.values], c.missing]
            for section in report.priorities
            for c in section.counts
        ],
    )
    quarter = report.quarter.number
    indicator_rows = []
    for ind in report.indicators:
        latest, progress = ind.value_at(quarter), ind.progress_at(quarter)
        measured = [latest[1], quarter_code(latest[0])] if latest else ["", ""]
        # A target not set yet leaves its cell and the progress empty: numbers only in those columns.
        percent = "" if progress is None else round(100 * progress)
        target = "" if ind.target is None else ind.target
        indicator_rows.append([ind.code, ind.name, ind.unit, ind.baseline, target, *measured, percent])
    indicators = _sheet(
        _("Indicators"),
        [
            _("Indicator"),
            _("Name"),
            _("Unit"),
            _("Baseline"),
            _("Target"),
            _("Latest value"),
            _("Quarter of value"),
            _("Progress towards target (%)"),
        ],
        indicator_rows,
    )
    events = _sheet(
        _("Events"),
        [_("Quarter"), _("Start"), _("End"), _("Title"), _("Priority"), _("Initiative")],
        [
            [
                quarter_code(e.quarter),
                e.start or "",
                e.end or "",
                e.title,
                e.priority_number or "",
                e.initiative_code or "",
            ]
            for e in report.events + report.next_events
        ],
    )
    return tablib.Databook([initiatives, organisational, counts, indicators, events])


def quarterly_workbook(report: QuarterlyReport, book: tablib.Databook | None = None) -> bytes:
    """The quarterly report's XLSX file, titled as its page and PDF are; ``book`` is its
    sheets when already made (the view hashes them for its ETag)."""
    book = book if book is not None else quarterly_databook(report)
    title = _("%(plan)s, %(quarter)s") % {"plan": report.plan_title, "quarter": report.quarter.code}
    return workbook(book.sheets(), title=title)
