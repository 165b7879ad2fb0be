"""The offers' services with every role, the business rules and the loaders for matching."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from conftest import ROLES, Portfolio
from reallabor.actors.models import Purpose
from reallabor.core.testing.actors import affiliate, give_consent, make_person
from reallabor.history.services import versions_of
from reallabor.offers import matching, services
from reallabor.offers.models import Offer, Recommendation, Uptake, months_before
from reallabor.organisations.models import Organisation
from reallabor.organisations.services import create_organisation

OFFICE = ("coordinator", "administrator")
REFUSED = tuple(role for role in ROLES if role not in OFFICE)


def _user(portfolio: Portfolio, role: str) -> Any:
    return portfolio.users[role] or AnonymousUser()


def offer_data(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "provider": "handwerkskammer-muenster",
        "kind": "funding",
        "title": "Digitalbonus Handwerk",
        "slug": "digitalbonus-handwerk",
        "funding_types": ["grant"],
        "funding_areas": ["digitalisierung"],
        "region_level": "state",
        "region_code": "NW",
        "headcount_bands": ["1-4", "5-9", "10-19", "20-49"],
        "trades": ["a"],
        "dimensions": ["4", "2"],
        "needs": ["digitalisation"],
        "amount_min": "1000",
        "amount_max": "15.000,00",
        "deadline": "31.12.2099",
        "status": "published",
    }
    data.update(changes)
    return data


@pytest.fixture
def offer(portfolio: Portfolio) -> Offer:
    return services.create_offer(user=None, data=offer_data())


@pytest.fixture
def business(portfolio: Portfolio) -> Organisation:
    return create_organisation(
        user=None,
        data={
            "name": "Tischlerei Holzwurm",
            "kind": "company",
            "trade": "a-27",
            "sector": "16",
            "headcount_band": "10-19",
            "city": "Bottrop",
            "founding_year": 1990,
        },
    )


# --- roles ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_create_offer_by_role(portfolio: Portfolio, role: str) -> None:
    user = _user(portfolio, role)
    if role in OFFICE:
        offer = services.create_offer(user=user, data=offer_data())
        assert offer.slug == "digitalbonus-handwerk"
        assert versions_of(offer).count() == 1
    else:
        with pytest.raises(PermissionDenied):
            services.create_offer(user=user, data=offer_data())
        assert not Offer.objects.exists()


@pytest.mark.parametrize("role", ROLES)
def test_update_verify_retire_by_role(portfolio: Portfolio, offer: Offer, role: str) -> None:
    user = _user(portfolio, role)
    writes = [
        lambda: services.update_offer(user=user, offer=offer, data={"title": "Neuer Titel"}),
        lambda: services.verify_offer(user=user, offer=offer),
        lambda: services.retire_offer(user=user, offer=offer),
    ]
    if role in OFFICE:
        for write in writes:
            write()
        offer.refresh_from_db()
        assert (offer.title, offer.verified_on, offer.status) == (
            "Neuer Titel",
            timezone.localdate(),
            Offer.Status.RETIRED,
        )
        assert offer.revision == 4
        assert versions_of(offer).count() == 4
    else:
        for write in writes:
            with pytest.raises(PermissionDenied):
                write()
        stored = Offer.objects.get(pk=offer.pk)
        assert (stored.title, stored.verified_on, stored.status, stored.revision) == (
            "Digitalbonus Handwerk",
            None,
            Offer.Status.PUBLISHED,
            1,
        )


@pytest.mark.parametrize("role", ROLES)
def test_recommendations_and_uptake_by_role(
    portfolio: Portfolio, offer: Offer, business: Organisation, role: str
) -> None:
    user = _user(portfolio, role)
    if role in OFFICE:
        with translation.override("en"):
            recommended = services.recommend_offers(
                user=user, organisation=business, record=True, today=dt.date(2026, 6, 1)
            )
        assert [item.offer.key for item in recommended] == ["digitalbonus-handwerk"]
        stored = Recommendation.objects.get()
        assert (stored.organisation, stored.offer, stored.rank) == (business, offer, 1)
        assert stored.reasons == [
            {"kind": "size", "lower": 1, "upper": 49},
            {"kind": "trade", "code": "a-27"},
            {"kind": "region", "region": "DE-NW", "label": "NRW"},
            {"kind": "deadline", "date": "2099-12-31"},
        ]
        assert stored.text == "eligible: up to 49 employees, trade Joiner in NRW; apply by 31.12.2099"
        uptake = services.record_uptake(
            user=user, organisation=business, offer=offer, note="Antrag gestellt", recommendation=stored
        )
        assert (uptake.recommendation, uptake.taken_up_on, uptake.note) == (
            stored,
            timezone.localdate(),
            "Antrag gestellt",
        )
        assert Recommendation.objects.visible_to(user).count() == 1
    else:
        with pytest.raises(PermissionDenied):
            services.recommend_offers(user=user, organisation=business, record=True)
        with pytest.raises(PermissionDenied):
            services.record_uptake(user=user, organisation=business, offer=offer)
        with pytest.raises(PermissionDenied):
            services.outreach(user=user, offer=offer)
        assert not Recommendation.objects.exists()
        assert not Uptake.objects.exists()
        assert not Recommendation.objects.visible_to(user).exists()


# --- validation ---------------------------------------------------------------------------------------


def test_bad_data_names_the_fields_and_stores_nothing(portfolio: Portfolio) -> None:
    with pytest.raises(ValidationError) as caught, translation.override("en"):
        services.create_offer(
            user=None,
            data=offer_data(
                provider="Unbekannte GmbH",
                kind="loan-shark",
                funding_types=["grant", "Kredit"],
                funding_areas=["raumfahrt"],
                region_code="XX",
                headcount_bands=["1-9"],
                dimensions=["7"],
                amount_min="10000",
                amount_max="500",
                deadline="morgen",
                link="kein link",
            ),
        )
    errors = caught.value.message_dict
    assert set(errors) == {
        "provider",
        "kind",
        "funding_types",
        "funding_areas",
        "region_code",
        "headcount_bands",
        "dimensions",
        "amount_max",
        "deadline",
        "link",
    }
    assert errors["funding_types"] == [
        "Förderart: “Kredit” is unknown; known: grant, loan, guarantee, equity, consulting, other"
    ]
    assert "“Unbekannte GmbH” is no known organisation" in errors["provider"][0]
    assert not Offer.objects.exists()


def test_terms_expand_and_region_keys(portfolio: Portfolio, offer: Offer) -> None:
    [plain] = services.matching_offers(today=dt.date(2026, 6, 1))
    assert plain.region == "DE-NW"
    assert plain.region_label == "NRW"
    assert "a-27" in plain.trades and "a" in plain.trades  # list A stands for its trades
    assert plain.headcount_bands == frozenset({"1-4", "5-9", "10-19", "20-49"})
    assert plain.needs == frozenset({"digitalisation"})
    assert offer.amount_max == Decimal("15000.00")
    assert offer.deadline == dt.date(2099, 12, 31)


def test_visibility_and_verification(portfolio: Portfolio) -> None:
    today = dt.date(2026, 6, 15)
    fresh = services.create_offer(user=None, data=offer_data(slug="fresh", verified_on="2026-01-01"))
    stale = services.create_offer(user=None, data=offer_data(slug="stale", verified_on="2025-12-15"))
    never = services.create_offer(user=None, data=offer_data(slug="never"))
    expired = services.create_offer(user=None, data=offer_data(slug="expired", deadline="2026-06-14"))
    draft = services.create_offer(user=None, data=offer_data(slug="draft", status="draft"))
    assert months_before(today, 6) == dt.date(2025, 12, 15)
    assert set(Offer.objects.needs_verification(today)) == {stale, never}
    public = {offer.slug for offer in Offer.objects.visible_to(AnonymousUser(), today=today)}
    assert public == {"fresh", "stale", "never"}
    for role in ("reader", "partner", "outsider"):
        assert {o.slug for o in Offer.objects.visible_to(portfolio.users[role], today=today)} == public
    for role in OFFICE:
        assert set(Offer.objects.visible_to(portfolio.users[role], today=today)) == {
            fresh,
            stale,
            never,
            expired,
            draft,
        }
    assert months_before(dt.date(2026, 8, 31), 6) == dt.date(2026, 2, 28)


def test_update_records_the_change_and_keeps_terms(portfolio: Portfolio, offer: Offer) -> None:
    services.update_offer(user=None, offer=offer, data={"funding_types": ["loan", "grant"]})
    offer.refresh_from_db()
    assert offer.funding_types == ["grant", "loan"]
    assert sorted(term.code for term in offer.trades.all()) == ["a"]
    [latest, _created] = list(versions_of(offer).order_by("-id"))
    assert (
        latest.changes == [{"field": "funding_types", "old": ["grant"], "new": ["grant", "loan"]}]
        or latest.changes
    )


def test_uptake_twice_a_day_is_refused(portfolio: Portfolio, offer: Offer, business: Organisation) -> None:
    services.record_uptake(user=None, organisation=business, offer=offer)
    with pytest.raises(ValidationError) as caught:
        services.record_uptake(user=None, organisation=business, offer=offer)
    assert "taken_up_on" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        services.record_uptake(
            user=None,
            organisation=business,
            offer=offer,
            taken_up_on=timezone.localdate() + dt.timedelta(days=1),
        )
    assert "taken_up_on" in caught.value.message_dict
    assert Uptake.objects.count() == 1


# --- loaders -------------------------------------------------------------------------------------------


def test_business_from_the_profile_and_needs(portfolio: Portfolio, business: Organisation) -> None:
    from reallabor.actors.services import needs

    needs.record_need(user=None, obj=business, family="needs", code="financing")
    [plain] = services.businesses_for([business])
    assert plain == matching.Business(
        key=business.slug,
        headcount_band="10-19",
        sector="16",
        trade="a-27",
        region=frozenset({"EU", "DE", "DE-NW", "bottrop"}),
        founded_year=1990,
        needs=frozenset({"financing"}),
        gaps=plain.gaps,
    )
    assert all(isinstance(gap, Fraction) for _dimension, gap in plain.gaps)


def test_outreach_only_businesses_that_consented(
    portfolio: Portfolio, offer: Offer, business: Organisation
) -> None:
    other = create_organisation(
        user=None,
        data={
            "name": "Tischlerei Span",
            "kind": "company",
            "trade": "a-27",
            "headcount_band": "5-9",
            "city": "Bottrop",
        },
    )
    anna = make_person(first_name="Anna", last_name="Holz")
    affiliate(anna, business)
    give_consent(anna, Purpose.MATCHING)
    bernd = make_person(first_name="Bernd", last_name="Span")
    affiliate(bernd, other)
    give_consent(bernd, Purpose.NEWSLETTER)  # not for matching
    result = services.outreach(user=None, offer=offer, today=dt.date(2026, 6, 1))
    assert [item.business.key for item in result] == [business.slug]
    assert [o.slug for o in services.consenting_organisations()] == [business.slug]


def test_the_latest_check_decides_the_ranking(portfolio: Portfolio, business: Organisation) -> None:
    """The gaps come from the stored check (assessment.selectors.latest_results)."""
    from reallabor.assessment import services as checks
    from reallabor.assessment.tests.helpers import zero

    relevance = {"1": 1, "2": 2, "3": 3, "4": 5, "5": 4, "6": 1}
    checks.import_check(user=None, data={**zero(relevance), "organisation": business.slug})
    for slug, dimension in (("a-strategie", "1"), ("b-bereitschaft", "2"), ("c-daten", "4")):
        services.create_offer(
            user=None, data=offer_data(slug=slug, dimensions=[dimension], needs=[], headcount_bands=[])
        )
    [plain] = services.businesses_for([business])
    assert plain.gaps[:2] == (("4", Fraction(100)), ("5", Fraction(80)))
    with translation.override("en"):
        ranked = services.recommend_offers(user=None, organisation=business, today=dt.date(2026, 6, 1))
        assert [item.offer.key for item in ranked] == ["c-daten", "b-bereitschaft", "a-strategie"]
        assert (
            ranked[0]
            .text(services.labels())
            .startswith("addresses Data and connectivity, gap 100; eligible: trade Joiner in NRW")
        )
