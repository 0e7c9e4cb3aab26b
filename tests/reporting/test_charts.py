"""reporting.charts: pygal SVG from hand-built report data (no database)."""

import re
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from defusedxml import ElementTree as defused_et
from django.core.cache import cache
from django.utils.translation import override

from initiatives.models import Status
from reporting import charts
from reporting.data import STATUS_ORDER, IndicatorRow, PrioritySection, StatusCounts

SVG_NS = "http://www.w3.org/2000/svg"
HOSTILE = "<script>alert(1)</script> & co"
LEGEND = ["Off track", "At risk", "Not started", "On track", "Completed", "No approved update"]


def counts(quarter: int, off=0, risk=0, not_started=0, on=0, done=0, missing=0) -> StatusCounts:
    by_status = dict(zip(STATUS_ORDER, (off, risk, not_started, on, done), strict=True))
    return StatusCounts(quarter, tuple((status.value, n) for status, n in by_status.items()), missing)


YEAR = (
    counts(1, risk=1, not_started=3, on=2, missing=2),
    counts(2, off=1, risk=1, on=3, done=1),
    counts(3, on=4, done=3),
)


def section(number: int, short_title: str, quarters=YEAR) -> PrioritySection:
    return PrioritySection(number, short_title, short_title, "", (), quarters, (), "", (), ())


def indicator(code, name, baseline, target, values=(), unit="") -> IndicatorRow:
    direction = "increase" if Decimal(target) > Decimal(baseline) else "decrease"
    return IndicatorRow(
        code,
        name,
        unit,
        direction,
        Decimal(baseline),
        Decimal(target),
        tuple((q, Decimal(v)) for q, v in values),
    )


WAITING = indicator("1.1.1", "Waiting days", "14.00", "7.00", [(1, "9.00")], unit="days")
MEMBERS = indicator("1.1.2", "Members", "100", "200", [(1, "150"), (2, "420")])
SURVEY = indicator("1.2.1", "Survey answers", "0", "50")  # nothing measured yet


def all_charts() -> list[charts.Chart]:
    return [
        charts.status_by_quarter(YEAR, title="1. Democracy"),
        charts.status_by_priority((section(1, "Democracy"), section(2, "Finances")), 2),
        charts.indicator_progress((WAITING, MEMBERS, SURVEY), 2, title="Indicators"),
        charts.status_strip(YEAR[0]),
    ]


def parse(svg: str) -> ET.Element:
    # The chart module's own output, the very thing under test: a parse error is a failure.
    return defused_et.fromstring(svg)


def texts(svg: str) -> list[str]:
    """Every piece of text the chart draws, a label wrapped onto several lines as one."""
    found = []
    for el in parse(svg).iter(f"{{{SVG_NS}}}text"):
        words = " ".join(part.strip() for part in el.itertext() if part.strip())
        if words:
            found.append(words)
    return found


def label_lines(svg: str) -> dict[str, list[str]]:
    """A horizontal chart's category labels: {the whole label: its lines as drawn}."""
    found = {}
    for el in parse(svg).iter(f"{{{SVG_NS}}}text"):
        spans = [span.text for span in el.iter(f"{{{SVG_NS}}}tspan")]
        if spans:
            found[" ".join(spans)] = spans
    return found


@pytest.fixture(autouse=True)
def english():
    with override("en"):
        yield


@pytest.mark.parametrize("index", range(4), ids=["by_quarter", "by_priority", "indicators", "strip"])
def test_every_chart_is_self_contained_svg(index):
    chart = all_charts()[index]
    root = parse(chart.svg)
    assert root.tag == f"{{{SVG_NS}}}svg"
    assert root.get("role") == "img"
    assert "<script" not in chart.svg
    # No <style>: the site's CSP refuses inline styles; pygal's rules are drawn as attributes.
    assert "<style" not in chart.svg and " style=" not in chart.svg
    assert "<!--" not in chart.svg  # pygal's credits carry URLs and the render date
    urls = set(re.findall(r"https?://[^\s\"'<>)]+", chart.svg))
    assert urls <= {SVG_NS, "http://www.w3.org/1999/xlink"}
    assert "@import" not in chart.svg and "url(" not in chart.svg
    # pygal's "activate-serie-N" ids repeat from chart to chart on a page, and a chart drawn once
    # may be shown twice (the cache's copy): no id at all.
    assert [el.get("id") for el in root.iter() if el.get("id")] == []
    assert chart.description.strip()


