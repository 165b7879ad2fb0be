"""The checks' API: who sees which stored check, submitting a complete answer file for an
organisation, answers out of range as 422 naming the question, query counts; and the API role
matrix of every checks operation (a subtest per role; denied writes change nothing)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from reallabor.actors.tests.api_matrix_common import API, expect
from reallabor.api.tests.conftest import api_client, call
from reallabor.assessment.models import Response, ResponseLog
from reallabor.assessment.tests import helpers
from reallabor.assessment.tests.conftest import Checks

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "reader", "partner", "coordinator", "administrator", "outsider", "member")


def _client(checks: Checks, role: str) -> Any:
    user = checks.member if role == "member" else checks.portfolio.users[role]
    return api_client(user)


def _file(**changes: Any) -> dict[str, Any]:
    file = helpers.example()
    data = {"organisation": "tischlerei-probe", "answers": file["answers"], "relevance": file["relevance"]}
    data.update(changes)
    return data


def _digest() -> list[Any]:
    return [
        list(Response.objects.order_by("pk").values("pk", "status", "answers")),
        ResponseLog.objects.count(),
    ]


# The role matrix -------------------------------------------------------------------------------------


# anonymous, reader, partner, coordinator, administrator, outsider, member (of the business)
def matrix(*statuses: int) -> dict[str, int]:
    return dict(zip(ROLES, statuses, strict=True))


def _own(checks: Checks) -> str:
    return f"{API}/checks/{checks.submitted().uuid}"


def _shared(checks: Checks) -> str:
    from reallabor.assessment import services

    response = checks.submitted()
    services.share_with(user=None, response=response, organisation=checks.chamber)
    return f"{API}/checks/{response.uuid}"


def _draft(checks: Checks) -> str:
    return f"{API}/checks/{checks.draft().uuid}"


def _complete_draft(checks: Checks) -> str:
    from reallabor.assessment import services

    response = checks.draft()
    file = helpers.example()
    services.save_answers(
        user=None, response=response, data={"answers": file["answers"], "relevance": file["relevance"]}
    )
    services.share_with(user=None, response=response, organisation=checks.chamber)
    return f"{API}/checks/{response.uuid}/submit"


CASES: list[tuple[str, str, Any, dict[str, int], Any]] = [
    ("list checks", "get", f"{API}/checks", matrix(401, 200, 200, 200, 200, 200, 200), None),
    ("a business's check", "get", _own, matrix(401, 404, 404, 200, 200, 404, 200), None),
    ("a check shared with the chamber", "get", _shared, matrix(401, 404, 200, 200, 200, 404, 200), None),
    ("submit a check", "post", f"{API}/checks", matrix(401, 403, 403, 201, 201, 403, 201), _file()),
    ("save answers", "patch", _draft, matrix(401, 404, 404, 200, 200, 404, 200), {"answers": {"4a": [1]}}),
    ("submit a draft", "post", _complete_draft, matrix(401, 404, 403, 200, 200, 404, 200), None),
]

_ = expect  # the shared statuses' helper (six roles); this matrix has the member as a seventh


def test_every_checks_operation_is_in_the_matrix(checks: Checks) -> None:
    from reallabor.api.urls import api

    schema = api.get_openapi_schema(path_prefix=f"{API}/")
    operations = {
        (method, path)
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
        if operation.get("operationId", "").startswith("reallabor_assessment_api")
    }
    listed = set()
    for _name, method, url, _expected, _data in CASES:
        resolved = url(checks) if callable(url) else url
        parts = resolved.split("/")
        if len(parts) > 4:  # /api/v1/checks/<uuid>[/submit]
            parts[4] = "{uuid}"
        listed.add((method, "/".join(parts)))
    assert len(operations) == 5
    assert operations == listed


@pytest.mark.parametrize("case", CASES, ids=[case[0] for case in CASES])
def test_api_role_matrix(checks: Checks, case: tuple, subtests: pytest.Subtests) -> None:
    name, method, url, expected, data = case
    url = url(checks) if callable(url) else url
    before = _digest()
    for role in ROLES:
        with subtests.test(role=role):
            savepoint = transaction.savepoint_create()
            try:
                response = call(_client(checks, role), method, url, data)
                assert response.status_code == expected[role], (role, name, response.content[:500])
                if response.status_code >= 400 and response.status_code != 422:
                    assert isinstance(response.json()["detail"], str)
                if method != "get":
                    assert (_digest() == before) == (response.status_code >= 300), role
            finally:
                transaction.savepoint_rollback(savepoint)


# Reading ---------------------------------------------------------------------------------------------


def test_list_shows_what_each_role_may_see(checks: Checks) -> None:
    own = checks.submitted()
    other = checks.submitted(organisation=checks.other_business)
    from reallabor.assessment import services

    services.share_with(user=None, response=other, organisation=checks.chamber)

    def uuids(role: str) -> set[str]:
        response = call(_client(checks, role), "get", f"{API}/checks")
        assert response.status_code == 200
        return {item["uuid"] for item in response.json()["items"]}

    assert uuids("administrator") == {str(own.uuid), str(other.uuid)}
    assert uuids("member") == {str(own.uuid)}
    assert uuids("partner") == {str(other.uuid)}
    assert uuids("reader") == set()


def test_result_is_the_stored_one(checks: Checks) -> None:
    response = checks.submitted()
    data = call(_client(checks, "member"), "get", f"{API}/checks/{response.uuid}").json()
    assert data["status"] == "submitted"
    assert data["organisation"]["slug"] == "tischlerei-probe"
    assert response.overall is not None
    assert float(data["result"]["overall"]) == float(response.overall)
    assert set(data["result"]["dimensions"]) == {"1", "2", "3", "4", "5", "6"}
    assert data["result"]["gaps"]
    draft = checks.draft()
    assert call(_client(checks, "member"), "get", f"{API}/checks/{draft.uuid}").json()["result"] is None
    assert call(_client(checks, "member"), "get", f"{API}/checks/not-a-uuid").status_code == 422


def test_list_query_count_is_constant(checks: Checks) -> None:
    checks.submitted()
    client = _client(checks, "administrator")
    call(client, "get", f"{API}/checks")
    with CaptureQueriesContext(connection) as few:
        call(client, "get", f"{API}/checks")
    for _number in range(5):
        checks.submitted()
        checks.draft()
    with CaptureQueriesContext(connection) as many:
        assert call(client, "get", f"{API}/checks").json()["count"] == 11
    assert len(many) == len(few)


# Submitting ------------------------------------------------------------------------------------------


def test_submit_stores_a_scored_check(checks: Checks) -> None:
    response = call(_client(checks, "member"), "post", f"{API}/checks", _file(context={"district": "Eigen"}))
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["status"] == "submitted" and data["result"]["band"]
    stored = Response.objects.get(uuid=data["uuid"])
    assert stored.organisation == checks.business and stored.district == "Eigen"


@pytest.mark.parametrize(
    ("answers", "loc"),
    [
        ({"4a": [99]}, ["body", "answers", "4a"]),
        ({"2b": {"1": 17}}, ["body", "answers", "2b"]),
        ({"1a": {"1": "maybe"}}, ["body", "answers", "1a"]),
        ({"6b": "yes"}, ["body", "answers", "6b"]),
    ],
)
def test_values_out_of_range_name_the_question(checks: Checks, answers: dict, loc: list) -> None:
    file = _file()
    file["answers"] = {**file["answers"], **answers}
    before = _digest()
    response = call(_client(checks, "administrator"), "post", f"{API}/checks", file)
    assert response.status_code == 422, response.content[:500]
    locs = [error["loc"] for error in response.json()["detail"]]
    assert loc in locs, locs
    assert _digest() == before


@pytest.mark.parametrize(
    ("changes", "loc"),
    [
        ({"relevance": {"2": 9}}, ["body", "relevance", "2"]),
        ({"organisation": "gibt-es-nicht"}, ["body", "organisation"]),
        ({"questionnaire": "gibt-es-nicht"}, ["body", "questionnaire"]),
        ({"version": 7}, ["body", "version"]),
        ({"source": "import"}, ["body", "source"]),
        ({"context": {"founding_year": 12}}, ["body", "founding_year"]),
    ],
)
def test_bad_files_are_422(checks: Checks, changes: dict, loc: list) -> None:
    before = _digest()
    response = call(_client(checks, "administrator"), "post", f"{API}/checks", _file(**changes))
    assert response.status_code == 422, response.content[:500]
    locs = [error["loc"] for error in response.json()["detail"]]
    assert any(found[: len(loc)] == loc or found[-1:] == loc[-1:] for found in locs), locs
    assert _digest() == before


def test_missing_answers_are_named(checks: Checks) -> None:
    file = _file()
    del file["answers"]["5a"]
    response = call(_client(checks, "member"), "post", f"{API}/checks", file)
    assert response.status_code == 422
    assert ["body", "answers", "5a"] in [error["loc"] for error in response.json()["detail"]]
    assert not Response.objects.exists()


def test_member_may_not_submit_for_another_business(checks: Checks) -> None:
    response = call(_client(checks, "member"), "post", f"{API}/checks", _file(organisation="baeckerei-probe"))
    assert response.status_code == 403
    unknown = call(_client(checks, "member"), "post", f"{API}/checks", _file(organisation="gibt-es-nicht"))
    assert unknown.status_code == 403
    assert not Response.objects.exists()


def test_answer_a_draft_in_parts_and_submit(checks: Checks) -> None:
    client = _client(checks, "member")
    draft = checks.draft()
    url = f"{API}/checks/{draft.uuid}"
    file = helpers.example()
    bad = call(client, "patch", url, {"answers": {"2b": {"1": 99}}})
    assert bad.status_code == 422
    assert ["body", "answers", "2b"] in [error["loc"] for error in bad.json()["detail"]]
    part = call(client, "patch", url, {"answers": {"1a": file["answers"]["1a"]}})
    assert part.status_code == 200 and part.json()["answers"]["1a"]
    early = call(client, "post", f"{url}/submit")
    assert early.status_code == 422
    assert ["body", "answers", "5a"] in [error["loc"] for error in early.json()["detail"]]
    rest = call(client, "patch", url, {"answers": file["answers"], "relevance": file["relevance"]})
    assert rest.status_code == 200
    done = call(client, "post", f"{url}/submit")
    assert done.status_code == 200 and done.json()["result"]["band"]
    again = call(client, "patch", url, {"answers": {"4a": [1]}})
    assert again.status_code == 422
    assert again.json()["detail"][0]["loc"] == ["body", "status"]
    unknown = call(client, "patch", url, {"answers": {"4a": [1]}, "colour": 1})
    assert unknown.status_code == 422
