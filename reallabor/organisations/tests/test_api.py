"""/api/v1/organisations: public profiles, internal fields by role, the shared criteria, writes."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import Portfolio
from reallabor.api.tests.conftest import API, api_client, call
from reallabor.labs.models import LabOrganisation
from reallabor.organisations import services
from reallabor.organisations.models import Organisation
from reallabor.organisations.tests.test_views import make_published, term
from reallabor.taxonomy.models import Tag

pytestmark = pytest.mark.django_db

INTERNAL_FIELDS = (
    "headcount_band",
    "founding_year",
    "street",
    "postcode",
    "city",
    "quarter",
    "email",
    "phone",
    "alliance_status",
    "alliance_since",
    "last_contact_at",
)


def client(portfolio: Portfolio, role: str) -> Any:
    return api_client(portfolio.users[role])


def digest() -> list[Any]:
    return list(Organisation.objects.order_by("pk").values())


def items(response: Any) -> dict[str, dict[str, Any]]:
    assert response.status_code == 200, response.content
    return {item["slug"]: item for item in response.json()["items"]}


@pytest.mark.parametrize("role", ["anonymous", "outsider"])
def test_the_public_reads_published_profiles_only(portfolio: Portfolio, role: str) -> None:
    published = make_published()
    response = client(portfolio, role).get(f"{API}/organisations")
    assert response.json()["count"] == 1
    item = items(response)[published.slug]
    assert item["internal"] is False
    assert all(item[field] is None for field in INTERNAL_FIELDS)
    assert {key: item[key] for key in ("name", "kind", "district", "website", "profile_text")} == {
        "name": "Sanitär Sonnenschein GmbH (fiktiv)",
        "kind": "company",
        "district": "Eigen",
        "website": "https://sonnenschein.example",
        "profile_text": "Wir bauen **Bäder** für Bottrop.",
    }
    assert item["sector"] == {"code": "43", "name": "Specialised construction activities", "parent": "f"}
    assert item["trade"] == {"code": "a-24", "name": "Plumber and heating installer", "parent": "a"}
    detail = client(portfolio, role).get(f"{API}/organisations/{published.slug}")
    assert detail.json() == item
    assert client(portfolio, role).get(f"{API}/organisations/handwerkskammer-muenster").status_code == 404


def test_readers_see_every_field(portfolio: Portfolio) -> None:
    published = make_published()
    item = client(portfolio, "reader").get(f"{API}/organisations/{published.slug}").json()
    assert item["internal"] is True
    assert {field: item[field] for field in INTERNAL_FIELDS} == {
        "headcount_band": "10-19",
        "founding_year": 1987,
        "street": "Geheimweg 7",
        "postcode": "46242",
        "city": "Bottrop",
        "quarter": "Batenbrock",
        "email": "geheim@sonnenschein.example",
        "phone": "02041 998877",
        "alliance_status": "member",
        "alliance_since": "2018-03-01",
        "last_contact_at": None,
    }


def test_a_partner_sees_internal_fields_of_their_labs_organisations_only(portfolio: Portfolio) -> None:
    elsewhere = make_published(name="Anderswo")
    mine = make_published(name="Im Handel", profile_published=False)
    LabOrganisation.objects.create(lab=portfolio.handel, organisation=mine)
    found = items(client(portfolio, "partner").get(f"{API}/organisations?limit=200"))
    assert "handwerkskammer-muenster" not in found
    assert (found[elsewhere.slug]["internal"], found[elsewhere.slug]["email"]) == (False, None)
    assert (found[mine.slug]["internal"], found[mine.slug]["email"]) == (True, "geheim@sonnenschein.example")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("kinds=science", {"hochschule-ruhr-west", "fablab-hrw", "institut-arbeit-und-technik"}),
        ("kinds=politics,administration", {"rat-der-stadt-bottrop", "wirtschaftsfoerderung-bottrop"}),
        ("kinds=politics&kinds=administration", {"rat-der-stadt-bottrop", "wirtschaftsfoerderung-bottrop"}),
        ("kind=politics", {"rat-der-stadt-bottrop"}),  # the older single parameter
        ("district=kirchhellen", {"elektro-brinkmann"}),
        ("districts=Kirchhellen", {"elektro-brinkmann"}),
        ("sectors=f", {"sanitaer-sonnenschein-gmbh-fiktiv"}),
        ("trades=a-24", {"sanitaer-sonnenschein-gmbh-fiktiv"}),
        ("needs=skilled-workers", {"sanitaer-sonnenschein-gmbh-fiktiv"}),
        ("alliance=member", {"sanitaer-sonnenschein-gmbh-fiktiv"}),
        ("labs=hybride-formen-des-handels&kinds=politics", set()),
        ("labs=digitale-koproduktion-im-handwerk&q=handwerk", {"handwerkskammer-muenster", "kreishandwerkerschaft-emscher-lippe-west"}),
        ("q=Handwerkskammer", {"handwerkskammer-muenster"}),
    ],
)  # fmt: skip
def test_filters_are_the_shared_criteria(portfolio: Portfolio, query: str, expected: set[str]) -> None:
    organisation = make_published()
    Tag.objects.create(content_object=organisation, term=term("needs", "skilled-workers"), priority="primary")
    found = items(client(portfolio, "reader").get(f"{API}/organisations?limit=200&{query}"))
    assert set(found) == expected


@pytest.mark.parametrize(
    ("query", "loc", "message"),
    [
        ("kinds=verein", "kinds", "Unknown value(s): verein."),
        ("sectors=zz", "sectors", "Unknown code(s): zz."),
        ("needs=geld", "needs", "Unknown code(s): geld."),
        ("labs=nirgends", "labs", "Unknown lab(s): nirgends."),
        ("kind=verein", "kind", ""),
        ("contacted_within_days=bald", "contacted_within_days", ""),
        ("sectors=4%00", "sectors", ""),
    ],
)
def test_bad_filters_give_422_naming_the_parameter(
    portfolio: Portfolio, query: str, loc: str, message: str
) -> None:
    response = client(portfolio, "reader").get(f"{API}/organisations?{query}")
    assert response.status_code == 422
    error = response.json()["detail"][0]
    assert error["loc"][0] == "query" and loc in error["loc"]
    assert error["msg"].startswith(message)


def test_create_with_every_field_and_publish_by_patch(portfolio: Portfolio) -> None:
    coordinator = client(portfolio, "coordinator")
    created = call(
        coordinator,
        "post",
        f"{API}/organisations",
        {
            "name": "Dachdeckerei Ziegel (fiktiv)",
            "kind": "company",
            "sector": "43",
            "trade": "a-04",
            "headcount_band": "5-9",
            "founding_year": 1995,
            "postcode": "46244",
            "district": "Kirchhellen",
            "email": "info@ziegel.example",
            "phone": "02045 4711",
            "website": "www.ziegel.example",
            "alliance_status": "former",
            "alliance_since": "2015-01-01",
            "profile_text": "Dächer.",
        },
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["sector"]["code"], body["trade"]["code"], body["website"], body["internal"]) == (
        "43",
        "a-04",
        "https://www.ziegel.example",
        True,
    )
    slug = body["slug"]
    assert api_client().get(f"{API}/organisations/{slug}").status_code == 404
    published = call(coordinator, "patch", f"{API}/organisations/{slug}", {"profile_published": True})
    assert (published.status_code, published.json()["profile_published"], published.json()["revision"]) == (
        200,
        True,
        2,
    )
    cache.clear()
    assert api_client().get(f"{API}/organisations/{slug}").json()["email"] is None
    cleared = call(coordinator, "patch", f"{API}/organisations/{slug}", {"sector": None, "trade": ""})
    assert (cleared.json()["sector"], cleared.json()["trade"]) == (None, None)


@pytest.mark.parametrize(
    ("payload", "fields"),
    [
        ({"sector": "f"}, ["sector"]),
        ({"trade": "43"}, ["trade"]),
        ({"kind": "science", "sub_kind": "school"}, ["sub_kind"]),
        ({"kind": "science", "trade": "a-24"}, ["trade"]),
        ({"founding_year": 900}, ["founding_year"]),
        ({"postcode": "4624"}, ["postcode"]),
        ({"email": "nein"}, ["email"]),
        ({"alliance_since": "2020-01-01"}, ["alliance_since"]),
        ({"sub_kind": "kiosk"}, ["sub_kind"]),
        ({"founding_year": "früh"}, ["founding_year"]),
        ({"profile_text": "x" * 20_001}, ["profile_text"]),
        ({"unbekannt": 1}, ["unbekannt"]),
    ],
)
def test_bad_input_gives_422_naming_the_field_and_writes_nothing(
    portfolio: Portfolio, payload: dict[str, Any], fields: list[str]
) -> None:
    before = digest()
    response = call(
        client(portfolio, "coordinator"),
        "post",
        f"{API}/organisations",
        {"name": "Fehler", "kind": "company", **payload},
    )
    assert response.status_code == 422, response.content
    assert [error["loc"][1] for error in response.json()["detail"]] == fields
    assert all(error["loc"][0] == "body" for error in response.json()["detail"])
    patch = call(
        client(portfolio, "coordinator"), "patch", f"{API}/organisations/handwerkskammer-muenster", payload
    )
    assert patch.status_code == 422
    assert digest() == before


def test_a_partner_may_not_publish(portfolio: Portfolio) -> None:
    before = digest()
    response = call(
        client(portfolio, "partner"),
        "post",
        f"{API}/organisations",
        {"name": "Öffentlich", "kind": "company", "profile_published": True},
    )
    assert response.status_code == 403
    assert response.json()["detail"] == "You may not publish the profiles of organisations."
    assert digest() == before


@pytest.mark.parametrize("role", ["anonymous", "partner", "reader"])
def test_the_list_costs_the_same_queries_for_3_and_33_organisations(portfolio: Portfolio, role: str) -> None:
    api = client(portfolio, role)
    url = f"{API}/organisations?limit=200&sectors=f&q=Betrieb"

    def add(start: int, count: int) -> None:
        for number in range(start, start + count):
            organisation = make_published(name=f"Betrieb {number:02}", profile_published=bool(number % 2))
            if number % 3:
                LabOrganisation.objects.create(lab=portfolio.handel, organisation=organisation)

    add(0, 3)
    api.get(url)
    cache.clear()
    with CaptureQueriesContext(connection) as small:
        assert api.get(url).status_code == 200
    add(3, 30)
    cache.clear()
    with CaptureQueriesContext(connection) as large:
        response = api.get(url)
    assert len(response.json()["items"]) >= 15
    assert len(large.captured_queries) == len(small.captured_queries)


def test_written_organisations_keep_their_keys(portfolio: Portfolio) -> None:
    response = call(
        client(portfolio, "administrator"),
        "post",
        f"{API}/organisations",
        {"name": "Müller Bau GmbH & Co. KG", "kind": "company", "website": "https://www.mueller-bau.de/"},
    )
    organisation = Organisation.objects.get(slug=response.json()["slug"])
    assert (organisation.name_key, organisation.web_domain) == ("muellerbau", "mueller-bau.de")
    assert services.organisation_state(organisation)["website"] == "https://www.mueller-bau.de/"
