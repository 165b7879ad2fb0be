"""The report's charts: horizontal bar charts drawn by pygal, as self-contained inline SVG.

One SVG serves the web page and the PDF. pygal styles its charts with a ``<style>`` element and
adds a ``<script>``; the page's Content Security Policy forbids both (and WeasyPrint applies no
outside CSS to an inline SVG). So the chart's own CSS is folded into SVG presentation attributes
(``fill="…"``), and scripts, style elements, comments and tooltip data are removed: what is left is
plain SVG with no reference to anything outside it, a ``<title>`` and an ``aria-labelledby``.

The functions take a ``reporting.Report`` and never touch the database.
"""

from __future__ import annotations

import itertools
import math
import re
from typing import Any

import cssselect2
import pygal
import tinycss2
from django.utils.translation import gettext as _
from lxml import etree
from pygal.style import Style

from reallabor.reports.reporting import (
    MEGATREND_KIND,
    SDG_KIND,
    ChartBar,
    Report,
    bar_label,
    chart_bars,
    format_value,
)

FONT_FAMILY = '"DejaVu Sans", "Liberation Sans", Arial, sans-serif'
INK = "#1d2327"
LINE = "#c3c4c7"
COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
DEFAULT_COLOUR = "#004f7c"  # the site's accent: megatrends have no colour of their own
WIDTH = 800
BAR_HEIGHT = 30
SVG_NS = "http://www.w3.org/2000/svg"
REMOVED_ELEMENTS = frozenset({"", "script", "style", "desc"})  # "": comments

# CSS properties that SVG also takes as presentation attributes (the ones pygal's CSS uses).
PRESENTATION_ATTRIBUTES = frozenset(
    {
        "fill",
        "fill-opacity",
        "stroke",
        "stroke-opacity",
        "stroke-width",
        "stroke-dasharray",
        "stroke-linecap",
        "stroke-linejoin",
        "opacity",
        "font-family",
        "font-size",
        "font-weight",
        "font-style",
        "text-anchor",
        "dominant-baseline",
        "visibility",
        "display",
    }
)


def sdg_chart_svg(report: Report) -> str:
    """How many measures contribute to each of the 17 goals (weighted), each bar in its goal's colour."""
    return _bar_chart(
        chart_bars(report, SDG_KIND),
        kind=SDG_KIND,
        title=_("Contributions of the measures to the Sustainable Development Goals (SDGs)"),
        element_id="sdg-chart",
    )


def megatrend_chart_svg(report: Report) -> str:
    """How many measures address each megatrend (weighted)."""
    return _bar_chart(
        chart_bars(report, MEGATREND_KIND),
        kind=MEGATREND_KIND,
        title=_("Contributions of the measures to the megatrends"),
        element_id="megatrend-chart",
    )


def _style() -> Style:
    return Style(
        font_family=FONT_FAMILY,
        background="#ffffff",
        plot_background="#ffffff",
        foreground=INK,
        foreground_strong=INK,
        foreground_subtle=LINE,
        guide_stroke_color=LINE,
        major_guide_stroke_color=LINE,
        guide_stroke_dasharray="0",
        major_guide_stroke_dasharray="0",
        opacity="1",
        opacity_hover="1",
        stroke_opacity="1",
        stroke_opacity_hover="1",
        stroke_width="0",
        stroke_width_hover="0",
        transition="0ms",
        colors=(DEFAULT_COLOUR,),
        label_font_size=14,
        major_label_font_size=14,
        value_font_size=14,
        title_font_size=16,
        no_data_font_size=18,
    )


def value_ticks(maximum: float) -> list[int]:
    """Whole-number ticks of the value axis from 0 to at least ``maximum``: steps of 1, 2, 5, 10, 20 …"""
    step, factors = 1, itertools.cycle((2, 2.5, 2))  # 1, 2, 5, 10, 20, 50, 100 …
    while math.ceil(maximum / step) > 8:
        step = round(step * next(factors))
    top = max(1, math.ceil(maximum / step)) * step
    return list(range(0, top + 1, step))


def bar_colour(colour: str) -> str:
    """The term's colour if it is one (#rrggbb), else the default colour."""
    return colour if COLOUR.fullmatch(colour or "") else DEFAULT_COLOUR


