"""The report page in Chromium: the charts render as inline SVG under the Content Security Policy,
the download buttons give files, the internal edition, and axe-core finds no serious problem."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from tests.browser.support import Site, assert_accessible, either

pytestmark = pytest.mark.browser


def test_visitor_reads_the_report_with_its_charts(page: Page, site: Site) -> None:
    """With the Content Security Policy in force (the fixture fails the test on any violation)."""
    page.goto(reverse("labs:portfolio"))
    page.get_by_role("link", name=either("Bericht ansehen", "View report")).click()
    expect(page).to_have_url(re.compile(r"/bericht/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Reallabore in Bottrop")

    for chart in ("#sdg-chart", "#megatrend-chart"):
        svg = page.locator(chart)
        expect(svg).to_be_visible()
        box = svg.bounding_box()
        assert box is not None and box["width"] > 300 and box["height"] > 100, chart
    # The bars are drawn (in the goals' colours, SDG 8 has two measures) and the chart has a name.
    expect(page.locator('#sdg-chart [fill="#A21942"] rect')).to_have_count(1)
    expect(page.get_by_role("img", name=re.compile("SDG"))).to_have_count(1)

    # The numbers behind the chart, for screen readers and keyboard users.
    page.locator("#sdg-figure summary").click()
    expect(page.locator("#sdg-figure table")).to_contain_text(
        "SDG 8 Menschenwürdige Arbeit und Wirtschaftswachstum"
    )

    # The seed's overview table and a profile sheet.
    overview = page.locator("#overview-full")
    expect(overview).to_contain_text("SDG 8 »Menschenwürdige Arbeit und Wirtschaftswachstum«")
    expect(page.locator("#measure-hybride-formen-des-handels-hallobot table")).to_contain_text(
        either("Noch keine Angaben", "No information yet")
    )


def test_download_buttons(page: Page, site: Site) -> None:
    page.goto(reverse("reports:lab", kwargs={"slug": site.handwerk.slug}))

    with page.expect_download() as info:
        page.get_by_role("link", name="PDF", exact=True).click()
    download = info.value
    assert re.fullmatch(
        r"reallabor-bottrop-digitale-koproduktion-im-handwerk-\d{4}-\d{2}-\d{2}\.pdf",
        download.suggested_filename,
    )
    path = download.path()
    assert path.read_bytes().startswith(b"%PDF-")

    with page.expect_download() as info:
        page.get_by_role("link", name=re.compile(r"Word")).click()
    assert info.value.suggested_filename.endswith(".docx")


def test_the_reader_switches_to_the_internal_report(new_page: Callable[..., Page], site: Site) -> None:
    page = new_page(role="reader")
    page.goto(reverse("reports:portfolio"))

    page.get_by_role(
        "link", name=either("Interne Fassung (mit Entwürfen)", "Internal report (with drafts)")
    ).click()
    expect(page).to_have_url(re.compile(r"/bericht/\?internal=1$"))
    expect(page.locator(".report-cover")).to_contain_text(either("Interne Fassung", "Internal report"))


def test_the_report_is_accessible(axe_page: Page, site: Site) -> None:
    for path in (reverse("reports:portfolio"), reverse("reports:lab", kwargs={"slug": site.handel.slug})):
        response = axe_page.goto(path)
        assert response is not None and response.status == 200
        expect(axe_page.locator("#sdg-chart")).to_be_visible()
        assert_accessible(axe_page)


def test_the_internal_report_is_accessible(new_page: Callable[..., Page], site: Site) -> None:
    page = new_page(role="partner", bypass_csp=True)
    page.goto(reverse("reports:portfolio") + "?internal=1")
    page.locator("#megatrend-figure summary").click()
    assert_accessible(page)
