"""The public profile of an organisation: a visitor (on a phone) finds a published profile with its
public fields only; an unpublished organisation does not exist for her (404); once the office
publishes the profile it appears, and taken back it is gone again."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from reallabor.core.testing.actors import make_crm
from reallabor.organisations.models import Organisation
from tests.browser.conftest import PHONE
from tests.browser.support import (
    Site,
    assert_accessible_as_served,
    either,
    has_horizontal_overflow,
    overflowing_elements,
)

pytestmark = pytest.mark.browser

GARDENER = "Gärtnerei Grün"
PUBLISH = either("Profil veröffentlichen", "Publish the profile", exact=True)
UNPUBLISH = either("Veröffentlichung des Profils zurücknehmen", "Unpublish the profile", exact=True)

INTERNAL = {
    "e-mail": "info@tischlerei-beispiel.example",
    "phone": "02041 70 70 70",
    "street": "Werkstattweg 7",
    "alliance": "Wirtschaftsallianz",
    "person": "Anna Schreiner",
    "interaction": "Besuch in der Werkstatt",
    "follow-up": "Angebot Digitalberatung schicken",
}
"""What the office knows about the joinery and a visitor never sees."""


def assert_fits(page: Page) -> None:
    assert not has_horizontal_overflow(page), overflowing_elements(page)


def assert_only_public(page: Page) -> None:
    main = page.get_by_role("main")
    for what, text in INTERNAL.items():
        expect(main, f"the {what} is internal").not_to_contain_text(text)
    expect(main.get_by_role("button")).to_have_count(0)  # no publishing, no follow-ups, no forms
    expect(main.get_by_role("link", name=either("Bearbeiten", "Edit", exact=True))).to_have_count(0)


def test_published_profiles_only_and_publishing_makes_one_appear(
    new_page: Callable[..., Page], site: Site
) -> None:
    crm = make_crm(site)
    Organisation.objects.filter(pk=crm.tischlerei.pk).update(
        phone=INTERNAL["phone"],
        street=INTERNAL["street"],
        alliance_status="member",
        profile_text="Wir bauen **Möbel nach Maß** – seit 1987 in Bottrop.",
    )
    Organisation.objects.create(
        name=GARDENER,
        slug="gaertnerei-gruen",
        kind=Organisation.Kind.COMPANY,
        district="Eigen",
        website="https://www.gaertnerei-gruen.example",
        email="kontakt@gaertnerei-gruen.example",
        phone="02041 12 34 56",
        street="Gartenweg 1",
        profile_published=True,
        profile_text="Stauden und *Beratung* für Ihren Garten.",
        name_key="gaertnereigruen",
    )
    joinery = crm.tischlerei.get_absolute_url()

    # A visitor on her phone: the public list has the published profile only.
    visitor = new_page(viewport=PHONE)
    visitor.goto(reverse("organisations:organisation-list"))
    main = visitor.get_by_role("main")
    expect(main.get_by_role("link", name=GARDENER, exact=True)).to_be_visible()
    expect(main.get_by_role("link", name=crm.tischlerei.name)).to_have_count(0)
    assert_fits(visitor)
    assert_accessible_as_served(visitor)

    main.get_by_role("link", name=GARDENER, exact=True).click()
    expect(visitor.get_by_role("heading", level=1)).to_have_text(GARDENER)
    main = visitor.get_by_role("main")
    expect(main).to_contain_text("Eigen")
    expect(main.get_by_role("link", name="https://www.gaertnerei-gruen.example")).to_be_visible()
    expect(main.locator("em", has_text="Beratung")).to_be_visible()  # the Markdown of the profile text
    for internal in ("kontakt@gaertnerei-gruen.example", "02041 12 34 56", "Gartenweg 1"):
        expect(main).not_to_contain_text(internal)
    expect(main.get_by_role("button")).to_have_count(0)
    assert_fits(visitor)
    assert_accessible_as_served(visitor)

    # The unpublished joinery does not exist for her, not even its name.
    response = visitor.goto(joinery)
    assert response is not None and response.status == 404
    expect(visitor.get_by_role("main")).not_to_contain_text(crm.tischlerei.name)
    assert_fits(visitor)
    assert_accessible_as_served(visitor)

    # The office publishes it.
    office = new_page(role="coordinator")
    office.goto(joinery)
    expect(office.get_by_role("heading", level=1)).to_have_text(crm.tischlerei.name)
    expect(office.get_by_role("main")).to_contain_text(INTERNAL["e-mail"])  # the office sees everything
    assert_accessible_as_served(office)
    office.get_by_role("button", name=PUBLISH).click()
    expect(office.locator(".messages")).to_contain_text(
        either(
            "Das Profil wird jetzt auf den öffentlichen Seiten angezeigt.",
            "The profile is now shown on the public pages.",
        )
    )
    expect(office.get_by_role("button", name=UNPUBLISH)).to_be_visible()
    assert Organisation.objects.get(pk=crm.tischlerei.pk).profile_published

    # Now the visitor finds it, with its public fields and nothing else.
    response = visitor.goto(joinery)
    assert response is not None and response.status == 200
    expect(visitor.get_by_role("heading", level=1)).to_have_text(crm.tischlerei.name)
    main = visitor.get_by_role("main")
    expect(main.locator("strong", has_text="Möbel nach Maß")).to_be_visible()
    expect(main.get_by_role("link", name="https://www.tischlerei-beispiel.example")).to_be_visible()
    expect(main).to_contain_text("Mitte")
    expect(main.get_by_role("link", name=site.handwerk.name)).to_be_visible()  # its published lab
    assert_only_public(visitor)
    assert_fits(visitor)
    assert_accessible_as_served(visitor)
    visitor.goto(reverse("organisations:organisation-list"))
    expect(visitor.get_by_role("main").get_by_role("link", name=crm.tischlerei.name)).to_be_visible()

    # Taken back, it is gone again.
    office.get_by_role("button", name=UNPUBLISH).click()
    expect(office.get_by_role("button", name=PUBLISH)).to_be_visible()
    response = visitor.goto(joinery)
    assert response is not None and response.status == 404
    visitor.goto(reverse("organisations:organisation-list"))
    expect(visitor.get_by_role("main").get_by_role("link", name=GARDENER, exact=True)).to_be_visible()
    expect(visitor.get_by_role("main").get_by_role("link", name=crm.tischlerei.name)).to_have_count(0)
