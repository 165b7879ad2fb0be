"""axe-core on every public page (and the main internal ones): no serious or critical violation.

Each test walks a group of pages and reports every page's violations together, with the rule, its
help text and the selectors of the offending nodes, so one run shows everything to fix.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from reallabor.labs.models import Lab, Measure
from tests.browser.support import EMAIL_LABEL, LOGIN_BUTTON, PASSWORD_LABEL, Site, assert_accessible, either

pytestmark = pytest.mark.browser


def check_pages(page: Page, paths: Iterable[str | tuple[str, int]]) -> None:
    """Open each path (expecting HTTP 200, or the given status) and run axe-core on it."""
    failures: list[str] = []
    for entry in paths:
        path, status = entry if isinstance(entry, tuple) else (entry, 200)
        response = page.goto(path)
        if response is None or response.status != status:
            failures.append(f"{path}: HTTP {response.status if response else '—'}, expected {status}")
            continue
        try:
            assert_accessible(page)
        except AssertionError as error:
            failures.append(str(error))
    if failures:
        pytest.fail("\n\n".join(failures), pytrace=False)


def test_general_pages(axe_page: Page, site: Site) -> None:
    check_pages(
        axe_page,
        [
            reverse("core:home"),
            reverse("core:accessibility"),
            reverse("core:imprint"),
            ("/gibt-es-nicht/", 404),
            ("/labore/hybride-formen-des-handels/massnahmen/gibt-es-nicht/", 404),
        ],
    )


def test_portfolio_overview(axe_page: Page, site: Site) -> None:
    portfolio = reverse("labs:portfolio")
    check_pages(
        axe_page,
        [
            portfolio,
            f"{portfolio}?sdg=8",
            f"{portfolio}?megatrend=digitalisierung&status=running",
            f"{portfolio}?lab={site.handel.slug}&view=measures",
            f"{portfolio}?view=tags",
            f"{portfolio}?q=keine-treffer-hier",
        ],
    )


def test_lab_pages(axe_page: Page, site: Site) -> None:
    labs = Lab.objects.filter(is_published=True).order_by("position", "name")
    assert labs.count() == 3
    check_pages(
        axe_page,
        [
            reverse("labs:lab-list"),
            f"{reverse('labs:lab-list')}?q=Handel",
            *(lab.get_absolute_url() for lab in labs),
        ],
    )


def test_measure_pages(axe_page: Page, site: Site) -> None:
    measures = Measure.objects.select_related("lab").order_by("lab__position", "position")
    assert measures.count() == 4
    check_pages(axe_page, [site.measure_url(measure) for measure in measures])


def test_measure_list(axe_page: Page, site: Site) -> None:
    measure_list = reverse("labs:measure-list")
    check_pages(
        axe_page,
        [
            measure_list,
            f"{measure_list}?lab={site.handwerk.slug}",
            f"{measure_list}?sdg=8&status=running",
            f"{measure_list}?megatrend=migration",
            f"{measure_list}?q=WLAN",
            f"{measure_list}?q=keine-treffer-hier",
        ],
    )


def test_vocabularies(axe_page: Page, site: Site) -> None:
    check_pages(
        axe_page,
        [
            reverse("taxonomy:vocabulary-list"),
            reverse("taxonomy:vocabulary-detail", kwargs={"family": "sdg"}),
            reverse("taxonomy:vocabulary-detail", kwargs={"family": "megatrends"}),
        ],
    )


def test_account_pages(axe_page: Page, site: Site) -> None:
    check_pages(
        axe_page,
        [
            reverse("accounts:login"),
            reverse("accounts:password-reset"),
            reverse("accounts:password-reset-done"),
        ],
    )


def test_login_form_with_errors(axe_page: Page, site: Site) -> None:
    """The error state of a form must be as accessible as the form."""
    axe_page.goto(reverse("accounts:login"))
    axe_page.get_by_label(EMAIL_LABEL).fill("partner@example.org")
    axe_page.get_by_label(PASSWORD_LABEL).fill("wrong-password")
    axe_page.get_by_role("main").get_by_role("button", name=LOGIN_BUTTON).click()
    expect(axe_page.get_by_role("main")).to_contain_text(either("nicht korrekt", "not correct"))
    assert_accessible(axe_page)


def test_internal_pages_of_a_partner(new_page: Callable[..., Page], site: Site) -> None:
    """The measure page with its editing links, the edit page, a section form, the tag editor and
    the history, as the partner of the measure's lab sees them (after one change, so the history
    has an entry with its table of changes)."""
    page = new_page(role="partner", bypass_csp=True)
    hallobot = site.measure("hallobot")
    edit = site.measure_url(hallobot, "labs:measure-edit")
    page.goto(edit)
    page.get_by_role(
        "textbox", name=either("Kurzbeschreibung", "Summary", exact=True, ignore_case=True)
    ).fill("Geändert.")
    page.get_by_role(
        "form", name=either("Titel, Status und Zeitraum", "Title, status and period")
    ).get_by_role("button").click()
    expect(page.get_by_role("status").first).to_be_visible()
    check_pages(
        page,
        [
            site.measure_url(hallobot),
            edit,
            f"{edit}activities/",
            site.measure_url(hallobot, "labs:measure-tags"),
            site.measure_url(hallobot, "labs:measure-history"),
        ],
    )
