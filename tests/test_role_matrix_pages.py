"""The role matrix of every page: each URL pattern of the site, for every role.

GET: the expected status per role. POST (every page that writes): a role that may not write is
refused (login redirect, 403 or 404) and the database is exactly as before. A new URL pattern
that is not listed here makes ``test_every_page_is_in_the_matrix`` fail. The API has its own
matrix in reallabor/api/tests/test_role_matrix.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from conftest import ROLES, Portfolio
from reallabor.history.models import Version
from reallabor.labs.models import Lab, LabMembership, Measure
from reallabor.labs.services import lab_state, measure_state
from reallabor.organisations.models import Organisation
from reallabor.taxonomy.models import Tag, Term

pytestmark = pytest.mark.django_db

# Order of the expected statuses: anonymous, reader, partner, coordinator, administrator, outsider.
# The partner is a partner of »Hybride Formen des Handels« (measure hallobot), the coordinator
# coordinates »Digitale Koproduktion im Handwerk«.
ALL_200 = (200, 200, 200, 200, 200, 200)
SIGNED_IN = (302, 200, 200, 200, 200, 200)
ADMIN_ONLY = (302, 403, 403, 403, 200, 403)
HANDWERK_COORDINATION = (302, 403, 403, 200, 200, 403)
HANDEL_EDITORS = (302, 403, 200, 403, 200, 403)
ORGANISATION_CREATORS = (302, 403, 200, 200, 200, 403)
# Organisations: the outsider sees published profiles only (404 for the others); the partner sees the
# organisations of »Handel« (wirtschaftsfoerderung-bottrop), not those of the coordinator's lab only
# (handwerkskammer-muenster). The detail page is public, but only for published profiles.
ORGANISATION_EDITORS = (302, 403, 403, 200, 200, 404)
ORGANISATION_DETAIL = (404, 200, 404, 200, 200, 404)
HANDWERK_ORGANISATION_EDITORS = (302, 403, 404, 200, 200, 404)
HANDWERK_ORGANISATION_DELETERS = (302, 403, 404, 403, 200, 404)

HANDEL = "hybride-formen-des-handels"
HANDWERK = "digitale-koproduktion-im-handwerk"
HALLOBOT = {"lab_slug": HANDEL, "slug": "hallobot"}
HWK = {"slug": "handwerkskammer-muenster"}  # an organisation of the coordinator's lab only
KOOPERATION = {"lab_slug": HANDWERK, "slug": "kooperation-digitalisierung-handwerk"}

GET_MATRIX: list[tuple[str, dict[str, Any], tuple[int, ...]]] = [
    ("core:home", {}, ALL_200),
    ("core:accessibility", {}, ALL_200),
    ("core:imprint", {}, ALL_200),
    ("labs:portfolio", {}, ALL_200),
    ("labs:measure-list", {}, ALL_200),
    ("labs:lab-list", {}, ALL_200),
    ("labs:lab-options", {}, ALL_200),
    ("labs:lab-detail", {"slug": HANDEL}, ALL_200),
    ("labs:measure-detail", HALLOBOT, ALL_200),
    ("labs:lab-create", {}, ADMIN_ONLY),
    ("labs:lab-edit", {"slug": HANDWERK}, HANDWERK_COORDINATION),
    ("labs:lab-members", {"slug": HANDWERK}, HANDWERK_COORDINATION),
    ("labs:lab-delete", {"slug": HANDWERK}, ADMIN_ONLY),
    ("labs:lab-history", {"slug": HANDWERK}, HANDWERK_COORDINATION),
    ("labs:measure-create", {"lab_slug": HANDWERK}, HANDWERK_COORDINATION),
    ("labs:measure-edit", HALLOBOT, HANDEL_EDITORS),
    ("labs:measure-edit-section", {**HALLOBOT, "section": "activities"}, HANDEL_EDITORS),
    ("labs:measure-tags", HALLOBOT, HANDEL_EDITORS),
    ("labs:measure-history", HALLOBOT, HANDEL_EDITORS),
    ("labs:measure-delete", KOOPERATION, HANDWERK_COORDINATION),
    ("labs:lab-import", {}, ADMIN_ONLY),
    ("reports:portfolio", {}, ALL_200),
    ("reports:lab", {"slug": HANDEL}, ALL_200),
    ("labs:lab-export", {"slug": HANDWERK}, ADMIN_ONLY),
    ("organisations:organisation-list", {}, ALL_200),
    ("organisations:organisation-create", {}, ORGANISATION_CREATORS),
    ("organisations:organisation-options", {}, SIGNED_IN),
    ("organisations:organisation-detail", HWK, ORGANISATION_DETAIL),
    ("organisations:organisation-edit", HWK, HANDWERK_ORGANISATION_EDITORS),
    ("organisations:organisation-edit", {"slug": "wirtschaftsfoerderung-bottrop"}, ORGANISATION_EDITORS),
    ("organisations:organisation-delete", HWK, HANDWERK_ORGANISATION_DELETERS),
    ("taxonomy:vocabulary-list", {}, SIGNED_IN),
    ("taxonomy:vocabulary-detail", {"family": "megatrends"}, SIGNED_IN),
    ("taxonomy:vocabulary-version", {"family": "megatrends", "version": 1}, SIGNED_IN),
    ("taxonomy:term-create", {"family": "megatrends"}, ADMIN_ONLY),
    ("taxonomy:term-edit", {"family": "megatrends", "code": "migration"}, ADMIN_ONLY),
    ("taxonomy:vocabulary-new-version", {"family": "megatrends"}, ADMIN_ONLY),
    ("accounts:login", {}, ALL_200),
    ("accounts:password-reset", {}, ALL_200),
    ("accounts:password-reset-done", {}, ALL_200),
    ("accounts:password-reset-complete", {}, ALL_200),
    ("accounts:password-change", {}, SIGNED_IN),
    ("accounts:profile", {}, SIGNED_IN),
    # Organisation memberships: the office (writes: reallabor/accounts/tests/test_memberships_pages.py).
    ("accounts:membership-list", {}, (302, 403, 403, 200, 200, 403)),
    ("accounts:membership-organisation", HWK, (302, 403, 403, 200, 200, 403)),
]

# Pages that only take POST (their GET is 405 or a redirect) and pages whose URL holds a secret.
POST_ONLY = {
    "labs:lab-publish",
    "labs:measure-move",
    "labs:measure-publish",
    "labs:measure-restore",
    "organisations:organisation-publish",
    "accounts:logout",
    "accounts:token-create",
    "accounts:token-revoke",
    "accounts:membership-remove",
}
NOT_IN_MATRIX = {
    "accounts:password-reset-confirm",  # needs a valid token: reallabor/accounts/tests/test_password_reset.py
    "labs:result-evidence",  # needs an uploaded file: reallabor/labs/tests/test_public_pages.py
}


class RewindingUpload(SimpleUploadedFile):
    """An upload the test client can post more than once (it reads the file without rewinding it)."""

    def read(self, *args: Any, **kwargs: Any) -> bytes:
        self.seek(0)
        return super().read(*args, **kwargs)


BLUEPRINT = RewindingUpload(
    "blaupause.json",
    (Path(settings.BASE_DIR) / "docs" / "blueprints" / "example-lab.json").read_bytes(),
    content_type="application/json",
)

# Writes: (url name, kwargs, data, roles allowed to write).
WRITES: list[tuple[str, dict[str, Any], dict[str, Any], set[str]]] = [
    ("labs:lab-create", {}, {"name": "Neues Labor", "phase": "co_design"}, {"administrator"}),
    (
        "labs:lab-edit",
        {"slug": HANDWERK},
        {"name": "Umbenannt", "phase": "co_design"},
        {"coordinator", "administrator"},
    ),
    ("labs:lab-publish", {"slug": HANDWERK}, {"published": "0"}, {"coordinator", "administrator"}),
    ("labs:lab-delete", {"slug": HANDWERK}, {}, {"administrator"}),
    (
        "labs:measure-create",
        {"lab_slug": HANDWERK},
        {"title": "Neu", "status": "planned"},
        {"coordinator", "administrator"},
    ),
    ("labs:measure-edit", HALLOBOT, {"title": "Geändert", "status": "running"}, {"partner", "administrator"}),
    ("labs:measure-publish", KOOPERATION, {"published": "0"}, {"coordinator", "administrator"}),
    ("labs:measure-move", HALLOBOT, {"direction": "up"}, {"administrator"}),
    ("labs:measure-delete", KOOPERATION, {}, {"coordinator", "administrator"}),
    ("labs:lab-import", {}, {"file": BLUEPRINT}, {"administrator"}),
    (
        "organisations:organisation-create",
        {},
        {"name": "Neue GmbH", "kind": "company"},
        {"partner", "coordinator", "administrator"},
    ),
    (
        "organisations:organisation-edit",
        {"slug": "jobcenter-bottrop"},
        {"name": "Jobcenter", "kind": "multiplier"},
        {"coordinator", "administrator"},
    ),
    (
        "organisations:organisation-publish",
        {"slug": "jobcenter-bottrop"},
        {"published": "1"},
        {"coordinator", "administrator"},
    ),
    ("organisations:organisation-delete", {"slug": "ihk-nord-westfalen"}, {}, {"administrator"}),
    (
        "taxonomy:term-create",
        {"family": "megatrends"},
        {"code": "neo-oekologie", "name": "Neo-Ökologie"},
        {"administrator"},
    ),
    ("taxonomy:vocabulary-new-version", {"family": "megatrends"}, {}, {"administrator"}),
]


def _snapshot() -> dict[str, Any]:
    """Everything a write could change."""
    return {
        "labs": {lab.slug: lab_state(lab) for lab in Lab.objects.all()},
        "positions": list(Measure.objects.values_list("slug", "position", "is_published").order_by("pk")),
        "measures": {m.pk: measure_state(m) for m in Measure.objects.all()},
        "organisations": list(Organisation.objects.values().order_by("pk")),
        "members": list(LabMembership.objects.values_list("lab_id", "user_id", "role").order_by("pk")),
        "terms": Term.objects.count(),
        "tags": Tag.objects.count(),
        "versions": Version.objects.count(),
    }


def _url_names() -> set[str]:
    names: set[str] = set()

    def walk(patterns: list[Any], namespace: str | None) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                # The actors and events apps have their own matrices (their tests/test_role_matrix.py).
                if pattern.namespace in ("admin", "api", "actors", "events", "offers", "assessment"):
                    continue
                walk(pattern.url_patterns, pattern.namespace or namespace)
            elif isinstance(pattern, URLPattern) and pattern.name and namespace:
                names.add(f"{namespace}:{pattern.name}")

    walk(get_resolver().url_patterns, None)
    return names


def test_every_page_is_in_the_matrix() -> None:
    listed = {name for name, _kwargs, _expected in GET_MATRIX} | POST_ONLY | NOT_IN_MATRIX
    assert _url_names() - listed == set()


@pytest.mark.parametrize(("name", "kwargs", "expected"), GET_MATRIX, ids=[row[0] for row in GET_MATRIX])
def test_get(portfolio: Portfolio, name: str, kwargs: dict[str, Any], expected: tuple[int, ...]) -> None:
    url = reverse(name, kwargs=kwargs)
    got = tuple(portfolio.client(role).get(url).status_code for role in ROLES)
    assert dict(zip(ROLES, got, strict=True)) == dict(zip(ROLES, expected, strict=True))


DENIED = [
    pytest.param(name, kwargs, data, role, id=f"{name}-{role}")
    for name, kwargs, data, allowed in WRITES
    for role in ROLES
    if role not in allowed
]


@pytest.mark.parametrize(("name", "kwargs", "data", "role"), DENIED)
def test_denied_writes_change_nothing(
    portfolio: Portfolio, name: str, kwargs: dict[str, Any], data: dict[str, Any], role: str
) -> None:
    before = _snapshot()
    response = portfolio.client(role).post(reverse(name, kwargs=kwargs), data)
    assert response.status_code in (302, 403, 404), response.status_code
    if response.status_code == 302:
        assert role == "anonymous" and "/konto/anmelden/" in response["Location"]
    assert _snapshot() == before


@pytest.mark.parametrize(("name", "kwargs", "data", "allowed"), WRITES, ids=[row[0] for row in WRITES])
def test_allowed_writes_change_something(
    portfolio: Portfolio, name: str, kwargs: dict[str, Any], data: dict[str, Any], allowed: set[str]
) -> None:
    """The other side of the matrix: for the first allowed role the same request does write."""
    role = sorted(allowed)[0]
    before = _snapshot()
    response = portfolio.client(role).post(reverse(name, kwargs=kwargs), data)
    assert response.status_code in (200, 302), response.status_code
    assert _snapshot() != before
