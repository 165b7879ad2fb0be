"""The report's charts: pygal bars as self-contained, accessible inline SVG (no database)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import translation
from django.utils.translation import gettext as _
from lxml import etree

from reallabor.reports.charts import DEFAULT_COLOUR, megatrend_chart_svg, sdg_chart_svg, value_ticks
from reallabor.reports.reporting import ChartTerm, Report, ReportTag, chart_rows, format_value, has_data
from reallabor.reports.tests.helpers import lab_of, measure_of, report_of

SDG_COLOURS = {"8": "#A21942", "10": "#DD1367", "11": "#FD9D24", "12": "#BF8B2E"}


@pytest.fixture(autouse=True)
def german() -> Iterator[None]:
    with translation.override("de"):
        yield


def tag(
    kind: str, code: str, *, priority: str = "primary", share: int | None = None, goal: str = ""
) -> ReportTag:
    return ReportTag(
        kind=kind,
        code=code,
        label=code,
        display=code,
        colour="",
        priority=priority,
        share=share,
        goal_code=goal,
    )


def chart_report(*tag_lists: list[ReportTag]) -> Report:
    """A report whose measures carry these tags; the goals in their own colours."""
    measures = [
        measure_of(f"Maßnahme {index}", slug=f"m{index}", tags=tags) for index, tags in enumerate(tag_lists)
    ]
    report = report_of([lab_of("Labor", measures)])
    report.sdg_goals = [
        ChartTerm(str(code), f"Ziel {code}", SDG_COLOURS.get(str(code), "#E5243B")) for code in range(1, 18)
    ]
    report.megatrends = [
        ChartTerm("digitalisierung", "Digitalisierung", ""),
        ChartTerm("migration", "Migration", ""),
    ]
    return report


def demo_like() -> Report:
    return chart_report(
        [tag("megatrend", "digitalisierung"), tag("sdg", "8")],
        [tag("sdg", "8"), tag("sdg", "10"), tag("megatrend", "migration")],
        [tag("sdg", "11.1", goal="11", priority="secondary"), tag("sdg", "12", share=50)],
    )


def parse(svg: str) -> Any:
    return etree.fromstring(svg.encode())


def local(element: Any) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def bars(svg: str) -> dict[str, float]:
    """Bar colour → width: the coloured rectangles pygal draws for the values."""
    root = parse(svg)
    result = {}
    for rect in root.iter("{*}rect"):
        fill = rect.get("fill") or rect.getparent().get("fill") or ""
        if fill.startswith("#") and fill.lower() != "#ffffff":
            result[fill.upper()] = float(rect.get("width"))
    return result


def texts(svg: str) -> list[str]:
    return [node.text or "" for node in parse(svg).iter("{*}text")]


class TestSdgChart:
    def test_one_bar_per_goal_with_measures_in_the_goals_colour(self) -> None:
        widths = bars(sdg_chart_svg(demo_like()))

        assert set(widths) == {"#A21942", "#DD1367", "#FD9D24", "#BF8B2E"}
        # SDG 8: two measures (2); SDG 10: one (1); 11 through a secondary target (0.5); 12 a share of 50 %.
        assert widths["#A21942"] == pytest.approx(2 * widths["#DD1367"], rel=0.01)
        assert widths["#FD9D24"] == pytest.approx(widths["#DD1367"] / 2, rel=0.01)
        assert widths["#BF8B2E"] == pytest.approx(widths["#FD9D24"], rel=0.01)

    def test_labels_and_values(self) -> None:
        labels = texts(sdg_chart_svg(demo_like()))

        assert [f"SDG {code} Ziel {code}" for code in range(1, 18)] == [
            label for label in labels if label.startswith("SDG ")
        ][::-1]
        assert {"2", "1", "0,5"} <= set(labels)

    def test_goals_in_order_from_the_top(self) -> None:
        root = parse(sdg_chart_svg(demo_like()))
        positions = {
            node.text: float(node.get("y"))
            for node in root.iter("{*}text")
            if (node.text or "").startswith("SDG ")
        }

        assert sorted(positions, key=positions.__getitem__) == [
            f"SDG {code} Ziel {code}" for code in range(1, 18)
        ]

    def test_accessible_name(self) -> None:
        root = parse(sdg_chart_svg(demo_like()))
        [title] = [node for node in root if local(node) == "title"]

        assert root.get("role") == "img"
        assert root.get("aria-labelledby") == title.get("id") == "sdg-chart-title"
        assert title.text == _("Contributions of the measures to the Sustainable Development Goals (SDGs)")
        assert root.get("id") == "sdg-chart"

    def test_self_contained(self) -> None:
        svg = sdg_chart_svg(demo_like())

        assert svg.startswith("<svg ")
        for forbidden in ("<?xml", "<script", "<style", "style=", "href", "url(", "xlink", "<!--", "<desc"):
            assert forbidden not in svg, forbidden
        # The one URI is the SVG namespace, which names the vocabulary and is never fetched.
        assert re.findall(r"https?://[^\s\"']+", svg) == ["http://www.w3.org/2000/svg"]
        assert "DejaVu Sans" in svg

    def test_the_same_output_every_time(self) -> None:
        report = demo_like()

        assert sdg_chart_svg(report) == sdg_chart_svg(report)

    def test_no_data_says_so(self) -> None:
        report = chart_report([tag("megatrend", "digitalisierung")])
        svg = sdg_chart_svg(report)

        assert not has_data(report, "sdg")
        assert bars(svg) == {}
        assert _("No measure is tagged yet") in texts(svg)
        assert not [text for text in texts(svg) if text.startswith("SDG ")]  # no empty axis


class TestMegatrendChart:
    def test_bars_in_the_default_colour(self) -> None:
        svg = megatrend_chart_svg(demo_like())

        assert bars(svg) == {DEFAULT_COLOUR.upper(): pytest.approx(bars(svg)[DEFAULT_COLOUR.upper()])}
        assert {"Digitalisierung", "Migration"} <= set(texts(svg))
        assert parse(svg).get("id") == "megatrend-chart"

    def test_a_colour_that_is_not_one(self) -> None:
        report = demo_like()
        report.megatrends = [
            ChartTerm("digitalisierung", "Digitalisierung", "red; fill: url(https://x.example/)")
        ]

        svg = megatrend_chart_svg(report)
        assert set(bars(svg)) == {DEFAULT_COLOUR.upper()}
        assert "example" not in svg

    def test_no_megatrend_at_all(self) -> None:
        report = chart_report()
        report.megatrends = []

        svg = megatrend_chart_svg(report)
        assert bars(svg) == {}
        assert _("No measure is tagged yet") in texts(svg)


def test_chart_rows_for_the_table_next_to_the_chart() -> None:
    rows = chart_rows(demo_like(), "sdg")

    assert len(rows) == 17
    assert (rows[7].label, rows[7].value, rows[7].measures) == ("SDG 8 Ziel 8", "2", 2)
    assert (rows[10].label, rows[10].value, rows[10].measures) == ("SDG 11 Ziel 11", "0,5", 1)
    assert (rows[0].value, rows[0].measures) == ("0", 0)
    assert [(row.label, row.value) for row in chart_rows(demo_like(), "megatrend")] == [
        ("Digitalisierung", "1"),
        ("Migration", "1"),
    ]


@pytest.mark.parametrize(
    ("value", "in_german", "in_english"),
    [(2.0, "2", "2"), (1.5, "1,5", "1.5"), (0.75, "0,75", "0.75"), (0, "0", "0")],
)
def test_format_value(value: float, in_german: str, in_english: str) -> None:
    assert format_value(value) == in_german
    with translation.override("en"):
        assert format_value(value) == in_english


@pytest.mark.parametrize(
    ("maximum", "ticks"),
    [
        (0, [0, 1]),
        (0.5, [0, 1]),
        (2, [0, 1, 2]),
        (7.5, [0, 1, 2, 3, 4, 5, 6, 7, 8]),
        (9, [0, 2, 4, 6, 8, 10]),
        (17, [0, 5, 10, 15, 20]),
        (200, [0, 50, 100, 150, 200]),
    ],
)
def test_value_ticks_are_whole_numbers(maximum: float, ticks: list[int]) -> None:
    assert value_ticks(maximum) == ticks
