"""The report as .docx: the same headings as the Markdown, real tables, Markdown turned into paragraphs."""

from __future__ import annotations

from collections.abc import Iterator
from io import BytesIO

import docx
import pytest
from django.utils import translation
from django.utils.translation import gettext as _
from docx.document import Document
from docx.oxml.ns import qn

from conftest import Portfolio
from reallabor.core.testing.factories import make_measure
from reallabor.core.testing.seed import PROFILE_LABELS, SEED_OVERVIEW
from reallabor.reports.formats.docx import render_docx
from reallabor.reports.formats.markdown import render_markdown
from reallabor.reports.reporting import ActivityRow, Report, ResultRow
from reallabor.reports.selectors import build_report
from reallabor.reports.tests.helpers import lab_of, markdown_headings, measure_of, report_of


@pytest.fixture(autouse=True)
def german() -> Iterator[None]:
    with translation.override("de"):
        yield


def open_docx(report: Report) -> Document:
    return docx.Document(BytesIO(render_docx(report)))


def docx_headings(document: Document) -> list[tuple[int, str]]:
    """The headings by their style: Title is level 1, Heading n level n + 1 (as in the Markdown)."""
    headings = []
    for paragraph in document.paragraphs:
        name = paragraph.style.name if paragraph.style is not None else ""
        if name == "Title":
            headings.append((1, paragraph.text))
        elif name.startswith("Heading "):
            headings.append((int(name.removeprefix("Heading ")) + 1, paragraph.text))
    return headings


def texts(row: object) -> list[str]:
    return [cell.text for cell in row.cells]  # type: ignore[attr-defined]


class TestDemoReport:
    def test_the_headings_are_the_markdown_headings(self, portfolio: Portfolio) -> None:
        make_measure(portfolio.handwerk, title="Entwurf einer Maßnahme", is_published=False)
        for internal in (False, True):
            report = build_report(None, internal=internal)

            assert docx_headings(open_docx(report)) == markdown_headings(render_markdown(report))

    def test_the_overview_tables(self, portfolio: Portfolio) -> None:
        document = open_docx(build_report(None))

        overview, measures_view, tags_view = document.tables[:3]
        assert texts(overview.rows[0]) == ["Reallabor", "Maßnahme(n)", "Megatrend/SDG"]
        # one row per measure, the lab's cell merged over its measures (python-docx repeats it)
        expected = [
            [lab, measure, "\n".join(tags)] for lab, measures in SEED_OVERVIEW for measure, tags in measures
        ]
        assert [texts(row) for row in overview.rows[1:]] == expected
        assert [texts(row) for row in measures_view.rows] == [
            ["Reallabor", "Maßnahme(n)"],
            *[[lab, "\n".join(measure for measure, _tags in measures)] for lab, measures in SEED_OVERVIEW],
        ]
        assert texts(tags_view.rows[0]) == ["Reallabor", "Megatrend/SDG"]
        assert len(tags_view.rows) == 4
        for table in (overview, measures_view, tags_view):  # header rows repeat on every page
            properties = table.rows[0]._tr.trPr
            assert properties is not None
            assert properties.find(qn("w:tblHeader")) is not None

    def test_every_measure_has_a_profile_sheet(self, portfolio: Portfolio) -> None:
        report = build_report(None)
        document = open_docx(report)

        # 3 overview tables, 2 chart tables, one profile sheet per measure
        assert len(document.tables) == 5 + len(report.measures)
        sheets = document.tables[5:]
        for sheet in sheets:
            assert [row.cells[0].text for row in sheet.rows] == PROFILE_LABELS
        fairtrade = sheets[0]
        assert fairtrade.rows[4].cells[1].text == "Noch keine Angaben"
        assert (
            fairtrade.rows[1].cells[1].text
            == "Stadt Bottrop – Amt für Wirtschaftsförderung und Standortmanagement"
        )
        assert fairtrade.rows[6].cells[1].text.startswith("01.10.2020: Steuerungsgruppe gegründet")

    def test_chart_numbers(self, portfolio: Portfolio) -> None:
        sdgs, megatrends = open_docx(build_report(None)).tables[3:5]

        assert len(sdgs.rows) == 18
        assert texts(sdgs.rows[8]) == ["SDG 8 Menschenwürdige Arbeit und Wirtschaftswachstum", "2", "2"]
        assert ["Digitalisierung", "2", "2"] in [texts(row) for row in megatrends.rows]

    def test_document_properties_footer_and_page_breaks(self, portfolio: Portfolio) -> None:
        document = open_docx(build_report(None))

        properties = document.core_properties
        assert (properties.title, properties.author, properties.language) == (
            "Reallabore in Bottrop",
            "Wirtschaftsförderung Bottrop",
            "de-DE",
        )
        lang = document.styles.element.find(qn("w:docDefaults")).find(f".//{qn('w:lang')}")
        assert lang.get(qn("w:val")) == "de-DE"
        footer = document.sections[0].footer.paragraphs[0]
        assert footer.text.startswith("Bottrop\t")
        assert [node.text.strip() for node in footer._p.iter(qn("w:instrText"))] == ["PAGE", "NUMPAGES"]
        chapters = [p for p in document.paragraphs if p.style is not None and p.style.name == "Heading 1"]
        assert [p.paragraph_format.page_break_before for p in chapters] == [True, None, True, True, True]

    def test_drafts_are_marked_in_bold(self, portfolio: Portfolio) -> None:
        make_measure(portfolio.handel, title="Lieferdienst der Innenstadt", is_published=False)
        document = open_docx(build_report(None, internal=True))

        [heading] = [p for p in document.paragraphs if p.text.startswith("Lieferdienst")]
        assert [(run.text, bool(run.bold)) for run in heading.runs] == [
            ("Lieferdienst der Innenstadt", False),
            (f" ({_('Draft')})", True),
        ]
        notice = [p for p in document.paragraphs if p.style is not None and p.style.name == "Intense Quote"]
        assert [run.text for run in notice[0].runs if run.bold] == [
            _("Internal report: contains unpublished drafts")
        ]


