"""The providers' pages (a member of the providing organisation edits its offers and records uptakes)
and the office's outreach page, for every role and the provider's member."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from conftest import ROLES, Portfolio
from reallabor.accounts.models import OrganisationMembership, User
from reallabor.actors.models import Purpose
from reallabor.core.testing.actors import affiliate, give_consent, make_person
from reallabor.core.testing.factories import UserFactory
from reallabor.history.models import Version
from reallabor.offers import services
from reallabor.offers.models import Offer, Uptake
from reallabor.offers.tests.conftest import OffersWorld, make_offer
from reallabor.organisations.models import Organisation
from reallabor.organisations.services import create_organisation

pytestmark = pytest.mark.django_db

ALL_ROLES = (*ROLES, "provider")


@pytest.fixture
def provider(portfolio: Portfolio) -> User:
    """A member of the Handwerkskammer Münster, the provider of the test offers."""
    user: User = UserFactory(email="beraterin@hwk.example")  # type: ignore[assignment]
    OrganisationMembership.objects.create(
        user=user, organisation=Organisation.objects.get(slug="handwerkskammer-muenster")
    )
    return user


def client_for(portfolio: Portfolio, provider: User, role: str) -> Client:
    if role == "provider":
        client = Client()
        client.force_login(provider)
    else:
        client = portfolio.client(role)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def digest() -> list[Any]:
    return [
        list(Offer.objects.order_by("pk").values()),
        list(Uptake.objects.order_by("pk").values()),
        Version.objects.count(),
    ]


def test_the_urls(offers_world: OffersWorld) -> None:
    slug = offers_world.published.slug
    assert reverse("offers:partner-offer-list") == "/angebote/anbieter/"
    assert (
        reverse("offers:partner-offer-edit", kwargs={"slug": slug})
        == f"/angebote/{slug}/anbieter/bearbeiten/"
    )
    assert reverse("offers:offer-outreach", kwargs={"slug": slug}) == f"/angebote/{slug}/ansprache/"


# --- the provider's list -----------------------------------------------------------------------------


def test_the_provider_sees_its_offers_drafts_and_expired_ones_too(
    portfolio: Portfolio, offers_world: OffersWorld, provider: User
) -> None:
    other = make_offer("Fremdes Angebot", provider="fablab-hrw")
    html = (
        client_for(portfolio, provider, "provider").get(reverse("offers:partner-offer-list")).content.decode()
    )
    for offer in (offers_world.published, offers_world.stale, offers_world.draft, offers_world.expired):
        assert reverse("offers:partner-offer-edit", kwargs={"slug": offer.slug}) in html
    assert other.title not in html


@pytest.mark.parametrize("role", ROLES)
def test_who_provides_nothing_is_told_how_to_get_linked(
    portfolio: Portfolio, offers_world: OffersWorld, provider: User, role: str
) -> None:
    page = client_for(portfolio, provider, role).get(reverse("offers:partner-offer-list"))
    if role == "anonymous":
        assert page.status_code == 302 and "/konto/anmelden/" in page["Location"]
        return
    assert page.status_code == 200
    html = page.content.decode()
    assert "Your account is not linked to an organisation" in html
    assert offers_world.published.title not in html


# --- editing ------------------------------------------------------------------------------------------------

EDIT_PUBLISHED = {
    "anonymous": 302,
    "reader": 403,
    "partner": 403,
    "coordinator": 200,
    "administrator": 200,
    "outsider": 403,
    "provider": 200,
}
EDIT_DRAFT = {**EDIT_PUBLISHED, "reader": 404, "partner": 404, "outsider": 404}


@pytest.mark.parametrize("role", ALL_ROLES)
def test_who_gets_the_provider_pages(
    portfolio: Portfolio, offers_world: OffersWorld, provider: User, role: str
) -> None:
    client = client_for(portfolio, provider, role)
    for name in ("offers:partner-offer-edit", "offers:partner-uptake-create"):
        for offer, expected in ((offers_world.published, EDIT_PUBLISHED), (offers_world.draft, EDIT_DRAFT)):
            page = client.get(reverse(name, kwargs={"slug": offer.slug}))
            assert page.status_code == expected[role], (name, offer.slug, role)


def edit_post(offer: Offer, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "kind": offer.kind,
        "title": offer.title,
        "region_level": offer.region_level,
        "region_code": offer.region_code,
        "funding_types": offer.funding_types,
        "funding_areas": "digitalisierung",
        "dimensions": offer.dimensions,
        "supported": offer.supported,
        "expected_revision": offer.revision,
    }
    data.update(changes)
    return data


@pytest.mark.parametrize("role", ALL_ROLES)
def test_editing_an_offer(portfolio: Portfolio, offers_world: OffersWorld, provider: User, role: str) -> None:
    offer = offers_world.published
    url = reverse("offers:partner-offer-edit", kwargs={"slug": offer.slug})
    before = digest()
    page = client_for(portfolio, provider, role).post(url, edit_post(offer, title="Digitalbonus 2027"))
    if EDIT_PUBLISHED[role] != 200:
        assert page.status_code == EDIT_PUBLISHED[role]
        assert digest() == before
        return
    assert page.status_code == 302 and page["Location"] == reverse("offers:partner-offer-list")
    offer.refresh_from_db()
    assert (offer.title, offer.revision, offer.status) == ("Digitalbonus 2027", 2, "published")


def test_the_provider_cannot_change_what_the_office_decides(
    portfolio: Portfolio, offers_world: OffersWorld, provider: User
) -> None:
    offer = offers_world.draft
    url = reverse("offers:partner-offer-edit", kwargs={"slug": offer.slug})
    page = client_for(portfolio, provider, "provider").post(
        url,
        edit_post(
            offer, status="published", provider="fablab-hrw", verified_on="2026-01-01", is_example="on"
        ),
    )
    assert page.status_code == 302
    offer.refresh_from_db()
    assert (offer.status, offer.provider.slug, offer.is_example) == (
        "draft",
        "handwerkskammer-muenster",
        False,
    )
    # and the service refuses them (whoever calls it)
    before = digest()
    for data in ({"status": "published"}, {"provider": "fablab-hrw"}, {"verified_on": "2026-01-01"}):
        with pytest.raises(PermissionDenied):
            services.update_offer(user=provider, offer=offer, data=data)
    assert digest() == before


def test_a_member_of_another_organisation_cannot_edit(
    portfolio: Portfolio, offers_world: OffersWorld, provider: User
) -> None:
    other = make_offer("Fremdes Angebot", provider="fablab-hrw")
    draft = make_offer("Fremder Entwurf", provider="fablab-hrw", status="draft")
    client = client_for(portfolio, provider, "provider")
    before = digest()
    assert (
        client.post(
            reverse("offers:partner-offer-edit", kwargs={"slug": other.slug}), edit_post(other)
        ).status_code
        == 403
    )
    assert (
        client.post(
            reverse("offers:partner-offer-edit", kwargs={"slug": draft.slug}), edit_post(draft)
        ).status_code
        == 404
    )
    assert digest() == before
    with pytest.raises(PermissionDenied):
        services.update_offer(user=provider, offer=other, data={"title": "Gekapert"})


def test_bad_input_names_the_field_and_changes_nothing(
    portfolio: Portfolio, offers_world: OffersWorld, provider: User
) -> None:
    offer = offers_world.published
    url = reverse("offers:partner-offer-edit", kwargs={"slug": offer.slug})
    client = client_for(portfolio, provider, "provider")
    before = digest()
    page = client.post(url, edit_post(offer, title="", funding_areas="raumfahrt", amount_min="viel"))
    assert page.status_code == 400
    html = page.content.decode()
    assert 'id="id_title_error"' in html
    page = client.post(url, edit_post(offer, funding_areas="raumfahrt"))
    assert page.status_code == 400 and "raumfahrt" in page.content.decode()
    assert digest() == before


def test_a_stale_revision_is_a_conflict(
    portfolio: Portfolio, offers_world: OffersWorld, provider: User
) -> None:
    offer = offers_world.published
    services.update_offer(user=None, offer=offer, data={"contact": "neu"})
    url = reverse("offers:partner-offer-edit", kwargs={"slug": offer.slug})
    before = digest()
    page = client_for(portfolio, provider, "provider").post(url, edit_post(offer, title="Alt"))
    assert page.status_code == 400
    assert digest() == before


# --- uptakes -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ALL_ROLES)
def test_recording_an_uptake(
    portfolio: Portfolio, offers_world: OffersWorld, provider: User, role: str
) -> None:
    offer = offers_world.published
    url = reverse("offers:partner-uptake-create", kwargs={"slug": offer.slug})
    before = digest()
    page = client_for(portfolio, provider, role).post(
        url, {"organisation": offers_world.business.slug, "note": "Beratung am 3.5."}
    )
    if EDIT_PUBLISHED[role] != 200:
        assert page.status_code == EDIT_PUBLISHED[role]
        assert digest() == before
        return
    assert page.status_code == 302
    uptake = Uptake.objects.get()
    assert (uptake.organisation, uptake.offer, uptake.note) == (
        offers_world.business,
        offer,
        "Beratung am 3.5.",
    )
    html = client_for(portfolio, provider, role).get(url).content.decode()
    assert "Tischlerei Holzwurm" in html


def test_bad_uptake_input_says_why(portfolio: Portfolio, offers_world: OffersWorld, provider: User) -> None:
    url = reverse("offers:partner-uptake-create", kwargs={"slug": offers_world.published.slug})
    client = client_for(portfolio, provider, "provider")
    before = digest()
    page = client.post(url, {"organisation": "gibt-es-nicht"})
    assert (
        page.status_code == 400 and "There is no organisation with this short name." in page.content.decode()
    )
    page = client.post(url, {"organisation": offers_world.business.slug, "taken_up_on": "2999-01-01"})
    assert page.status_code == 400 and "The date lies in the future." in page.content.decode()
    page = client.post(url, {"organisation": offers_world.business.slug, "taken_up_on": "kein Datum"})
    assert page.status_code == 400
    assert digest() == before
    other = make_offer("Fremdes Angebot", provider="fablab-hrw")
    with pytest.raises(PermissionDenied):
        services.record_uptake(user=provider, organisation=offers_world.business, offer=other)


# --- outreach (the office) --------------------------------------------------------------------------------

OUTREACH = {
    "anonymous": 302,
    "reader": 403,
    "partner": 403,
    "coordinator": 200,
    "administrator": 200,
    "outsider": 403,
    "provider": 403,
}


def consenting(name: str, **data: Any) -> Organisation:
    organisation = create_organisation(
        user=None,
        data={
            "name": name,
            "kind": "company",
            "trade": "a-27",
            "headcount_band": "5-9",
            "city": "Bottrop",
            **data,
        },
    )
    person = make_person(first_name="Kim", last_name=name.split()[-1])
    affiliate(person, organisation)
    give_consent(person, Purpose.MATCHING)
    return organisation


@pytest.mark.parametrize("role", ALL_ROLES)
def test_outreach_is_for_the_office(
    portfolio: Portfolio, offers_world: OffersWorld, provider: User, role: str
) -> None:
    consenting("Tischlerei Span")
    url = reverse("offers:offer-outreach", kwargs={"slug": offers_world.published.slug})
    page = client_for(portfolio, provider, role).get(url)
    assert page.status_code == OUTREACH[role]
    if page.status_code == 200:
        assert "Tischlerei Span" in page.content.decode()
    else:
        assert b"Tischlerei Span" not in page.content


def test_outreach_lists_only_businesses_that_consented_with_reasons(
    portfolio: Portfolio, offers_world: OffersWorld, provider: User
) -> None:
    consenting("Tischlerei Span")
    newsletter_only = create_organisation(
        user=None, data={"name": "Bäckerei Korn", "kind": "company", "city": "Bottrop"}
    )
    person = make_person(first_name="Bea", last_name="Korn")
    affiliate(person, newsletter_only)
    give_consent(person, Purpose.NEWSLETTER)
    url = reverse("offers:offer-outreach", kwargs={"slug": offers_world.published.slug})
    page = client_for(portfolio, provider, "coordinator").get(url)
    html = page.content.decode()
    assert "Tischlerei Span" in html and "Bäckerei Korn" not in html
    assert "Tischlerei Holzwurm" not in html  # nobody there consented
    [row] = page.context["rows"]
    assert row["match"].rank == 1 and "NRW" in row["text"]
    assert '<th scope="col">Why it fits</th>' in html


def test_outreach_for_a_draft_says_nobody_is_eligible(
    portfolio: Portfolio, offers_world: OffersWorld, provider: User
) -> None:
    consenting("Tischlerei Span")
    url = reverse("offers:offer-outreach", kwargs={"slug": offers_world.expired.slug})
    page = client_for(portfolio, provider, "administrator").get(url)
    assert page.status_code == 200
    assert page.context["not_open"] and page.context["rows"] == []
    assert (
        client_for(portfolio, provider, "administrator")
        .get(reverse("offers:offer-outreach", kwargs={"slug": "gibt-es-nicht"}))
        .status_code
        == 404
    )


def test_the_pages_take_a_constant_number_of_queries(
    portfolio: Portfolio, offers_world: OffersWorld, provider: User, django_assert_max_num_queries: Any
) -> None:
    consenting("Tischlerei Span")
    office = client_for(portfolio, provider, "coordinator")
    member = client_for(portfolio, provider, "provider")
    outreach = reverse("offers:offer-outreach", kwargs={"slug": offers_world.published.slug})
    mine = reverse("offers:partner-offer-list")
    counts = []
    for client, url in ((office, outreach), (member, mine)):
        client.get(url)
        with django_assert_max_num_queries(20) as captured:
            assert client.get(url).status_code == 200
        counts.append(len(captured.captured_queries))
    for index in range(6):
        consenting(f"Betrieb Nummer{index}")
        make_offer(f"Angebot {index}")
    assert len(office.get(outreach).context["rows"]) == 7
    for (client, url), count in zip(((office, outreach), (member, mine)), counts, strict=True):
        with django_assert_max_num_queries(count):
            assert client.get(url).status_code == 200