def _bar_chart(bars: list[ChartBar], *, kind: str, title: str, element_id: str) -> str:
    values = [
        {"value": bar.value, "color": bar_colour(bar.colour)} if bar.value > 0 else None for bar in bars
    ]
    empty = not any(values)
    height = 120 if empty else max(len(bars) * BAR_HEIGHT + 60, 140)
    chart = pygal.HorizontalBar(
        style=_style(),
        width=WIDTH,
        height=height,
        js=[],
        disable_xml_declaration=True,
        show_legend=False,
        print_values=True,
        print_values_position="top",
        print_zeroes=False,
        truncate_label=-1,
        show_x_guides=False,
        show_y_guides=True,
        margin=8,
        margin_right=28,
        spacing=6,
        value_formatter=format_value,
        no_data_text=_("No measure is tagged yet"),
    )
    if not empty:
        # pygal counts bars from the bottom; the first term should be at the top, as in the table.
        chart.x_labels = [bar_label(bar, kind) for bar in reversed(bars)]
        chart.y_labels = value_ticks(max(bar.value for bar in bars))
        chart.add("", list(reversed(values)))
    return _self_contained(chart.render_tree(), title=title, element_id=element_id)


# Folding pygal's CSS into the SVG -------------------------------------------------------------------------


def _declarations(tokens: Any) -> list[tuple[str, str]]:
    """The presentation properties among the declarations ``tokens`` (a rule's content or a string)."""
    result = []
    for declaration in tinycss2.parse_blocks_contents(tokens, skip_whitespace=True, skip_comments=True):
        if declaration.type == "declaration" and declaration.lower_name in PRESENTATION_ATTRIBUTES:
            result.append((declaration.lower_name, tinycss2.serialize(declaration.value).strip()))
    return result


def _matcher(css: str) -> cssselect2.Matcher:
    matcher = cssselect2.Matcher()
    for rule in tinycss2.parse_stylesheet(css, skip_whitespace=True, skip_comments=True):
        if rule.type != "qualified-rule":
            continue
        try:
            selectors = cssselect2.compile_selector_list(rule.prelude)
        except cssselect2.SelectorError:
            continue
        declarations = _declarations(rule.content)
        for selector in selectors:
            if selector.pseudo_element is None:
                matcher.add_selector(selector, declarations)
    return matcher


def _local_name(node: Any) -> str:
    """The element's name without namespace; "" for comments and processing instructions."""
    return etree.QName(node).localname if isinstance(node.tag, str) else ""


def _remove(node: Any) -> None:
    """Remove ``node`` but keep the text that follows it (lxml keeps it in the node's tail)."""
    parent = node.getparent()
    if node.tail:
        previous = node.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + node.tail
        else:
            parent.text = (parent.text or "") + node.tail
    parent.remove(node)


def _self_contained(root: Any, *, title: str, element_id: str) -> str:
    """pygal's SVG tree without style, script, comments and tooltips; its CSS as attributes."""
    css = "\n".join(node.text or "" for node in root.iter() if _local_name(node) == "style")
    for node in list(root.iter()):
        name = _local_name(node)
        # pygal's tooltips (nested titles) and data for its script (desc) go with the script.
        if name in REMOVED_ELEMENTS or (name == "title" and node.getparent() is not root):
            _remove(node)
    for node in [node for node in root if _local_name(node) == "defs" and len(node) == 0]:
        _remove(node)
    matcher = _matcher(css)
    computed: list[tuple[Any, dict[str, str]]] = []
    for wrapper in cssselect2.ElementWrapper.from_xml_root(root).iter_subtree():
        properties: dict[str, str] = {}
        for _specificity, _order, _pseudo, declarations in matcher.match(wrapper):
            properties.update(declarations)
        element = wrapper.etree_element
        style = element.attrib.pop("style", None)
        if style:
            properties.update(_declarations(style))
        computed.append((element, properties))
    for element, properties in computed:
        for name, value in properties.items():
            if value and "url(" not in value and "!" not in value:
                element.set(name, value)
    for element in root.iter():
        element.attrib.pop("class", None)
    root.set("id", element_id)
    root.set("role", "img")
    root.set("aria-labelledby", f"{element_id}-title")
    root.set("focusable", "false")
    root.set("class", "chart__svg")
    root.set("preserveAspectRatio", "xMinYMin meet")
    title_node = next((node for node in root if _local_name(node) == "title"), None)
    if title_node is None:
        title_node = etree.Element("title")
        root.insert(0, title_node)
    title_node.text = title
    title_node.set("id", f"{element_id}-title")
    etree.cleanup_namespaces(root)  # pygal's xlink namespace is unused
    svg: str = etree.tostring(root, encoding="unicode")
    if " xmlns=" not in svg.split(">", 1)[0]:
        svg = svg.replace("<svg ", f'<svg xmlns="{SVG_NS}" ', 1)  # pygal's elements carry no namespace
    return svg
