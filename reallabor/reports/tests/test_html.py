"""The report as HTML (the print document, input of the PDF): the seed's overview, profile sheets, drafts."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import lxml.html
import pytest
from django.utils import translation
from django.utils.translation import gettext as _

from conftest import Portfolio
from reallabor.core.testing.factories import make_lab, make_measure
from reallabor.core.testing.seed import (
    FAIRTRADE,
    HALLOBOT,
    INTEGRATION,
    KOOPERATION,
    PROFILE_LABELS,
    SEED_OVERVIEW,
)
from reallabor.reports.formats.html import css_string, page_number_content, render_html
from reallabor.reports.reporting import ActivityRow, ResultRow, TargetGroupRow
from reallabor.reports.selectors import build_report
from reallabor.reports.tests.helpers import lab_of, measure_of, report_of

NO_INFORMATION = "Noch keine Angaben"


@pytest.fixture(autouse=True)
def german() -> Iterator[None]:
    with translation.override("de"):
        yield


def document(*, internal: bool = False, lab_slug: str | None = None) -> Any:
    return lxml.html.fromstring(render_html(build_report(None, internal=internal, lab_slug=lab_slug)))


def text(element: Any) -> str:
    return " ".join(element.text_content().split())


def cell_items(cell: Any) -> list[str]:
    """The entries of a cell: its list items, or its text."""
    items = cell.xpath(".//li")
    return [text(item) for item in items] if items else [text(cell)]


def table(doc: Any, table_id: str) -> tuple[list[str], list[list[list[str]]]]:
    """A table's header and rows; each row a list of cells, each cell the list of its entries."""
    [element] = doc.xpath(f'//table[@id="{table_id}"]')
    header = [text(cell) for cell in element.xpath("./thead/tr/th")]
    rows = [[cell_items(cell) for cell in row.xpath("./th|./td")] for row in element.xpath("./tbody/tr")]
    return header, rows


def profile_rows(doc: Any, title: str) -> dict[str, str]:
    """A measure's profile sheet: row label → the cell's entries joined by " | " (or its text)."""
    [article] = [
        node
        for node in doc.xpath('//article[@class="report-measure"]')
        if title in text(node.xpath(".//h3")[0])
    ]
    [sheet] = article.xpath('.//table[contains(@class, "report-profile")]')
    return {
        text(row.xpath("./th")[0]): " | ".join(cell_items(row.xpath("./td")[0]))
        for row in sheet.xpath("./tbody/tr")
    }


class TestSeedOverview:
    def test_the_overview_table(self, portfolio: Portfolio) -> None:
        header, rows = table(document(), "overview-full")

        assert header == ["Reallabor", "Maßnahme(n)", "Megatrend/SDG"]
        expected = []
        for lab, measures in SEED_OVERVIEW:
            for index, (measure, tags) in enumerate(measures):
                expected.append([[lab], [measure], tags] if index == 0 else [[measure], tags])
        assert rows == expected

    def test_the_lab_cell_spans_its_measures(self, portfolio: Portfolio) -> None:
        doc = document()

        spans = [
            (text(cell), cell.get("rowspan"))
            for cell in doc.xpath('//table[@id="overview-full"]/tbody/tr/th[@scope="rowgroup"]')
        ]
        assert spans == [(lab, str(len(measures))) for lab, measures in SEED_OVERVIEW]

    def test_the_split_view_of_measures(self, portfolio: Portfolio) -> None:
        header, rows = table(document(), "overview-measures")

        assert header == ["Reallabor", "Maßnahme(n)"]
        assert rows == [[[lab], [measure for measure, _tags in measures]] for lab, measures in SEED_OVERVIEW]

    def test_the_split_view_of_megatrends_and_sdgs(self, portfolio: Portfolio) -> None:
        header, rows = table(document(), "overview-tags")

        assert header == ["Reallabor", "Megatrend/SDG"]
        assert rows == [
            [[lab], list(dict.fromkeys(tag for _measure, tags in measures for tag in tags))]
            for lab, measures in SEED_OVERVIEW
        ]

    def test_names_link_to_their_chapters(self, portfolio: Portfolio) -> None:
        doc = document()
        ids = set(doc.xpath("//@id"))

        links = doc.xpath('//table[@id="overview-full"]//a/@href')
        assert links and all(link.startswith("#") and link[1:] in ids for link in links)
        assert "#measure-hybride-formen-des-handels-hallobot" in links


