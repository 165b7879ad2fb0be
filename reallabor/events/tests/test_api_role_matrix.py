"""The API role matrix of the events' endpoints: every operation for every role (a subtest each).

Each area lists its cases in ``api_matrix_<area>.py``. A denied write leaves the database exactly
as it was; an allowed write changes it.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.apps import apps
from django.db import transaction

from conftest import ROLES, Portfolio
from reallabor.api.tests.conftest import api_client, call
from reallabor.core.testing.events import EventsWorld
from reallabor.events.tests.api_matrix_common import API, ApiCase

pytestmark = pytest.mark.django_db

AREAS = ("series", "events", "registrations")
CASES: list[ApiCase] = [
    case
    for area in AREAS
    for case in importlib.import_module(f"reallabor.events.tests.api_matrix_{area}").API_CASES
]


def digest() -> dict[str, list[dict[str, Any]]]:
    """Every row of the events and actors apps and the history (one query per table)."""
    models = [*apps.get_app_config("events").get_models(), *apps.get_app_config("actors").get_models()]
    models.append(apps.get_model("history", "Version"))
    return {model._meta.label: list(model._default_manager.order_by("pk").values()) for model in models}


@contextmanager
def rolled_back() -> Iterator[None]:
    savepoint = transaction.savepoint_create()
    try:
        yield
    finally:
        transaction.savepoint_rollback(savepoint)


def _template_of(url: str, templates: Any) -> str | None:
    parts = url.split("?")[0].rstrip("/").split("/")
    for template in templates:
        candidate = template.rstrip("/").split("/")
        if len(candidate) == len(parts) and all(
            c == p or (c.startswith("{") and c.endswith("}")) for c, p in zip(candidate, parts, strict=True)
        ):
            return str(template)
    return None


def test_every_events_operation_is_in_the_matrix(events_portfolio: EventsWorld) -> None:
    from reallabor.api.urls import api

    schema = api.get_openapi_schema(path_prefix=f"{API}/")
    operations = {
        (method, path)
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
        if operation.get("operationId", "").startswith("reallabor_events_api")
    }
    assert len(operations) >= 20
    covered = {
        (case.method, _template_of(case.resolve_url(events_portfolio), schema["paths"])) for case in CASES
    }
    assert operations - covered == set()


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_api_role_matrix(
    portfolio: Portfolio, events_portfolio: EventsWorld, case: ApiCase, subtests: pytest.Subtests
) -> None:
    url = case.resolve_url(events_portfolio)
    before = digest() if case.method != "get" else {}
    for role in ROLES:
        with subtests.test(role=role), rolled_back():
            response = call(api_client(portfolio.users[role]), case.method, url, case.data)
            expected = case.expected[role]
            assert response.status_code == expected, (role, case.name, response.content[:500])
            if response.status_code >= 400 and response.status_code != 422:
                assert isinstance(response.json()["detail"], str)
            if case.method != "get":
                if response.status_code >= 300 or not case.changes_data:
                    assert digest() == before, f"a denied {case.method.upper()} changed the database"
                else:
                    assert digest() != before, f"an allowed {case.method.upper()} changed nothing"
