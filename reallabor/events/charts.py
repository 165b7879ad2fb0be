"""Charts of the events as self-contained SVG (pure: plain numbers and texts in, an SVG string out).

``bar_chart_svg`` draws grouped vertical bars: one group per category (an event of a series), one
bar per data series (registrations, attendees, …), a legend above and the categories below. The
SVG has a ``<title>`` and a ``<desc>`` (``role="img"``, ``aria-labelledby``); every bar has its own
``<title>`` with its value. The page puts the same numbers in a table under the chart: the
accessible alternative.

The Content Security Policy forbids style elements and attributes, so colours and fonts are
presentation attributes. The SVG references nothing outside it. Any input is drawn: values that
are None, not finite or negative are left out or drawn as zero; texts lose the characters XML
cannot carry; every coordinate stays inside the view box.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

WIDTH = 720
HEIGHT = 340
MARGIN_LEFT = 56
MARGIN_RIGHT = 16
MARGIN_TOP = 16
LEGEND_ROW = 24
MARGIN_BOTTOM = 32
FONT = '"DejaVu Sans", "Liberation Sans", Arial, sans-serif'
INK = "#1d2327"
GRID = "#c3c4c7"
COLOURS = ("#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00")
"""Okabe–Ito: told apart with the common colour vision deficiencies."""
VALUE_MAX = 1e12
"""Larger values are drawn as this (counts of people never come near)."""
LABEL_MAX = 16
LEGEND_MAX = 40
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_NOT_ID = re.compile(r"[^A-Za-z0-9_-]")


@dataclass(frozen=True)
class DataSeries:
    """One kind of value (a bar per category), e.g. the registrations of each event."""

    name: str
    values: Sequence[float | None]


def clean_text(text: object, limit: int | None = None) -> str:
    """Text that XML can carry (no control characters, no lone surrogates), at most ``limit``
    characters (an ellipsis marks a cut)."""
    cleaned = _NOT_XML.sub("", str(text)).strip()
    if limit is not None and len(cleaned) > limit:
        cleaned = cleaned[: max(limit - 1, 0)].rstrip() + "…"
    return cleaned


def _attribute(text: str) -> str:
    return escape(text, {'"': "&quot;"})


def _number(value: float) -> str:
    """A coordinate with at most two decimals."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _value(value: float | None, *, percent: bool) -> float | None:
    """The value to draw: None for a gap, else finite, at least zero (percent: at most 1)."""
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        return None
    if not math.isfinite(number):
        return None
    number = max(number, 0.0)
    return min(number, 1.0) if percent else min(number, VALUE_MAX)


def nice_ticks(maximum: float, *, count: int = 5) -> list[float]:
    """Round tick values from 0 to at least ``maximum`` (at most ``count`` + 1 ticks)."""
    if not math.isfinite(maximum) or maximum <= 0:
        return [0.0, 1.0]
    raw = maximum / count
    magnitude = 10.0 ** math.floor(math.log10(raw))
    step = next(
        (factor * magnitude for factor in (1, 2, 2.5, 5, 10) if factor * magnitude >= raw), 10 * magnitude
    )
    steps = math.ceil(maximum / step - 1e-9)
    return [step * index for index in range(steps + 1)]


def format_value(value: float, *, percent: bool) -> str:
    """The value as the chart writes it: "12", "1.5", or "40 %"."""
    if percent:
        return f"{round(value * 100)} %"
    if float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.3g}"


