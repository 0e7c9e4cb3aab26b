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
"""

import functools
import hashlib
import logging
import math
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pygal
from django.conf import settings
from django.core.cache import cache
from django.utils.formats import number_format
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from pygal.style import Style

from initiatives.models import Status
from priorities.models import quarter_code

from . import svg
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
LABEL_MAX = 40
# Clamped so that one runaway indicator does not squash every other bar to a sliver.
PROGRESS_RANGE = (-50, 150)
SERIES = (*(status.value for status in STATUS_ORDER), MISSING)


CACHE_SECONDS = 24 * 60 * 60
logger = logging.getLogger(__name__)


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
        # The data are frozen dataclasses of strings, numbers and tuples: their repr is all of them.
        made_of = repr((draw.__name__, args, sorted(kwargs.items()), get_language()))
        key = f"chart:{_code_version()}:{hashlib.sha256(made_of.encode()).hexdigest()}"
        try:
            chart = cache.get(key)
        except Exception:  # a cache that is down (Redis restarting) costs time, never the report
            logger.warning("The cache could not be read: the chart is drawn without it.", exc_info=True)
            return draw(*args, **kwargs)
        if chart is None:
            chart = draw(*args, **kwargs)
            try:
                cache.set(key, chart, CACHE_SECONDS)
            except Exception:
                logger.warning("The cache could not keep a chart.", exc_info=True)
        return chart

    return cached


@_cached
def status_by_quarter(counts: tuple[StatusCounts, ...], *, title: str) -> Chart:
    """One stacked bar per quarter: how many initiatives of a priority stood at each status."""
    chart = pygal.StackedBar(
        _config(title=title, width=700, height=320, colours=_series_colours(), y_labels=_count_ticks(counts))
    )
    chart.x_labels = [quarter_code(c.quarter) for c in counts]
    for key in SERIES:
        chart.add(_series_label(key), [_count(c, key) for c in counts])
    description = " ".join(
        _("Q%(number)d: %(counts)s.") % {"number": c.quarter, "counts": _counts_text(c)} for c in counts
    )
    return Chart(_render(chart, title or description), description or _("No quarter to show yet."))


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
    chart = pygal.HorizontalStackedBar(
        _config(
            title=title,
            width=700,
            height=150 + 36 * len(sections),
            colours=_series_colours(),
            y_labels=_count_ticks(quarter_counts),
            margin_right=3 * MARGIN,
        )
    )
    # pygal draws a horizontal chart's first label at the bottom: reversed, priority 1 is on top.
    chart.x_labels = [_truncate(f"{s.number}. {s.short_title}") for s in reversed(sections)]
    for key in SERIES:
        chart.add(_series_label(key), [_count(c, key) for c in reversed(quarter_counts)])
    description = " ".join(
        _("%(priority)s: %(counts)s.") % {"priority": f"{s.number}. {s.short_title}", "counts": _counts_text(c)}
        for s, c in zip(sections, quarter_counts, strict=True)
    )
    return Chart(_render(chart, title), f"{title}. {description}" if description else f"{title}.")


@_cached
def indicator_progress(indicators: tuple[IndicatorRow, ...], quarter: int, *, title: str) -> Chart | None:
    """One horizontal bar per indicator: how far it has come from its baseline (0%) to its target (100%).

    An indicator whose target is not set yet has no bar (its description says so); with no
    target set at all there is nothing to draw, and no chart."""
    if not any(ind.target is not None for ind in indicators):
        return None
    measured = [(ind, ind.progress_at(quarter)) for ind in indicators]
    drawn = [(ind, round(100 * progress)) for ind, progress in measured if progress is not None]
    low, high = PROGRESS_RANGE
    config = _config(
        title=title,
        width=700,
        height=150 + 32 * max(len(drawn), 1),
        colours=(PROGRESS_COLOUR,),
        reference=True,
        y_labels=list(range(low, high + 1, 50)),
        range=PROGRESS_RANGE,
        y_labels_major=[100],  # the target: drawn dark
        # pygal sizes the bottom legend as (series // columns) rows: fewer series than columns leave no room.
        legend_at_bottom_columns=1,
        margin_right=3 * MARGIN,  # room for the last axis label, centred on the plot's edge
        value_formatter=_percent,
        no_data_text=_("No value yet"),
    )
    chart = pygal.HorizontalBar(config)
    # The real percentage sits in the label: a clamped bar must not be read as the value.
    chart.x_labels = [f"{_truncate(f'{ind.code} {ind.name}')} ({_percent(pct)})" for ind, pct in reversed(drawn)]
    chart.add(
        _("Progress from the baseline (%(start)s) to the target (%(end)s)")
        % {"start": _percent(0), "end": _percent(100)},
        [min(max(pct, low), high) for _ind, pct in reversed(drawn)],
    )
    description = " ".join(_indicator_text(ind, quarter) for ind, _progress in measured)
    return Chart(_render(chart, title), f"{title}. {description}")


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
        # Drawn at its own small size, where the larger charts fill their column.
        explicit_size=True,
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
        title_font_size=15,
        legend_font_size=12,
        label_font_size=12,
        major_label_font_size=12,
        no_data_font_size=16,
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
    )
    for key, value in options.items():
        setattr(config, key, value)
    return config


def _render(chart: pygal.graph.graph.Graph, accessible_name: str) -> str:
    chart.add_xml_filter(clean_svg(accessible_name, chart.config.style, margin=MARGIN))
    svg = chart.render(is_unicode=True)
    # pygal writes its config script even with js=[]; the filter removes it, and this proves it.
    if "<script" in svg:
        raise ValueError("pygal left a script in a chart")
    return svg


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


def _truncate(label: str) -> str:
    return label if len(label) <= LABEL_MAX else label[: LABEL_MAX - 1].rstrip() + "…"
