"""The report as PDF: the print document of ``formats.html`` laid out by WeasyPrint.

A4, a table of contents with page numbers, page numbers and the city's name in the footer, PDF
bookmarks from the headings, title and language in the metadata, DejaVu Sans embedded, and tagged
(PDF/UA-1) so that screen readers can follow the structure. Nothing is fetched: the document has its
CSS inline, and the URL fetcher refuses every URL except ``data:``.
"""

from __future__ import annotations

import logging
from typing import Any

from weasyprint import HTML, URLFetcher

from reallabor.reports.formats.html import render_html
from reallabor.reports.reporting import Report

# WeasyPrint reports every step of every layout at INFO, the level the project logs at: keep that out.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

ALLOWED_PROTOCOLS = ("data",)
PDF_OPTIONS: dict[str, Any] = {
    "pdf_variant": "pdf/ua-1",  # tagged PDF (structure tree), PDF 1.7, language and title in the metadata
    "optimize_images": False,
}


def url_fetcher() -> URLFetcher:
    """A fetcher that never reaches a network or the file system (only inline ``data:`` URLs)."""
    return URLFetcher(allowed_protocols=ALLOWED_PROTOCOLS, allow_redirects=False, timeout=1)


def render_pdf(report: Report) -> bytes:
    """The report as a PDF file."""
    document = HTML(string=render_html(report), base_url=None, url_fetcher=url_fetcher())
    pdf: bytes = document.write_pdf(**PDF_OPTIONS)
    return pdf
