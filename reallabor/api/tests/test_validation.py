"""Bad input: a 4xx naming the field, never a 500, and nothing changed."""

from __future__ import annotations

from typing import Any

import pytest

from reallabor.api.errors import error_path
from reallabor.api.tests.conftest import API, ApiWorld, call, db_digest
from reallabor.labs.models import Measure
from reallabor.taxonomy.services import create_vocabulary_version, current_vocabulary

HALLOBOT = f"{API}/labs/hybride-formen-des-handels/measures/hallobot"
INTEGRATION = f"{API}/labs/fachkraeftesicherung/measures/integration-gefluechteter"


def locs(response: Any) -> list[list[str | int]]:
    return [error["loc"] for error in response.json()["detail"]]


def messages(response: Any) -> str:
    return " ".join(error["msg"] for error in response.json()["detail"])


def patch_as_admin(world: ApiWorld, url: str, data: Any) -> Any:
    before = db_digest()
    response = call(world.client("administrator"), "patch", url, data)
    if response.status_code >= 400:
        assert db_digest() == before, "a refused request changed the database"
    return response


@pytest.mark.parametrize(
    ("path", "parts"),
    [
        ("financing[0].amount", ["financing", 0, "amount"]),
        ("tags[12].term", ["tags", 12, "term"]),
        ("tags", ["tags"]),
        ("__all__", []),
        ("a[1][2].b", ["a", 1, 2, "b"]),
    ],
)
def test_error_path(path: str, parts: list[str | int]) -> None:
    assert error_path(path) == parts


def test_negative_financing_amount_names_the_field(world: ApiWorld) -> None:
    response = patch_as_admin(world, HALLOBOT, {"financing": [{"source": "WiFi4EU", "amount": "-15000"}]})

    assert response.status_code == 422
    assert response.json()["detail"] == [
        {
            "loc": ["body", "financing", 0, "amount"],
            "msg": "The amount must not be negative.",
            "type": "validation_error",
        }
    ]


def test_amount_that_is_not_a_number_names_the_field(world: ApiWorld) -> None:
    for amount in ("viel", "NaN", "Infinity"):
        response = patch_as_admin(world, HALLOBOT, {"financing": [{"source": "WiFi4EU", "amount": amount}]})

        assert response.status_code == 422, amount
        assert locs(response) == [["body", "financing", 0, "amount"]]


def test_shares_over_100_percent_are_refused(world: ApiWorld) -> None:
    tags = [
        {"term": {"family": "sdg", "code": "8"}, "share": 70},
        {"term": {"family": "sdg", "code": "9"}, "share": 40},
    ]
    response = patch_as_admin(world, HALLOBOT, {"tags": tags})

    assert response.status_code == 422
    assert locs(response) == [["body", "tags"]]
    assert "110 %" in messages(response)


def test_share_and_priority_together_are_refused(world: ApiWorld) -> None:
    tags = [{"term": {"family": "sdg", "code": "8"}, "share": 50, "priority": "secondary"}]

    response = patch_as_admin(world, HALLOBOT, {"tags": tags})

    assert response.status_code == 422
    assert locs(response) == [["body", "tags", 0, "priority"]]


def test_tag_from_a_retired_vocabulary_is_refused(world: ApiWorld) -> None:
    create_vocabulary_version(user=None, vocabulary=current_vocabulary("megatrends"))
    old_digitalisation = {"family": "megatrends", "code": "digitalisierung", "version": 1}

    response = patch_as_admin(world, INTEGRATION, {"tags": [{"term": old_digitalisation}]})

    assert response.status_code == 422
    assert locs(response) == [["body", "tags", 0, "term"]]
    assert "retired" in messages(response)


