"""The people API: what it returns, field-named 422s that change nothing, constant query counts.

Statuses per role are in api_matrix_people.py (run by test_api_role_matrix.py).
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import Portfolio
from reallabor.actors.models import Affiliation, Person, PersonalDataAccess, Relationship
from reallabor.actors.services import relationships as relationship_services
from reallabor.actors.tests.api_matrix_common import API
from reallabor.actors.tests.api_matrix_people import API_CASES
from reallabor.actors.tests.matrix_people import organisation_relationship, people_relationship
from reallabor.actors.tests.test_api_role_matrix import _template_of, actors_digest
from reallabor.api.tests.conftest import api_client, call
from reallabor.core.testing.actors import Crm, affiliate, give_consent, make_person

pytestmark = pytest.mark.django_db

WIFOE = "wirtschaftsfoerderung-bottrop"


def office(portfolio: Portfolio, role: str = "coordinator") -> Any:
    return api_client(portfolio.users[role])


def locs(response: Any) -> list[list[str | int]]:
    return [error["loc"] for error in response.json()["detail"]]


def refused(portfolio: Portfolio, method: str, url: str, data: Any = None, status: int = 422) -> Any:
    before = actors_digest()
    response = call(office(portfolio), method, url, data)
    assert response.status_code == status, response.content[:2000]
    assert actors_digest() == before
    return response


def test_every_people_operation_is_in_the_matrix(portfolio: Portfolio, crm: Crm) -> None:
    from reallabor.api.urls import api

    schema = api.get_openapi_schema(path_prefix=f"{API}/")
    operations = {
        (method, path)
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
        if operation.get("operationId", "").startswith("reallabor_actors_api_people_")
    }
    assert len(operations) == 13
    covered = {(case.method, _template_of(case.resolve_url(crm), schema["paths"])) for case in API_CASES}
    assert operations - covered == set()


# People -------------------------------------------------------------------------------------------


def test_list_people(portfolio: Portfolio, crm: Crm) -> None:
    response = call(office(portfolio), "get", f"{API}/people")
    body = response.json()
    assert body["count"] == 3
    assert [item["name"] for item in body["items"]] == ["Clara Einzeln", "Bernd Hobel", "Anna Schreiner"]
    anna = body["items"][2]
    assert anna["uuid"] == str(crm.anna.uuid)
    assert anna["url"] == crm.anna.get_absolute_url()
    assert anna["affiliations"] == [
        {
            "id": crm.anna.affiliations.get().pk,
            "organisation": {"slug": "tischlerei-beispiel", "name": "Tischlerei Beispiel GmbH"},
            "role": "Inhaberin",
            "start_date": None,
            "end_date": None,
            "is_primary": True,
            "is_current": True,
        }
    ]


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("q=hobel", ["Bernd Hobel"]),
        ("kinds=company,science", ["Bernd Hobel", "Anna Schreiner"]),
        ("consent=newsletter", ["Anna Schreiner"]),
        ("districts=Kirchhellen", ["Clara Einzeln"]),
        ("labs=digitale-koproduktion-im-handwerk&contacted_within_days=30", ["Anna Schreiner"]),
        ("sectors=c", ["Bernd Hobel", "Anna Schreiner"]),
    ],
)
def test_list_people_by_criteria(portfolio: Portfolio, crm: Crm, query: str, names: list[str]) -> None:
    response = call(office(portfolio), "get", f"{API}/people?{query}")
    assert [item["name"] for item in response.json()["items"]] == names


@pytest.mark.parametrize(
    ("query", "loc"),
    [
        ("kinds=raumschiff", ["query", "kinds"]),
        ("sectors=zz", ["query", "sectors"]),
        ("labs=gibt-es-nicht", ["query", "labs"]),
        ("consent=spam", ["query", "consent"]),
        ("contacted_within_days=abc", ["query", "contacted_within_days"]),
        ("not_contacted_for_days=-3", ["query", "not_contacted_for_days"]),
    ],
)
def test_list_people_names_bad_criteria(portfolio: Portfolio, crm: Crm, query: str, loc: list[str]) -> None:
    response = call(office(portfolio), "get", f"{API}/people?{query}")
    assert response.status_code == 422
    assert locs(response) == [loc]


def test_list_people_query_count_is_constant(portfolio: Portfolio, crm: Crm) -> None:
    client = office(portfolio)
    url = f"{API}/people?kinds=company&limit=100"
    call(client, "get", url)
    with CaptureQueriesContext(connection) as few:
        assert call(client, "get", url).json()["count"] == 2
    for number in range(25):
        person = make_person(last_name=f"Mehr{number:02d}")
        affiliate(person, crm.tischlerei, "Geselle")
        give_consent(person)
    with CaptureQueriesContext(connection) as many:
        assert call(client, "get", url).json()["count"] == 27
    assert len(many) == len(few)


def test_create_person_with_a_role(portfolio: Portfolio, crm: Crm) -> None:
    response = call(
        office(portfolio),
        "post",
        f"{API}/people",
        {
            "first_name": "Dora",
            "last_name": "Neumann",
            "email": "dora@example.org",
            "affiliations": [
                {"organisation": "tischlerei-beispiel", "role": "Azubi", "start_date": "2024-08-01"}
            ],
        },
    )
    assert response.status_code == 201
    body = response.json()
    person = Person.objects.get(uuid=body["uuid"])
    assert (person.name, person.created_by) == ("Dora Neumann", portfolio.users["coordinator"])
    assert [(row["organisation"]["slug"], row["start_date"]) for row in body["affiliations"]] == [
        ("tischlerei-beispiel", "2024-08-01")
    ]


@pytest.mark.parametrize(
    ("data", "loc"),
    [
        ({"last_name": ""}, ["body", "last_name"]),
        ({"last_name": "N", "postcode": "123"}, ["body", "postcode"]),
        ({"last_name": "N", "email": "at-los"}, ["body", "email"]),
        ({"last_name": "N", "nickname": "x"}, ["body", "nickname"]),
        ({"first_name": "Ohne"}, ["body", "last_name"]),
        (
            {"last_name": "N", "affiliations": [{"organisation": "nirgends"}]},
            ["body", "affiliations", 0, "organisation"],
        ),
        (
            {
                "last_name": "N",
                "affiliations": [{"organisation": "tischlerei-beispiel", "start_date": "2024-13-01"}],
            },
            ["body", "affiliations", 0, "start_date"],
        ),
        (
            {
                "last_name": "N",
                "affiliations": [
                    {
                        "organisation": "tischlerei-beispiel",
                        "start_date": "2024-05-01",
                        "end_date": "2024-04-01",
                    }
                ],
            },
            ["body", "affiliations", 0, "end_date"],
        ),
    ],
)
def test_create_person_names_the_bad_field(
    portfolio: Portfolio, crm: Crm, data: dict[str, Any], loc: list[Any]
) -> None:
    response = refused(portfolio, "post", f"{API}/people", data)
    assert loc in locs(response)


def test_get_person_is_audited(portfolio: Portfolio, crm: Crm) -> None:
    response = call(office(portfolio, "administrator"), "get", f"{API}/people/{crm.clara.uuid}")
    assert response.json()["email"] == "clara@example.org"
    [entry] = PersonalDataAccess.objects.all()
    assert (entry.person, entry.action, entry.user) == (crm.clara, "viewed", portfolio.users["administrator"])


@pytest.mark.parametrize("uuid", ["kein-uuid", "00000000-0000-0000-0000-000000000000", "%00"])
def test_unknown_people_are_404(portfolio: Portfolio, crm: Crm, uuid: str) -> None:
    assert call(office(portfolio), "get", f"{API}/people/{uuid}").status_code == 404
    refused(portfolio, "patch", f"{API}/people/{uuid}", {"function": "x"}, status=404)


def test_update_person(portfolio: Portfolio, crm: Crm) -> None:
    url = f"{API}/people/{crm.anna.uuid}"
    response = call(office(portfolio), "patch", url, {"function": "Inhaberin", "expected_revision": 1})
    assert response.status_code == 200
    assert (response.json()["function"], response.json()["revision"]) == ("Inhaberin", 2)
    response = refused(portfolio, "patch", url, {"function": "Meisterin", "expected_revision": 1}, status=409)
    assert "changed by someone else" in response.json()["detail"]
    assert locs(refused(portfolio, "patch", url, {"postcode": "1"})) == [["body", "postcode"]]
    assert locs(refused(portfolio, "patch", url, {"last_name": None})) == [["body", "last_name"]]
    assert locs(refused(portfolio, "patch", url, {"affiliations": []})) == [["body", "affiliations"]]


# Roles --------------------------------------------------------------------------------------------


def test_affiliations(portfolio: Portfolio, crm: Crm) -> None:
    client = office(portfolio)
    base = f"{API}/people/{crm.clara.uuid}/affiliations"
    response = call(client, "post", base, {"organisation": WIFOE, "role": "Beirätin", "is_primary": True})
    assert response.status_code == 201
    created = response.json()
    assert (created["organisation"]["slug"], created["role"], created["is_primary"]) == (
        WIFOE,
        "Beirätin",
        True,
    )
    url = f"{base}/{created['id']}"
    response = call(client, "patch", url, {"end_date": "2099-01-01", "role": "Beirätin (Vorsitz)"})
    assert (response.json()["end_date"], response.json()["role"]) == ("2099-01-01", "Beirätin (Vorsitz)")
    assert locs(refused(portfolio, "patch", url, {"start_date": "2100-01-01"})) == [["body", "end_date"]]
    assert locs(refused(portfolio, "patch", url, {"organisation": "nirgends"})) == [["body", "organisation"]]
    assert locs(refused(portfolio, "post", base, {"role": "ohne"})) == [["body", "organisation"]]
    assert call(client, "delete", url).status_code == 204
    assert not Affiliation.objects.filter(pk=created["id"]).exists()


def test_roles_of_other_people_are_404(portfolio: Portfolio, crm: Crm) -> None:
    anna_role = crm.anna.affiliations.get().pk
    for url in (
        f"{API}/people/{crm.clara.uuid}/affiliations/{anna_role}",
        f"{API}/people/{crm.anna.uuid}/affiliations/99999999999999999999",
        f"{API}/people/{crm.anna.uuid}/affiliations/abc",
    ):
        refused(portfolio, "patch", url, {"role": "x"}, status=404)
        refused(portfolio, "delete", url, status=404)


# Relationships ------------------------------------------------------------------------------------


def test_create_and_list_relationships(portfolio: Portfolio, crm: Crm) -> None:
    client = office(portfolio)
    response = call(
        client,
        "post",
        f"{API}/relationships",
        {"kind": "knows", "source_person": str(crm.anna.uuid), "target_person": str(crm.clara.uuid)},
    )
    assert response.status_code == 201
    assert response.json()["source"] == {"type": "person", "id": str(crm.anna.uuid), "name": "Anna Schreiner"}
    organisation_relationship(crm)
    body = call(client, "get", f"{API}/relationships").json()
    assert body["count"] == 2
    assert [(item["kind"], item["target"]["id"]) for item in body["items"]] == [
        ("knows", str(crm.clara.uuid)),
        ("member_of", WIFOE),
    ]
    assert call(client, "get", f"{API}/relationships?person={crm.clara.uuid}").json()["count"] == 1
    assert call(client, "get", f"{API}/relationships?organisation={WIFOE}").json()["count"] == 1
    assert call(client, "get", f"{API}/relationships?kind=advises").json()["count"] == 0
    assert locs(call(client, "get", f"{API}/relationships?organisation=nirgends")) == [
        ["query", "organisation"]
    ]
    assert locs(call(client, "get", f"{API}/relationships?kind=liebt")) == [["query", "kind"]]


@pytest.mark.parametrize(
    ("data", "loc", "message"),
    [
        (
            {"kind": "knows", "source_person": "{anna}", "target_organisation": WIFOE},
            ["body", "target_organisation"],
            "two organisations or two people",
        ),
        (
            {"kind": "partner_of", "source_organisation": WIFOE, "target_organisation": WIFOE},
            ["body", "target_organisation"],
            "with itself",
        ),
        (
            {"kind": "knows", "source_person": "{anna}"},
            ["body", "target_organisation"],
            "Give target_organisation",
        ),
        (
            {
                "kind": "knows",
                "source_person": "{anna}",
                "source_organisation": WIFOE,
                "target_person": "{anna}",
            },
            ["body", "source_person"],
            "not both",
        ),
        (
            {"kind": "knows", "source_organisation": "nirgends", "target_organisation": WIFOE},
            ["body", "source_organisation"],
            "nirgends",
        ),
        (
            {"kind": "liebt", "source_organisation": "tischlerei-beispiel", "target_organisation": WIFOE},
            ["body", "kind"],
            "",
        ),
        (
            {
                "kind": "funds",
                "source_organisation": "tischlerei-beispiel",
                "target_organisation": WIFOE,
                "start_date": "2024-01-02",
                "end_date": "2024-01-01",
            },
            ["body", "end_date"],
            "before the start",
        ),
        (
            {"kind": "knows", "source_person": "kein-uuid", "target_person": "{anna}"},
            ["body", "source_person"],
            "",
        ),
    ],
)
def test_create_relationship_names_the_bad_field(
    portfolio: Portfolio, crm: Crm, data: dict[str, Any], loc: list[str], message: str
) -> None:
    data = {key: value.replace("{anna}", str(crm.anna.uuid)) for key, value in data.items()}
    response = refused(portfolio, "post", f"{API}/relationships", data)
    errors = response.json()["detail"]
    assert [error["loc"] for error in errors] == [loc]
    assert message in errors[0]["msg"]


def test_a_duplicate_relationship_is_refused(portfolio: Portfolio, crm: Crm) -> None:
    organisation_relationship(crm)
    data = {"kind": "member_of", "source_organisation": "tischlerei-beispiel", "target_organisation": WIFOE}
    response = refused(portfolio, "post", f"{API}/relationships", data)
    assert locs(response) == [["body", "target_organisation"]]
    assert "already recorded" in response.json()["detail"][0]["msg"]


def test_update_and_delete_relationships_under_their_sides(portfolio: Portfolio, crm: Crm) -> None:
    client = office(portfolio)
    between_people = people_relationship(crm)
    between_organisations = organisation_relationship(crm)
    # Under a side of the relationship, and only there.
    url = f"{API}/people/{crm.bernd.uuid}/relationships/{between_people.pk}"
    response = call(client, "patch", url, {"note": "Nachbarn", "start_date": "2018-01-01"})
    assert (response.json()["note"], response.json()["start_date"]) == ("Nachbarn", "2018-01-01")
    refused(
        portfolio,
        "patch",
        f"{API}/people/{crm.clara.uuid}/relationships/{between_people.pk}",
        {"note": "x"},
        404,
    )
    refused(portfolio, "delete", f"{API}/organisations/{WIFOE}/relationships/{between_people.pk}", status=404)
    refused(
        portfolio,
        "delete",
        f"{API}/organisations/nirgends/relationships/{between_organisations.pk}",
        status=404,
    )
    org_url = f"{API}/organisations/{WIFOE}/relationships/{between_organisations.pk}"
    assert locs(
        refused(portfolio, "patch", org_url, {"end_date": "1999-01-01", "start_date": "2000-01-01"})
    ) == [["body", "end_date"]]
    assert locs(refused(portfolio, "patch", org_url, {"kind": None})) == [["body", "kind"]]
    assert locs(refused(portfolio, "patch", org_url, {"source_organisation": WIFOE})) == [
        ["body", "source_organisation"]
    ]
    assert call(client, "delete", org_url).status_code == 204
    assert call(client, "delete", url).status_code == 204
    assert not Relationship.objects.exists()


def test_relationships_list_query_count_is_constant(portfolio: Portfolio, crm: Crm) -> None:
    client = office(portfolio)
    people_relationship(crm)
    call(client, "get", f"{API}/relationships")
    with CaptureQueriesContext(connection) as few:
        call(client, "get", f"{API}/relationships")
    for number in range(10):
        first, second = make_person(last_name=f"A{number}"), make_person(last_name=f"B{number}")
        relationship_services.create_relationship(user=None, source=first, target=second, kind="knows")
    with CaptureQueriesContext(connection) as many:
        assert call(client, "get", f"{API}/relationships").json()["count"] == 11
    assert len(many) == len(few)
