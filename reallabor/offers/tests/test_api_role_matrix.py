"""The API role matrix of the offers' endpoints: every operation for every role (a subtest each).

A denied write leaves the offers, recommendations, uptakes and the history exactly as they were;
an allowed write changes them. Statuses: anonymous, reader, partner, coordinator, administrator,
outsider. ``test_every_offers_operation_is_in_the_matrix`` fails for an operation not listed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import transaction

from conftest import ROLES, Portfolio
from reallabor.actors.tests.api_matrix_common import API, expect
from reallabor.api.tests.conftest import api_client, call
from reallabor.history.models import Version
from reallabor.offers.models import Offer, Recommendation, Uptake
from reallabor.offers.tests.conftest import OffersWorld

pytestmark = pytest.mark.django_db

ALL_200 = expect(200, 200, 200, 200, 200, 200)
OFFICE_READ = expect(401, 403, 403, 200, 200, 403)
OFFICE_WRITE = expect(401, 403, 403, 200, 200, 403)
OFFICE_CREATE = expect(401, 403, 403, 201, 201, 403)
OFFICE_SEES = expect(404, 404, 404, 200, 200, 404)


@dataclass
class Case:
    name: str
    method: str
    url: str | Callable[[OffersWorld], str]
    expected: dict[str, int]
    data: Any = None

    def resolve(self, world: OffersWorld) -> str:
        return self.url(world) if callable(self.url) else self.url


def _offer(world: OffersWorld) -> str:
    return f"{API}/offers/{world.stale.slug}"


CASES = [
    Case("list offers", "get", f"{API}/offers", ALL_200),
    Case("offer", "get", _offer, ALL_200),
    Case("draft offer", "get", lambda w: f"{API}/offers/{w.draft.slug}", OFFICE_SEES),
    Case("expired offer", "get", lambda w: f"{API}/offers/{w.expired.slug}", OFFICE_SEES),
    Case(
        "create offer",
        "post",
        f"{API}/offers",
        OFFICE_CREATE,
        {
            "provider": "handwerkskammer-muenster",
            "kind": "event",
            "title": "Stammtisch",
            "region_level": "city",
            "region_code": "bottrop",
        },
    ),
    Case("update offer", "patch", _offer, OFFICE_WRITE, {"title": "Neuer Titel"}),
    Case("verify offer", "post", lambda w: f"{_offer(w)}/verify", OFFICE_WRITE),
    Case("retire offer", "post", lambda w: f"{_offer(w)}/retire", OFFICE_WRITE),
    Case(
        "recommendations",
        "get",
        lambda w: f"{API}/organisations/{w.business.slug}/offer-recommendations",
        OFFICE_READ,
    ),
    Case("list uptakes", "get", f"{API}/offer-uptakes", OFFICE_READ),
    Case(
        "record uptake",
        "post",
        f"{API}/offer-uptakes",
        OFFICE_CREATE,
        {"organisation": "tischlerei-holzwurm", "offer": "beratung-datenschutz"},
    ),
]


def digest() -> list[Any]:
    models: tuple[Any, ...] = (Offer, Recommendation, Uptake, Version)
    return [list(model._default_manager.order_by("pk").values()) for model in models]


def _template_of(url: str, templates: Any) -> str | None:
    parts = url.split("?")[0].rstrip("/").split("/")
    for template in templates:
        candidate = template.rstrip("/").split("/")
        if len(candidate) == len(parts) and all(
            c == p or (c.startswith("{") and c.endswith("}")) for c, p in zip(candidate, parts, strict=True)
        ):
            return str(template)
    return None


def test_every_offers_operation_is_in_the_matrix(offers_world: OffersWorld) -> None:
    from reallabor.api.urls import api

    schema = api.get_openapi_schema(path_prefix=f"{API}/")
    operations = {
        (method, path)
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
        if operation.get("operationId", "").startswith("reallabor_offers_api")
    }
    assert len(operations) >= 9
    covered = {(case.method, _template_of(case.resolve(offers_world), schema["paths"])) for case in CASES}
    assert operations - covered == set()


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_api_role_matrix(
    portfolio: Portfolio, offers_world: OffersWorld, case: Case, subtests: pytest.Subtests
) -> None:
    url = case.resolve(offers_world)
    before = digest() if case.method != "get" else []
    for role in ROLES:
        with subtests.test(role=role):
            savepoint = transaction.savepoint_create()
            try:
                response = call(api_client(portfolio.users[role]), case.method, url, case.data)
                assert response.status_code == case.expected[role], (role, case.name, response.content[:500])
                if response.status_code >= 400 and response.status_code != 422:
                    assert isinstance(response.json()["detail"], str)
                if case.method != "get":
                    if response.status_code >= 300:
                        assert digest() == before, f"a denied {case.method.upper()} changed the database"
                    else:
                        assert digest() != before, f"an allowed {case.method.upper()} changed nothing"
            finally:
                transaction.savepoint_rollback(savepoint)
