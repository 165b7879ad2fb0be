"""An anonymous visitor browses from the home page to a measure and reads its profile sheet."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.support import Site, either

pytestmark = pytest.mark.browser

PROFILE_ROWS = [
    ("Aktivitäten", "Activities"),
    ("Koordination", "Coordination"),
    ("Finanzierung", "Financing"),
    ("Beteiligte Akteure", "Participating actors"),
    ("Zielgruppe(n)", "Target group(s)"),
    ("Mehrwert", "Added value"),
    ("Ergebnisse", "Results"),
]
"""The seven rows of a measure's profile, in the order of the seed documents (German, English)."""

KOOPERATION = "Kooperation zur Erhöhung des Digitalisierungsstands der Bottroper Handwerksunternehmen"


def test_visitor_browses_from_home_to_a_measure_profile(page: Page, site: Site) -> None:
    page.goto("/")
    main = page.get_by_role("main")
    main.get_by_role("link", name=re.compile("Portfolio")).first.click()
    expect(page).to_have_url(re.compile(r"/portfolio/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Portfolio")

    # The seed documents' table: Reallabor | Maßnahme(n) | Megatrend/SDG, SDGs with their German name.
    table = page.get_by_role("main").get_by_role("table").first
    expect(table.get_by_role("columnheader", name=either("Reallabor", "Real-world lab"))).to_be_visible()
    expect(table.get_by_role("columnheader", name=either("Maßnahme", "Measure"))).to_be_visible()
    expect(table).to_contain_text("SDG 8 »Menschenwürdige Arbeit und Wirtschaftswachstum«")
    expect(table).to_contain_text("Digitalisierung")

    table.get_by_role("link", name="Digitale Koproduktion im Handwerk", exact=True).click()
    expect(page).to_have_url(re.compile(r"/labore/digitale-koproduktion-im-handwerk/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Digitale Koproduktion im Handwerk")

    page.get_by_role("main").get_by_role("link", name=KOOPERATION).first.click()
    expect(page).to_have_url(
        re.compile(
            r"/labore/digitale-koproduktion-im-handwerk/massnahmen/kooperation-digitalisierung-handwerk/$"
        )
    )
    expect(page.get_by_role("heading", level=1)).to_have_text(KOOPERATION)

    # The profile sheet: a table named by its heading, the seven rows in their order.
    profile = page.get_by_role("table", name=either("Profil", "Profile", exact=True))
    headers = profile.get_by_role("rowheader")
    expect(headers).to_have_count(len(PROFILE_ROWS))
    labels = [" ".join(text.split()) for text in headers.all_inner_texts()]
    for label, names in zip(labels, PROFILE_ROWS, strict=True):
        assert either(*names, exact=True).match(label), (
            f"expected the row {names[0]}, found {label}: {labels}"
        )

    def row(*names: str) -> str:
        header = profile.get_by_role("rowheader", name=either(*names, exact=True)).first
        return " ".join(header.locator("xpath=..").inner_text().split())

    assert "Bottroper Handwerksfrühstück" in row(*PROFILE_ROWS[0])
    assert "Handwerkskammer Münster" in row(*PROFILE_ROWS[1])
    assert "Bottrop 2018+" in row(*PROFILE_ROWS[2])
    assert "Kreishandwerkerschaft Emscher-Lippe-West" in row(*PROFILE_ROWS[3])
    assert "Handwerksbetriebe" in row(*PROFILE_ROWS[4])
    assert "Handwerksfrühstück zur Fachkräftesicherung" in row(*PROFILE_ROWS[6])

    # Its tags, as in the seed documents.
    main = page.get_by_role("main")
    expect(main).to_contain_text("SDG 8 »Menschenwürdige Arbeit und Wirtschaftswachstum«")
    expect(main).to_contain_text("MT »Digitalisierung«")

    # A visitor gets no editing links.
    expect(main.get_by_role("link", name=re.compile(r"bearbeiten|edit", re.IGNORECASE))).to_have_count(0)
