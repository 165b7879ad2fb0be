"""The report as HTML: the standalone print document (the input of the PDF) and the web page's context.

``report_context`` is what the shared body (``reports/includes/report_body.html``) needs; the web
page (``reports/report_page.html``) and the document (``reports/report_document.html``) both use it.
The document carries its CSS inline (``static/css/report.css``, shared with the page, plus
``formats/report_document.css`` for paper): it references nothing outside itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from reallabor.reports.charts import megatrend_chart_svg, sdg_chart_svg
from reallabor.reports.reporting import (
    MEGATREND_KIND,
    SDG_KIND,
    Report,
    ReportLab,
    ReportMeasure,
    ReportTag,
    chart_rows,
    has_data,
    overview_tags,
)

PAGE_CSS = Path(__file__).resolve().parents[2] / "static" / "css" / "report.css"
DOCUMENT_CSS = Path(__file__).resolve().parent / "report_document.css"


@dataclass(frozen=True, slots=True)
class OverviewMeasure:
    measure: ReportMeasure
    tags: list[ReportTag]  # its megatrends and SDGs, in the seed's order


@dataclass(frozen=True, slots=True)
class OverviewLab:
    """A row of the overview table: the lab, its measures with their tags, and the union of those tags."""

    lab: ReportLab
    measures: list[OverviewMeasure]
    tags: list[ReportTag]


def overview(report: Report) -> list[OverviewLab]:
    return [
        OverviewLab(
            lab=lab,
            measures=[OverviewMeasure(measure, overview_tags(measure.tags)) for measure in lab.measures],
            tags=overview_tags(lab.tags),
        )
        for lab in report.labs
    ]


def report_context(report: Report) -> dict[str, Any]:
    """The context of ``reports/includes/report_body.html``."""
    return {
        "report": report,
        "overview": overview(report),
        "sdg_chart": mark_safe(sdg_chart_svg(report)),  # serialised by lxml: text is escaped
        "megatrend_chart": mark_safe(megatrend_chart_svg(report)),
        "sdg_rows": chart_rows(report, SDG_KIND),
        "megatrend_rows": chart_rows(report, MEGATREND_KIND),
        "sdg_has_data": has_data(report, SDG_KIND),
        "megatrend_has_data": has_data(report, MEGATREND_KIND),
    }


def css_string(text: str) -> str:
    """``text`` as a CSS string literal, safe inside a ``<style>`` element."""
    escaped = "".join(f"\\{ord(char):x} " if char in '"\\<>&' or ord(char) < 0x20 else char for char in text)
    return f'"{escaped}"'


def page_number_content() -> str:
    """The CSS ``content`` of the page numbers: "Seite " counter(page) " von " counter(pages)."""
    tokens = []
    for part in re.split(r"(%\(pages?\)s)", _("Page %(page)s of %(pages)s")):
        if part == "%(page)s":
            tokens.append("counter(page)")
        elif part == "%(pages)s":
            tokens.append("counter(pages)")
        elif part:
            tokens.append(css_string(part))
    return " ".join(tokens)


def document_css() -> str:
    """The document's stylesheet: the report's styles, the paper layout and the translated page numbers."""
    return "\n".join(
        (
            PAGE_CSS.read_text(encoding="utf-8"),
            DOCUMENT_CSS.read_text(encoding="utf-8"),
            f"@page {{ @bottom-right {{ content: {page_number_content()}; }} }}",
        )
    )


def render_html(report: Report) -> str:
    """The report as one standalone, print-friendly HTML document (styles inline, no outside reference)."""
    context = report_context(report)
    context["document_css"] = mark_safe(document_css())  # our own files; strings are escaped
    return render_to_string("reports/report_document.html", context)
