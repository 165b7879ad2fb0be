"""The offers' API: filters, input errors naming the field, recommendations, uptakes, query counts.
Statuses per role are in test_api_role_matrix.py."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conftest import Portfolio
from reallabor.api.tests.conftest import API, api_client, call
from reallabor.offers.models import Offer, Uptake
from reallabor.offers.tests.conftest import OffersWorld, make_offer

pytestmark = pytest.mark.django_db


def _slugs(response: Any) -> set[str]:
    assert response.status_code == 200, response.content[:500]
    return {item["slug"] for item in response.json()["items"]}


def test_list_and_filters(portfolio: Portfolio, offers_world: OffersWorld) -> None:
    public = api_client()
    assert _slugs(call(public, "get", f"{API}/offers")) == {
        offers_world.published.slug,
        offers_world.stale.slug,
    }
    assert _slugs(call(public, "get", f"{API}/offers?kind=consulting")) == {offers_world.stale.slug}
    assert _slugs(call(public, "get", f"{API}/offers?funding_type=grant")) == {offers_world.published.slug}
    assert _slugs(call(public, "get", f"{API}/offers?dimension=5")) == {offers_world.stale.slug}
    assert _slugs(call(public, "get", f"{API}/offers?q=digitalbonus")) == {offers_world.published.slug}
    office = api_client(portfolio.users["administrator"])
    assert len(_slugs(call(office, "get", f"{API}/offers"))) == 4
    assert _slugs(call(office, "get", f"{API}/offers?needs_verification=true")) == {offers_world.stale.slug}
    assert _slugs(call(office, "get", f"{API}/offers?status=draft")) == {offers_world.draft.slug}


def test_detail_fields(portfolio: Portfolio, offers_world: OffersWorld) -> None:
    data = call(api_client(), "get", f"{API}/offers/{offers_world.published.slug}").json()
    assert data["provider"]["slug"] == "handwerkskammer-muenster"
    assert data["funding_areas"] == ["digitalisierung"]
    assert data["amount_max"] in ("15000.00", 15000, "15000")
    assert data["deadline"] is None
    assert data["url"] == f"/angebote/{offers_world.published.slug}/"
    stale = call(api_client(), "get", f"{API}/offers/{offers_world.stale.slug}").json()
    assert stale["needs_verification"] is True


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("kind=nonsense", "kind"),
        ("dimension=9", "dimension"),
        ("limit=100000", "limit"),
        ("offset=-1", "offset"),
    ],
)
def test_bad_query_is_422(portfolio: Portfolio, offers_world: OffersWorld, query: str, field: str) -> None:
    response = call(api_client(), "get", f"{API}/offers?{query}")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", field]


@pytest.mark.parametrize(
    ("changes", "loc"),
    [
        ({"provider": "gibt-es-nicht"}, ["body", "provider"]),
        ({"funding_areas": ["unbekannt"]}, ["body", "funding_areas"]),
        ({"amount_min": "-5"}, ["body", "amount_min"]),
        ({"amount_min": "20000", "amount_max": "100"}, ["body", "amount_max"]),
        ({"kind": "gift"}, ["body", "kind"]),
        ({"region_code": "XX"}, ["body", "region_code"]),
        ({"title": "a\x00b"}, ["body", "title"]),
        ({"colour": "red"}, ["body", "colour"]),
        ({"dimensions": ["7"]}, ["body", "dimensions", 0]),
    ],
)
def test_create_errors_name_the_field(
    portfolio: Portfolio, offers_world: OffersWorld, changes: dict, loc: list
) -> None:
    before = Offer.objects.count()
    data = {
        "provider": "handwerkskammer-muenster",
        "kind": "funding",
        "title": "Neu",
        "region_level": "state",
        "region_code": "NW",
        **changes,
    }
    response = call(api_client(portfolio.users["administrator"]), "post", f"{API}/offers", data)
    assert response.status_code == 422, response.content[:500]
    locs = [error["loc"] for error in response.json()["detail"]]
    assert any(found[: len(loc)] == loc for found in locs), locs
    assert Offer.objects.count() == before


def test_create_update_verify_retire(portfolio: Portfolio, offers_world: OffersWorld) -> None:
    client = api_client(portfolio.users["coordinator"])
    created = call(
        client,
        "post",
        f"{API}/offers",
        {
            "provider": "handwerkskammer-muenster",
            "kind": "funding",
            "title": "Zuschuss KI",
            "region_level": "federal",
            "amount_max": 5000,
            "dimensions": ["3"],
            "status": "published",
        },
    )
    assert created.status_code == 201, created.content
    slug = created.json()["slug"]
    revision = created.json()["revision"]
    patched = call(
        client, "patch", f"{API}/offers/{slug}", {"title": "Zuschuss KI 2", "expected_revision": revision}
    )
    assert patched.status_code == 200 and patched.json()["title"] == "Zuschuss KI 2"
    conflict = call(client, "patch", f"{API}/offers/{slug}", {"title": "Alt", "expected_revision": revision})
    assert conflict.status_code == 409
    future = call(
        client,
        "post",
        f"{API}/offers/{slug}/verify",
        {"on": (timezone.localdate() + dt.timedelta(days=3)).isoformat()},
    )
    assert future.status_code == 422 and future.json()["detail"][0]["loc"] == ["body", "verified_on"]
    verified = call(client, "post", f"{API}/offers/{slug}/verify")
    assert verified.json()["verified_on"] == timezone.localdate().isoformat()
    retired = call(client, "post", f"{API}/offers/{slug}/retire")
    assert retired.json()["status"] == "retired"
    assert call(api_client(), "get", f"{API}/offers/{slug}").status_code == 404


def test_recommendations(portfolio: Portfolio, offers_world: OffersWorld) -> None:
    client = api_client(portfolio.users["administrator"])
    response = call(
        client, "get", f"{API}/organisations/{offers_world.business.slug}/offer-recommendations?limit=5"
    )
    assert response.status_code == 200, response.content
    items = response.json()
    slugs = [item["offer"]["slug"] for item in items]
    assert offers_world.published.slug in slugs
    assert offers_world.draft.slug not in slugs and offers_world.expired.slug not in slugs
    assert [item["rank"] for item in items] == list(range(1, len(items) + 1))
    assert all(item["text"] for item in items)
    assert call(client, "get", f"{API}/organisations/gibt-es-nicht/offer-recommendations").status_code == 404
    assert (
        call(
            client, "get", f"{API}/organisations/{offers_world.business.slug}/offer-recommendations?limit=0"
        ).status_code
        == 422
    )


def test_uptakes(portfolio: Portfolio, offers_world: OffersWorld) -> None:
    client = api_client(portfolio.users["administrator"])
    url = f"{API}/offer-uptakes"
    unknown = call(client, "post", url, {"organisation": "nix", "offer": "nix"})
    assert unknown.status_code == 422
    assert {tuple(error["loc"]) for error in unknown.json()["detail"]} == {
        ("body", "organisation"),
        ("body", "offer"),
    }
    future = call(
        client,
        "post",
        url,
        {
            "organisation": offers_world.business.slug,
            "offer": offers_world.published.slug,
            "taken_up_on": "2999-01-01",
        },
    )
    assert future.status_code == 422 and future.json()["detail"][0]["loc"] == ["body", "taken_up_on"]
    assert not Uptake.objects.exists()
    ok = call(
        client,
        "post",
        url,
        {"organisation": offers_world.business.slug, "offer": offers_world.published.slug, "note": "Kammer"},
    )
    assert ok.status_code == 201, ok.content
    assert (
        call(
            client,
            "post",
            url,
            {"organisation": offers_world.business.slug, "offer": offers_world.published.slug},
        ).status_code
        == 422
    )
    listed = call(client, "get", f"{url}?organisation={offers_world.business.slug}").json()
    assert listed["count"] == 1 and listed["items"][0]["offer"]["slug"] == offers_world.published.slug


@pytest.mark.parametrize("role", ["anonymous", "administrator"])
def test_list_query_count_is_constant(portfolio: Portfolio, offers_world: OffersWorld, role: str) -> None:
    from django.core.cache import cache

    client = api_client(portfolio.users[role])
    call(client, "get", f"{API}/offers")
    cache.clear()  # the anonymous read cache: measure the database work
    with CaptureQueriesContext(connection) as few:
        call(client, "get", f"{API}/offers")
    for number in range(10):
        make_offer(f"Mehr {number}", needs=["digitalisation"], sectors=["f"], trades=["a"])
    cache.clear()
    with CaptureQueriesContext(connection) as many:
        assert len(call(client, "get", f"{API}/offers").json()["items"]) > 10
    assert len(many) == len(few)


def test_uptake_list_query_count_is_constant(portfolio: Portfolio, offers_world: OffersWorld) -> None:
    from reallabor.offers import services

    client = api_client(portfolio.users["administrator"])
    call(client, "get", f"{API}/offer-uptakes")
    with CaptureQueriesContext(connection) as few:
        call(client, "get", f"{API}/offer-uptakes")
    for offer in (offers_world.published, offers_world.stale, offers_world.expired):
        services.record_uptake(user=None, organisation=offers_world.business, offer=offer)
    with CaptureQueriesContext(connection) as many:
        assert call(client, "get", f"{API}/offer-uptakes").json()["count"] == 3
    assert len(many) == len(few)
