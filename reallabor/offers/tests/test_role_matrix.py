"""The role matrix of every page of the offers app (``matrix_pages.py``), for every role.

Every URL of the ``offers`` namespace must be listed; POST-only pages refuse a GET; every write
page refuses the roles outside the office and leaves the database unchanged.
"""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from conftest import ROLES, Portfolio
from reallabor.history.models import Version
from reallabor.offers.models import Offer, Uptake
from reallabor.offers.tests.conftest import OffersWorld
from reallabor.offers.tests.matrix_pages import GET_MATRIX, POST_ONLY

pytestmark = pytest.mark.django_db

OUTSIDE_THE_OFFICE = ("anonymous", "reader", "partner", "outsider")


def _names() -> set[str]:
    for pattern in get_resolver().url_patterns:
        if isinstance(pattern, URLResolver) and pattern.namespace == "offers":
            return {f"offers:{p.name}" for p in pattern.url_patterns if isinstance(p, URLPattern) and p.name}
    return set()


def _digest() -> list[object]:
    return [
        list(Offer.objects.order_by("pk").values()),
        list(Uptake.objects.order_by("pk").values()),
        Version.objects.count(),
    ]


def test_every_offers_page_is_in_the_matrix() -> None:
    names = _names()
    assert names, "the offers namespace is not installed"
    listed = {name for name, _kwargs, _statuses in GET_MATRIX} | POST_ONLY
    assert names - listed == set()


@pytest.mark.parametrize(
    "entry", GET_MATRIX, ids=[f"{name}-{kwargs.__name__}" for name, kwargs, _statuses in GET_MATRIX]
)
def test_get_matrix(
    portfolio: Portfolio, offers_world: OffersWorld, entry: tuple, subtests: pytest.Subtests
) -> None:
    name, kwargs, statuses = entry
    url = reverse(name, kwargs=kwargs(offers_world))
    for role, expected in zip(ROLES, statuses, strict=True):
        with subtests.test(role=role):
            assert portfolio.client(role).get(url).status_code == expected, (role, url)


@pytest.mark.parametrize("name", sorted(POST_ONLY))
def test_post_only_pages(portfolio: Portfolio, offers_world: OffersWorld, name: str) -> None:
    url = reverse(name, kwargs={"slug": offers_world.stale.slug})
    before = _digest()
    assert portfolio.client("administrator").get(url).status_code == 405
    for role in OUTSIDE_THE_OFFICE:
        response = portfolio.client(role).post(url)
        assert response.status_code in (302, 403), role
        if role == "anonymous":
            assert "/konto/" in response["Location"] or "login" in response["Location"]
    assert _digest() == before


WRITES = [
    (
        "offers:offer-create",
        False,
        {
            "provider": "handwerkskammer-muenster",
            "kind": "funding",
            "title": "Neu",
            "region_level": "state",
            "region_code": "NW",
            "status": "draft",
        },
    ),
    (
        "offers:offer-edit",
        True,
        {
            "provider": "handwerkskammer-muenster",
            "kind": "funding",
            "title": "Geändert",
            "region_level": "state",
            "region_code": "NW",
            "status": "published",
        },
    ),
    ("offers:offer-verify", True, {}),
    ("offers:offer-retire", True, {}),
    ("offers:uptake-create", True, {"organisation": "tischlerei-holzwurm", "note": "über die Kammer"}),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("write", WRITES, ids=[write[0] for write in WRITES])
def test_writes_by_role(portfolio: Portfolio, offers_world: OffersWorld, role: str, write: tuple) -> None:
    name, with_slug, data = write
    url = reverse(name, kwargs={"slug": offers_world.stale.slug} if with_slug else {})
    before = _digest()
    response = portfolio.client(role).post(url, data)
    if role in OUTSIDE_THE_OFFICE:
        assert response.status_code in (302, 403)
        if response.status_code == 302:
            assert role == "anonymous"
        assert _digest() == before
    else:
        assert response.status_code == 302, response.content[:2000]
        assert _digest() != before