def test_a_retired_tag_the_measure_already_has_is_kept(world: ApiWorld) -> None:
    """Retired versions keep their tags: sending the measure's tags back unchanged works."""
    create_vocabulary_version(user=None, vocabulary=current_vocabulary("megatrends"))
    client = world.client("administrator")
    tags = client.get(HALLOBOT).json()["tags"]
    assert tags[0]["term"]["retired"] is True

    sent = [
        {"term": {k: tag["term"][k] for k in ("family", "code", "version")}, "note": tag["note"]}
        for tag in tags
    ]
    response = call(client, "patch", HALLOBOT, {"tags": sent})

    assert response.status_code == 200, response.content
    assert response.json()["tags"] == tags


@pytest.mark.parametrize(
    ("data", "loc"),
    [
        ({"coordinators": ["gibt-es-nicht"]}, ["body", "coordinators", 0]),
        ({"actors": [{"organisation": "gibt-es-nicht"}]}, ["body", "actors", 0, "organisation"]),
        ({"actors": [{"role": "ohne Namen"}]}, ["body", "actors", 0]),
        ({"target_groups": [{"term": {"family": "sdg", "code": "8"}}]}, ["body", "target_groups", 0, "term"]),
        ({"tags": [{"term": {"family": "sdg", "code": "99"}}]}, ["body", "tags", 0, "term"]),
        (
            {"activities": [{"title": "x", "start": "2021-02-01", "end": "2021-01-01"}]},
            ["body", "activities", 0, "end"],
        ),
        ({"results": [{"text": "x", "evidence_url": "kein link"}]}, ["body", "results", 0, "evidence_url"]),
        (
            {"results": [{"text": "x", "evidence_file": "../../settings.py"}]},
            ["body", "results", 0, "evidence_file"],
        ),
        ({"title": ""}, ["body", "title"]),
        ({"slug": "fairtrade-town"}, ["body", "slug"]),
    ],
)
def test_service_errors_name_the_field(world: ApiWorld, data: dict[str, Any], loc: list[Any]) -> None:
    response = patch_as_admin(world, HALLOBOT, data)

    assert response.status_code == 422, response.content
    assert loc in locs(response)
    assert all(error["type"] == "validation_error" for error in response.json()["detail"])


@pytest.mark.parametrize(
    ("data", "loc"),
    [
        ({"titel": "Tippfehler"}, ["body", "titel"]),
        ({"status": "fertig"}, ["body", "status"]),
        ({"start": "31.12.2021"}, ["body", "start"]),
        ({"title": "mit \x00 darin"}, ["body", "title"]),
        ({"tags": [{"term": {"code": "8"}}]}, ["body", "tags", 0, "term", "family"]),
        ({"tags": [{"term": {"family": "sdg", "code": "8"}, "share": 101}]}, ["body", "tags", 0, "share"]),
        ({"financing": [{"amount": "1"}]}, ["body", "financing", 0, "source"]),
        ({"expected_revision": 0}, ["body", "expected_revision"]),
    ],
)
def test_schema_errors_name_the_field(world: ApiWorld, data: dict[str, Any], loc: list[Any]) -> None:
    response = patch_as_admin(world, HALLOBOT, data)

    assert response.status_code == 422, response.content
    assert loc in locs(response)


def test_body_that_is_not_json_gives_400(world: ApiWorld) -> None:
    before = db_digest()

    response = world.client("administrator").patch(HALLOBOT, "{kaputt", content_type="application/json")

    assert response.status_code == 400
    assert response.json() == {"detail": "Cannot parse request body"}
    assert db_digest() == before


def test_body_that_is_not_an_object_gives_422(world: ApiWorld) -> None:
    response = patch_as_admin(world, HALLOBOT, ["title"])

    assert response.status_code == 422


def test_stale_revision_gives_409_and_changes_nothing(world: ApiWorld) -> None:
    client = world.client("partner")
    revision = client.get(HALLOBOT).json()["revision"]
    first = call(client, "patch", HALLOBOT, {"summary": "Erste Änderung.", "expected_revision": revision})
    assert first.status_code == 200
    assert first.json()["revision"] == revision + 1
    before = db_digest()

    second = call(client, "patch", HALLOBOT, {"summary": "Zweite Änderung.", "expected_revision": revision})

    assert second.status_code == 409
    assert "changed by someone else" in second.json()["detail"]
    assert db_digest() == before
    assert Measure.objects.get(slug="hallobot").summary == "Erste Änderung."


