"""The offers' pages: the public catalogue (filters, search, paging), an offer's page, the office's
list with the "needs verification" flag, the offer form, verify, retire and uptakes."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import Portfolio
from reallabor.offers.models import Offer, Uptake
from reallabor.offers.tests.conftest import OffersWorld, make_offer

pytestmark = pytest.mark.django_db

EN_HEADERS = {"accept-language": "en"}


def _text(response: object) -> str:
    return response.content.decode()  # type: ignore[attr-defined]


def test_catalogue_shows_published_open_offers_only(portfolio: Portfolio, offers_world: OffersWorld) -> None:
    for role in ("anonymous", "administrator"):
        page = _text(portfolio.client(role).get(reverse("offers:offer-list")))
        assert "Digitalbonus Handwerk" in page
        assert "Beratung Datenschutz" in page
        assert "Entwurf Förderung" not in page
        assert "Abgelaufene Förderung" not in page


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ({"kind": "consulting"}, "Beratung Datenschutz", "Digitalbonus Handwerk"),
        ({"funding_type": "grant"}, "Digitalbonus Handwerk", "Beratung Datenschutz"),
        ({"dimension": "5"}, "Beratung Datenschutz", "Digitalbonus Handwerk"),
        ({"q": "digitalbonus"}, "Digitalbonus Handwerk", "Beratung Datenschutz"),
        ({"region_level": "state", "q": "datenschutz"}, "Beratung Datenschutz", "Digitalbonus Handwerk"),
    ],
)
def test_catalogue_filters(
    portfolio: Portfolio, offers_world: OffersWorld, query: dict, shown: str, hidden: str
) -> None:
    page = _text(portfolio.client("anonymous").get(reverse("offers:offer-list"), query))
    assert shown in page
    assert hidden not in page


@pytest.mark.parametrize(
    "query",
    [
        {"kind": "nonsense"},
        {"page": "x"},
        {"page": "99999999999"},
        {"dimension": "9"},
        {"q": "a\x00b"},
        {"page": "-1"},
    ],
)
def test_catalogue_garbage_query_is_no_error(
    portfolio: Portfolio, offers_world: OffersWorld, query: dict
) -> None:
    assert portfolio.client("anonymous").get(reverse("offers:offer-list"), query).status_code == 200


def test_catalogue_paging(portfolio: Portfolio, offers_world: OffersWorld) -> None:
    for number in range(25):
        make_offer(f"Zusatzangebot {number:02d}")
    first = _text(portfolio.client("anonymous").get(reverse("offers:offer-list")))
    assert 'rel="next"' in first
    second = _text(portfolio.client("anonymous").get(reverse("offers:offer-list"), {"page": 2}))
    assert 'rel="prev"' in second
    assert "Zusatzangebot 24" in second


def test_catalogue_htmx_gives_the_results_only(portfolio: Portfolio, offers_world: OffersWorld) -> None:
    response = portfolio.client("anonymous").get(reverse("offers:offer-list"), headers={"HX-Request": "true"})
    assert 'id="offer-results"' in _text(response)
    assert "<html" not in _text(response)


@pytest.mark.parametrize("role", ["anonymous", "administrator"])
def test_list_query_counts_stay_constant(portfolio: Portfolio, offers_world: OffersWorld, role: str) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = portfolio.client(role)
    names = ["offers:offer-list"] + (["offers:offer-office-list"] if role == "administrator" else [])
    for name in names:
        client.get(reverse(name))  # warm caches (session, questionnaire)
        with CaptureQueriesContext(connection) as few:
            assert client.get(reverse(name)).status_code == 200
        for number in range(15):
            make_offer(f"Mehr {number:02d}", needs=["digitalisation"], sectors=["f"], trades=["a"])
        with CaptureQueriesContext(connection) as many:
            assert client.get(reverse(name)).status_code == 200
        assert len(many) == len(few), name


def test_detail_shows_everything(portfolio: Portfolio, offers_world: OffersWorld) -> None:
    Offer.objects.filter(pk=offers_world.published.pk).update(
        is_example=True, contact="Frau Muster, 02041 123", link="https://example.org/bonus"
    )
    page = _text(
        portfolio.client("anonymous").get(
            reverse("offers:offer-detail", kwargs={"slug": offers_world.published.slug}), headers=EN_HEADERS
        )
    )
    for text in (
        "Handwerkskammer",
        "Beratung und Investitionen",
        "Example",
        "Frau Muster",
        "https://example.org/bonus",
        "Last verified",
        "15,000",
    ):
        assert text in page, text
    assert "Edit" not in page
    open_page = _text(
        portfolio.client("anonymous").get(
            reverse("offers:offer-detail", kwargs={"slug": offers_world.stale.slug}), headers=EN_HEADERS
        )
    )
    assert "open" in open_page
    assert "not yet" in open_page


def test_office_list_flags_and_filters(portfolio: Portfolio, offers_world: OffersWorld) -> None:
    client = portfolio.client("coordinator")
    page = _text(client.get(reverse("offers:offer-office-list"), headers=EN_HEADERS))
    for title in (
        "Digitalbonus Handwerk",
        "Beratung Datenschutz",
        "Entwurf Förderung",
        "Abgelaufene Förderung",
    ):
        assert title in page
    assert "needs verification" in page
    flagged = _text(
        client.get(reverse("offers:offer-office-list"), {"needs_verification": "on"}, headers=EN_HEADERS)
    )
    assert "Beratung Datenschutz" in flagged
    assert "Digitalbonus Handwerk" not in flagged
    drafts = _text(client.get(reverse("offers:offer-office-list"), {"status": "draft"}, headers=EN_HEADERS))
    assert "Entwurf Förderung" in drafts and "Digitalbonus Handwerk" not in drafts


def test_create_with_errors_names_the_fields(portfolio: Portfolio, offers_world: OffersWorld) -> None:
    before = Offer.objects.count()
    response = portfolio.client("administrator").post(
        reverse("offers:offer-create"),
        {
            "provider": "gibt-es-nicht",
            "kind": "funding",
            "title": "X",
            "region_level": "state",
            "region_code": "NW",
            "status": "draft",
            "amount_min": "viel",
            "funding_areas": "unbekannt",
        },
        headers=EN_HEADERS,
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert {"provider", "amount_min", "funding_areas"} <= set(form.errors)
    assert Offer.objects.count() == before


def test_create_and_edit(portfolio: Portfolio, offers_world: OffersWorld) -> None:
    client = portfolio.client("coordinator")
    data = {
        "provider": "handwerkskammer-muenster",
        "kind": "training",
        "title": "Kurs KI im Betrieb",
        "region_level": "city",
        "region_code": "bottrop",
        "status": "published",
        "funding_types": ["other"],
        "dimensions": ["3"],
        "headcount_bands": ["1-4"],
        "amount_max": "2.500",
        "deadline": "31.12.2099",
    }
    response = client.post(reverse("offers:offer-create"), data)
    assert response.status_code == 302
    offer = Offer.objects.get(title="Kurs KI im Betrieb")
    assert offer.dimensions == ["3"] and str(offer.amount_max) == "2500.00"
    edit = reverse("offers:offer-edit", kwargs={"slug": offer.slug})
    form_page = client.get(edit)
    assert form_page.context["form"].initial["amount_max"] == "2500.00"
    response = client.post(
        edit, {**data, "title": "Kurs KI im Handwerk", "expected_revision": offer.revision}
    )
    assert response.status_code == 302
    offer.refresh_from_db()
    assert offer.title == "Kurs KI im Handwerk"
    stale = client.post(edit, {**data, "title": "Veraltet", "expected_revision": 1})
    assert stale.status_code == 200
    offer.refresh_from_db()
    assert offer.title == "Kurs KI im Handwerk"


def test_verify_and_retire(portfolio: Portfolio, offers_world: OffersWorld) -> None:
    client = portfolio.client("administrator")
    client.post(reverse("offers:offer-verify", kwargs={"slug": offers_world.stale.slug}))
    offers_world.stale.refresh_from_db()
    assert offers_world.stale.verified_on == timezone.localdate()
    client.post(reverse("offers:offer-retire", kwargs={"slug": offers_world.stale.slug}))
    offers_world.stale.refresh_from_db()
    assert offers_world.stale.status == Offer.Status.RETIRED
    assert (
        portfolio.client("anonymous")
        .get(reverse("offers:offer-detail", kwargs={"slug": offers_world.stale.slug}))
        .status_code
        == 404
    )


def test_uptake_bad_input(portfolio: Portfolio, offers_world: OffersWorld) -> None:
    url = reverse("offers:uptake-create", kwargs={"slug": offers_world.published.slug})
    client = portfolio.client("administrator")
    unknown = client.post(url, {"organisation": "gibt-es-nicht"})
    assert "organisation" in unknown.context["form"].errors
    future = client.post(url, {"organisation": offers_world.business.slug, "taken_up_on": "2999-01-01"})
    assert "taken_up_on" in future.context["form"].errors
    assert not Uptake.objects.exists()
    assert client.post(url, {"organisation": offers_world.business.slug}).status_code == 302
    twice = client.post(url, {"organisation": offers_world.business.slug})
    assert "taken_up_on" in twice.context["form"].errors
    assert Uptake.objects.count() == 1
    assert offers_world.business.name in _text(client.get(url))
