"""Report charts: SVG drawn on the server with pygal, from ``reporting.data``.

The same SVG markup is embedded inline in the HTML page and in the PDF WeasyPrint renders
from it, so the board reads on paper exactly the picture staff read on screen; nothing is
drawn in the browser, and a chart loads nothing (no script, font or stylesheet URL). It
carries no ``<style>`` either: the site's Content-Security-Policy refuses inline styles, so
pygal's stylesheet is turned into SVG presentation attributes, which it allows (``svg.py``).

A chart depends on nothing but its data, the reader's language and this code, so each is
drawn once and then taken from the cache (``_cached``; Django's default cache: each
process's memory, or Redis shared by every server through ``CACHE_URL``). The key is made of
all three, so a chart is never stale: changed data is a new key.

Colour is never the only signal: each chart but the miniature strip has a legend with
text, and each comes with ``description``, a plain-text equivalent for screen readers and
for anyone who cannot tell the colours apart.

Each chart has its own size in pixels (``width``/``height`` on the SVG), chosen for paper:
a CSS pixel is 0.26 mm, so a 12px label prints at 9pt, as the tables' text, and the widest
chart (``WIDE``) fits the A4 text block (174 mm) as drawn. Labels are never cut: a long one
is wrapped onto several lines (``svg.wrap_labels``), and the chart grows to hold them.
"""

import functools
import hashlib
import math
import sys
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pygal
from django.conf import settings
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from pygal.style import Style

from initiatives.models import Status
from priorities.models import quarter_code

from . import stored, svg
from .data import STATUS_ORDER, IndicatorRow, PrioritySection, StatusCounts
from .svg import clean_svg

# pygal adds an old-style importer for its map plugins (unused here) to sys.meta_path; it
# has no find_spec(), which importers need since Python 3.4, and pytest's module import
# trips over it. Take it out again.
sys.meta_path[:] = [finder for finder in sys.meta_path if not isinstance(finder, pygal.PluginImportFixer)]

MISSING = "missing"  # no approved update: a series of its own, never a status

STATUS_COLOURS: dict[str, str] = {
    Status.OFF_TRACK.value: "#b3261e",
    Status.AT_RISK.value: "#b26a00",
    Status.NOT_STARTED.value: "#6b7280",
    Status.ON_TRACK.value: "#2e7d32",
    Status.COMPLETED.value: "#1d4ed8",
    MISSING: "#c4c9d0",
}
# Indicators have no status: their bars take the palette's one colour that says nothing good or bad.
PROGRESS_COLOUR = STATUS_COLOURS[Status.COMPLETED.value]

FONT = "DejaVu Sans, sans-serif"
GUIDE_COLOUR = "#d1d5db"
MARGIN = 8
FONT_SIZE = 12  # labels and legends: 9pt on paper
TITLE_SIZE = 14
LINE_HEIGHT = 14  # a wrapped label's lines
WIDE = 640  # a chart as wide as the A4 text block (174 mm = 657px)
NARROW = 340  # a chart beside a paragraph, in half the text block
# A horizontal chart's labels get this much of its width, wrapped to fit.
LABEL_SHARE = 0.42
# From the baseline (0%) to the target (100%); an indicator beyond either end is drawn at
# that end, and its label says how far it really is.
PROGRESS_RANGE = (0, 100)
SERIES = (*(status.value for status in STATUS_ORDER), MISSING)


@dataclass(frozen=True)
class Chart:
    svg: str  # produced by pygal, which escapes every label: safe to mark_safe
    description: str


@functools.cache
def _code_version() -> str:
    """This module and svg.py, pygal and the compiled translations: what a chart is drawn with."""
    digest = hashlib.sha256(Path(__file__).read_bytes())
    digest.update(Path(svg.__file__).read_bytes())
    digest.update(pygal.__version__.encode())
    for catalogue in sorted(path for folder in settings.LOCALE_PATHS for path in Path(folder).glob("*/*/*.mo")):
        digest.update(catalogue.read_bytes())
    return digest.hexdigest()[:16]


def _cached(draw: Callable) -> Callable:
    """Draw once per data, language and code; after that, the cache's copy."""

    @functools.wraps(draw)
    def cached(*args, **kwargs):
        key = stored.made_of_key(f"chart:{_code_version()}", (draw.__name__, args, sorted(kwargs.items())))
        return stored.cached(key, lambda: draw(*args, **kwargs), what="a chart")

    return cached


