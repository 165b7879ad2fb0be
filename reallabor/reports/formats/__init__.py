"""The report's output formats: each renders a ``reporting.Report`` without touching the database.

``render(report, "pdf")`` gives the bytes of a file; the modules are imported on demand, so the
web page does not load python-docx and the CLI's Markdown does not load WeasyPrint.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module

from reallabor.reports.reporting import Report


@dataclass(frozen=True)
class Format:
    name: str  # html, pdf, md, docx
    module: str  # reallabor.reports.formats.<module>
    function: str  # render_html(report) -> str, render_pdf(report) -> bytes, …
    content_type: str
    extension: str


FORMATS: dict[str, Format] = {
    "html": Format("html", "html", "render_html", "text/html; charset=utf-8", "html"),
    "pdf": Format("pdf", "pdf", "render_pdf", "application/pdf", "pdf"),
    "md": Format("md", "markdown", "render_markdown", "text/markdown; charset=utf-8", "md"),
    "docx": Format(
        "docx",
        "docx",
        "render_docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "docx",
    ),
}


def render(report: Report, name: str) -> bytes:
    """The report as a file of format ``name`` (one of ``FORMATS``); KeyError for an unknown one."""
    fmt = FORMATS[name]
    function = getattr(import_module(f"{__name__}.{fmt.module}"), fmt.function)
    result = function(report)
    return result.encode("utf-8") if isinstance(result, str) else result
