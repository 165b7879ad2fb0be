"""The network page and API: what each role sees, the filters, bad input, constant query counts."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from conftest import Portfolio
from reallabor.actors.models import Interaction, Relationship, StakeholderPosition
from reallabor.actors.network import NetworkFilter
from reallabor.actors.network_data import load_network, network_for
from reallabor.api.tests.conftest import api_client
from reallabor.core.testing.actors import Crm, affiliate, make_person
from reallabor.core.testing.factories import make_lab, make_measure
from reallabor.labs.models import Actor, LabOrganisation, Measure
from reallabor.organisations.models import Organisation

pytestmark = pytest.mark.django_db

URL = "/netzwerk/"
API_URL = "/api/v1/network"


def page(portfolio: Portfolio, role: str, query: str = "", **headers: Any) -> Any:
    response = portfolio.client(role).get(f"{URL}{query}", headers={"accept-language": "en", **headers})
    assert response.status_code == 200, response.content[:500]
    return response


def api(portfolio: Portfolio, role: str, query: str = "") -> Any:
    return api_client(portfolio.users[role]).get(f"{API_URL}{query}")


def node_ids(data: dict[str, Any]) -> set[str]:
    return {node["id"] for node in data["nodes"]}


def test_the_url() -> None:
    assert reverse("actors:network") == URL


# --- who sees what ------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["coordinator", "administrator"])
def test_the_office_sees_people(portfolio: Portfolio, crm: Crm, role: str) -> None:
    content = page(portfolio, role).content.decode()
    assert 'data-label="Anna Schreiner"' in content
    assert f'href="{crm.anna.get_absolute_url()}"' in content
    assert f'href="{crm.tischlerei.get_absolute_url()}"' in content
    assert f'href="{portfolio.handwerk.get_absolute_url()}"' in content
    hallobot = Measure.objects.get(slug="hallobot")
    assert f'href="{hallobot.get_absolute_url()}"' in content
    # Clara has no organisation: a gap.
    assert re.search(r'id="gap-people">People without an organisation \(1\)</h3>', content)
    assert "Clara Einzeln" in content
    data = api(portfolio, role).json()
    assert f"person:{crm.anna.uuid}" in node_ids(data)
    assert data["gaps"]["people_without_organisation"]["items"] == [
        {
            "id": f"person:{crm.clara.uuid}",
            "type": "person",
            "label": "Clara Einzeln",
            "url": crm.clara.get_absolute_url(),
        }
    ]
    edges = {(edge["source"], edge["target"], edge["type"]) for edge in data["edges"]}
    assert (f"person:{crm.anna.uuid}", "organisation:tischlerei-beispiel", "affiliation") in edges
    # The interaction about the crafts lab links the joinery to it.
    assert ("organisation:tischlerei-beispiel", f"lab:{portfolio.handwerk.slug}", "interaction") in edges


def _private_links(crm: Crm, portfolio: Portfolio) -> None:
    """Links only the office may see: between people, stakeholder positions."""
    Relationship.objects.create(kind=Relationship.Kind.KNOWS, source_person=crm.anna, target_person=crm.clara)
    StakeholderPosition.objects.create(lab=portfolio.handel, person=crm.clara, interest=4, influence=2)
    StakeholderPosition.objects.create(
        lab=portfolio.handel, organisation=crm.tischlerei, interest=3, influence=3
    )


def test_readers_see_organisations_labs_and_measures_but_no_people(portfolio: Portfolio, crm: Crm) -> None:
    _private_links(crm, portfolio)
    content = page(portfolio, "reader").content.decode()
    for private in ("Anna", "Schreiner", "Bernd", "Clara", "Einzeln", "Besuch in der Werkstatt"):
        assert private not in content
    assert 'data-label="Tischlerei Beispiel GmbH"' in content  # readers see every organisation
    assert 'id="gap-people"' not in content
    assert 'value="person"' not in content  # no “people” among the types to show
    data = api(portfolio, "reader").json()
    assert {node["type"] for node in data["nodes"]} == {"organisation", "lab", "measure"}
    assert {edge["type"] for edge in data["edges"]} <= {
        "relationship",
        "lab_role",
        "lab_coordination",
        "lab_measure",
        "measure_actor",
        "measure_coordination",
    }
    assert data["gaps"]["people_without_organisation"] is None
    # Asking for people changes nothing.
    assert {node["type"] for node in api(portfolio, "reader", "?types=person").json()["nodes"]} == set()


def test_partners_see_the_organisations_of_their_labs(portfolio: Portfolio, crm: Crm) -> None:
    draft = make_lab(name="Geheimlabor", slug="geheimlabor", is_published=False)
    make_measure(draft, title="Geheime Maßnahme", slug="geheim", is_published=False)
    LabOrganisation.objects.create(lab=draft, organisation=crm.tischlerei)
    partner = page(portfolio, "partner").content.decode()
    assert "Tischlerei" not in partner  # takes part in the crafts lab only, no public profile
    assert "Geheimlabor" not in partner and "Geheime Maßnahme" not in partner
    assert 'data-label="Hybride Formen des Handels"' in partner
    assert 'data-label="Buchhandlung Seitenweise (fiktiv)"' in partner  # an organisation of the partner's lab
    partner_data = api(portfolio, "partner").json()
    visible = {
        f"organisation:{slug}"
        for slug in Organisation.objects.visible_to(portfolio.users["partner"]).values_list("slug", flat=True)
    }
    assert {node["id"] for node in partner_data["nodes"] if node["type"] == "organisation"} == visible
    assert "lab:geheimlabor" not in node_ids(partner_data)
    reader = api(portfolio, "reader").json()
    assert {"lab:geheimlabor", "measure:geheimlabor/geheim", "organisation:tischlerei-beispiel"} <= node_ids(
        reader
    )
    # The crafts lab's coordinator does not see the draft lab of another.
    assert "lab:geheimlabor" not in node_ids(api(portfolio, "coordinator").json())


@pytest.mark.parametrize(("role", "status"), [("anonymous", 302), ("outsider", 403)])
def test_others_may_not_see_the_network(portfolio: Portfolio, crm: Crm, role: str, status: int) -> None:
    response = portfolio.client(role).get(URL)
    assert response.status_code == status
    if role == "anonymous":
        assert response["Location"].startswith(reverse("accounts:login"))
    else:
        assert b"Tischlerei" not in response.content


def test_api_refuses_others(portfolio: Portfolio, crm: Crm) -> None:
    anonymous = api_client().get(API_URL)
    assert anonymous.status_code == 401
    assert anonymous.json()["detail"].startswith("Authentication required")
    outsider = api(portfolio, "outsider")
    assert outsider.status_code == 403
    assert "network" in outsider.json()["detail"]


# --- filters -----------------------------------------------------------------------------------------


def test_lab_filter(portfolio: Portfolio, crm: Crm) -> None:
    data = api(portfolio, "coordinator", f"?lab={portfolio.handwerk.slug}").json()
    ids = node_ids(data)
    assert f"lab:{portfolio.handwerk.slug}" in ids
    assert f"lab:{portfolio.handel.slug}" not in ids
    assert "organisation:tischlerei-beispiel" in ids
    assert f"person:{crm.anna.uuid}" in ids  # works at an organisation of the lab
    assert f"person:{crm.clara.uuid}" not in ids
    content = page(portfolio, "coordinator", f"?lab={portfolio.handwerk.slug}").content.decode()
    assert 'data-label="Anna Schreiner"' in content
    assert 'data-label="Hybride Formen des Handels"' not in content


def test_types_kind_district_and_focus(portfolio: Portfolio, crm: Crm) -> None:
    only = api(portfolio, "coordinator", "?types=organisation&types=lab").json()
    assert {node["type"] for node in only["nodes"]} == {"organisation", "lab"}
    # The gaps do not depend on the types shown.
    assert only["gaps"]["people_without_organisation"]["count"] == 1

    companies = api(portfolio, "coordinator", "?kind=company").json()
    kinds = {node["kind"] for node in companies["nodes"] if node["type"] == "organisation"}
    assert kinds == {"company"}

    mitte = api(portfolio, "coordinator", "?district=Mitte").json()
    assert {node["id"] for node in mitte["nodes"] if node["type"] in ("organisation", "person")} == {
        "organisation:tischlerei-beispiel"
    }  # anna and bernd have no district of their own

    focus = api(portfolio, "coordinator", "?q=Einzeln").json()
    assert focus["focus_matches"] == 1
    assert node_ids(focus) == {f"person:{crm.clara.uuid}"}
    content = page(portfolio, "coordinator", "?q=gibt+es+nicht").content.decode()
    assert "No name contains “gibt es nicht”." in content


def test_former_affiliations_only_when_asked(portfolio: Portfolio, crm: Crm) -> None:
    former = make_person(first_name="Frieda", last_name="Früher")
    affiliate(
        former,
        crm.tischlerei,
        "Gesellin",
        start_date=dt.date(2020, 1, 1),
        end_date=timezone.localdate() - dt.timedelta(days=30),
    )
    without = api(portfolio, "coordinator").json()
    assert f"person:{former.uuid}" in {
        node["id"] for node in without["gaps"]["people_without_organisation"]["items"]
    }
    assert not any(edge["former"] for edge in without["edges"])
    with_former = api(portfolio, "coordinator", "?former=true").json()
    assert {(edge["source"], edge["target"]) for edge in with_former["edges"] if edge["former"]} == {
        (f"person:{former.uuid}", "organisation:tischlerei-beispiel")
    }
    content = page(portfolio, "coordinator", "?former=on").content.decode()
    assert "formerly: works there: Gesellin" in content
    assert "network-edge--former" in content


def test_htmx_gets_the_results_with_the_status(portfolio: Portfolio, crm: Crm) -> None:
    response = page(portfolio, "coordinator", "?kind=company", HX_Request="true")
    content = response.content.decode()
    assert "<html" not in content
    assert 'id="network-status" hx-swap-oob="innerHTML"' in content
    assert 'class="network-svg"' in content
    full = page(portfolio, "coordinator", "?kind=company").content.decode()
    assert "hx-swap-oob" not in full


# --- bad input ---------------------------------------------------------------------------------------


def test_bad_filters_are_named_and_left_out(portfolio: Portfolio, crm: Crm) -> None:
    query = (
        "?lab=gibt-es-nicht&types=raumschiff&kind=xyz&district=Atlantis&q=" + "x" * 150 + "&former=vielleicht"
    )
    content = page(portfolio, "coordinator", query).content.decode()
    assert "These filters could not be applied and were left out:" in content
    for label in ("Lab:", "Show:", "Kind of organisation:", "District:", "Only the clusters around:"):
        assert label in content
    assert 'data-label="Anna Schreiner"' in content  # everything else is shown
    assert page(portfolio, "coordinator", "?lab=%00&q=%00").status_code == 200


def test_api_names_bad_filters(portfolio: Portfolio, crm: Crm) -> None:
    unknown = api(portfolio, "coordinator", "?lab=gibt-es-nicht")
    assert unknown.status_code == 422
    assert unknown.json()["detail"][0]["loc"] == ["query", "lab"]
    draft = make_lab(name="Geheimlabor", slug="geheimlabor", is_published=False)
    assert api(portfolio, "partner", f"?lab={draft.slug}").status_code == 422  # invisible: as unknown
    for query in ("?kind=xyz", "?types=raumschiff", "?former=vielleicht", "?q=" + "x" * 300, "?lab=%00"):
        response = api(portfolio, "coordinator", query)
        assert response.status_code == 422, query
        assert response.json()["detail"][0]["loc"][0] == "query"


# --- queries --------------------------------------------------------------------------------------------


def _grow(portfolio: Portfolio, count: int, start: int) -> None:
    """``count`` more organisations, each with a person, a relationship, a lab role, a measure
    role, an interaction and a stakeholder position."""
    measure = Measure.objects.filter(lab=portfolio.handwerk).first()
    assert measure is not None
    previous = Organisation.objects.get(slug="tischlerei-beispiel")
    for number in range(start, start + count):
        organisation = Organisation.objects.create(
            name=f"Betrieb {number}", slug=f"betrieb-{number}", kind="company", district="Mitte"
        )
        affiliate(make_person(last_name=f"Person {number}"), organisation, "Inhaber")
        Relationship.objects.create(
            kind=Relationship.Kind.SUPPLIER_OF, source_organisation=organisation, target_organisation=previous
        )
        LabOrganisation.objects.create(lab=portfolio.handwerk, organisation=organisation)
        Actor.objects.create(measure=measure, organisation=organisation, role="Pilot")
        Interaction.objects.create(
            kind=Interaction.Kind.CALL,
            occurred_at=timezone.now(),
            subject="Anruf",
            organisation=organisation,
            lab=portfolio.handwerk,
        )
        StakeholderPosition.objects.create(
            lab=portfolio.handwerk, organisation=organisation, interest=3, influence=3
        )
        previous = organisation


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


@pytest.mark.parametrize("role", ["coordinator", "partner"])
@pytest.mark.parametrize("url", [URL, f"{URL}?lab=digitale-koproduktion-im-handwerk&former=on", API_URL])
def test_queries_do_not_grow_with_the_data(
    portfolio: Portfolio, crm: Crm, django_assert_num_queries: Any, role: str, url: str
) -> None:
    client = api_client(portfolio.users[role]) if url.startswith("/api/") else portfolio.client(role)
    client.get(url)  # sessions and the like settle
    _grow(portfolio, 10, 0)
    with_10 = _queries(client, url)
    _grow(portfolio, 40, 10)
    with django_assert_num_queries(with_10):
        response = client.get(url)
    if role == "coordinator":
        assert b"Betrieb 49" in response.content


def test_loading_takes_a_fixed_number_of_queries(
    portfolio: Portfolio, crm: Crm, django_assert_num_queries: Any
) -> None:
    coordinator = portfolio.users["coordinator"]
    _grow(portfolio, 50, 0)
    load_network(coordinator)
    # One query per table (11); the user's lab roles are loaded once per user object.
    with django_assert_num_queries(11):
        nodes, _edges = load_network(coordinator)
    assert len([node for node in nodes if node.type == "person"]) == 53
    reader = portfolio.users["reader"]
    load_network(reader)
    with django_assert_num_queries(7):  # 7 tables, no people (the lab roles are already loaded)
        load_network(reader)


def test_the_layout_comes_from_the_cache(portfolio: Portfolio, crm: Crm) -> None:
    reader = portfolio.users["reader"]
    first = network_for(reader, NetworkFilter())
    assert network_for(reader, NetworkFilter()) is not first  # a copy from the cache …
    assert network_for(reader, NetworkFilter()) == first  # … of the same network