@_cached
def status_by_quarter(counts: tuple[StatusCounts, ...], *, title: str) -> Chart:
    """One stacked bar per quarter: how many initiatives of a priority stood at each status.
    Narrow: on paper it stands beside the priority's statement."""
    legend_columns = 2
    chart = pygal.StackedBar(
        _config(
            title=title,
            width=NARROW,
            height=150 + _legend_height(legend_columns) + _title_height(title, NARROW),
            colours=_series_colours(),
            y_labels=_count_ticks(counts),
            legend_at_bottom_columns=legend_columns,
        )
    )
    chart.x_labels = [quarter_code(c.quarter) for c in counts]
    for key in SERIES:
        chart.add(_series_label(key), [_count(c, key) for c in counts])
    description = " ".join(
        _("Q%(number)d: %(counts)s.") % {"number": c.quarter, "counts": _counts_text(c)} for c in counts
    )
    return Chart(
        _render(chart, title or description, legend_columns=legend_columns), description or _("No quarter to show yet.")
    )


@_cached
def status_by_priority(
    sections: tuple[PrioritySection, ...],
    quarter: int,
    *,
    counts: tuple[StatusCounts, ...] | None = None,
    title: str = "",
) -> Chart:
    """The quarter at a glance: one horizontal stacked bar per priority; or, given
    ``counts`` (one per section) and a ``title``, another moment (the year's end)."""
    title = title or _("Q%(number)d at a glance") % {"number": quarter}
    quarter_counts = list(counts) if counts is not None else [section.counts[quarter - 1] for section in sections]
    # pygal draws a horizontal chart's first label at the bottom: reversed, priority 1 is on top.
    labels = [_wrap(f"{s.number}. {s.short_title}", WIDE) for s in reversed(sections)]
    legend_columns = 3
    chart = pygal.HorizontalStackedBar(
        _config(
            title=title,
            width=WIDE,
            height=_rows_height(labels) + 60 + _legend_height(legend_columns) + _title_height(title, WIDE),
            colours=_series_colours(),
            y_labels=_count_ticks(quarter_counts),
            margin_right=3 * MARGIN,
            legend_at_bottom_columns=legend_columns,
        )
    )
    chart.x_labels = [_longest(lines) for lines in labels]
    for key in SERIES:
        chart.add(_series_label(key), [_count(c, key) for c in reversed(quarter_counts)])
    description = " ".join(
        _("%(priority)s: %(counts)s.") % {"priority": f"{s.number}. {s.short_title}", "counts": _counts_text(c)}
        for s, c in zip(sections, quarter_counts, strict=True)
    )
    svg = _render(chart, title, labels=labels, legend_columns=legend_columns)
    return Chart(svg, f"{title}. {description}" if description else f"{title}.")


@_cached
def indicator_progress(indicators: tuple[IndicatorRow, ...], quarter: int, *, title: str) -> Chart | None:
    """One horizontal bar per indicator: how far it has come from its baseline (0%) to its target (100%).

    The axis runs from 0% to 100%: a bar beyond the target stops at it, one that moved away
    from the target stays at 0%, and the label says how far it really is ("(120%)", as the
    description does). An indicator whose target is not set yet has no bar (its description
    says so); with no target set at all there is nothing to draw, and no chart."""
    if not any(ind.target is not None for ind in indicators):
        return None
    measured = [(ind, ind.progress_at(quarter)) for ind in indicators]
    drawn = [(ind, round(100 * progress)) for ind, progress in measured if progress is not None]
    low, high = PROGRESS_RANGE
    # The real percentage in the label: a bar stopped at the axis' end must not be read as the value.
    labels = [_wrap(f"{ind.code} {ind.name} ({_unbroken(_percent(pct))})", WIDE) for ind, pct in reversed(drawn)]
    config = _config(
        # No title drawn: the figure's caption says what the chart shows (``title`` names it for screen readers).
        title=None,
        width=WIDE,
        height=_rows_height(labels) + 50 + _legend_height(1, series=1),
        colours=(PROGRESS_COLOUR,),
        reference=True,
        y_labels=list(range(low, high + 1, 25)),
        range=PROGRESS_RANGE,
        y_labels_major=[high],  # the target: drawn dark
        # pygal sizes the bottom legend as (series // columns) rows: fewer series than columns leave no room.
        legend_at_bottom_columns=1,
        margin_right=3 * MARGIN,  # room for the last axis label, centred on the plot's edge
        value_formatter=_percent,
        no_data_text=_("No value yet"),
    )
    chart = pygal.HorizontalBar(config)
    chart.x_labels = [_longest(lines) for lines in labels]
    chart.add(
        _("Progress from the baseline (%(start)s) to the target (%(end)s)")
        % {"start": _percent(low), "end": _percent(high)},
        [min(max(pct, low), high) for _ind, pct in reversed(drawn)],
    )
    description = " ".join(_indicator_text(ind, quarter) for ind, _progress in measured)
    return Chart(_render(chart, title, labels=labels, legend_columns=1), f"{title}. {description}")


