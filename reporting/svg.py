"""pygal's SVG made fit for a page with a strict Content-Security-Policy and for WeasyPrint:
what draws the chart is kept, what pygal adds for its browser script goes, and its
stylesheet becomes SVG presentation attributes."""

import re
from collections.abc import Callable, Sequence

from pygal.etree import etree
from pygal.style import Style

SVG_NS = "http://www.w3.org/2000/svg"


def clean_svg(
    accessible_name: str,
    style: Style,
    *,
    margin: int,
    labels: Sequence[tuple[str, ...]] = (),
    line_height: int = 15,
    legend_columns: int = 0,
    width: int = 0,
) -> Callable:
    """Keeps what draws the chart and drops what pygal adds for its browser script and its
    credit: the config <script> (written even with js=[]), comments (pygal.org URLs, the
    render date), the tooltip layer, ids (they repeat from chart to chart on a page, and a
    chart from the cache may be shown twice), and
    per-label <title>s (on a horizontal chart, the label's index as a percentage). Its
    <style> goes too, drawn instead as attributes (``presentation_attributes``).

    And lays out what pygal cannot: ``labels``, a horizontal chart's labels as wrapped lines
    (``wrap_labels``), and the legend's ``legend_columns`` spread over the chart's whole
    ``width``."""
    colours = style.colors

    def clean(root):
        for parent in list(root.iter()):
            for child in list(parent):
                name, classes = local_name(child.tag), child.get("class", "").split()
                if (
                    child.tag is etree.Comment
                    or name in ("script", "style")
                    or (name == "title" and parent is not root)
                    or "tooltip-overlay" in classes
                ):
                    parent.remove(child)
        for element in root.iter():
            element.attrib.pop("id", None)
            classes = element.get("class", "").split()
            # Colours as attributes, as the rest of pygal's stylesheet (presentation_attributes): the
            # chart has no <style>, which a strict CSP refuses; the bars keep their palette, on white.
            for index in (int(c[len("color-") :]) for c in classes if re.fullmatch(r"color-\d+", c)):
                element.set("fill", colours[index % len(colours)])
            if "background" in classes:
                element.set("fill", "white")
            # pygal lays the legend out under the plot only, narrowed by long labels: under them too, it has room.
            if "legends" in classes:
                element.set("transform", re.sub(r"translate\([^,]*,", f"translate({margin},", element.get("transform")))
        for child in root:
            if local_name(child.tag) == "title":
                child.text = accessible_name
        root.set("role", "img")
        presentation_attributes(root, style)
        if labels:
            wrap_labels(root, labels, line_height)
        if legend_columns and width:
            spread_legend(root, legend_columns, width - 2 * margin)
        return root

    return clean


def _with_class(root, name: str, *classes: str):
    return [el for el in root.iter() if local_name(el.tag) == name and set(classes) <= set(el.get("class", "").split())]


def wrap_labels(root, labels: Sequence[tuple[str, ...]], line_height: int) -> None:
    """A horizontal chart's category labels (its "y" axis, once pygal has turned it), each
    drawn by pygal as its longest line, redrawn as all of its lines, centred on the bar."""
    expected = list(labels)
    for axis in _with_class(root, "g", "axis", "y"):
        for text in (el for el in axis.iter() if local_name(el.tag) == "text"):
            if not expected or text.text != max(expected[0], key=len):
                continue
            lines = expected.pop(0)
            text.text = None
            x = text.get("x")
            for number, line in enumerate(lines):
                span = etree.SubElement(text, f"{{{SVG_NS}}}tspan" if text.tag.startswith("{") else "tspan")
                span.set("x", x)
                span.set("dy", str(-(len(lines) - 1) * line_height / 2 if number == 0 else line_height))
                span.text = line
    if expected:
        raise ValueError(f"pygal did not draw the labels {expected!r}")


def spread_legend(root, columns: int, width: float) -> None:
    """pygal spaces the legend's columns over the plot only; over the chart's width, a long
    series name has room (its text is never cut)."""
    for index, item in enumerate(_with_class(root, "g", "legend")):
        box = next(el for el in item if local_name(el.tag) == "rect")
        text = next(el for el in item.iter() if local_name(el.tag) == "text")
        left = (index % columns) * width / columns
        box.set("x", f"{left:g}")
        text.set("x", f"{left + float(box.get('width', 0)) + 5:g}")


def presentation_attributes(root, style: Style) -> None:
    """pygal's stylesheet, for what these charts draw, as SVG presentation attributes: what a
    page whose CSP refuses inline styles still applies (and WeasyPrint too). Fills of the
    series are set by ``clean_svg``; hover and tooltip rules have nothing to act on."""
    root.set("font-family", style.font_family)

    def visit(element, above: frozenset[str]) -> None:
        name, classes = local_name(element.tag), set(element.get("class", "").split())
        if "graph" in classes:
            element.set("fill", style.foreground)  # the text's colour, where nothing else says
        if "reactive" in classes:
            element.set("fill-opacity", str(style.opacity))
            element.set("stroke-opacity", ".8")
            element.set("stroke-width", "1")
        for index in (int(c[len("color-") :]) for c in classes if re.fullmatch(r"color-\d+", c)):
            element.set("stroke", style.colors[index % len(style.colors)])
        if name == "text":
            text_attributes(element, classes, above, style)
        elif name == "path" and "line" in classes and "axis" in above | classes:
            line_attributes(element, classes, above, style)
        for child in element:
            visit(child, above | classes)

    visit(root, frozenset())


def text_attributes(element, classes: set[str], above: frozenset[str], style: Style) -> None:
    element.set("stroke", "none")
    if "title" in classes:
        element.attrib.update(
            {"font-size": str(style.title_font_size), "fill": style.foreground_strong, "text-anchor": "middle"}
        )
    elif "no_data" in classes:
        element.attrib.update(
            {"font-size": str(style.no_data_font_size), "fill": style.foreground_strong, "text-anchor": "middle"}
        )
    elif "legend" in above:
        element.attrib.update({"font-size": str(style.legend_font_size), "fill": style.foreground})
    elif "axis" in above:
        major = "major" in classes
        element.set("font-size", str(style.major_label_font_size if major else style.label_font_size))
        if major:
            element.set("fill", style.foreground_strong)
        if "x" in above:
            element.set("text-anchor", "start" if element.get("transform") else "middle")
        elif "y" in above:
            element.set("text-anchor", "end")


def line_attributes(element, classes: set[str], above: frozenset[str], style: Style) -> None:
    element.set("fill", "none")
    if "guide" in classes:
        major = "major" in classes
        element.set("stroke", style.major_guide_stroke_color if major else style.guide_stroke_color)
        # pygal hides the guides across the bars (a bar's own axis), unless the axis is always shown.
        across = ("horizontal" in above and "y" in above) or ("vertical" in above and "x" in above)
        if across and "always_show" not in above:
            element.set("opacity", "0")
    else:
        element.set("stroke", style.foreground if "major" in classes else style.foreground_strong)


def local_name(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""
