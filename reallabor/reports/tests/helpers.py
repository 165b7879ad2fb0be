"""Helpers of the report tests: read a Markdown report back (headings, tables), build small reports."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token

from reallabor.reports.reporting import ChartTerm, Report, ReportLab, ReportMeasure, ReportTag

# GitHub-flavoured enough: CommonMark with tables (escaped pipes in cells, like GFM).
_PARSER = MarkdownIt("commonmark").enable("table")


def _text(token: Token) -> str:
    """An inline token's plain text: escapes resolved, emphasis dropped, soft breaks as spaces."""
    parts = []
    for child in token.children or ():
        if child.type in ("text", "code_inline", "html_inline"):  # html_inline: our <br>
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return "".join(parts)


def markdown_headings(markdown: str) -> list[tuple[int, str]]:
    """Every heading of a Markdown document as (level, text), in order."""
    tokens = _PARSER.parse(markdown)
    return [
        (int(token.tag[1]), _text(tokens[index + 1]))
        for index, token in enumerate(tokens)
        if token.type == "heading_open"
    ]


@dataclass
class MarkdownTable:
    heading: str  # the text of the heading above the table
    header: list[str]
    rows: list[list[str]] = field(default_factory=list)
    sources: list[list[str]] = field(default_factory=list)  # the cells' Markdown (escaped pipes resolved)


def markdown_tables(markdown: str) -> list[MarkdownTable]:
    """Every table with the heading it is under; cells as plain text (and as their source)."""
    tables: list[MarkdownTable] = []
    heading = ""
    current: MarkdownTable | None = None
    in_header = False
    row: list[str] = []
    source: list[str] = []
    tokens = _PARSER.parse(markdown)
    for index, token in enumerate(tokens):
        if token.type == "heading_open":
            heading = _text(tokens[index + 1])
        elif token.type == "table_open":
            current = MarkdownTable(heading=heading, header=[])
            tables.append(current)
        elif token.type == "thead_open":
            in_header = True
        elif token.type == "thead_close":
            in_header = False
        elif token.type == "tr_open":
            row, source = [], []
        elif token.type in ("th_open", "td_open"):
            inline = tokens[index + 1]
            if inline.type == "inline":
                row.append(_text(inline))
                source.append(inline.content)
            else:
                row.append("")
                source.append("")
        elif token.type == "tr_close" and current is not None:
            if in_header:
                current.header = row
            else:
                current.rows.append(row)
                current.sources.append(source)
    return tables


def report_of(labs: list[ReportLab], *, internal: bool = False) -> Report:
    """A report with these labs, as ``build_report`` would give it (no database)."""
    return Report(
        title="Reallabore in Bottrop",
        city="Bottrop",
        office="Wirtschaftsförderung Bottrop",
        date=datetime.date(2025, 3, 14),
        scope="Portfolio",
        internal=internal,
        labs=labs,
        sdg_goals=[ChartTerm(str(code), f"Goal {code}", "#E5243B") for code in range(1, 18)],
        megatrends=[ChartTerm("digitalisierung", "Digitalisierung", "")],
    )


def lab_of(name: str, measures: list[ReportMeasure], **values: Any) -> ReportLab:
    data: dict[str, Any] = {
        "slug": "lab",
        "summary": "",
        "background": "",
        "outlook": "",
        "phase_label": "",
        "funding_start": None,
        "funding_end": None,
        "coordinator": "",
        "is_draft": False,
        "url": "/labore/lab/",
    }
    data.update(values)
    return ReportLab(name=name, measures=measures, **data)


def measure_of(title: str, **values: Any) -> ReportMeasure:
    data: dict[str, Any] = {
        "slug": "measure",
        "summary": "",
        "status_label": "",
        "start": None,
        "end": None,
        "is_draft": False,
        "url": "/labore/lab/massnahmen/measure/",
    }
    data.update(values)
    return ReportMeasure(title=title, **data)


def sdg_tag(code: str, label: str) -> ReportTag:
    return ReportTag(
        kind="sdg",
        code=code,
        label=label,
        display=f"SDG {code} »{label}«",
        colour="#E5243B",
        priority="primary",
        share=None,
    )