class TestChapters:
    def test_headings_in_order(self, portfolio: Portfolio) -> None:
        headings = [(node.tag, text(node)) for node in document().xpath("//h1|//h2|//h3")]

        expected: list[tuple[str, str]] = []
        for lab, measures in SEED_OVERVIEW:
            expected.append(("h2", _("Real-world lab »%(name)s«") % {"name": lab}))
            expected.append(("h3", "Hintergrund und Zielsetzung"))
            expected += [("h3", measure) for measure, _tags in measures]
            expected.append(("h3", "Zukunftsperspektive"))
        assert headings == [
            ("h1", "Reallabore in Bottrop"),
            ("h2", _("Contents")),
            ("h2", _("Overview")),
            ("h2", _("Megatrends and SDGs")),
            ("h3", _("Sustainable Development Goals (SDGs)")),
            ("h3", _("Megatrends")),
            *expected,
        ]

    def test_every_measure_has_its_seven_profile_rows(self, portfolio: Portfolio) -> None:
        doc = document()

        for _lab, measures in SEED_OVERVIEW:
            for measure, _tags in measures:
                assert list(profile_rows(doc, measure)) == PROFILE_LABELS

    def test_profile_contents(self, portfolio: Portfolio) -> None:
        doc = document()

        fairtrade = profile_rows(doc, FAIRTRADE)
        assert (
            fairtrade["Koordination"] == "Stadt Bottrop – Amt für Wirtschaftsförderung und Standortmanagement"
        )
        assert fairtrade["Finanzierung"] == "Förderprogramm: Bottrop 2018+"
        assert fairtrade["Ergebnisse"].startswith(
            "01.10.2020: Steuerungsgruppe gegründet (17 Mitglieder zum Zeitpunkt der Auszeichnung)."
        )
        hallobot = profile_rows(doc, HALLOBOT)
        assert hallobot["Finanzierung"] == (
            "Förderprogramm: Bottrop 2018+ | Förderprogramm: WiFi4EU (Europäische Union), 15.000,00 €"
        )
        assert hallobot["Zielgruppe(n)"] == "Einzelhandel | Gastronomie | Dienstleistungsunternehmen"
        assert "Bottroper Handwerksfrühstück (18.02.2025)" in profile_rows(doc, KOOPERATION)["Aktivitäten"]
        [values] = doc.xpath('//article[@id="measure-fachkraeftesicherung-integration-gefluechteter"]//dl')
        assert [(text(term), text(term.getnext())) for term in values.xpath("./dt")] == [
            ("Unternehmen", "Gewinnen Fachkräfte und Auszubildende (Win-win)."),
            ("Geflüchtete", "Finden Arbeit und Ausbildung in Bottroper Unternehmen (Win-win)."),
        ]

    def test_an_empty_row_says_so(self, portfolio: Portfolio) -> None:
        doc = document()

        assert profile_rows(doc, FAIRTRADE)["Zielgruppe(n)"] == NO_INFORMATION
        assert profile_rows(doc, FAIRTRADE)["Mehrwert"] == NO_INFORMATION
        assert profile_rows(doc, HALLOBOT)["Ergebnisse"] == NO_INFORMATION

    def test_background_and_outlook(self, portfolio: Portfolio) -> None:
        [handwerk] = document().xpath('//section[@id="lab-digitale-koproduktion-im-handwerk"]')
        [handel] = document().xpath('//section[@id="lab-hybride-formen-des-handels"]')

        assert "Schon in der ersten Projektphase" in text(
            handwerk.xpath(".//h3[1]/following-sibling::div[1]")[0]
        )
        outlook = handwerk.xpath(
            './/h3[@id="lab-digitale-koproduktion-im-handwerk-outlook"]/following-sibling::*[1]'
        )
        assert text(outlook[0]).startswith("Die effektiven Maßnahmen im Reallabor")
        outlook = handel.xpath('.//h3[@id="lab-hybride-formen-des-handels-outlook"]/following-sibling::*[1]')
        assert text(outlook[0]) == NO_INFORMATION

    def test_one_lab(self, portfolio: Portfolio) -> None:
        doc = document(lab_slug=portfolio.handwerk.slug)

        _header, rows = table(doc, "overview-full")
        assert rows == [
            [
                ["Digitale Koproduktion im Handwerk"],
                [KOOPERATION],
                ["MT »Digitalisierung«", SEED_OVERVIEW[1][1][0][1][1]],
            ]
        ]
        assert len(doc.xpath('//article[@class="report-measure"]')) == 1
        assert text(doc.xpath('//p[@class="report-cover__scope"]')[0]) == "Digitale Koproduktion im Handwerk"


