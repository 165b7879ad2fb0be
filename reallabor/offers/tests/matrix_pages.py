"""The role matrix of the offers' pages (``test_role_matrix.py``): URL name, kwargs from the
``OffersWorld``, statuses for anonymous, reader, partner, coordinator, administrator, outsider."""

from collections.abc import Callable
from typing import Any

from reallabor.offers.tests.conftest import OffersWorld

ALL_200 = (200, 200, 200, 200, 200, 200)
OFFICE = (302, 403, 403, 200, 200, 403)
OFFICE_ONLY_404 = (404, 404, 404, 200, 200, 404)


def published(world: OffersWorld) -> dict[str, Any]:
    return {"slug": world.published.slug}


def draft(world: OffersWorld) -> dict[str, Any]:
    return {"slug": world.draft.slug}


def expired(world: OffersWorld) -> dict[str, Any]:
    return {"slug": world.expired.slug}


def none(world: OffersWorld) -> dict[str, Any]:
    return {}


GET_MATRIX: list[tuple[str, Callable[[OffersWorld], dict[str, Any]], tuple[int, ...]]] = [
    ("offers:offer-list", none, ALL_200),
    ("offers:offer-detail", published, ALL_200),
    ("offers:offer-detail", draft, OFFICE_ONLY_404),
    ("offers:offer-detail", expired, OFFICE_ONLY_404),
    ("offers:offer-office-list", none, OFFICE),
    ("offers:offer-create", none, OFFICE),
    ("offers:offer-edit", published, OFFICE),
    ("offers:offer-edit", draft, OFFICE),
    ("offers:uptake-create", published, OFFICE),
]
POST_ONLY = {"offers:offer-verify", "offers:offer-retire"}

# The providers' pages and the office's outreach (views_partner; the writes and the provider's own
# member: test_partner_pages.py). None of the roles is a member of the offers' provider.
SIGNED_IN = (302, 200, 200, 200, 200, 200)
PROVIDER_PUBLISHED = (302, 403, 403, 200, 200, 403)
PROVIDER_DRAFT = (302, 404, 404, 200, 200, 404)
GET_MATRIX += [
    ("offers:partner-offer-list", none, SIGNED_IN),
    ("offers:partner-offer-edit", published, PROVIDER_PUBLISHED),
    ("offers:partner-offer-edit", draft, PROVIDER_DRAFT),
    ("offers:partner-uptake-create", published, PROVIDER_PUBLISHED),
    ("offers:partner-uptake-create", draft, PROVIDER_DRAFT),
    ("offers:offer-outreach", published, OFFICE),
]