def test_status_by_quarter_draws_quarters_and_statuses():
    chart = charts.status_by_quarter(YEAR, title="1. Democracy")
    drawn = texts(chart.svg)
    assert {"Q1", "Q2", "Q3"} <= set(drawn)
    assert [t for t in drawn if t in LEGEND] == LEGEND  # the legend, in STATUS_ORDER, missing last
    assert "1. Democracy" in drawn
    # Whole initiatives only on the count axis.
    ticks = [t for t in drawn if re.fullmatch(r"[\d.]+", t)]
    assert ticks and all(t.isdigit() for t in ticks)


def test_status_by_quarter_description_counts_each_quarter():
    chart = charts.status_by_quarter(YEAR, title="1. Democracy")
    assert chart.description == (
        "Q1: 1 at risk, 3 not started, 2 on track, 2 without an approved update. "
        "Q2: 1 off track, 1 at risk, 3 on track, 1 completed. "
        "Q3: 4 on track, 3 completed."
    )


def test_series_take_the_palette_in_status_order():
    chart = charts.status_by_quarter(YEAR, title="1. Democracy")
    root = parse(chart.svg)
    fills = {}
    for group in root.iter(f"{{{SVG_NS}}}g"):
        match = re.search(r"\bserie-(\d+)\b", group.get("class", ""))
        if match:
            fills.setdefault(int(match.group(1)), group.get("fill"))
    expected = [charts.STATUS_COLOURS[s.value] for s in STATUS_ORDER] + [charts.STATUS_COLOURS["missing"]]
    assert [fills[i] for i in range(6)] == expected
    # As attributes, not only in pygal's <style>: a page that refuses the <style> keeps the picture.
    backgrounds = [el.get("fill") for el in root.iter() if "background" in el.get("class", "").split()]
    assert backgrounds and set(backgrounds) == {"white"}
    assert charts.STATUS_COLOURS == {
        "off_track": "#b3261e",
        "at_risk": "#b26a00",
        "not_started": "#6b7280",
        "on_track": "#2e7d32",
        "completed": "#1d4ed8",
        "missing": "#c4c9d0",
    }
    # Full opacity: pygal's default translucency would lighten the palette.
    bars = [el for el in root.iter() if "reactive" in el.get("class", "").split()]
    assert bars and {el.get("fill-opacity") for el in bars} == {"1"}


def test_pygal_stylesheet_is_drawn_as_attributes():
    """What pygal's <style> did, where a strict CSP refuses it: fonts, label alignment, guides."""
    title = next(
        el
        for el in parse(charts.status_by_quarter(YEAR, title="1. Democracy").svg).iter(f"{{{SVG_NS}}}text")
        if el.get("class") == "title plot_title"
    )
    assert (title.get("text-anchor"), title.get("font-size")) == ("middle", str(charts.TITLE_SIZE))
    root = parse(charts.indicator_progress((WAITING, MEMBERS), 2, title="Indicators").svg)
    assert root.get("font-family") == charts.FONT
    anchors = {" ".join(el.itertext()): el.get("text-anchor") for el in root.iter(f"{{{SVG_NS}}}text")}
    assert anchors["1.1.1 Waiting days (71%)"] == "end"  # the labels end at the axis, left of the bars
    assert anchors["50%"] == "middle"
    paths = {el.get("class"): el for el in root.iter(f"{{{SVG_NS}}}path")}
    assert paths["major guide line"].get("stroke") == "#111827"  # the target: a dark reference line
    assert paths["guide line"].get("stroke") == charts.GUIDE_COLOUR
    assert {p.get("fill") for p in paths.values()} == {"none"}


