"""The segments API: lists with counts, writes through the services, errors naming the field."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import Portfolio
from reallabor.actors.models import Segment
from reallabor.actors.tests.test_filters import World, make_world
from reallabor.api.tests.conftest import API, api_client, call
from reallabor.core.testing.actors import Crm
from reallabor.organisations.models import Organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(portfolio: Portfolio, crm: Crm) -> World:
    built = make_world(portfolio)
    Organisation.objects.filter(pk__in=[built.baeckerei.pk, built.kita.pk]).update(district="Testheide")
    return built


def office(portfolio: Portfolio, role: str = "coordinator") -> Any:
    return api_client(portfolio.users[role])


def test_list_segments_with_their_counts(portfolio: Portfolio, world: World) -> None:
    Segment.objects.create(name="Testheide", subject="organisations", criteria={"districts": ["Testheide"]})
    response = call(office(portfolio), "get", f"{API}/segments")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    first, second = body["items"]
    assert (first["name"], second["name"]) == ("Handwerksbetriebe", "Testheide")
    assert second["subject"] == "organisations"
    assert second["criteria"] == {"districts": ["Testheide"]}
    assert second["counts"] == {
        "members": 2,
        "people": 2,
        "reachable": 1,
        "purpose": "newsletter",
        "error": "",
    }
    assert second["url"] == f"/segmente/{second['uuid']}/"


def test_the_list_takes_constant_queries_as_the_data_grows(
    portfolio: Portfolio, world: World, django_assert_max_num_queries: Any
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = office(portfolio)
    Segment.objects.create(name="Testheide", subject="organisations", criteria={"districts": ["Testheide"]})
    with CaptureQueriesContext(connection) as first:
        call(client, "get", f"{API}/segments")
    for number in range(15):
        Organisation.objects.create(
            name=f"O{number}", slug=f"o-{number}", kind="company", district="Testheide"
        )
    with django_assert_max_num_queries(len(first)):
        assert call(client, "get", f"{API}/segments").json()["items"][1]["counts"]["members"] == 17


def test_create_get_update_delete(portfolio: Portfolio, world: World) -> None:
    client = office(portfolio, "administrator")
    response = call(
        client,
        "post",
        f"{API}/segments",
        {
            "name": "Fachkräfte",
            "subject": "people",
            "criteria": {"needs": ["skilled-workers"], "districts": ["Testheide"], "kinds": [], "q": None},
        },
    )
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["criteria"] == {"districts": ["Testheide"], "needs": ["skilled-workers"]}
    assert created["counts"]["members"] == 2
    url = f"{API}/segments/{created['uuid']}"
    assert call(client, "get", url).json()["name"] == "Fachkräfte"
    response = call(client, "patch", url, {"criteria": {"consent": "newsletter", "districts": ["Testheide"]}})
    assert response.status_code == 200
    assert response.json()["criteria"] == {"districts": ["Testheide"], "consent": "newsletter"}
    assert response.json()["name"] == "Fachkräfte"
    assert response.json()["counts"]["members"] == 1
    assert call(client, "delete", url).status_code == 204
    assert call(client, "get", url).status_code == 404


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        (
            {"name": "X", "subject": "people", "criteria": {"sectors": ["zz"]}},
            ["body", "criteria", "sectors"],
        ),
        (
            {"name": "X", "subject": "people", "criteria": {"labs": ["kein-labor"]}},
            ["body", "criteria", "labs"],
        ),
        (
            {"name": "X", "subject": "people", "criteria": {"kinds": ["pirates"]}},
            ["body", "criteria", "kinds", 0],
        ),
        ({"name": "X", "subject": "people", "criteria": {"colour": "blue"}}, ["body", "criteria", "colour"]),
        (
            {"name": "X", "subject": "people", "criteria": {"contacted_within_days": -1}},
            ["body", "criteria", "contacted_within_days"],
        ),
        ({"name": "X", "subject": "bots"}, ["body", "subject"]),
        ({"name": "handwerksbetriebe", "subject": "people"}, ["body", "name"]),
        ({"name": "  ", "subject": "people"}, ["body", "name"]),
        ({"subject": "people"}, ["body", "name"]),
        ({"name": "X\x00", "subject": "people"}, ["body", "name"]),
    ],
)
def test_bad_input_is_422_naming_the_field(
    portfolio: Portfolio, crm: Crm, body: dict[str, Any], loc: list[Any]
) -> None:
    before = list(Segment.objects.values())
    response = call(office(portfolio), "post", f"{API}/segments", body)
    assert response.status_code == 422, response.content
    assert loc in [error["loc"] for error in response.json()["detail"]]
    assert list(Segment.objects.values()) == before


def test_a_segment_in_use_is_not_deleted(portfolio: Portfolio, crm: Crm) -> None:
    response = call(office(portfolio), "delete", f"{API}/segments/{crm.segment.uuid}")
    assert response.status_code == 409
    assert "Einladung zum Handwerksfrühstück" in response.json()["detail"]
    assert Segment.objects.filter(pk=crm.segment.pk).exists()


@pytest.mark.parametrize("uuid", ["00000000-0000-0000-0000-000000000000", "kein-uuid", "x" * 300])
def test_unknown_segments_are_404(portfolio: Portfolio, crm: Crm, uuid: str) -> None:
    client = office(portfolio)
    for method, tail, body in [
        ("get", "", None),
        ("patch", "", {"name": "Y"}),
        ("delete", "", None),
        ("get", "/members", None),
    ]:
        response = call(client, method, f"{API}/segments/{uuid}{tail}", body)
        assert response.status_code == 404, (method, tail)
        assert isinstance(response.json()["detail"], str)


def test_members_of_a_people_segment(portfolio: Portfolio, world: World) -> None:
    segment = Segment.objects.create(name="T", subject="people", criteria={"districts": ["Testheide"]})
    response = call(office(portfolio), "get", f"{API}/segments/{segment.uuid}/members?limit=1")
    body = response.json()
    assert body["count"] == 2
    (ben,) = body["items"]
    assert ben == {
        "type": "person",
        "id": str(world.ben.uuid),
        "name": "Ben Korn",
        "email": "ben@baeckerei-korn.example",
        "district": "",
        "last_contact_at": ben["last_contact_at"],
        "organisations": [{"slug": "baeckerei-korn", "name": "Bäckerei Korn (fiktiv)"}],
        "url": world.ben.get_absolute_url(),
    }


def test_members_of_an_organisation_segment(portfolio: Portfolio, world: World) -> None:
    segment = Segment.objects.create(name="T", subject="organisations", criteria={"districts": ["Testheide"]})
    body = call(office(portfolio), "get", f"{API}/segments/{segment.uuid}/members").json()
    assert [(item["type"], item["id"]) for item in body["items"]] == [
        ("organisation", "baeckerei-korn"),
        ("organisation", "kita-sonnenschein"),
    ]


def test_members_of_a_segment_with_vanished_codes_is_409(portfolio: Portfolio, crm: Crm) -> None:
    segment = Segment.objects.create(name="Alt", subject="people", criteria={"needs": ["vanished"]})
    response = call(office(portfolio), "get", f"{API}/segments/{segment.uuid}/members")
    assert response.status_code == 409
    assert "vanished" in response.json()["detail"]


def test_count_criteria_changes_nothing(portfolio: Portfolio, world: World) -> None:
    before = list(Segment.objects.values())
    response = call(
        office(portfolio),
        "post",
        f"{API}/segments/count",
        {"subject": "organisations", "criteria": {"districts": ["Testheide"], "consent": "newsletter"}},
    )
    assert response.status_code == 200
    assert response.json() == {
        "members": 2,
        "people": 1,
        "reachable": 1,
        "purpose": "newsletter",
        "error": "",
    }
    response = call(
        office(portfolio),
        "post",
        f"{API}/segments/count",
        {"subject": "people", "criteria": {"trades": ["x"]}},
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "criteria", "trades"]
    assert list(Segment.objects.values()) == before
