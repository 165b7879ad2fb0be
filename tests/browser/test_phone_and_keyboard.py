"""Usable on a phone and by keyboard: no sideways scrolling at 360 px, a working skip link."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from tests.browser.support import MAIN_NAVIGATION, Site, either, has_horizontal_overflow, overflowing_elements

pytestmark = pytest.mark.browser

SKIP_LINK = either("Zum Inhalt springen", "Skip to content")


def assert_fits_the_screen(page: Page) -> None:
    width = page.evaluate("() => window.innerWidth")
    assert width == 360
    if has_horizontal_overflow(page):
        scroll_width = page.evaluate("() => document.scrollingElement.scrollWidth")
        pytest.fail(
            f"{page.url} scrolls sideways at {width} px (page width {scroll_width} px); "
            f"elements sticking out: {overflowing_elements(page)}",
            pytrace=False,
        )


@pytest.mark.parametrize(
    "path",
    [
        pytest.param("/portfolio/", id="portfolio"),
        pytest.param(
            "/labore/digitale-koproduktion-im-handwerk/massnahmen/kooperation-digitalisierung-handwerk/",
            id="measure",
        ),
    ],
)
def test_page_fits_a_phone_and_its_navigation_is_reachable(phone_page: Page, site: Site, path: str) -> None:
    response = phone_page.goto(path)
    assert response is not None and response.status == 200
    assert_fits_the_screen(phone_page)

    # The main navigation is there, behind a menu button if the layout folds it away.
    navigation = phone_page.get_by_role("navigation", name=MAIN_NAVIGATION)
    link = navigation.get_by_role("link", name=either("Maßnahmen", "Measures", exact=True))
    if not link.is_visible():
        phone_page.get_by_role("button", name=either("Menü", "Navigation", "Menu")).click()
    expect(link).to_be_visible()
    expect(link).to_be_in_viewport()
    assert_fits_the_screen(phone_page)
    link.click()
    expect(phone_page).to_have_url(re.compile(r"/massnahmen/$"))
    assert_fits_the_screen(phone_page)


def test_skip_link_is_the_first_stop_and_moves_focus_to_main(page: Page, site: Site) -> None:
    page.goto(reverse("core:home"))
    page.keyboard.press("Tab")
    skip_link = page.get_by_role("link", name=SKIP_LINK)
    expect(skip_link).to_be_focused()
    # A focused skip link must be seen, not only heard.
    expect(skip_link).to_be_in_viewport()

    page.keyboard.press("Enter")
    expect(page.get_by_role("main")).to_be_focused()
    assert page.evaluate("() => document.activeElement.id") == "main"

    # The next Tab continues inside the content, not back at the top of the page.
    page.keyboard.press("Tab")
    inside_main = page.evaluate("() => document.getElementById('main').contains(document.activeElement)")
    assert inside_main, "after the skip link, Tab should reach the first control in the content"
