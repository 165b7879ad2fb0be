"""Fixtures of the API tests: clients per role, extra records for the role matrix, a database digest.

Requests ask for English (Accept-Language), so assertions on our messages keep holding when the
German translations arrive.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest
from django.db import models
from django.test import Client

from reallabor.core.testing.factories import make_lab, make_measure
from reallabor.history.models import Version
from reallabor.labs.models import (
    Activity,
    Actor,
    Financing,
    Lab,
    LabMembership,
    LabOrganisation,
    Measure,
    Result,
    TargetGroup,
)
from reallabor.organisations.models import Organisation
from reallabor.organisations.services import create_organisation
from reallabor.taxonomy.models import Tag, Term, Vocabulary
from reallabor.taxonomy.services import create_term, current_vocabulary

if TYPE_CHECKING:
    from conftest import Portfolio

API = "/api/v1"


def api_client(user: Any = None, language: str = "en", **kwargs: Any) -> Client:
    client = Client(headers={"accept-language": language}, **kwargs)
    if user is not None:
        client.force_login(user)
    return client


def call(client: Client, method: str, url: str, data: Any = None, **extra: Any) -> Any:
    """A JSON request; ``data`` is sent as the body of POST, PATCH and PUT."""
    if method in ("post", "patch", "put"):
        body = "" if data is None else json.dumps(data)
        return getattr(client, method)(url, body, content_type="application/json", **extra)
    return getattr(client, method)(url, **extra)


DIGEST_MODELS: tuple[type[models.Model], ...] = (
    Organisation,
    Lab,
    LabMembership,
    LabOrganisation,
    Measure,
    Measure.coordinators.through,
    Activity,
    Financing,
    Actor,
    TargetGroup,
    Result,
    Vocabulary,
    Term,
    Tag,
    Version,
)


def db_digest() -> dict[str, list[dict[str, Any]]]:
    """Every row the API can change (one query per table): equal digests mean nothing changed."""
    return {
        model._meta.label: list(model._default_manager.order_by("pk").values()) for model in DIGEST_MODELS
    }


@dataclass
class ApiWorld:
    """The demo portfolio plus records only the API tests need."""

    portfolio: Portfolio
    draft_lab: Lab  # unpublished, no members: only readers and administrators see it
    draft_measure: Measure  # unpublished measure of »Handwerk«: its coordinator sees it, the partner not
    unused_organisation: Organisation
    unused_term: Term

    def client(self, role: str, language: str = "en", **kwargs: Any) -> Client:
        return api_client(self.portfolio.users[role], language, **kwargs)


@pytest.fixture
def world(portfolio: Portfolio) -> ApiWorld:
    draft_lab = make_lab(name="Entwurfslabor", slug="entwurfslabor", is_published=False)
    make_measure(draft_lab, title="Geheime Maßnahme", slug="geheim", is_published=False)
    draft_measure = make_measure(portfolio.handwerk, title="Entwurf", slug="entwurf", is_published=False)
    unused_organisation = create_organisation(
        user=None, data={"name": "Unbenutzt GmbH (fiktiv)", "slug": "unbenutzt", "kind": "company"}
    )
    unused_term = create_term(
        user=None,
        vocabulary=current_vocabulary("megatrends"),
        data={"code": "unbenutzt", "name": "Unbenutzt"},
    )
    return ApiWorld(
        portfolio=portfolio,
        draft_lab=draft_lab,
        draft_measure=draft_measure,
        unused_organisation=unused_organisation,
        unused_term=unused_term,
    )