def test_labels_from_the_plan_are_escaped():
    by_quarter = charts.status_by_quarter(YEAR, title=HOSTILE)
    by_priority = charts.status_by_priority((section(1, HOSTILE),), 1)
    progress = charts.indicator_progress((indicator("1.1.1", HOSTILE, "0", "10", [(1, "5")]),), 1, title=HOSTILE)
    for chart in (by_quarter, by_priority, progress):
        root = parse(chart.svg)
        assert not [el for el in root.iter() if str(el.tag).endswith("script")]
        assert "<script>" not in chart.svg
        assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in chart.svg
    assert HOSTILE in texts(by_quarter.svg)
    assert f"1. {HOSTILE}" in texts(by_priority.svg)
    # The description is plain text: the template escapes it, not this module.
    assert HOSTILE in by_priority.description


def test_status_by_priority_reads_the_quarter_top_down():
    long_title = "A priority whose short title is far too long to fit beside its bar"
    chart = charts.status_by_priority((section(1, "Democracy"), section(2, long_title)), 2)
    root = parse(chart.svg)
    y = {" ".join(el.itertext()): float(el.get("y")) for el in root.iter(f"{{{SVG_NS}}}text") if el.get("y")}
    # Never cut: the whole title, wrapped onto lines that fit beside the bars.
    lines = label_lines(chart.svg)[f"2. {long_title}"]
    assert len(lines) == 2 and "…" not in chart.svg
    assert y["1. Democracy"] < y[f"2. {long_title}"]  # priority 1 on top
    assert [t for t in texts(chart.svg) if t in LEGEND] == LEGEND
    assert chart.description == (
        "Q2 at a glance. "
        "1. Democracy: 1 off track, 1 at risk, 3 on track, 1 completed. "
        f"2. {long_title}: 1 off track, 1 at risk, 3 on track, 1 completed."
    )


def test_indicator_that_should_go_down_is_described_as_progress():
    chart = charts.indicator_progress((WAITING,), 2, title="Indicators")
    assert chart.description == (
        "Indicators. 1.1.1 Waiting days: 71% of the way from the baseline (14 days) to the target (7 days), "
        "with 9 days in Q1."
    )
    assert "1.1.1 Waiting days (71%)" in texts(chart.svg)


def bar_widths(svg: str) -> list[float]:
    """Each bar's length, in the order drawn (pygal leaves out a bar's width when it is none)."""
    return [
        float(el.get("width", 0))
        for el in parse(svg).iter(f"{{{SVG_NS}}}rect")
        if {"rect", "reactive"} <= set(el.get("class", "").split())
    ]


AWAY = indicator("1.1.4", "Partners lost", "10", "20", [(1, "8")])  # moved away from its target: -20%
HALF = indicator("1.1.5", "Reports", "0", "10", [(1, "5")])


def test_indicator_progress_runs_from_the_baseline_to_the_target_and_clamps_the_bar_not_the_text():
    chart = charts.indicator_progress((WAITING, MEMBERS, SURVEY), 2, title="Indicators")
    drawn = texts(chart.svg)
    assert "1.1.2 Members (320%)" in drawn
    assert "320% of the way" in chart.description
    values = [el.text for el in parse(chart.svg).iter(f"{{{SVG_NS}}}desc") if el.get("class") == "value"]
    assert sorted(values) == ["100%", "71%"]  # the bar stops at the axis' end; its label says 320%
    # Not measured yet: no bar, but said.
    assert "1.2.1 Survey answers: no value yet." in chart.description
    assert not [t for t in drawn if "Survey" in t]
    ticks = [t for t in drawn if t.endswith("%") and "(" not in t]
    assert ticks == ["0%", "25%", "50%", "75%", "100%"]


