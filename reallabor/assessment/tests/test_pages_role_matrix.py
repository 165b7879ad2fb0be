"""The role matrix of every page of the check (``matrix_pages.py``), for every role and the link holder.

A URL of the ``assessment`` namespace not in the matrix fails ``test_every_check_page_is_in_the_matrix``.
Writes by link: whoever holds the link answers (any role, signed in or not); a damaged link changes
nothing. Results by uuid: only who may see them (``Response.objects.visible_to``).
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from conftest import ROLES
from reallabor.assessment import links, services
from reallabor.assessment.models import Response, ResponseLog, Share
from reallabor.assessment.tests import helpers
from reallabor.assessment.tests.conftest import Checks
from reallabor.assessment.tests.matrix_pages import GET_MATRIX, POST_ONLY, MatrixEntry, PagesWorld
from reallabor.assessment.tests.pages_helpers import section_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def pages_world(checks: Checks) -> PagesWorld:
    draft = checks.draft(organisation=None)
    result = services.start_check(user=None)
    file = helpers.example()
    services.save_answers(
        user=None, response=result, data={"answers": file["answers"], "relevance": file["relevance"]}
    )
    result = services.submit_check(user=None, response=result)
    shared = checks.submitted()
    services.share_with(user=None, response=shared, organisation=checks.chamber)
    return PagesWorld(
        draft=draft,
        draft_token=links.response_link_token(draft),
        result=result,
        result_token=links.response_link_token(result),
        shared=shared,
    )


def _names() -> set[str]:
    for pattern in get_resolver().url_patterns:
        if isinstance(pattern, URLResolver) and pattern.namespace == "assessment":
            return {
                f"assessment:{p.name}" for p in pattern.url_patterns if isinstance(p, URLPattern) and p.name
            }
    return set()


def _snapshot() -> tuple[Any, ...]:
    return (
        sorted(
            Response.objects.values_list(
                "uuid", "status", "answers", "relevance", "trade_id", "benchmark_consent"
            )
        ),
        ResponseLog.objects.count(),
        Share.objects.count(),
    )


def test_every_check_page_is_in_the_matrix() -> None:
    listed = {name for name, _, _ in GET_MATRIX} | POST_ONLY
    names = _names()
    assert names, "the assessment namespace is not included"
    assert names - listed == set(), "assessment URLs missing from matrix_pages.py"
    assert listed - names == set(), "matrix entries without a URL"


@pytest.mark.parametrize(("name", "kwargs", "expected"), GET_MATRIX, ids=[entry[0] for entry in GET_MATRIX])
def test_get(
    checks: Checks, pages_world: PagesWorld, name: str, kwargs: Any, expected: tuple[int, ...]
) -> None:
    url = reverse(name, kwargs=kwargs(pages_world))
    before = _snapshot()
    statuses = tuple(checks.portfolio.client(role).get(url).status_code for role in ROLES)
    assert statuses == expected, f"{url}: {dict(zip(ROLES, statuses, strict=True))}"
    assert _snapshot() == before  # GET never changes anything


def test_the_business_member_sees_its_result_and_the_pdf(checks: Checks, pages_world: PagesWorld) -> None:
    member = Client()
    member.force_login(checks.member)
    for name in ("assessment:response-result", "assessment:response-pdf"):
        assert member.get(reverse(name, kwargs={"uuid": pages_world.shared.uuid})).status_code == 200
    # an anonymous result (no organisation) is the office's only
    assert (
        member.get(
            reverse("assessment:response-result", kwargs={"uuid": pages_world.result.uuid})
        ).status_code
        == 404
    )


@pytest.mark.parametrize("name", sorted(POST_ONLY))
def test_post_only_urls_refuse_a_get(checks: Checks, name: str) -> None:
    for role in ROLES:
        assert checks.portfolio.client(role).get(reverse(name)).status_code == 405


@pytest.mark.parametrize("role", ROLES)
def test_every_role_holding_the_link_answers(checks: Checks, pages_world: PagesWorld, role: str) -> None:
    url = reverse("assessment:check-step", kwargs={"token": pages_world.draft_token, "step": 2})
    page = checks.portfolio.client(role).post(url, section_post("2", helpers.example()))
    assert page.status_code == 302
    pages_world.draft.refresh_from_db()
    assert pages_world.draft.answers["2a"] == [1, 2, 3]


WRITES: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    ("assessment:check-step", {"step": 2}, section_post("2", helpers.example())),
    ("assessment:check-context", {}, {"district": "Eigen", "go": "next"}),
    ("assessment:check-submit", {}, {}),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "extra", "data"), WRITES, ids=[entry[0] for entry in WRITES])
def test_a_damaged_link_writes_nothing(
    checks: Checks, pages_world: PagesWorld, role: str, name: str, extra: dict[str, Any], data: dict[str, Any]
) -> None:
    before = _snapshot()
    url = reverse(name, kwargs={"token": pages_world.draft_token[:-2] + "xx", **extra})
    assert checks.portfolio.client(role).post(url, data).status_code == 400
    assert _snapshot() == before


def test_a_submitted_check_takes_no_more_answers(checks: Checks, pages_world: PagesWorld) -> None:
    before = _snapshot()
    url = reverse("assessment:check-step", kwargs={"token": pages_world.result_token, "step": 2})
    page = Client().post(url, section_post("2", helpers.zero()))
    assert page.status_code == 302 and page["Location"].endswith("/ergebnis/")
    assert _snapshot() == before


def test_matrix_entries_are_typed() -> None:
    entries: list[MatrixEntry] = GET_MATRIX
    assert all(len(entry[2]) == len(ROLES) for entry in entries)