@_cached
def status_strip(counts: StatusCounts) -> Chart:
    """A single thin stacked bar, for one line per priority: no title, legend or axes.

    Too small for a legend: the page prints ``description`` beside it.
    """
    config = _config(
        title=None,
        width=360,
        height=60,
        colours=_series_colours(),
        range=(0, max(counts.total, 1)),
        show_legend=False,
        show_x_labels=False,
        show_y_labels=False,
        show_y_guides=False,
        margin=0,
        spacing=0,
    )
    chart = pygal.HorizontalStackedBar(config)
    chart.x_labels = [quarter_code(counts.quarter)]
    for key in SERIES:
        chart.add(_series_label(key), [_count(counts, key)])
    description = _counts_text(counts)
    return Chart(_render(chart, description), description)


def _config(
    *, title: str | None, width: int, height: int, colours: Sequence[str], reference: bool = False, **options
) -> pygal.Config:
    """``reference``: the major guide is a reference line (drawn dark), not one more guide."""
    style = Style(
        colors=tuple(colours),
        font_family=FONT,
        background="white",
        plot_background="white",
        foreground="#1f2937",
        foreground_strong="#111827",
        foreground_subtle="#6b7280",
        # pygal's default translucency would wash out the palette's contrast on white.
        opacity="1",
        opacity_hover="1",
        transition="none",
        title_font_size=TITLE_SIZE,
        legend_font_size=FONT_SIZE,
        label_font_size=FONT_SIZE,
        major_label_font_size=FONT_SIZE,
        no_data_font_size=TITLE_SIZE,
        guide_stroke_color=GUIDE_COLOUR,
        guide_stroke_dasharray="none",
        major_guide_stroke_color="#111827" if reference else GUIDE_COLOUR,
        major_guide_stroke_dasharray="none",
    )
    config = pygal.Config(
        style=style,
        title=title,
        width=width,
        height=height,
        js=[],
        disable_xml_declaration=True,
        print_values=False,
        show_x_guides=False,
        show_y_guides=True,
        legend_at_bottom=True,
        # Two columns, moved under the labels by svg.clean_svg: room for a long translation of a label.
        legend_at_bottom_columns=2,
        legend_box_size=12,
        # pygal truncates legends and labels to fit by default; labels are cut here, once, predictably.
        truncate_legend=-1,
        truncate_label=-1,
        margin=MARGIN,
        # width and height on the <svg>: drawn at its own size (see the module's docstring).
        explicit_size=True,
    )
    for key, value in options.items():
        setattr(config, key, value)
    return config


def _render(
    chart: pygal.graph.graph.Graph,
    accessible_name: str,
    *,
    labels: Sequence[tuple[str, ...]] = (),
    legend_columns: int = 0,
) -> str:
    """``labels``: a horizontal chart's wrapped labels, bottom first, each given to pygal as
    its longest line (``_longest``), which sizes the room pygal leaves for them."""
    chart.add_xml_filter(
        clean_svg(
            accessible_name,
            chart.config.style,
            margin=MARGIN,
            labels=labels,
            line_height=LINE_HEIGHT,
            legend_columns=legend_columns,
            width=chart.config.width,
        )
    )
    svg = chart.render(is_unicode=True)
    # pygal writes its config script even with js=[]; the filter removes it, and this proves it.
    if "<script" in svg:
        raise ValueError("pygal left a script in a chart")
    return svg


