"""A craftswoman registers for the Handwerksfrühstück on her phone, without an account: from the
home page to the calendar, the event, the form and the confirmation page; later she opens her
personal link and cancels. axe-core finds no serious violation on any page on the way."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from reallabor.actors.models import Purpose
from reallabor.core.testing.actors import consent_text
from reallabor.core.testing.events import make_event, make_series
from reallabor.events.models import Registration
from reallabor.events.services.tokens import Purpose as LinkPurpose
from reallabor.events.services.tokens import registration_token
from tests.browser.conftest import PHONE
from tests.browser.support import (
    Site,
    assert_accessible_as_served,
    either,
    field_label,
    has_horizontal_overflow,
    overflowing_elements,
)

pytestmark = pytest.mark.browser

TITLE = "Handwerksfrühstück bei der Schreinerei Holz"
EMAIL = "hanna@hobelwerk.example"


def assert_fits(page: Page) -> None:
    assert not has_horizontal_overflow(page), overflowing_elements(page)


def test_register_on_a_phone_and_cancel_by_the_personal_link(
    new_page: Callable[..., Page], site: Site
) -> None:
    for purpose in Purpose.values:
        consent_text(purpose)
    series = make_series(title="Bottroper Handwerksfrühstück", lab=site.handwerk)
    event = make_event(
        title=TITLE,
        series=series,
        lab=site.handwerk,
        capacity=12,
        description="Frühstück, **Austausch** und ein kurzer Impuls.",
        accessibility_notes="Stufenloser Zugang über den Hof.",
        questions=[{"label": "Ernährung", "kind": "choice", "choices": ["vegetarisch", "vegan", "alles"]}],
    )
    phone = new_page(viewport=PHONE)

    # From the home page to the calendar.
    phone.goto(reverse("core:home"))
    phone.get_by_role("main").get_by_role(
        "link", name=either("Veranstaltungskalender", "Event calendar", exact=True)
    ).click()
    expect(phone.get_by_role("heading", level=1)).to_have_text(either("Veranstaltungen", "Events"))
    main = phone.get_by_role("main")
    expect(main.get_by_role("link", name=series.title).first).to_be_visible()
    assert_fits(phone)
    assert_accessible_as_served(phone)

    # The event.
    main.get_by_role("link", name=TITLE).click()
    expect(phone.get_by_role("heading", level=1)).to_have_text(TITLE)
    main = phone.get_by_role("main")
    expect(main.locator("strong", has_text="Austausch")).to_be_visible()
    expect(main).to_contain_text("Stufenloser Zugang über den Hof.")
    assert_fits(phone)
    assert_accessible_as_served(phone)

    # Registering: the names, the address, the organisation, the question.
    main.get_by_label(field_label("Vorname", "First name")).fill("Hanna")
    main.get_by_label(field_label("Nachname", "Last name")).fill("Hobel")
    main.get_by_label(field_label("E-Mail-Adresse", "E-mail address")).fill(EMAIL)
    main.get_by_label(field_label("Organisation")).fill("Hobelwerk Bottrop")
    main.get_by_label("vegan", exact=True).check()
    main.get_by_role("button", name=either("Jetzt anmelden", "Register now", exact=True)).click()

    heading = either("Bitte bestätigen Sie Ihre E-Mail-Adresse", "Please confirm your e-mail address")
    expect(phone.get_by_role("heading", name=heading)).to_be_visible()
    expect(phone.get_by_role("main")).to_contain_text(EMAIL)
    assert_fits(phone)
    assert_accessible_as_served(phone)
    registration = Registration.objects.get(event=event, email=EMAIL)
    assert registration.status == Registration.Status.REGISTERED
    assert registration.organisation_name == "Hobelwerk Bottrop"
    assert registration.answers == {str(event.questions.get().pk): "vegan"}

    # Later, by the personal link from the e-mail: she cannot come and cancels.
    token = registration_token(registration, LinkPurpose.MANAGE)
    phone.goto(reverse("events:registration-manage", kwargs={"token": token}))
    expect(phone.get_by_role("heading", level=1)).to_have_text(either("Ihre Anmeldung", "Your registration"))
    expect(phone.get_by_role("main")).to_contain_text(registration.code)
    assert_fits(phone)
    assert_accessible_as_served(phone)
    phone.get_by_role(
        "link", name=either("Anmeldung stornieren", "Cancel the registration", exact=True)
    ).click()
    assert_accessible_as_served(phone)
    phone.get_by_role(
        "button", name=either("Ja, meine Anmeldung stornieren", "Yes, cancel my registration", exact=True)
    ).click()
    expect(phone.locator(".messages")).to_contain_text(
        either("Ihre Anmeldung wurde storniert.", "Your registration has been cancelled.")
    )
    assert_fits(phone)
    assert_accessible_as_served(phone)
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CANCELLED
