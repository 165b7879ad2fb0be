"""The role matrix of every page of the events app, for every role.

Each area lists its URLs in ``matrix_<area>.py`` (every such module of this folder counts, also
those added later): ``GET_MATRIX`` entries (URL name, kwargs from the ``EventsWorld``, statuses
for anonymous, reader, partner, coordinator, administrator, outsider) and ``POST_ONLY`` names. A
URL of the ``events`` namespace that no area lists makes ``test_every_events_page_is_in_the_matrix``
fail. POST-only URLs refuse a GET, and a POST by the roles outside the office changes nothing
(``POST_KWARGS`` of an area gives their kwargs where the defaults below do not fit). Allowed and
denied writes with real data are tested in each area's tests.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from conftest import ROLES, Portfolio
from reallabor.core.testing.events import EventsWorld
from reallabor.events.tests.helpers import snapshot
from reallabor.events.tests.matrix_common import MatrixEntry

pytestmark = pytest.mark.django_db

MODULES = [
    importlib.import_module(f"reallabor.events.tests.{info.name}")
    for info in sorted(pkgutil.iter_modules([str(Path(__file__).parent)]), key=lambda info: info.name)
    if info.name.startswith("matrix_") and info.name != "matrix_common"
]
GET_MATRIX: list[MatrixEntry] = [entry for module in MODULES for entry in module.GET_MATRIX]
POST_ONLY: set[str] = set().union(*(getattr(module, "POST_ONLY", set()) for module in MODULES))
POST_KWARGS: dict[str, Callable[[EventsWorld], dict[str, Any]]] = {
    name: kwargs for module in MODULES for name, kwargs in getattr(module, "POST_KWARGS", {}).items()
}
OUTSIDE_THE_OFFICE = ("anonymous", "reader", "partner", "outsider")


def _events_patterns() -> dict[str, URLPattern]:
    for pattern in get_resolver().url_patterns:
        if isinstance(pattern, URLResolver) and pattern.namespace == "events":
            return {
                f"events:{p.name}": p for p in pattern.url_patterns if isinstance(p, URLPattern) and p.name
            }
    return {}


def _default_kwargs(name: str, world: EventsWorld) -> dict[str, Any]:
    """Kwargs for a POST-only URL: the Handwerksfrühstück, Anna's registration, a broken token."""
    pattern = _events_patterns()[name].pattern
    names = list(getattr(pattern, "converters", {})) or list(pattern.regex.groupindex)
    defaults: dict[str, Any] = {
        "slug": world.fruehstueck.slug,
        "uuid": world.anna.uuid,
        "token": "ungueltig",
        "code": "ACDEFG",
        "fmt": "csv",
    }
    return {key: defaults.get(key, "x") for key in names}


def test_the_matrix_modules_are_found() -> None:
    assert "reallabor.events.tests.matrix_office" in {module.__name__ for module in MODULES}


def test_every_events_page_is_in_the_matrix() -> None:
    listed = {name for name, _, _ in GET_MATRIX} | POST_ONLY
    names = set(_events_patterns())
    assert names - listed == set(), "events URLs missing from every matrix_<area>.py"
    assert listed - names == set(), "matrix entries without a URL"


@pytest.mark.parametrize(
    ("name", "kwargs", "expected"),
    GET_MATRIX,
    ids=[f"{entry[0]}-{index}" for index, entry in enumerate(GET_MATRIX)],
)
def test_get(
    portfolio: Portfolio, events_portfolio: EventsWorld, name: str, kwargs: Any, expected: tuple[int, ...]
) -> None:
    url = reverse(name, kwargs=kwargs(events_portfolio))
    statuses = tuple(portfolio.client(role).get(url).status_code for role in ROLES)
    assert statuses == expected, f"{url}: {dict(zip(ROLES, statuses, strict=True))}"


@pytest.mark.parametrize("name", sorted(POST_ONLY))
def test_post_only_urls_refuse_a_get_and_outsiders_change_nothing(
    portfolio: Portfolio, events_portfolio: EventsWorld, name: str
) -> None:
    make_kwargs = POST_KWARGS.get(name)
    kwargs = make_kwargs(events_portfolio) if make_kwargs else _default_kwargs(name, events_portfolio)
    url = reverse(name, kwargs=kwargs)
    before = snapshot()
    for role in ROLES:
        status = portfolio.client(role).get(url).status_code
        assert status in (302, 400, 403, 404, 405, 410), f"GET {url} as {role}: {status}"
    for role in OUTSIDE_THE_OFFICE:
        status = portfolio.client(role).post(url, {}).status_code
        assert status < 500, f"POST {url} as {role}: {status}"
    assert snapshot() == before