def test_an_indicator_beyond_either_end_is_drawn_at_that_end_and_labelled_with_its_real_progress():
    chart = charts.indicator_progress((AWAY, HALF, MEMBERS), 2, title="Indicators")
    # pygal draws the first label at the bottom: the bars come in reverse.
    members, half, away = bar_widths(chart.svg)
    assert away == 0 and half > 0
    assert members == pytest.approx(2 * half)  # 320% drawn as 100%, twice the 50% bar
    drawn = texts(chart.svg)
    assert {"1.1.4 Partners lost (-20%)", "1.1.5 Reports (50%)", "1.1.2 Members (320%)"} <= set(drawn)
    assert "-20% of the way" in chart.description


def test_indicator_progress_without_any_value_still_draws():
    chart = charts.indicator_progress((SURVEY,), 1, title="Indicators")
    assert "No value yet" in texts(chart.svg)
    assert chart.description == "Indicators. 1.2.1 Survey answers: no value yet."


def test_an_indicator_without_a_target_has_no_bar_and_is_said_to_wait_for_one():
    to_set = IndicatorRow("1.1.3", "Partners", "", "increase", Decimal("5"), None, ((1, Decimal("8")),))
    chart = charts.indicator_progress((MEMBERS, to_set), 2, title="Indicators")
    drawn = texts(chart.svg)
    assert "1.1.2 Members (320%)" in drawn
    assert not [t for t in drawn if "Partners" in t]
    assert chart.description.endswith(" 1.1.3 Partners: target to set, so no progress is measured yet.")
    # With no target set at all, there is nothing to draw: no chart (the table flags each).
    assert charts.indicator_progress((to_set,), 2, title="Indicators") is None


def test_indicator_progress_of_nothing_is_none():
    assert charts.indicator_progress((), 1, title="Indicators") is None


def test_status_strip_is_a_bare_bar():
    chart = charts.status_strip(YEAR[1])
    root = parse(chart.svg)
    assert (root.get("width"), root.get("height")) == ("360", "60")
    assert texts(chart.svg) == []  # no title, legend or axis labels
    assert chart.description == "1 off track, 1 at risk, 3 on track, 1 completed"
    assert root.find(f"{{{SVG_NS}}}title").text == chart.description  # what a screen reader announces


def test_empty_counts_are_described():
    chart = charts.status_strip(counts(1))
    assert chart.description == "no initiatives"
    parse(chart.svg)


def test_french_descriptions_render():
    decimal = indicator("2.1.1", "Taux", "10", "20", [(1, "12.5")], unit="%")
    with override("fr"):
        rendered = [*all_charts(), charts.indicator_progress((decimal,), 1, title="Indicateurs")]
        legend = texts(charts.status_by_quarter(YEAR, title="1. Démocratie").svg)
        on_track = str(Status.ON_TRACK.label)
    for chart in rendered:
        parse(chart.svg)
        assert chart.description.strip()
    assert "12,5 %" in rendered[-1].description  # French decimal comma
    assert on_track != "On track" and on_track in legend


def test_a_chart_is_drawn_once_per_data_and_language(monkeypatch):
    cache.clear()
    drawn = []
    render = charts._render
    monkeypatch.setattr(charts, "_render", lambda chart, name, **kw: drawn.append(name) or render(chart, name, **kw))

    first = charts.status_by_quarter(YEAR, title="1. Democracy")
    again = charts.status_by_quarter(YEAR, title="1. Democracy")
    assert again == first and len(drawn) == 1

    # Other data, another title, another language: drawn anew, never the cached picture.
    changed = charts.status_by_quarter((*YEAR[:2], counts(3, on=3, done=4)), title="1. Democracy")
    retitled = charts.status_by_quarter(YEAR, title="2. Finances")
    with override("fr"):
        french = charts.status_by_quarter(YEAR, title="1. Democracy")
    assert len(drawn) == 4
    assert len({first.svg, changed.svg, retitled.svg, french.svg}) == 4
    assert "4 completed" in changed.description and "en retard" in french.description
    assert "2. Finances" in retitled.svg