class TestMarkdownText:
    def test_markdown_becomes_paragraphs_without_its_syntax(self) -> None:
        background = (
            "# Ausgangslage\n\nText mit **fett**, *kursiv* und [Link](https://example.org).\n\n"
            "- erster Punkt\n- zweiter Punkt\n\n3. drei\n4. vier\n\n> Zitat"
        )
        report = report_of([lab_of("Labor", [], background=background)])

        document = open_docx(report)

        paragraphs = [(p.style.name if p.style is not None else "", p.text) for p in document.paragraphs]
        start = paragraphs.index(("Heading 2", _("Background and aims")))
        assert paragraphs[start + 1 : start + 9] == [
            ("Heading 3", "Ausgangslage"),
            ("Normal", "Text mit fett, kursiv und Link (https://example.org)."),
            ("List Bullet", "erster Punkt"),
            ("List Bullet", "zweiter Punkt"),
            ("List", "3.\tdrei"),
            ("List", "4.\tvier"),
            ("Quote", "Zitat"),
            ("Normal", _("No measures yet.")),
        ]
        text = document.paragraphs[start + 2]
        assert [(run.text, bool(run.bold), bool(run.italic)) for run in text.runs][:4] == [
            ("Text mit ", False, False),
            ("fett", True, False),
            (", ", False, False),
            ("kursiv", False, True),
        ]
        assert docx_headings(document) == markdown_headings(render_markdown(report))

    def test_profile_cells(self) -> None:
        measure = measure_of(
            "Maßnahme",
            activities=[
                ActivityRow("Planung", None, None, "Kurz **und** knapp."),
                ActivityRow("Umsetzung", None, None, "Erstens.\n\n- a\n- b"),
            ],
            results=[ResultRow(None, "Bericht", "https://example.org/bericht", "")],
        )
        document = open_docx(report_of([lab_of("Labor", [measure])]))

        sheet = document.tables[-1]
        activities = [(p.style.name if p.style else "", p.text) for p in sheet.rows[0].cells[1].paragraphs]
        assert activities == [
            ("List Bullet", "Planung: Kurz und knapp."),
            ("List Bullet", "Umsetzung"),
            ("List Continue", "Erstens."),
            ("List Bullet 2", "a"),
            ("List Bullet 2", "b"),
        ]
        assert sheet.rows[6].cells[1].text == f"Bericht\n{_('Evidence (link)')}: https://example.org/bericht"
        assert "**" not in "\n".join(cell.text for row in sheet.rows for cell in row.cells)
