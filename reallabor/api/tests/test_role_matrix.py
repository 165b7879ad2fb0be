"""The API role matrix: every endpoint and method for every role (a subtest each), with the expected status.

A denied write (any status other than 2xx) must leave the database exactly as it was; an allowed
write must change it. Roles (see conftest.py at the root): the partner belongs to »Hybride Formen
des Handels«, the coordinator coordinates »Digitale Koproduktion im Handwerk«; the outsider is
signed in but a member of no lab. ``world`` adds a draft lab (no members) and a draft measure of
»Handwerk«.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import transaction

from conftest import ROLES
from reallabor.api.tests.conftest import API, ApiWorld, call, db_digest
from reallabor.taxonomy.models import Term

HANDEL = "hybride-formen-des-handels"
HANDWERK = "digitale-koproduktion-im-handwerk"
HALLOBOT = f"{API}/labs/{HANDEL}/measures/hallobot"
KOOPERATION = f"{API}/labs/{HANDWERK}/measures/kooperation-digitalisierung-handwerk"
DRAFT_MEASURE = f"{API}/labs/{HANDWERK}/measures/entwurf"


def _term_id(family: str, code: str) -> Callable[[ApiWorld], str]:
    def url(world: ApiWorld) -> str:
        term = Term.objects.get(vocabulary__family=family, vocabulary__retired_at__isnull=True, code=code)
        return f"{API}/terms/{term.pk}"

    return url


def expect(
    anonymous: int, reader: int, partner: int, coordinator: int, administrator: int, outsider: int
) -> dict[str, int]:
    return {
        "anonymous": anonymous,
        "reader": reader,
        "partner": partner,
        "coordinator": coordinator,
        "administrator": administrator,
        "outsider": outsider,
    }


ALL_200 = expect(200, 200, 200, 200, 200, 200)
ADMIN_ONLY = {201: expect(401, 403, 403, 403, 201, 403), 200: expect(401, 403, 403, 403, 200, 403)}


@dataclass
class Case:
    name: str
    method: str
    url: str | Callable[[ApiWorld], str]
    expected: dict[str, int]
    data: Any = None

    def resolve_url(self, world: ApiWorld) -> str:
        return self.url(world) if callable(self.url) else self.url


TAG_SDG_9 = [{"term": {"family": "sdg", "code": "9"}, "priority": "primary"}]

CASES = [
    # Organisations: the public reads published profiles only; partners see their labs' organisations
    # (not handwerkskammer-muenster of the coordinator's lab, not the unused one).
    Case("organisations list", "get", f"{API}/organisations", ALL_200),
    Case("organisation detail", "get", f"{API}/organisations/handwerkskammer-muenster", expect(404, 200, 404, 200, 200, 404)),
    Case("organisation create", "post", f"{API}/organisations", expect(401, 403, 201, 201, 201, 403),
         {"name": "Neue Organisation", "kind": "company"}),
    Case("organisation create published", "post", f"{API}/organisations", expect(401, 403, 403, 201, 201, 403),
         {"name": "Neue Organisation", "kind": "company", "profile_published": True}),
    Case("organisation update", "patch", f"{API}/organisations/handwerkskammer-muenster",
         expect(401, 403, 404, 200, 200, 404), {"district": "Innenstadt", "sector": "94"}),
    Case("organisation publish", "patch", f"{API}/organisations/handwerkskammer-muenster",
         expect(401, 403, 404, 200, 200, 404), {"profile_published": True}),
    Case("organisation delete", "delete", f"{API}/organisations/unbenutzt", expect(401, 403, 404, 403, 204, 404)),
    # Labs.
    Case("labs list", "get", f"{API}/labs", ALL_200),
    Case("lab detail", "get", f"{API}/labs/{HANDWERK}", ALL_200),
    Case("draft lab detail", "get", f"{API}/labs/entwurfslabor", expect(404, 200, 404, 404, 200, 404)),
    Case("lab create", "post", f"{API}/labs", ADMIN_ONLY[201], {"name": "Neues Labor"}),
    Case("lab update", "patch", f"{API}/labs/{HANDWERK}", expect(401, 403, 403, 200, 200, 403), {"summary": "Neu."}),
    Case("lab publish", "patch", f"{API}/labs/{HANDWERK}", expect(401, 403, 403, 200, 200, 403),
         {"is_published": False}),
    Case("other lab update", "patch", f"{API}/labs/{HANDEL}", expect(401, 403, 403, 403, 200, 403), {"summary": "Neu."}),
    Case("draft lab update", "patch", f"{API}/labs/entwurfslabor", expect(401, 403, 404, 404, 200, 404),
         {"summary": "Neu."}),
    Case("lab delete", "delete", f"{API}/labs/{HANDWERK}", expect(401, 403, 403, 403, 204, 403)),
    # Measures.
    Case("measures list", "get", f"{API}/measures", ALL_200),
    Case("lab measures list", "get", f"{API}/labs/{HANDEL}/measures", ALL_200),
    Case("draft lab measures list", "get", f"{API}/labs/entwurfslabor/measures", expect(404, 200, 404, 404, 200, 404)),
    Case("measure detail", "get", HALLOBOT, ALL_200),
    Case("draft measure detail", "get", DRAFT_MEASURE, expect(404, 200, 404, 200, 200, 404)),
    Case("measure create (own lab of the coordinator)", "post", f"{API}/labs/{HANDWERK}/measures",
         expect(401, 403, 403, 201, 201, 403), {"title": "Neue Maßnahme", "tags": TAG_SDG_9}),
    Case("measure create (lab of the partner)", "post", f"{API}/labs/{HANDEL}/measures",
         expect(401, 403, 403, 403, 201, 403), {"title": "Neue Maßnahme"}),
    Case("measure update (lab of the partner)", "patch", HALLOBOT, expect(401, 403, 200, 403, 200, 403),
         {"summary": "Neu.", "tags": TAG_SDG_9}),
    Case("measure unpublish (lab of the partner)", "patch", HALLOBOT, expect(401, 403, 403, 403, 200, 403),
         {"is_published": False}),
    Case("measure update (lab of the coordinator)", "patch", KOOPERATION, expect(401, 403, 403, 200, 200, 403),
         {"summary": "Neu.", "financing": [{"source": "Bottrop 2018+", "amount": "1000"}]}),
    Case("draft measure update", "patch", DRAFT_MEASURE, expect(401, 403, 404, 200, 200, 404), {"summary": "Neu."}),
    Case("measure delete (lab of the partner)", "delete", HALLOBOT, expect(401, 403, 403, 403, 204, 403)),
    Case("measure delete (lab of the coordinator)", "delete", KOOPERATION, expect(401, 403, 403, 204, 204, 403)),
    # Taxonomies: public reading, administrators write.
    Case("vocabularies list", "get", f"{API}/vocabularies", ALL_200),
    Case("vocabulary detail", "get", f"{API}/vocabularies/sdg", ALL_200),
    Case("vocabulary version detail", "get", f"{API}/vocabularies/megatrends/versions/1", ALL_200),
    Case("vocabulary create", "post", f"{API}/vocabularies", ADMIN_ONLY[201],
         {"family": "themen", "kind": "other", "name": "Themen"}),
    Case("vocabulary new version", "post", f"{API}/vocabularies/megatrends/versions", ADMIN_ONLY[201]),
    Case("terms list", "get", f"{API}/terms?family=sdg&parent=8", ALL_200),
    Case("term detail", "get", _term_id("sdg", "8.5"), ALL_200),
    Case("term create", "post", f"{API}/terms", ADMIN_ONLY[201], {"family": "megatrends", "name": "Konnektivität"}),
    Case("term update", "patch", _term_id("megatrends", "digitalisierung"), ADMIN_ONLY[200],
         {"name_en": "Digitalization"}),
    Case("SDG local wording", "patch", _term_id("sdg", "8"), ADMIN_ONLY[200], {"local_name": "Gute Arbeit"}),
    Case("SDG renaming (a fixed vocabulary)", "patch", _term_id("sdg", "8"), expect(401, 403, 403, 403, 403, 403),
         {"name": "Anders"}),
    Case("term delete", "delete", _term_id("megatrends", "unbenutzt"), expect(401, 403, 403, 403, 204, 403)),
]  # fmt: skip


@contextmanager
def rolled_back() -> Iterator[None]:
    """Undo every change made inside, so each role meets the same data."""
    savepoint = transaction.savepoint_create()
    try:
        yield
    finally:
        transaction.savepoint_rollback(savepoint)


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_role_matrix(world: ApiWorld, case: Case, subtests: pytest.Subtests) -> None:
    """One subtest per role; the demo data is loaded once per case and restored after each role."""
    url = case.resolve_url(world)
    before = db_digest() if case.method != "get" else {}
    for role in ROLES:
        with subtests.test(role=role), rolled_back():
            response = call(world.client(role), case.method, url, case.data)

            expected = case.expected[role]
            assert response.status_code == expected, (role, case.name, response.content[:500])
            if response.status_code != 204:
                assert response["Content-Type"].startswith("application/json")
            if response.status_code >= 400:
                assert isinstance(response.json()["detail"], str)
            if case.method != "get":
                if response.status_code >= 300:
                    assert db_digest() == before, f"a denied {case.method.upper()} changed the database"
                else:
                    assert db_digest() != before, f"an allowed {case.method.upper()} changed nothing"


def test_every_operation_is_in_the_matrix() -> None:
    """A new endpoint must be added to the matrix above."""
    from reallabor.api.urls import api

    schema = api.get_openapi_schema(path_prefix=f"{API}/")
    # The actors' and the events' endpoints have their own matrices:
    # reallabor/actors/tests/test_api_role_matrix.py, reallabor/events/tests/test_api_role_matrix.py;
    # so do the offers' and the checks' (reallabor/offers/tests/test_api_role_matrix.py,
    # reallabor/assessment/tests/test_api.py).
    operations = {
        (method, path)
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
        if not operation.get("operationId", "").startswith(
            (
                "reallabor_actors_api",
                "reallabor_events_api",
                "reallabor_offers_api",
                "reallabor_assessment_api",
            )
        )
    }
    covered = set()
    for case in CASES:
        url = case.url if isinstance(case.url, str) else f"{API}/terms/1"
        covered.add((case.method, _template_of(url, schema["paths"])))
    assert operations - covered == set()


def _template_of(url: str, templates: Any) -> str:
    path = url.split("?")[0].rstrip("/").split("/")
    for template in templates:
        parts = template.rstrip("/").split("/")
        if len(parts) == len(path) and all(
            part == actual or (part.startswith("{") and part.endswith("}"))
            for part, actual in zip(parts, path, strict=True)
        ):
            return str(template)
    return url