def test_organisation_in_use_cannot_be_deleted(world: ApiWorld) -> None:
    before = db_digest()

    response = world.client("administrator").delete(f"{API}/organisations/wirtschaftsfoerderung-bottrop")

    assert response.status_code == 409
    assert "still used" in response.json()["detail"]
    assert db_digest() == before


def test_slug_collision_of_a_new_lab(world: ApiWorld) -> None:
    before = db_digest()

    response = call(
        world.client("administrator"), "post", f"{API}/labs", {"name": "Neu", "slug": "fachkraeftesicherung"}
    )

    assert response.status_code == 422
    assert locs(response) == [["body", "slug"]]
    assert db_digest() == before


def test_term_in_use_cannot_be_deleted(world: ApiWorld) -> None:
    from reallabor.taxonomy.models import Term

    term = Term.objects.get(vocabulary__family="megatrends", code="digitalisierung")

    response = world.client("administrator").delete(f"{API}/terms/{term.pk}")

    assert response.status_code == 409
    assert Term.objects.filter(pk=term.pk).exists()


@pytest.mark.parametrize(
    "url",
    [
        f"{API}/measures?limit=0",
        f"{API}/measures?limit=201",
        f"{API}/measures?limit=viele",
        f"{API}/measures?offset=-1",
        f"{API}/measures?status=fertig",
        f"{API}/measures?published=vielleicht",
        f"{API}/measures?sdg=8%00",
        f"{API}/measures?q=" + "x" * 300,
        f"{API}/labs?phase=unbekannt",
        f"{API}/terms?version=0",
        f"{API}/terms?version=99999999999999999999",
        f"{API}/organisations?kind=verein",
    ],
)
def test_bad_query_parameters_give_422(world: ApiWorld, url: str) -> None:
    response = world.client("reader").get(url)

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][0] == "query"


@pytest.mark.parametrize(
    "url",
    [
        f"{API}/labs/gibt-es-nicht",
        f"{API}/labs/%00",
        f"{API}/labs/{'x' * 300}",
        f"{API}/labs/gibt-es-nicht/measures",
        f"{API}/labs/hybride-formen-des-handels/measures/gibt-es-nicht",
        f"{API}/organisations/gibt-es-nicht",
        f"{API}/vocabularies/gibt-es-nicht",
        f"{API}/vocabularies/sdg/versions/99",
        f"{API}/vocabularies/sdg/versions/99999999999999999999",
        f"{API}/terms/0",
        f"{API}/terms/99999999999999999999",
        f"{API}/gibt-es-nicht",
        f"{API}/labs/",
    ],
)
def test_unknown_objects_give_404_as_json(world: ApiWorld, url: str) -> None:
    response = world.client("reader").get(url)

    assert response.status_code in (404, 422)
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["detail"]


def test_unknown_filter_values_find_nothing(world: ApiWorld) -> None:
    client = world.client("reader")

    for params in ("sdg=99", "megatrend=gibt-es-nicht", "lab=gibt-es-nicht", "strategy=x", "q=%E2%80%BD"):
        response = client.get(f"{API}/measures?{params}")
        assert response.status_code == 200, params
        assert response.json() == {"count": 0, "items": []}


def test_oversize_body_gives_413(world: ApiWorld) -> None:
    before = db_digest()
    body = '{"summary": "' + "x" * (6 * 1024 * 1024) + '"}'

    response = world.client("administrator").patch(HALLOBOT, body, content_type="application/json")

    assert response.status_code == 413
    assert response.json() == {"detail": "The request is too large."}
    assert db_digest() == before
