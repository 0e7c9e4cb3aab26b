"""Reports rendered: the page's context, the standalone document (what the PDF is made
from, and what a published board update stores) and its PDF.

One body template per report is included both by the page (inside the site's layout)
and by the document (with the print stylesheet), so screen and paper never drift.
"""

import base64
import hashlib
import re
from dataclasses import dataclass

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from civicplan.models import Organisation

from . import charts, stored
from .data import AnnualReport, Changes, EventRow, PrioritySection, QuarterlyReport, QuarterRef
from .pdf import LOGO_URL

STYLESHEETS = ("civicplan/report.css", "civicplan/print.css")
# The document's own stylesheet: the <style> in its <head> (document.html), nothing later.
_HEAD_STYLE = re.compile(r"<head>.*?<style>(.*?)</style>.*?</head>", re.DOTALL)


@dataclass(frozen=True)
class SectionView:
    section: PrioritySection
    status_chart: charts.Chart
    progress_chart: charts.Chart | None
    strip: charts.Chart
    events: tuple[EventRow, ...]


def sections(report: QuarterlyReport, events: tuple[EventRow, ...] | None = None) -> list[SectionView]:
    """Each priority with its charts and the events shown with it: the quarter's, or
    ``events`` (the year's, for the annual report)."""
    quarter = report.quarter.number
    views = []
    for section in report.priorities:
        title = f"{section.number}. {section.short_title}"
        indicators = tuple(ind for result in section.results for ind in result.indicators)
        views.append(
            SectionView(
                section=section,
                status_chart=charts.status_by_quarter(section.counts, title=title),
                progress_chart=charts.indicator_progress(indicators, quarter, title=_("Progress towards target")),
                strip=charts.status_strip(section.counts[-1]),
                events=section.events
                if events is None
                else tuple(e for e in events if e.priority_number == section.number),
            )
        )
    return views


def section_html(view: SectionView, quarter: QuarterRef, *, annual: bool) -> str:
    """A strategic priority's section of the quarterly report (of the annual report, if
    ``annual``), made from its view, the report's quarter and the language alone, so it is
    kept by them (``stored.fragment``): after a change to one priority, the others' sections
    are not made again."""
    return stored.fragment(
        "report-section",
        (view, quarter, annual),
        lambda: render_to_string(
            "reporting/_priority_section.html", {"view": view, "quarter": quarter, "annual": annual}
        ),
    )


def quarterly_context(report: QuarterlyReport, events: tuple[EventRow, ...] | None = None) -> dict:
    return {
        "report": report,
        "sections": sections(report, events),
        "glance_chart": charts.status_by_priority(report.priorities, report.quarter.number),
    } | organisation_context()


def organisation_context() -> dict:
    """The cover's name and logo (one query; None until an admin sets them)."""
    return {"organisation": Organisation.load(), "logo_url": LOGO_URL}


def annual_context(annual: AnnualReport, lessons=None) -> dict:
    """``lessons``: the AnnualReview whose lessons learned the report shows (a draft's
    marked as one), or None when this reader has none to see yet."""
    year = annual.year
    glance = charts.status_by_priority(
        year.priorities,
        year.quarter.number,
        counts=annual.year_end_by_priority,
        title=_("The year at its end"),
    )
    return quarterly_context(year, annual.events) | {"annual": annual, "glance_chart": glance, "lessons": lessons}


def board_context(update, report: QuarterlyReport, changes: Changes) -> dict:
    return {"update": update, "report": report, "changes": changes, "sections": sections(report)}


def _stylesheet() -> str:
    # Inlined, so that a stored document stays whole: a published board update must look
    # the same in ten years, whatever becomes of the site's static files.
    parts = []
    for name in STYLESHEETS:
        with open(finders.find(name), encoding="utf-8") as file:
            parts.append(file.read())
    return "\n".join(parts)


def document(body_template: str, context: dict, *, title: str, running_title: str) -> str:
    """A standalone HTML document around one report body: what the PDF is made from."""
    return render_to_string(
        "reporting/document.html",
        context
        | {
            "body_template": body_template,
            "title": title,
            "stylesheet": _stylesheet() + _page_margins(running_title, context),
        },
    )


def _page_margins(running_title: str, context: dict) -> str:
    """The running header and footer of the printed pages, as CSS strings.

    Written into the stylesheet rather than read from elements of the body (``string-set``):
    such an element is text at the top of the first page, which a reader copying the page or
    a screen reader following the PDF's tags read before the cover. Margin boxes are
    outside the PDF's tag tree."""
    if context.get("fingerprint"):
        update = context["update"]
        footer = _("Published %(date)s by %(name)s · SHA-256 %(sha)s") % {
            "date": date_format(localtime(update.published_at), "j F Y"),
            "name": update.published_by.get_full_name() or update.published_by.username,
            "sha": context["fingerprint"][:12],
        }
    elif context.get("draft"):
        footer = _("Draft: not yet published, the board cannot see it.")
    else:
        footer = ""
    # Translated outside the f-string: makemessages (xgettext) does not read inside one.
    word_page, word_of = _("page"), _("of")
    page = f"{css_string(word_page + ' ')} counter(page) {css_string(' ' + word_of + ' ')} counter(pages)"
    return (
        "\n@media print {\n"
        f"  @page {{ @top-left {{ content: {css_string(running_title)}; }}"
        f" @bottom-left {{ content: {css_string(footer)}; }} @bottom-right {{ content: {page}; }} }}\n"
        "  @page :first { @top-left { content: none; } }\n"
        "}\n"
    )


def css_string(text: str) -> str:
    """``text`` as a quoted CSS string that nothing in it can end: every character but
    letters, digits, spaces and plain punctuation escaped (so no quote, backslash, line
    break or ``</style>``)."""
    return '"' + "".join(c if c.isalnum() or c in " ,.:;-_()'·" else f"\\{ord(c):06x}" for c in text) + '"'


def sha256(content: str | bytes) -> str:
    return hashlib.sha256(content.encode() if isinstance(content, str) else content).hexdigest()


def stylesheet_csp_source(html: str) -> str | None:
    """The Content-Security-Policy source (``'sha256-…'``) that allows exactly the stylesheet
    a standalone document carries in its head, or None if it carries none.

    Hashed from the document as stored, so it matches whatever stylesheet was current when it
    was published. Newlines as a browser reads them: it turns CR LF and CR into LF before
    hashing an element's text.
    """
    match = _HEAD_STYLE.search(html)
    if match is None:
        return None
    text = match.group(1).replace("\r\n", "\n").replace("\r", "\n")
    digest = base64.b64encode(hashlib.sha256(text.encode()).digest()).decode("ascii")
    return f"'sha256-{digest}'"