class TestCoverAndCharts:
    def test_title_page(self, portfolio: Portfolio) -> None:
        doc = document()
        [cover] = doc.xpath('//header[@class="report-cover"]')

        assert text(cover.xpath('.//p[@class="report-cover__city"]')[0]) == "Bottrop"
        assert "Wirtschaftsförderung Bottrop" in text(cover)
        assert cover.xpath(".//time/@datetime")[0] == build_report(None).date.isoformat()
        assert not cover.xpath('.//p[@class="report-notice"]')

    def test_table_of_contents(self, portfolio: Portfolio) -> None:
        [toc] = document().xpath('//nav[@class="report-toc"]')

        entries = [(text(link), link.get("href")) for link in toc.xpath(".//a")]
        assert entries[:3] == [
            (_("Overview"), "#report-overview"),
            (_("Megatrends and SDGs"), "#report-charts"),
            (
                _("Real-world lab »%(name)s«") % {"name": "Hybride Formen des Handels"},
                "#lab-hybride-formen-des-handels",
            ),
        ]
        assert (INTEGRATION, "#measure-fachkraeftesicherung-integration-gefluechteter") in entries

    def test_charts_with_their_numbers(self, portfolio: Portfolio) -> None:
        doc = document()

        svgs = doc.xpath('//div[@class="chart__image"]/svg')
        assert [svg.get("id") for svg in svgs] == ["sdg-chart", "megatrend-chart"]
        assert all(svg.get("role") == "img" and svg.get("aria-labelledby") for svg in svgs)
        [sdg_table] = doc.xpath('//div[@id="sdg-figure"]//table')
        rows = [[text(cell) for cell in row.xpath("./th|./td")] for row in sdg_table.xpath("./tbody/tr")]
        assert len(rows) == 17
        assert rows[7] == ["SDG 8 Menschenwürdige Arbeit und Wirtschaftswachstum", "2", "2"]
        [megatrend_table] = doc.xpath('//div[@id="megatrend-figure"]//table')
        assert ["Digitalisierung", "2", "2"] in [
            [text(cell) for cell in row.xpath("./th|./td")] for row in megatrend_table.xpath("./tbody/tr")
        ]

    def test_no_data_no_chart(self) -> None:
        doc = lxml.html.fromstring(render_html(report_of([lab_of("Leer", [])])))

        assert not doc.xpath("//svg")
        assert len(doc.xpath('//p[contains(@class, "chart__empty")]')) == 2
        assert text(doc.xpath('//table[@id="overview-full"]/tbody/tr/td')[0]) == "Noch keine Maßnahmen"


class TestSelfContained:
    def test_no_outside_reference(self, portfolio: Portfolio) -> None:
        html = render_html(build_report(None))
        doc = lxml.html.fromstring(html)

        assert not doc.xpath("//link|//script|//img|//iframe|//object")
        assert not doc.xpath("//@src|//@style")
        assert all(href.startswith("#") for href in doc.xpath("//@href"))
        [style] = doc.xpath("//style")
        assert "url(" not in style.text and "@import" not in style.text
        assert "@page" in style.text and "size: A4" in style.text

    def test_metadata(self, portfolio: Portfolio) -> None:
        doc = document()

        assert doc.get("lang") == "de"
        assert text(doc.xpath("//title")[0]) == "Reallabore in Bottrop – Portfolio der Reallabore"
        assert doc.xpath('//meta[@name="author"]/@content') == ["Wirtschaftsförderung Bottrop"]

    def test_markdown_is_sanitised(self) -> None:
        measure = measure_of(
            "M",
            activities=[ActivityRow("A", None, None, "<script>alert(1)</script> [x](javascript:alert(1))")],
            target_groups=[TargetGroupRow("Gruppe", "**fett**")],
            results=[ResultRow(None, "Ergebnis", "javascript:alert(1)", "../../etc/passwd")],
        )
        html = render_html(report_of([lab_of("L", [measure])]))
        doc = lxml.html.fromstring(html)

        assert not doc.xpath("//script")
        assert not [href for href in doc.xpath("//@href") if not href.startswith("#")]
        assert "<strong>fett</strong>" in html
        assert "../../etc/passwd" in text(doc)  # the evidence file by its name, as text, never a link

    def test_page_numbers_are_a_css_string(self) -> None:
        assert css_string('Sei"te \\ </style>') == '"Sei\\22 te \\5c  \\3c /style\\3e "'
        with translation.override("en"):
            assert page_number_content() == '"Page " counter(page) " of " counter(pages)'


class TestDrafts:
    def test_public_report_without_drafts_internal_with_them_marked(self, portfolio: Portfolio) -> None:
        make_measure(portfolio.handel, title="Entwurf im Handel", is_published=False)
        draft_lab = make_lab(name="Labor im Entwurf", is_published=False)
        make_measure(draft_lab, title="Maßnahme im Entwurfslabor", is_published=True)

        public = document()
        assert "Entwurf im Handel" not in text(public)
        assert "Labor im Entwurf" not in text(public)
        assert not public.xpath('//*[contains(@class, "badge--draft")]')

        internal = document(internal=True)
        _header, rows = table(internal, "overview-full")
        assert [["Entwurf im Handel " + _("Draft")], [_("No tags yet")]] in rows
        [heading] = [node for node in internal.xpath("//h3") if "Entwurf im Handel" in text(node)]
        assert heading.xpath('.//span[@class="badge badge--draft"]')
        [lab_heading] = [node for node in internal.xpath("//h2") if "Labor im Entwurf" in text(node)]
        assert text(lab_heading.xpath('.//span[@class="badge badge--draft"]')[0]) == _("Draft")
        # A published measure of a draft lab is a draft as well.
        [measure_heading] = [
            node for node in internal.xpath("//h3") if "Maßnahme im Entwurfslabor" in text(node)
        ]
        assert measure_heading.xpath('.//span[@class="badge badge--draft"]')
        notice = text(internal.xpath('//p[@class="report-notice"]')[0])
        assert notice.startswith(_("Internal report: contains unpublished drafts"))
