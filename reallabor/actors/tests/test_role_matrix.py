"""The role matrix of every page of the actors app, for every role.

Each area keeps its entries in ``matrix_<area>.py``; a URL pattern of the ``actors`` namespace
that no area lists makes ``test_every_actors_page_is_in_the_matrix`` fail. Denied and allowed
writes are tested in each area's tests.
"""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from django.urls import URLPattern, get_resolver, reverse

from conftest import ROLES, Portfolio
from reallabor.actors.tests.matrix_common import MatrixEntry
from reallabor.core.testing.actors import Crm

pytestmark = pytest.mark.django_db

AREAS = (
    "hub",
    "people",
    "interactions",
    "stakeholders",
    "segments",
    "mailings",
    "privacy",
    "imports",
    "network",
)
MODULES = [importlib.import_module(f"reallabor.actors.tests.matrix_{area}") for area in AREAS]
GET_MATRIX: list[MatrixEntry] = [entry for module in MODULES for entry in module.GET_MATRIX]
POST_ONLY: set[str] = set().union(*(module.POST_ONLY for module in MODULES))


def _actors_url_names() -> set[str]:
    resolver = get_resolver()
    for pattern in resolver.url_patterns:
        if getattr(pattern, "namespace", None) == "actors":
            return {f"actors:{p.name}" for p in pattern.url_patterns if isinstance(p, URLPattern)}  # type: ignore[union-attr]
    return set()


def test_every_actors_page_is_in_the_matrix() -> None:
    listed = {name for name, _, _ in GET_MATRIX} | POST_ONLY
    assert _actors_url_names() - listed == set()
    assert listed - _actors_url_names() == set()


@pytest.mark.parametrize(("name", "kwargs", "expected"), GET_MATRIX, ids=[entry[0] for entry in GET_MATRIX])
def test_get(portfolio: Portfolio, crm: Crm, name: str, kwargs: Any, expected: tuple[int, ...]) -> None:
    url = reverse(name, kwargs=kwargs(crm))
    statuses = tuple(portfolio.client(role).get(url).status_code for role in ROLES)
    assert statuses == expected, f"{url}: {dict(zip(ROLES, statuses, strict=True))}"
