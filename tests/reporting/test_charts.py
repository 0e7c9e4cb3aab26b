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
    """Every piece of text the chart draws."""
    return [el.text for el in parse(svg).iter(f"{{{SVG_NS}}}text") if el.text]


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
    root = parse(charts.indicator_progress((WAITING, MEMBERS), 2, title="Indicators").svg)
    assert root.get("font-family") == charts.FONT
    texts_by_class = {}
    for el in root.iter(f"{{{SVG_NS}}}text"):
        texts_by_class.setdefault(el.get("class") or "", []).append(el)
    title = texts_by_class["title plot_title"][0]
    assert (title.get("text-anchor"), title.get("font-size")) == ("middle", "15")
    anchors = {el.text: el.get("text-anchor") for el in root.iter(f"{{{SVG_NS}}}text")}
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
    y = {el.text: float(el.get("y")) for el in root.iter(f"{{{SVG_NS}}}text") if el.text}
    truncated = next(t for t in y if t.startswith("2. A priority"))
    assert truncated.endswith("…") and len(truncated) <= charts.LABEL_MAX
    assert y["1. Democracy"] < y[truncated]  # priority 1 on top
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


def test_indicator_progress_clamps_the_bar_not_the_text():
    chart = charts.indicator_progress((WAITING, MEMBERS, SURVEY), 2, title="Indicators")
    drawn = texts(chart.svg)
    assert "1.1.2 Members (320%)" in drawn
    assert "320% of the way" in chart.description
    values = [el.text for el in parse(chart.svg).iter(f"{{{SVG_NS}}}desc") if el.get("class") == "value"]
    assert sorted(values) == ["150%", "71%"]  # the bar stops at the axis' end
    # Not measured yet: no bar, but said.
    assert "1.2.1 Survey answers: no value yet." in chart.description
    assert not [t for t in drawn if "Survey" in t]
    assert {"-50%", "0%", "100%", "150%"} <= set(drawn)


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
    monkeypatch.setattr(charts, "_render", lambda chart, name: drawn.append(name) or render(chart, name))

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
    monkeypatch.setattr(charts, "_render", lambda chart, name: pytest.fail("drawn again"))
    assert [chart.svg for chart in all_charts()] == drawn_fresh  # from the cache