def bar_chart_svg(
    *,
    title: str,
    description: str,
    categories: Sequence[str],
    series: Sequence[DataSeries],
    percent: bool = False,
    element_id: str = "chart",
) -> str:
    """Grouped bars: per category one bar of each data series (values as fractions if ``percent``)."""
    element_id = _NOT_ID.sub("", element_id) or "chart"
    names = [clean_text(category, LABEL_MAX) for category in categories]
    full_names = [clean_text(category, 200) for category in categories]
    series = list(series)[: len(COLOURS)]
    values = [
        [
            _value(data.values[index] if index < len(data.values) else None, percent=percent)
            for index in range(len(names))
        ]
        for data in series
    ]
    drawn = [value for row in values for value in row if value is not None]
    ticks = [0.0, 0.25, 0.5, 0.75, 1.0] if percent else nice_ticks(max(drawn, default=0.0))
    top_value = ticks[-1] or 1.0

    legend_rows = math.ceil(len(series) / 2) if series else 0
    plot_top = MARGIN_TOP + legend_rows * LEGEND_ROW + 8
    plot_bottom = HEIGHT - MARGIN_BOTTOM
    plot_left = MARGIN_LEFT
    plot_right = WIDTH - MARGIN_RIGHT
    plot_height = plot_bottom - plot_top
    plot_width = plot_right - plot_left

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'class="chart__svg" id="{element_id}" aria-labelledby="{element_id}-title {element_id}-desc" '
        f'font-family="{_attribute(FONT)}" font-size="13" fill="{INK}">',
        f'<title id="{element_id}-title">{escape(clean_text(title, 300))}</title>',
        f'<desc id="{element_id}-desc">{escape(clean_text(description, 2000))}</desc>',
    ]

    # Legend: two columns above the plot.
    column_width = (WIDTH - MARGIN_LEFT - MARGIN_RIGHT) / 2
    for index, data in enumerate(series):
        x = MARGIN_LEFT + (index % 2) * column_width
        y: float = MARGIN_TOP + (index // 2) * LEGEND_ROW
        parts.append(
            f'<g class="chart__legend"><rect x="{_number(x)}" y="{_number(y)}" width="14" height="14" '
            f'fill="{COLOURS[index]}"/><text x="{_number(x + 20)}" y="{_number(y + 12)}">'
            f"{escape(clean_text(data.name, LEGEND_MAX))}</text></g>"
        )

    # Grid lines and their values.
    parts.append(f'<g class="chart__axis" stroke="{GRID}" stroke-width="1">')
    for tick in ticks:
        y = plot_bottom - plot_height * (tick / top_value)
        parts.append(f'<line x1="{plot_left}" y1="{_number(y)}" x2="{plot_right}" y2="{_number(y)}"/>')
    parts.append("</g>")
    parts.append('<g class="chart__ticks" text-anchor="end" font-size="12">')
    for tick in ticks:
        y = plot_bottom - plot_height * (tick / top_value)
        parts.append(
            f'<text x="{plot_left - 6}" y="{_number(y + 4)}">{escape(format_value(tick, percent=percent))}</text>'
        )
    parts.append("</g>")

    # Bars.
    if names and series:
        group_width = plot_width / len(names)
        bar_width = group_width * 0.8 / len(series)
        parts.append('<g class="chart__bars">')
        for row, data in enumerate(series):
            for index, value in enumerate(values[row]):
                if value is None:
                    continue
                height = plot_height * min(value / top_value, 1.0)
                x = plot_left + group_width * index + group_width * 0.1 + bar_width * row
                label = f"{full_names[index]} – {clean_text(data.name, 200)}: {format_value(value, percent=percent)}"
                parts.append(
                    f'<rect x="{_number(x)}" y="{_number(plot_bottom - height)}" width="{_number(bar_width)}" '
                    f'height="{_number(height)}" fill="{COLOURS[row]}"><title>{escape(label)}</title></rect>'
                )
        parts.append("</g>")

        # Category labels: as many as fit (every n-th).
        every = max(1, math.ceil(len(names) / 12))
        parts.append('<g class="chart__categories" text-anchor="middle" font-size="12">')
        for index, name in enumerate(names):
            if index % every:
                continue
            x = plot_left + group_width * (index + 0.5)
            parts.append(f'<text x="{_number(x)}" y="{plot_bottom + 18}">{escape(name)}</text>')
        parts.append("</g>")

    parts.append(
        f'<line x1="{plot_left}" y1="{plot_bottom}" x2="{plot_right}" y2="{plot_bottom}" stroke="{INK}" '
        f'stroke-width="1"/>'
    )
    parts.append("</svg>")
    return "".join(parts)
