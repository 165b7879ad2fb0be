"""Offers for the pages' and API's tests: published, draft, expired, stale and a business."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.utils import timezone, translation

from conftest import Portfolio
from reallabor.offers import services
from reallabor.offers.models import Offer
from reallabor.organisations.models import Organisation
from reallabor.organisations.services import create_organisation


@dataclass
class OffersWorld:
    published: Offer  # verified recently
    stale: Offer  # published, never verified
    draft: Offer
    expired: Offer
    business: Organisation


def make_offer(title: str, **changes: object) -> Offer:
    data: dict[str, object] = {
        "provider": "handwerkskammer-muenster",
        "kind": "funding",
        "title": title,
        "funding_types": ["grant"],
        "funding_areas": ["digitalisierung"],
        "region_level": "state",
        "region_code": "NW",
        "dimensions": ["2", "4"],
        "supported": "Beratung und Investitionen in Software",
        "status": "published",
        "verified_on": timezone.localdate().isoformat(),
    }
    data.update(changes)
    return services.create_offer(user=None, data=data)


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def offers_world(portfolio: Portfolio) -> OffersWorld:
    today = timezone.localdate()
    return OffersWorld(
        published=make_offer("Digitalbonus Handwerk", amount_min="1000", amount_max="15000"),
        stale=make_offer(
            "Beratung Datenschutz",
            kind="consulting",
            funding_types=["consulting"],
            verified_on="",
            dimensions=["5"],
        ),
        draft=make_offer("Entwurf Förderung", status="draft"),
        expired=make_offer("Abgelaufene Förderung", deadline=(today - dt.timedelta(days=1)).isoformat()),
        business=create_organisation(
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
        ),
    )
