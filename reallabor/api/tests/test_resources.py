"""What the endpoints return and accept: lists, filters, pagination, details, writes, query counts."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reallabor.api.tests.conftest import API, ApiWorld, api_client, call
from reallabor.core.testing.factories import OrganisationFactory, make_lab, make_measure
from reallabor.labs.models import Lab, Measure
from reallabor.labs.services import measure_state
from reallabor.taxonomy.models import Term

HALLOBOT = f"{API}/labs/hybride-formen-des-handels/measures/hallobot"


def slugs(response: Any) -> set[str]:
    return {item["slug"] for item in response.json()["items"]}


# Filters --------------------------------------------------------------------------------------------


def test_sdg_8_finds_the_two_demo_measures(world: ApiWorld) -> None:
    response = api_client().get(f"{API}/measures?sdg=8")

    assert response.status_code == 200
    assert slugs(response) == {"kooperation-digitalisierung-handwerk", "integration-gefluechteter"}
    assert response.json()["count"] == 2


def test_megatrend_digitalisierung_finds_two(world: ApiWorld) -> None:
    response = api_client().get(f"{API}/measures?megatrend=digitalisierung")

    assert slugs(response) == {"hallobot", "kooperation-digitalisierung-handwerk"}


def test_a_target_tag_implies_its_goal(world: ApiWorld) -> None:
    client = world.client("administrator")
    tags = [{"term": {"family": "sdg", "code": "8.5"}, "priority": "primary"}]
    assert call(client, "patch", HALLOBOT, {"tags": tags}).status_code == 200

    assert "hallobot" in slugs(client.get(f"{API}/measures?sdg=8"))
    assert slugs(client.get(f"{API}/measures?sdg=8.5")) == {"hallobot"}
    assert "hallobot" not in slugs(client.get(f"{API}/measures?sdg=8.6"))


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ("lab=hybride-formen-des-handels", {"fairtrade-town", "hallobot"}),
        ("sdg=11&megatrend=faires-handeln", {"fairtrade-town"}),
        ("status=running&lab=fachkraeftesicherung", {"integration-gefluechteter"}),
        ("status=planned", {"entwurf", "geheim"}),
        ("published=false", {"entwurf", "geheim"}),
        ("q=Fairtrade", {"fairtrade-town"}),
        ("q=Handwerk", {"kooperation-digitalisierung-handwerk", "entwurf"}),
    ],
)
def test_measure_filters(world: ApiWorld, params: str, expected: set[str]) -> None:
    response = world.client("reader").get(f"{API}/measures?{params}")

    assert response.status_code == 200
    assert slugs(response) == expected


def test_strategy_filter(world: ApiWorld) -> None:
    client = world.client("administrator")
    tags = [{"term": {"family": "strategy", "code": "resilient"}}]
    call(client, "patch", HALLOBOT, {"tags": tags})

    assert slugs(client.get(f"{API}/measures?strategy=resilient")) == {"hallobot"}


def test_lab_measures_are_in_their_order_and_filterable(world: ApiWorld) -> None:
    client = world.client("reader")

    response = client.get(f"{API}/labs/digitale-koproduktion-im-handwerk/measures")
    filtered = client.get(f"{API}/labs/digitale-koproduktion-im-handwerk/measures?published=true")

    assert [item["slug"] for item in response.json()["items"]] == [
        "kooperation-digitalisierung-handwerk",
        "entwurf",
    ]
    assert slugs(filtered) == {"kooperation-digitalisierung-handwerk"}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        (
            "",
            {
                "hybride-formen-des-handels",
                "digitale-koproduktion-im-handwerk",
                "fachkraeftesicherung",
                "entwurfslabor",
            },
        ),
        ("published=false", {"entwurfslabor"}),
        ("published=true&q=Handel", {"hybride-formen-des-handels"}),
        ("phase=co_design", {"entwurfslabor"}),
    ],
)
def test_lab_filters(world: ApiWorld, params: str, expected: set[str]) -> None:
    response = world.client("reader").get(f"{API}/labs?{params}")

    assert slugs(response) == expected


def test_organisation_filters(world: ApiWorld) -> None:
    client = world.client("reader")

    assert slugs(client.get(f"{API}/organisations?kind=science")) == {
        "hochschule-ruhr-west",
        "fablab-hrw",
        "institut-arbeit-und-technik",
    }
    assert slugs(client.get(f"{API}/organisations?district=kirchhellen")) == {"elektro-brinkmann"}
    assert slugs(client.get(f"{API}/organisations?q=Handwerkskammer")) == {"handwerkskammer-muenster"}


def test_terms_filtered_by_family_and_parent(world: ApiWorld) -> None:
    response = api_client().get(f"{API}/terms?family=sdg&parent=8&limit=200")

    codes = [item["code"] for item in response.json()["items"]]
    assert codes[:2] == ["8.1", "8.2"]
    assert len(codes) == 12
    assert all(item["parent"]["code"] == "8" for item in response.json()["items"])


def test_terms_top_level_and_versions(world: ApiWorld) -> None:
    from reallabor.taxonomy.services import create_vocabulary_version, current_vocabulary

    client = api_client(language="de")
    goals = client.get(f"{API}/terms?family=sdg&top_level=true&limit=200").json()
    assert goals["count"] == 17
    assert goals["items"][7]["display"] == "SDG 8 »Menschenwürdige Arbeit und Wirtschaftswachstum«"

    create_vocabulary_version(user=None, vocabulary=current_vocabulary("megatrends"))
    current = client.get(f"{API}/terms?family=megatrends").json()["items"]
    retired = client.get(f"{API}/terms?family=megatrends&version=1").json()["items"]
    assert {item["version"] for item in current} == {2}
    assert {(item["version"], item["retired"]) for item in retired} == {(1, True)}
    assert {item["code"] for item in current} == {item["code"] for item in retired}


def test_vocabularies(world: ApiWorld) -> None:
    client = api_client()

    listed = client.get(f"{API}/vocabularies?current=true").json()
    sdg = client.get(f"{API}/vocabularies/sdg").json()

    assert {item["family"] for item in listed["items"]} == {
        "sdg",
        "megatrends",
        "strategy",
        "target-groups",
        "needs",
        "motivations",
        "wz2008",
        "trades",
        "funding-areas",
    }
    assert sdg["is_editable"] is False
    assert sdg["term_count"] == 17 + 169
    assert len(sdg["terms"]) == 17 + 169


# Pagination -----------------------------------------------------------------------------------------


def test_pagination(world: ApiWorld) -> None:
    client = world.client("reader")
    everything = client.get(f"{API}/measures").json()

    first = client.get(f"{API}/measures?limit=2").json()
    second = client.get(f"{API}/measures?limit=2&offset=2").json()
    beyond = client.get(f"{API}/measures?limit=2&offset=100").json()

    assert everything["count"] == 6
    assert first["count"] == second["count"] == beyond["count"] == 6
    assert [m["slug"] for m in first["items"] + second["items"]] == [
        m["slug"] for m in everything["items"][:4]
    ]
    assert beyond["items"] == []


def test_default_page_size_is_50_and_200_is_the_most(world: ApiWorld) -> None:
    client = world.client("reader")

    default = client.get(f"{API}/terms?family=sdg").json()
    largest = client.get(f"{API}/terms?family=sdg&limit=200").json()

    assert (default["count"], len(default["items"])) == (186, 50)
    assert len(largest["items"]) == 186
    assert client.get(f"{API}/terms?limit=201").status_code == 422


# Details --------------------------------------------------------------------------------------------


def test_measure_detail_has_the_full_profile(world: ApiWorld) -> None:
    url = f"{API}/labs/digitale-koproduktion-im-handwerk/measures/kooperation-digitalisierung-handwerk"
    data = api_client(language="de").get(url).json()

    assert data["lab"] == {
        "slug": "digitale-koproduktion-im-handwerk",
        "name": "Digitale Koproduktion im Handwerk",
    }
    assert data["revision"] == 1
    assert (
        data["url"]
        == "/labore/digitale-koproduktion-im-handwerk/massnahmen/kooperation-digitalisierung-handwerk/"
    )
    assert [org["slug"] for org in data["coordinators"]] == [
        "agentur-fuer-arbeit",
        "handwerkskammer-muenster",
        "kreishandwerkerschaft-emscher-lippe-west",
        "wirtschaftsfoerderung-bottrop",
        "wirtschaftsallianz-bottrop",
    ]
    assert data["activities"][2]["title"] == "Bottroper Handwerksfrühstück"
    assert data["activities"][2]["start"] == "2025-02-18"
    assert data["financing"] == [
        {"source_kind": "programme", "source": "Bottrop 2018+", "amount": None, "start": None, "end": None}
    ]
    assert data["actors"][0] == {
        "organisation": {
            "slug": "wirtschaftsfoerderung-bottrop",
            "name": "Stadt Bottrop – Amt für Wirtschaftsförderung und Standortmanagement",
        },
        "group_name": "",
        "role": "Koordination",
        "name": "Stadt Bottrop – Amt für Wirtschaftsförderung und Standortmanagement",
    }
    assert data["target_groups"][0]["term"]["code"] == "handwerksbetriebe"
    assert data["results"][0] == {
        "date": "2021-07-01",
        "text": "Die effektiven Maßnahmen starteten in der zweiten Hälfte 2021.",
        "evidence_url": "",
        "evidence_file": None,
        "evidence_file_url": None,
    }
    sdg = data["tags"][1]
    assert sdg["display"] == "SDG 8 »Menschenwürdige Arbeit und Wirtschaftswachstum«"
    assert sdg["term"]["family"] == "sdg"
    assert sdg["term"]["code"] == "8"
    assert sdg["term"]["version"] == 1
    assert isinstance(sdg["term"]["id"], int)
    assert (sdg["priority"], sdg["share"], sdg["weight"]) == ("primary", None, 1.0)


def test_tag_note_and_amount_as_decimal_string(world: ApiWorld) -> None:
    data = api_client(language="de").get(HALLOBOT).json()

    assert data["tags"][0]["display"] == "MT »Digitalisierung« (durch die Covid-19-Pandemie gestärkt)"
    assert data["tags"][0]["note"] == "durch die Covid-19-Pandemie gestärkt"
    assert data["financing"][1]["amount"] == "15000.00"
    assert data["target_groups"][0]["added_value"] == ""


def test_lab_detail_shows_visible_measures_and_the_union_of_their_tags(world: ApiWorld) -> None:
    public = api_client(language="de").get(f"{API}/labs/digitale-koproduktion-im-handwerk").json()
    coordinator = world.client("coordinator").get(f"{API}/labs/digitale-koproduktion-im-handwerk").json()

    assert [m["slug"] for m in public["measures"]] == ["kooperation-digitalisierung-handwerk"]
    assert [m["slug"] for m in coordinator["measures"]] == ["kooperation-digitalisierung-handwerk", "entwurf"]
    assert [tag["display"] for tag in public["tags"]] == [
        "MT »Digitalisierung«",
        "SDG 8 »Menschenwürdige Arbeit und Wirtschaftswachstum«",
    ]
    assert {row["organisation"]["slug"] for row in public["organisations"]} >= {"handwerkskammer-muenster"}
    assert public["coordinator"]["slug"] == "wirtschaftsfoerderung-bottrop"


# Writes ---------------------------------------------------------------------------------------------

FULL_MEASURE = {
    "title": "Digitale Sprechstunde",
    "slug": "digitale-sprechstunde",
    "summary": "Beratung per Video.",
    "status": "running",
    "start": "2024-01-01",
    "end": "2024-12-31",
    "coordinators": ["handwerkskammer-muenster"],
    "activities": [{"title": "Sprechstunde", "start": "2024-03-01", "text": "Jeden **Mittwoch**."}],
    "financing": [
        {"source_kind": "funder", "source": "Sparkasse (fiktiv)", "amount": "2500.50", "start": "2024-01-01"}
    ],
    "actors": [
        {"organisation": "elektro-brinkmann", "role": "Gastgeber"},
        {"group_name": "Handwerksbetriebe"},
    ],
    "target_groups": [
        {"term": {"family": "target-groups", "code": "handwerksbetriebe"}, "added_value": "Schneller Rat."}
    ],
    "results": [
        {"date": "2024-06-30", "text": "40 Beratungen.", "evidence_url": "https://example.org/bericht"}
    ],
    "tags": [
        {"term": {"family": "megatrends", "code": "digitalisierung"}, "share": 60, "note": "Kern"},
        {"term": {"family": "sdg", "code": "8.3"}, "priority": "secondary"},
    ],
}


def test_create_measure_with_its_full_profile(world: ApiWorld) -> None:
    client = world.client("coordinator")

    response = call(client, "post", f"{API}/labs/digitale-koproduktion-im-handwerk/measures", FULL_MEASURE)

    assert response.status_code == 201, response.content
    data = response.json()
    assert data["slug"] == "digitale-sprechstunde"
    assert data["is_published"] is False
    assert data["revision"] == 1
    state = measure_state(
        Measure.objects.get(lab__slug="digitale-koproduktion-im-handwerk", slug="digitale-sprechstunde")
    )
    assert state["coordinators"] == ["handwerkskammer-muenster"]
    assert state["financing"] == [
        {
            "source_kind": "funder",
            "source": "Sparkasse (fiktiv)",
            "amount": "2500.50",
            "start": "2024-01-01",
            "end": None,
        }
    ]
    assert state["actors"] == [
        {"organisation": "elektro-brinkmann", "group_name": "", "role": "Gastgeber"},
        {"organisation": None, "group_name": "Handwerksbetriebe", "role": ""},
    ]
    assert state["tags"] == [
        {
            "family": "megatrends",
            "version": 1,
            "code": "digitalisierung",
            "priority": "",
            "share": 60,
            "note": "Kern",
        },
        {"family": "sdg", "version": 1, "code": "8.3", "priority": "secondary", "share": None, "note": ""},
    ]
    assert data["tags"][1]["display"].startswith("SDG 8.3 »")
    assert data["target_groups"][0]["added_value"] == "Schneller Rat."
    assert data["results"][0]["evidence_url"] == "https://example.org/bericht"
    # The same structure comes back from the detail endpoint.
    assert (
        client.get(f"{API}/labs/digitale-koproduktion-im-handwerk/measures/digitale-sprechstunde").json()
        == data
    )


def test_patch_replaces_sections_sent_and_keeps_the_others(world: ApiWorld) -> None:
    client = world.client("partner")
    before = client.get(HALLOBOT).json()

    response = call(client, "patch", HALLOBOT, {"activities": [{"title": "Nur noch eine"}]})

    after = response.json()
    assert response.status_code == 200
    assert [a["title"] for a in after["activities"]] == ["Nur noch eine"]
    for section in ("financing", "actors", "target_groups", "results", "tags", "coordinators", "title"):
        assert after[section] == before[section], section
    assert after["revision"] == before["revision"] + 1


def test_patch_keeps_a_stored_evidence_file(world: ApiWorld) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from reallabor.labs.services import update_measure

    measure = Measure.objects.get(slug="hallobot")
    upload = SimpleUploadedFile("bericht.pdf", b"%PDF-1.4 demo", content_type="application/pdf")
    update_measure(
        user=None, measure=measure, data={"results": [{"text": "Bericht", "evidence_file": upload}]}
    )
    client = world.client("partner")
    result = client.get(HALLOBOT).json()["results"][0]
    assert result["evidence_file"].endswith(".pdf")
    assert result["evidence_file_url"].endswith(
        "/nachweise/" + result["evidence_file_url"].split("/")[-2] + "/"
    )

    response = call(
        client,
        "patch",
        HALLOBOT,
        {"results": [{"text": "Bericht, ergänzt", "evidence_file": result["evidence_file"]}]},
    )

    assert response.status_code == 200, response.content
    assert response.json()["results"][0]["evidence_file"] == result["evidence_file"]


def test_create_update_delete_lab(world: ApiWorld) -> None:
    client = world.client("administrator")

    created = call(
        client,
        "post",
        f"{API}/labs",
        {"name": "Zirkuläre Wirtschaft", "coordinator": "wirtschaftsfoerderung-bottrop"},
    )
    assert created.status_code == 201, created.content
    assert created.json()["slug"] == "zirkulaere-wirtschaft"
    assert created.json()["is_published"] is False

    updated = call(
        client,
        "patch",
        f"{API}/labs/zirkulaere-wirtschaft",
        {"phase": "co_production", "funding_start": "2025-01-01", "is_published": True},
    )
    assert updated.status_code == 200
    assert (updated.json()["phase"], updated.json()["funding_start"], updated.json()["is_published"]) == (
        "co_production",
        "2025-01-01",
        True,
    )
    assert api_client().get(f"{API}/labs/zirkulaere-wirtschaft").status_code == 200

    assert client.delete(f"{API}/labs/zirkulaere-wirtschaft").status_code == 204
    assert not Lab.objects.filter(slug="zirkulaere-wirtschaft").exists()


def test_create_and_update_organisation(world: ApiWorld) -> None:
    client = world.client("coordinator")

    created = call(
        client,
        "post",
        f"{API}/organisations",
        {"name": "Tischlerei Hoffmann (fiktiv)", "kind": "company", "district": "Eigen"},
    )
    assert created.status_code == 201, created.content
    assert created.json()["slug"] == "tischlerei-hoffmann-fiktiv"
    updated = call(
        client,
        "patch",
        f"{API}/organisations/tischlerei-hoffmann-fiktiv",
        {"website": "https://example.org/", "expected_revision": 1},
    )
    assert updated.status_code == 200
    assert (updated.json()["website"], updated.json()["revision"]) == ("https://example.org/", 2)


def test_taxonomy_writes(world: ApiWorld) -> None:
    client = world.client("administrator")

    vocabulary = call(
        client,
        "post",
        f"{API}/vocabularies",
        {"family": "themen", "kind": "other", "name": "Themen", "abbreviation": "TH"},
    )
    assert vocabulary.status_code == 201, vocabulary.content
    term = call(client, "post", f"{API}/terms", {"family": "themen", "name": "Kreislaufwirtschaft"})
    assert term.status_code == 201, term.content
    assert (term.json()["code"], term.json()["display"]) == (
        "kreislaufwirtschaft",
        "TH »Kreislaufwirtschaft«",
    )
    renamed = call(client, "patch", f"{API}/terms/{term.json()['id']}", {"name_en": "Circular economy"})
    assert renamed.json()["name_en"] == "Circular economy"
    new_version = call(client, "post", f"{API}/vocabularies/themen/versions")
    assert (new_version.json()["version"], new_version.json()["term_count"]) == (2, 1)
    assert client.get(f"{API}/vocabularies/themen/versions/1").json()["is_current"] is False
    # A retired version's terms cannot change any more.
    assert call(client, "patch", f"{API}/terms/{term.json()['id']}", {"name": "Anders"}).status_code == 409


def test_local_wording_of_an_sdg(world: ApiWorld) -> None:
    term = Term.objects.get(vocabulary__family="sdg", code="8")

    client = world.client("administrator", language="de")
    response = call(client, "patch", f"{API}/terms/{term.pk}", {"local_name": "Gute Arbeit"})

    assert response.status_code == 200
    assert response.json()["display"] == "SDG 8 »Gute Arbeit«"


# Query counts ---------------------------------------------------------------------------------------


def _fill(lab: Lab, count: int) -> None:
    organisation = OrganisationFactory()
    for number in range(count):
        make_measure(
            lab,
            title=f"Maßnahme {number}",
            coordinators=[organisation.slug],
            tags=[
                {"term": {"family": "sdg", "code": "8.5"}},
                {"term": {"family": "megatrends", "code": "digitalisierung"}},
            ],
        )


LIST_URLS = [
    f"{API}/measures?limit=200",
    f"{API}/labs/mengenlabor/measures?limit=200",
    f"{API}/labs?limit=200",
    f"{API}/organisations?limit=200",
    f"{API}/terms?limit=200",
    f"{API}/vocabularies?limit=200",
    f"{API}/labs/mengenlabor",
]


GROWING_LISTS = LIST_URLS[:4]
QUERY_COUNT_ROLES = ("anonymous", "partner", "administrator")


def test_query_count_does_not_grow_with_the_data(
    world: ApiWorld, subtests: pytest.Subtests, django_assert_num_queries: Any
) -> None:
    """Every list (and the lab detail) costs as many queries for 30 items as for 3 (one subtest each)."""
    lab = make_lab(name="Mengenlabor", slug="mengenlabor")
    _fill(lab, 3)
    clients = {role: world.client(role) for role in QUERY_COUNT_ROLES}
    small: dict[tuple[str, str], int] = {}
    for role, client in clients.items():
        for url in LIST_URLS:
            client.get(url)  # warm up: session, content types
            cache.clear()  # count the uncached response (reallabor/api/cache.py)
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            small[role, url] = len(queries.captured_queries)

    _fill(lab, 27)
    for number in range(27):
        make_lab(name=f"Weiteres Labor {number}")
        OrganisationFactory()

    for role, client in clients.items():
        for url in LIST_URLS:
            cache.clear()
            with subtests.test(role=role, url=url), django_assert_num_queries(small[role, url]):
                response = client.get(url)
                assert response.status_code == 200
                if url in GROWING_LISTS and not (role in ("anonymous", "partner") and "organisations" in url):
                    assert len(response.json()["items"]) >= 30, "the list did not grow"
