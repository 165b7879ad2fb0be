"""The report as Markdown: the seed's overview, the profile sheets, headings, escaping, drafts."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.utils import translation
from django.utils.translation import gettext as _

from conftest import Portfolio
from reallabor.core.testing.factories import make_measure
from reallabor.core.testing.seed import (
    FAIRTRADE,
    HALLOBOT,
    HANDEL,
    HANDWERK,
    INTEGRATION,
    KOOPERATION,
    PROFILE_LABELS,
    SDG8,
    SEED_OVERVIEW,
)
from reallabor.reports.formats.markdown import render_markdown
from reallabor.reports.reporting import ActivityRow, ResultRow, TargetGroupRow
from reallabor.reports.selectors import build_report
from reallabor.reports.tests.helpers import (
    MarkdownTable,
    lab_of,
    markdown_headings,
    markdown_tables,
    measure_of,
    report_of,
    sdg_tag,
)


@pytest.fixture
def german() -> Iterator[None]:
    with translation.override("de"):
        yield


def demo_markdown(*, internal: bool = False) -> str:
    return render_markdown(build_report(None, internal=internal))


def profile(markdown: str, heading: str) -> dict[str, str]:
    """The profile sheet under a measure's heading: row label → the cell's Markdown source."""
    [table] = [table for table in markdown_tables(markdown) if table.heading == heading]
    assert [row[0] for row in table.rows] == PROFILE_LABELS
    return {row[0]: source[1] for row, source in zip(table.rows, table.sources, strict=True)}


def overview_tables(markdown: str) -> list[MarkdownTable]:
    return [table for table in markdown_tables(markdown) if table.heading == _("Overview")]


@pytest.mark.usefixtures("german")
class TestDemoReport:
    def test_the_overview_reproduces_the_seed(self, portfolio: Portfolio) -> None:
        overview, *_views = overview_tables(demo_markdown())

        assert overview.header == ["Reallabor", "Maßnahme(n)", "Megatrend/SDG"]
        expected = [
            [lab if index == 0 else "", measure, "; ".join(tags)]
            for lab, measures in SEED_OVERVIEW
            for index, (measure, tags) in enumerate(measures)
        ]
        assert overview.rows == expected

    def test_the_split_views_reproduce_the_seed(self, portfolio: Portfolio) -> None:
        _overview, measures_view, tags_view = overview_tables(demo_markdown())

        assert measures_view.header == ["Reallabor", "Maßnahme(n)"]
        assert measures_view.rows == [
            [lab, "; ".join(measure for measure, _tags in measures)] for lab, measures in SEED_OVERVIEW
        ]
        assert tags_view.header == ["Reallabor", "Megatrend/SDG"]
        assert tags_view.rows == [
            [lab, "; ".join(dict.fromkeys(tag for _measure, tags in measures for tag in tags))]
            for lab, measures in SEED_OVERVIEW
        ]

    def test_headings(self, portfolio: Portfolio) -> None:
        chapters = []
        for lab, measures in SEED_OVERVIEW:
            chapters += [
                (2, _("Real-world lab »%(name)s«") % {"name": lab}),
                (3, "Hintergrund und Zielsetzung"),
            ]
            chapters += [(3, measure) for measure, _tags in measures]
            chapters += [(3, "Zukunftsperspektive")]

        assert markdown_headings(demo_markdown()) == [
            (1, "Reallabore in Bottrop"),
            (2, _("Overview")),
            (2, _("Megatrends and SDGs")),
            (3, _("Sustainable Development Goals (SDGs)")),
            (3, _("Megatrends")),
            *chapters,
        ]

    def test_every_measure_has_its_seven_profile_rows(self, portfolio: Portfolio) -> None:
        markdown = demo_markdown()

        for _lab, measures in SEED_OVERVIEW:
            for measure, _tags in measures:
                assert len(profile(markdown, measure)) == 7

    def test_profile_contents(self, portfolio: Portfolio) -> None:
        markdown = demo_markdown()

        fairtrade = profile(markdown, FAIRTRADE)
        assert (
            fairtrade["Koordination"] == "Stadt Bottrop – Amt für Wirtschaftsförderung und Standortmanagement"
        )
        assert fairtrade["Finanzierung"] == "Förderprogramm: Bottrop 2018+"
        assert fairtrade["Ergebnisse"].startswith(
            "• **01.10.2020:** Steuerungsgruppe gegründet (17 Mitglieder zum Zeitpunkt der Auszeichnung).<br>"
        )
        hallobot = profile(markdown, HALLOBOT)
        assert "• Förderprogramm: WiFi4EU (Europäische Union), 15.000,00\u00a0€" in hallobot["Finanzierung"]
        assert hallobot["Zielgruppe(n)"] == "• Einzelhandel<br>• Gastronomie<br>• Dienstleistungsunternehmen"
        kooperation = profile(markdown, KOOPERATION)
        assert "**Bottroper Handwerksfrühstück** (18.02.2025): Netzwerk- und" in kooperation["Aktivitäten"]
        integration = profile(markdown, INTEGRATION)
        assert integration["Mehrwert"] == (
            "• **Unternehmen**: Gewinnen Fachkräfte und Auszubildende (Win-win).<br>"
            "• **Geflüchtete**: Finden Arbeit und Ausbildung in Bottroper Unternehmen (Win-win)."
        )

    def test_an_empty_row_says_so(self, portfolio: Portfolio) -> None:
        markdown = demo_markdown()

        assert profile(markdown, FAIRTRADE)["Zielgruppe(n)"] == "*Noch keine Angaben*"
        assert profile(markdown, HALLOBOT)["Ergebnisse"] == "*Noch keine Angaben*"

    def test_title_block(self, portfolio: Portfolio) -> None:
        markdown = demo_markdown()

        assert "- **Ort:** Bottrop\n" in markdown
        assert "Wirtschaftsförderung Bottrop\n" in markdown
        assert _("Internal report: contains unpublished drafts") not in markdown

    def test_chart_numbers(self, portfolio: Portfolio) -> None:
        tables = {table.heading: table for table in markdown_tables(demo_markdown())}

        sdgs = tables[_("Sustainable Development Goals (SDGs)")]
        assert sdgs.header == [_("Goal"), _("Weighted"), "Maßnahmen"]
        assert len(sdgs.rows) == 17
        assert sdgs.rows[7] == ["SDG 8 Menschenwürdige Arbeit und Wirtschaftswachstum", "2", "2"]
        assert ["Digitalisierung", "2", "2"] in tables[_("Megatrends")].rows

    def test_lab_facts_and_measure_status(self, portfolio: Portfolio) -> None:
        markdown = demo_markdown()

        assert f"- **{_('Coordinating organisation')}:** " in markdown
        assert "*Status: Laufend · seit 01.10.2020*" in markdown

    def test_one_lab(self, portfolio: Portfolio) -> None:
        markdown = render_markdown(build_report(None, lab_slug=portfolio.handwerk.slug))

        [overview, *_views] = overview_tables(markdown)
        assert overview.rows == [[HANDWERK, KOOPERATION, f"MT »Digitalisierung«; {SDG8}"]]
        assert (2, _("Real-world lab »%(name)s«") % {"name": HANDEL}) not in markdown_headings(markdown)


@pytest.mark.usefixtures("german")
class TestDrafts:
    def test_only_in_the_internal_report_and_marked(self, portfolio: Portfolio) -> None:
        make_measure(portfolio.handel, title="Lieferdienst der Innenstadt", is_published=False)
        draft = f"Lieferdienst der Innenstadt ({_('Draft')})"

        public = demo_markdown()
        internal = demo_markdown(internal=True)

        assert "Lieferdienst" not in public
        assert _("Internal report: contains unpublished drafts") not in public
        assert (3, draft) in markdown_headings(internal)
        assert overview_tables(internal)[0].rows[2] == ["", draft, _("No tags yet")]
        assert f"> **{_('Internal report: contains unpublished drafts')}**" in internal


class TestEscaping:
    def test_pipes_and_a_leading_hash_in_user_text(self) -> None:
        measure = measure_of(
            "#1 Kurs | Teil A #",
            summary="1. Platz | 2. Platz",
            tags=[sdg_tag("8", "Arbeit | Wachstum")],
            activities=[ActivityRow("Planung | Umsetzung", None, None, "Eins | zwei\n\n# Kein Titel")],
        )
        report = report_of([lab_of("Labor | Eins", [measure], summary="# Kein Titel")])

        markdown = render_markdown(report)

        assert markdown_headings(markdown)[5:] == [
            (2, _("Real-world lab »%(name)s«") % {"name": "Labor | Eins"}),
            (3, _("Background and aims")),
            (3, "#1 Kurs | Teil A #"),
            (3, _("Outlook")),
        ]
        overview = markdown_tables(markdown)[0]
        assert overview.rows == [["Labor | Eins", "#1 Kurs | Teil A #", "SDG 8 »Arbeit | Wachstum«"]]
        [sheet] = [table for table in markdown_tables(markdown) if table.heading == "#1 Kurs | Teil A #"]
        assert sheet.rows[0][1] == "Planung | Umsetzung: Eins | zwei<br>Kein Titel"
        assert "\n\\# Kein Titel\n" in markdown  # the lab's summary: a paragraph, not a heading
        assert "\n1\\. Platz \\| 2. Platz\n" in markdown  # the measure's summary: not a list

    def test_headings_in_user_markdown_are_demoted(self) -> None:
        background = "# Ausgangslage\n\nText.\n\nZiele\n=====\n\n- Punkt\n- ## Im Punkt\n\n###### Tief"
        report = report_of([lab_of("Labor", [], background=background, outlook="## Ausblick")])

        headings = markdown_headings(render_markdown(report))

        assert headings[5:] == [
            (2, _("Real-world lab »%(name)s«") % {"name": "Labor"}),
            (3, _("Background and aims")),
            (4, "Ausgangslage"),
            (4, "Ziele"),
            (5, "Im Punkt"),
            (6, "Tief"),
            (3, _("Outlook")),
            (5, "Ausblick"),
        ]

    def test_raw_html_and_open_fences_cannot_swallow_the_report(self) -> None:
        lab = lab_of(
            "Labor", [], background="Vorher <!-- offen\n\n<div>\n\nText", outlook="```\nCode ohne Ende"
        )
        report = report_of([lab, lab_of("Zweites Labor", [], background="<script>alert(1)</script>")])

        markdown = render_markdown(report)

        assert markdown_headings(markdown)[5:] == [
            (2, _("Real-world lab »%(name)s«") % {"name": "Labor"}),
            (3, _("Background and aims")),
            (3, _("Outlook")),
            (2, _("Real-world lab »%(name)s«") % {"name": "Zweites Labor"}),
            (3, _("Background and aims")),
            (3, _("Outlook")),
        ]
        assert "Vorher \\<!-- offen" in markdown
        assert "\\<div>" in markdown
        assert "\\<script>alert(1)\\</script>" in markdown
        assert "```\nCode ohne Ende\n```\n" in markdown

    def test_markdown_in_profile_cells_stays_on_one_line(self) -> None:
        measure = measure_of(
            "Maßnahme",
            target_groups=[TargetGroupRow("Betriebe", "Erstens\n\n1. eins\n2. zwei | drei\n\n`a|b`")],
            results=[ResultRow(None, "Ein <b>Ergebnis</b>", "https://example.org/bericht", "bericht.pdf")],
        )
        report = report_of([lab_of("Labor", [measure])])

        markdown = render_markdown(report)
        sheet = profile_table(markdown, "Maßnahme")

        assert "| **Betriebe**: Erstens<br>1. eins<br>2. zwei \\| drei<br>`a\\|b` |\n" in markdown
        assert sheet.sources[5][1] == "**Betriebe**: Erstens<br>1. eins<br>2. zwei | drei<br>`a|b`"
        assert sheet.rows[5][1] == "Betriebe: Erstens<br>1. eins<br>2. zwei | drei<br>a|b"
        assert sheet.sources[6][1] == (
            "Ein \\<b>Ergebnis\\</b> "
            + _("Evidence (link)")
            + ": <https://example.org/bericht> "
            + _("Evidence (file)")
            + ": bericht.pdf"
        )


def profile_table(markdown: str, heading: str) -> MarkdownTable:
    [table] = [table for table in markdown_tables(markdown) if table.heading == heading]
    return table