def test_the_cache_keeps_what_each_kind_of_chart_drew(monkeypatch):
    drawn_fresh = [chart.svg for chart in all_charts()]
    cache.clear()
    assert [chart.svg for chart in all_charts()] == drawn_fresh  # drawn again, the same
    monkeypatch.setattr(charts, "_render", lambda chart, name, **kw: pytest.fail("drawn again"))
    assert [chart.svg for chart in all_charts()] == drawn_fresh  # from the cache


# --- Sized for paper ---------------------------------------------------------------------

# The A4 text block (print.css: 210 mm less 2 x 18 mm), in CSS pixels (96 to the inch).
TEXT_BLOCK_PX = 174 / 25.4 * 96
LONG_NAME = (
    "Références à nos données dans des documents de décideurs (organes des Nations Unies, organes régionaux, "
    "États) et dans les rapports de nos partenaires"
)


@pytest.mark.parametrize("index", range(4), ids=["by_quarter", "by_priority", "indicators", "strip"])
def test_every_chart_is_drawn_at_a_size_that_fits_the_page(index):
    """Its own width and height (CSS pixels: 12px labels print at 9pt), never wider than the
    A4 text block; the screen shows it at that size too, narrower on a phone."""
    root = parse(all_charts()[index].svg)
    width, height = float(root.get("width")), float(root.get("height"))
    assert root.get("viewBox") == f"0 0 {root.get('width')} {root.get('height')}"
    assert 0 < width <= TEXT_BLOCK_PX and 0 < height <= width
    labels = [el for el in root.iter(f"{{{SVG_NS}}}text") if el.get("font-size")]
    assert all(float(el.get("font-size")) >= 12 for el in labels)


def test_a_long_indicator_name_is_wrapped_whole_and_its_percentage_kept_on_one_line():
    long = indicator("1.2.2", LONG_NAME, "25", "45", [(1, "38")])
    with override("fr"):
        chart = charts.indicator_progress((long,), 2, title="Indicateurs")
    lines = next(iter(label_lines(chart.svg).values()))
    assert len(lines) >= 3 and "…" not in chart.svg
    budget = int(charts.WIDE * charts.LABEL_SHARE / (0.6 * charts.FONT_SIZE))
    assert all(len(line) <= budget for line in lines)
    # Every word, in order; "65 %" (French) is one unit: never "(65" on a line and "%)" on the next.
    assert " ".join(lines).replace("\u00a0", " ") == f"1.2.2 {LONG_NAME} (65 %)"
    assert lines[-1].endswith("(65\u00a0%)")
    # The chart grows to hold the lines: each bar's slot is as tall as its label.
    assert float(parse(chart.svg).get("height")) >= len(lines) * charts.LINE_HEIGHT


def test_the_legend_is_spread_over_the_whole_chart_so_that_long_names_do_not_overlap():
    with override("fr"):
        chart = charts.status_by_priority((section(1, "Démocratie"), section(2, "Finances")), 2)
    root = parse(chart.svg)
    legend = [el for el in root.iter(f"{{{SVG_NS}}}g") if "legend" in el.get("class", "").split()]
    boxes = [float(next(iter(item.iter(f"{{{SVG_NS}}}rect"))).get("x")) for item in legend]
    step = (charts.WIDE - 2 * charts.MARGIN) / 3
    assert boxes == pytest.approx([0, step, 2 * step] * 2)
    # The longest French series name fits its column (pygal's estimate of a character's width).
    longest = max(
        len(t) for t in texts(chart.svg) if t in {str(Status(s).label) for s in Status} | {"Aucun point approuvé"}
    )
    assert 12 + 5 + longest * 0.6 * charts.FONT_SIZE < step
