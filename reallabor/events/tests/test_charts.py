"""The series chart (events.charts, pure): any numbers and texts give valid, accessible SVG whose
drawing stays inside its view box."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reallabor.events.charts import (
    HEIGHT,
    WIDTH,
    DataSeries,
    bar_chart_svg,
    clean_text,
    format_value,
    nice_ticks,
)

SVG = "{http://www.w3.org/2000/svg}"
NUMERIC = ("x", "y", "width", "height", "x1", "x2", "y1", "y2")


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)  # noqa: S314 - our own output
    assert root.tag == f"{SVG}svg"
    return root


def assert_inside_the_view_box(root: ET.Element) -> None:
    assert root.get("viewBox") == f"0 0 {WIDTH} {HEIGHT}"
    for element in root.iter():
        values = {name: float(element.get(name)) for name in NUMERIC if element.get(name) is not None}  # type: ignore[arg-type]
        for value in values.values():
            assert math.isfinite(value)
        for name in ("x", "x1", "x2"):
            if name in values:
                assert 0 <= values[name] <= WIDTH, (element.tag, values)
        for name in ("y", "y1", "y2"):
            if name in values:
                assert 0 <= values[name] <= HEIGHT, (element.tag, values)
        if "width" in values:
            assert values["width"] >= 0 and values.get("x", 0) + values["width"] <= WIDTH + 0.01
        if "height" in values:
            assert values["height"] >= 0 and values.get("y", 0) + values["height"] <= HEIGHT + 0.01


def bars(root: ET.Element) -> list[ET.Element]:
    group = root.find(f"{SVG}g[@class='chart__bars']")
    return [] if group is None else list(group.iter(f"{SVG}rect"))


def test_a_chart_of_a_series() -> None:
    svg = bar_chart_svg(
        title="Anmeldungen & Teilnahme",
        description="Balken je Veranstaltung",
        categories=["05.03.25", "02.04.25", "07.05.25"],
        series=[DataSeries("Anmeldungen", [10, 20, 0]), DataSeries("Teilnehmende", [8, None, 0])],
        element_id="series-chart",
    )
    root = parse(svg)
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "series-chart-title series-chart-desc"
    assert root.find(f"{SVG}title").text == "Anmeldungen & Teilnahme"  # type: ignore[union-attr]
    assert root.find(f"{SVG}desc").text == "Balken je Veranstaltung"  # type: ignore[union-attr]
    drawn = bars(root)
    assert len(drawn) == 5  # the gap (None) is left out
    titles = [bar.find(f"{SVG}title").text for bar in drawn]  # type: ignore[union-attr]
    assert "02.04.25 – Anmeldungen: 20" in titles
    heights = {title: float(bar.get("height", "0")) for title, bar in zip(titles, drawn, strict=True)}
    assert heights["05.03.25 – Anmeldungen: 10"] * 2 == heights["02.04.25 – Anmeldungen: 20"]
    assert heights["07.05.25 – Teilnehmende: 0"] == 0
    assert "style" not in svg and "<script" not in svg and "href" not in svg  # CSP, self-contained
    assert_inside_the_view_box(root)


def test_percent_charts_run_from_0_to_100_percent() -> None:
    root = parse(
        bar_chart_svg(
            title="Quoten",
            description="",
            categories=["a", "b"],
            series=[DataSeries("Teilnahmequote", [0.5, 1.0])],
            percent=True,
        )
    )
    ticks = [text.text for text in root.find(f"{SVG}g[@class='chart__ticks']").iter(f"{SVG}text")]  # type: ignore[union-attr]
    assert ticks == ["0 %", "25 %", "50 %", "75 %", "100 %"]
    first, second = bars(root)
    assert float(first.get("height", "0")) * 2 == float(second.get("height", "0"))


def test_an_empty_chart_is_still_valid() -> None:
    root = parse(bar_chart_svg(title="", description="", categories=[], series=[]))
    assert bars(root) == []
    assert_inside_the_view_box(root)


def test_nice_ticks_and_values() -> None:
    assert nice_ticks(0) == [0.0, 1.0]
    assert nice_ticks(10) == [0, 2, 4, 6, 8, 10]
    assert nice_ticks(23)[-1] >= 23
    assert format_value(3.0, percent=False) == "3"
    assert format_value(0.256, percent=True) == "26 %"
    assert clean_text("a\x00b\ud800c") == "abc"
    assert clean_text("Handwerksfrühstück", 8) == "Handwer…"


numbers = st.one_of(
    st.none(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    title=st.text(),
    description=st.text(),
    categories=st.lists(st.text(), max_size=40),
    series=st.lists(st.tuples(st.text(), st.lists(numbers, max_size=45)), max_size=8),
    percent=st.booleans(),
    element_id=st.text(max_size=20),
)
def test_any_input_gives_valid_svg_inside_the_view_box(
    title: str,
    description: str,
    categories: list[str],
    series: list[tuple[str, list[float | None]]],
    percent: bool,
    element_id: str,
) -> None:
    svg = bar_chart_svg(
        title=title,
        description=description,
        categories=categories,
        series=[DataSeries(name, values) for name, values in series],
        percent=percent,
        element_id=element_id,
    )
    root = parse(svg)
    assert_inside_the_view_box(root)
    assert len(bars(root)) <= len(categories) * min(len(series), 6)
    for element in root.iter():  # CSP: no scripts, no styles
        assert element.tag not in (f"{SVG}script", f"{SVG}style") and "style" not in element.attrib
