"""The craftsperson's phone journey through the digital-maturity check, without JavaScript."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import PHONE
from tests.browser.support import Site, either, has_horizontal_overflow, overflowing_elements

pytestmark = pytest.mark.browser

NEXT = either("Speichern und weiter", "Save and next")


def _answer_the_step(page: Page) -> None:
    """The first option of every item, the first tick of every list, relevance 4."""
    for item in page.locator("fieldset.check-item").all():
        item.locator(".check-option label").first.click()
    for question in page.locator("fieldset.check-question").all():
        if question.locator("input[type=checkbox]").count():
            question.locator(".check-option label").first.click()
        elif question.locator("input[name^='r-']").count():
            question.locator(".check-option label").nth(3).click()


def test_a_phone_journey_without_javascript(new_page: Callable[..., Page], site: Site) -> None:
    page = new_page(viewport=PHONE, javascript=False)
    page.goto("/digitalcheck/")
    page.get_by_role(
        "button", name=either("Check starten (Antworten speichern)", "Start the check (save my answers)")
    ).click()
    expect(page.locator(".check-link input")).to_have_value(re.compile(r"/digitalcheck/weiter/.+/$"))
    page.get_by_role("link", name=either("Mit Schritt 1 beginnen", "Start with step 1")).click()
    for step in range(1, 7):
        expect(page.locator(".check-progress")).to_contain_text(
            re.compile(rf"(Schritt|Step) {step} (von|of) 6")
        )
        assert not has_horizontal_overflow(page), f"step {step} scrolls sideways on a phone"
        _answer_the_step(page)
        page.get_by_role("button", name=NEXT).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        either("Angaben zum Betrieb", "About your business")
    )
    page.get_by_role("button", name=NEXT).click()
    page.get_by_role("button", name=either("Absenden und Ergebnis ansehen", "Send and see my result")).click()
    expect(page).to_have_url(re.compile(r"/ergebnis/$"))
    expect(
        page.get_by_role(
            "img", name=either("Ihr Ergebnis je Dimension (0–100)", "Your score per dimension (0–100)")
        )
    ).to_be_visible()
    expect(page.get_by_role("table")).to_be_visible()
    assert not has_horizontal_overflow(page), f"the result scrolls sideways: {overflowing_elements(page)}"