def _wrap(label: str, chart_width: int) -> tuple[str, ...]:
    """A horizontal chart's label as the lines it is drawn on: wrapped at words, never cut."""
    chars = max(12, int(chart_width * LABEL_SHARE / (0.6 * FONT_SIZE)))  # pygal's estimate of a character's width
    return tuple(textwrap.wrap(label, chars, break_long_words=True, break_on_hyphens=False)) or ("",)


def _unbroken(text: str) -> str:
    """``text`` never wrapped across two lines ("12 %" in French): its spaces made no-break ones."""
    return text.replace(" ", "\u00a0")


def _longest(lines: tuple[str, ...]) -> str:
    return max(lines, key=len)


def _rows_height(labels: Sequence[tuple[str, ...]]) -> int:
    """Room for one bar per label, each as tall as the label's lines (at least two)."""
    tallest = max((len(lines) for lines in labels), default=1)
    return max(len(labels), 1) * (max(tallest, 2) * LINE_HEIGHT + 10)


def _legend_height(columns: int, series: int = len(SERIES)) -> int:
    return math.ceil(series / columns) * 18 + 12


def _title_height(title: str | None, width: int) -> int:
    """pygal wraps a long title (util.split_title): room for each of its lines."""
    if not title:
        return 0
    per_line = max(1, int((width - 2 * MARGIN) / (0.6 * TITLE_SIZE)))
    return len(textwrap.wrap(title, per_line)) * (TITLE_SIZE + 10)


def _series_colours() -> tuple[str, ...]:
    return tuple(STATUS_COLOURS[key] for key in SERIES)


def _series_label(key: str) -> str:
    return _("No approved update") if key == MISSING else str(Status(key).label)


def _count(counts: StatusCounts, key: str) -> int:
    return counts.missing if key == MISSING else counts.count(key)


def _count_ticks(counts: Sequence[StatusCounts]) -> list[int]:
    """Whole numbers only: half an initiative means nothing. About five ticks, at least up to 1."""
    top = max((c.total for c in counts), default=0) or 1
    step = max(1, math.ceil(top / 5))
    return list(range(0, top + step, step))


def _counts_text(counts: StatusCounts) -> str:
    parts = [_count_phrase(key, _count(counts, key)) for key in SERIES if _count(counts, key)]
    return ", ".join(parts) if parts else _("no initiatives")


def _count_phrase(key: str, n: int) -> str:
    # One message per status, so that a translation can agree with the number.
    phrases = {
        Status.OFF_TRACK.value: ngettext("%(count)d off track", "%(count)d off track", n),
        Status.AT_RISK.value: ngettext("%(count)d at risk", "%(count)d at risk", n),
        Status.NOT_STARTED.value: ngettext("%(count)d not started", "%(count)d not started", n),
        Status.ON_TRACK.value: ngettext("%(count)d on track", "%(count)d on track", n),
        Status.COMPLETED.value: ngettext("%(count)d completed", "%(count)d completed", n),
        MISSING: ngettext("%(count)d without an approved update", "%(count)d without an approved update", n),
    }
    return phrases[key] % {"count": n}


def _indicator_text(indicator: IndicatorRow, quarter: int) -> str:
    name = f"{indicator.code} {indicator.name}"
    if indicator.target_to_set:
        return _("%(indicator)s: target to set, so no progress is measured yet.") % {"indicator": name}
    latest = indicator.value_at(quarter)
    progress = indicator.progress_at(quarter)
    if latest is None or progress is None:
        return _("%(indicator)s: no value yet.") % {"indicator": name}
    measured_in, value = latest
    return _(
        "%(indicator)s: %(percent)s of the way from the baseline (%(baseline)s) to the target (%(target)s), "
        "with %(value)s in Q%(quarter)d."
    ) % {
        "indicator": name,
        "percent": _percent(round(100 * progress)),
        "baseline": _number(indicator.baseline, indicator.unit),
        "target": _number(indicator.target, indicator.unit),
        "value": _number(value, indicator.unit),
        "quarter": measured_in,
    }


def _percent(value: float) -> str:
    return _("%(percent)d%%") % {"percent": round(value)}


def _number(value: Decimal, unit: str) -> str:
    # 14.00 from a DecimalField reads as 14; the locale decides the decimal separator.
    text = number_format(f"{value.normalize():f}")
    return f"{text} {unit}".strip()
