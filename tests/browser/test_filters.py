"""The measure filters: htmx swaps the results in place and keeps the address in step; without
JavaScript the same form works as a plain GET form."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Locator, Page, Response, expect

from tests.browser.support import Site, either

pytestmark = pytest.mark.browser

KOOPERATION = "Kooperation zur Erhöhung des Digitalisierungsstands der Bottroper Handwerksunternehmen"
HALLOBOT = "HalloBot – Onlineplattform und Digitalisierungsangebot"
LAB_FILTER = either("Reallabor", "Real-world lab", exact=True)
SEARCH = either("Suche", "Search", exact=True)
SDG_FILTER = re.compile(r"^\s*SDGs?\s*$")


def results_table(page: Page) -> Locator:
    return page.get_by_role("main").get_by_role("table").first


def measure_rows(page: Page) -> Locator:
    """The measures listed: one row header (the title) per row."""
    return results_table(page).get_by_role("rowheader")


def mark_document(page: Page) -> None:
    """Put a mark on the current document: a full page load loses it, an htmx swap keeps it."""
    page.evaluate("() => { window.__sameDocument = true; }")


def is_same_document(page: Page) -> bool:
    return bool(page.evaluate("() => window.__sameDocument === true"))


def is_htmx(response: Response) -> bool:
    return response.request.headers.get("hx-request") == "true"


def test_measure_list_filter_swaps_results_and_updates_the_address(page: Page, site: Site) -> None:
    page.goto("/massnahmen/")
    expect(measure_rows(page)).to_have_count(4)
    mark_document(page)

    with page.expect_response(lambda response: "lab=" in response.url) as lab_response:
        page.get_by_label(LAB_FILTER).select_option(site.handwerk.slug)
    assert is_htmx(lab_response.value), "the filter should be sent by htmx"
    expect(page).to_have_url(re.compile(r"/massnahmen/\?(.*&)?lab=digitale-koproduktion-im-handwerk"))
    expect(measure_rows(page)).to_have_count(1)
    expect(measure_rows(page).first).to_contain_text(KOOPERATION)
    assert is_same_document(page), "the filter reloaded the whole page instead of swapping the results"
    expect(page.get_by_label(LAB_FILTER)).to_have_value(site.handwerk.slug)

    # Back to all labs, then a search: submitted by Enter, still in place.
    with page.expect_response(lambda response: "/massnahmen/" in response.url):
        page.get_by_label(LAB_FILTER).select_option("")
    expect(measure_rows(page)).to_have_count(4)
    search = page.get_by_label(SEARCH)
    search.fill("WLAN")
    with page.expect_response(lambda response: "q=WLAN" in response.url) as search_response:
        search.press("Enter")
    assert is_htmx(search_response.value)
    expect(page).to_have_url(re.compile(r"[?&]q=WLAN"))
    expect(measure_rows(page)).to_have_count(1)
    expect(measure_rows(page).first).to_contain_text(HALLOBOT)
    assert is_same_document(page)

    # An SDG: a goal finds the measures tagged with it. (The search is emptied first and its
    # request awaited, so that no request of the search field is in flight when the SDG changes.)
    search.fill("")
    with page.expect_response(lambda response: "/massnahmen/" in response.url and "WLAN" not in response.url):
        search.press("Enter")
    expect(measure_rows(page)).to_have_count(4)
    with page.expect_response(lambda response: "sdg=8" in response.url):
        page.get_by_label(SDG_FILTER).select_option("8")
    expect(page).to_have_url(re.compile(r"[?&]sdg=8"))
    expect(measure_rows(page)).to_have_count(2)
    assert is_same_document(page)

    # The address is a real one: opened afresh it shows the same results.
    filtered_url = page.url
    other = page.context.new_page()
    other.goto(filtered_url)
    expect(measure_rows(other)).to_have_count(2)
    expect(other.get_by_label(SDG_FILTER)).to_have_value("8")
    other.close()


def test_portfolio_filter_swaps_the_table(page: Page, site: Site) -> None:
    page.goto("/portfolio/")
    table = results_table(page)
    expect(table).to_contain_text("Hybride Formen des Handels")
    mark_document(page)

    with page.expect_response(lambda response: "sdg=8" in response.url) as sdg_response:
        page.get_by_label(SDG_FILTER).select_option("8")
    assert is_htmx(sdg_response.value)
    expect(page).to_have_url(re.compile(r"/portfolio/\?(.*&)?sdg=8"))
    expect(table).not_to_contain_text("Hybride Formen des Handels")
    expect(table).to_contain_text("Digitale Koproduktion im Handwerk")
    expect(table).to_contain_text("Fachkräftesicherung")
    assert is_same_document(page)


def test_measure_filter_works_without_javascript(new_page: Callable[..., Page], site: Site) -> None:
    page = new_page(javascript=False)
    page.goto("/massnahmen/")
    expect(measure_rows(page)).to_have_count(4)
    page.get_by_label(LAB_FILTER).select_option(site.handel.slug)
    page.get_by_role("button", name=either("Filter anwenden", "Apply filters")).click()
    expect(page).to_have_url(re.compile(r"[?&]lab=hybride-formen-des-handels"))
    expect(measure_rows(page)).to_have_count(2)
    expect(results_table(page)).to_contain_text(HALLOBOT)
