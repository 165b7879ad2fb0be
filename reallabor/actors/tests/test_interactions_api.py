"""The interactions API in detail: times, validation with named fields, follow-ups, needs,
stakeholder positions and the query counts of the lists (the role matrix is in
api_matrix_interactions.py)."""

from __future__ import annotations

import datetime as dt
import uuid as uuid_module
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conftest import Portfolio
from reallabor.accounts.models import User
from reallabor.actors.models import FollowUp, Interaction, StakeholderPosition
from reallabor.actors.services import interactions as services
from reallabor.actors.services import needs as needs_services
from reallabor.api.tests.conftest import api_client, call
from reallabor.core.testing.actors import Crm, make_person
from reallabor.labs.models import Measure
from reallabor.taxonomy.models import Tag

pytestmark = pytest.mark.django_db


def user_of(portfolio: Portfolio, role: str) -> User:
    user = portfolio.users[role]
    assert user is not None
    return user


API = "/api/v1"


def client(portfolio: Portfolio, role: str = "coordinator") -> Any:
    return api_client(portfolio.users[role])


def loc(response: Any) -> list[list[Any]]:
    return [item["loc"] for item in response.json()["detail"]]


def messages(response: Any) -> list[str]:
    return [item["msg"] for item in response.json()["detail"]]


# Interactions ---------------------------------------------------------------------------------------------


def test_create_reads_naive_times_as_berlin_time_and_answers_in_utc(portfolio: Portfolio, crm: Crm) -> None:
    coordinator = user_of(portfolio, "coordinator")
    measure = portfolio.handwerk.measures.order_by("position").first()
    assert measure is not None
    data = {
        "kind": "visit",
        "occurred_at": "2025-07-01T09:30:00",
        "subject": "Werkstattbesuch",
        "notes": "Neue CNC-Fräse.",
        "organisation": crm.tischlerei.slug,
        "participants": [str(crm.anna.uuid), str(crm.bernd.uuid)],
        "lab": portfolio.handwerk.slug,
        "measure": measure.slug,
        "follow_ups": [
            {"title": "Fördermittel prüfen", "due_date": "2025-07-15"},
            {"title": "Termin mit HWK", "due_date": "2025-07-20", "assignee": "admin@example.org"},
        ],
    }
    response = call(client(portfolio), "post", f"{API}/interactions", data)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["occurred_at"] in ("2025-07-01T07:30:00Z", "2025-07-01T07:30:00+00:00")
    assert body["staff"] == {"email": coordinator.email, "name": str(coordinator)}
    assert body["organisation"]["slug"] == crm.tischlerei.slug
    assert {p["name"] for p in body["participants"]} == {"Anna Schreiner", "Bernd Hobel"}
    assert body["lab"]["slug"] == portfolio.handwerk.slug and body["measure"]["slug"] == measure.slug
    interaction = Interaction.objects.get(uuid=body["uuid"])
    assert [(f["uuid"], f["title"], f["assignee"]["email"]) for f in body["follow_ups"]] == [
        (str(f.uuid), f.title, f.assignee.email) for f in interaction.follow_ups.order_by("id")
    ]
    assert [(f["title"], f["assignee"]["email"]) for f in body["follow_ups"]] == [
        ("Fördermittel prüfen", coordinator.email),
        ("Termin mit HWK", "admin@example.org"),
    ]
    assert body["url"] == interaction.get_absolute_url()
    aware = call(
        client(portfolio),
        "post",
        f"{API}/interactions",
        {**data, "occurred_at": "2025-07-01T09:30:00+02:00", "follow_ups": []},
    )
    assert aware.json()["occurred_at"] == body["occurred_at"]


@pytest.mark.parametrize(
    ("changes", "where", "message"),
    [
        ({"kind": "fax"}, ["body", "kind"], "Input should be"),
        ({"colour": "blau"}, ["body", "colour"], "Extra inputs are not permitted"),
        ({"participants": ["kaputt"]}, ["body", "participants", 0], "UUID"),
        ({"occurred_at": "2999-01-01T10:00:00"}, ["body", "occurred_at"], "once it has happened"),
        ({"measure": "irgendwas"}, ["body", "measure"], "Name the lab of the measure"),
        (
            {"lab": "hybride-formen-des-handels", "measure": "kooperation"},
            ["body", "measure"],
            "There is no measure",
        ),
        ({"staff": "reader@example.org"}, ["body", "staff"], "is not one of the office's staff"),
        (
            {"follow_ups": [{"title": "Zu früh", "due_date": "2000-01-01"}]},
            ["body", "follow_ups", 0, "due_date"],
            "must not be before the interaction",
        ),
        ({"subject": "x\x00y"}, ["body", "subject"], "NUL"),
    ],
)
def test_bad_input_is_422_naming_the_field_and_changes_nothing(
    portfolio: Portfolio, crm: Crm, changes: dict[str, Any], where: list[Any], message: str
) -> None:
    data = {
        "kind": "call",
        "occurred_at": "2025-02-18T09:30:00",
        "subject": "Anruf",
        "organisation": crm.tischlerei.slug,
    }
    data.update(changes)
    before = Interaction.objects.count()
    response = call(client(portfolio), "post", f"{API}/interactions", data)
    assert response.status_code == 422, response.content
    assert where in loc(response)
    assert any(message in text for text in messages(response)), response.json()
    assert Interaction.objects.count() == before


def test_get_patch_and_delete(portfolio: Portfolio, crm: Crm) -> None:
    url = f"{API}/interactions/{crm.interaction.uuid}"
    api = client(portfolio, "administrator")
    body = call(api, "get", url).json()
    assert body["subject"] == "Besuch in der Werkstatt" and [p["name"] for p in body["participants"]] == [
        "Anna Schreiner"
    ]
    assert body["follow_ups"][0]["uuid"] == str(crm.follow_up.uuid)
    assert body["follow_ups"][0]["is_overdue"] is False
    response = call(
        api, "patch", url, {"participants": [str(crm.clara.uuid)], "staff": None, "notes": "Nachtrag"}
    )
    assert response.status_code == 200
    body = response.json()
    assert [p["name"] for p in body["participants"]] == ["Clara Einzeln"] and body["staff"] is None
    assert body["notes"] == "Nachtrag" and body["subject"] == "Besuch in der Werkstatt"
    crm.anna.refresh_from_db()
    crm.clara.refresh_from_db()
    assert crm.anna.last_contact_at is None and crm.clara.last_contact_at == crm.interaction.occurred_at
    response = call(api, "patch", url, {"organisation": None, "participants": []})
    assert response.status_code == 422 and ["body", "participants"] in loc(response)
    assert call(api, "delete", url).status_code == 204
    assert call(api, "get", url).status_code == 404
    assert call(api, "get", f"{API}/interactions/kaputt").json() == {
        "detail": "Interaction “kaputt” not found."
    }


def test_list_filters_and_constant_queries(portfolio: Portfolio, crm: Crm) -> None:
    api = client(portfolio)
    admin = user_of(portfolio, "administrator")

    def fetch(query: str = "") -> tuple[int, Any]:
        with CaptureQueriesContext(connection) as context:
            response = call(api, "get", f"{API}/interactions{query}")
        assert response.status_code == 200, response.content
        return len(context.captured_queries), response.json()

    few, body = fetch()
    assert body["count"] == 1
    for number in range(12):
        services.record_interaction(
            user=admin,
            data={
                "kind": "email" if number % 2 else "call",
                "occurred_at": dt.datetime(2025, 1, number + 1, 12, tzinfo=dt.UTC),
                "subject": f"Mail {number}",
                "participants": [make_person(), crm.clara],
                "follow_ups": [{"title": "Antworten", "due_date": dt.date(2025, 2, 1)}],
            },
        )
    many, body = fetch()
    assert many == few and body["count"] == 13
    assert fetch("?kind=email")[1]["count"] == 6
    assert fetch(f"?staff={admin.email}")[1]["count"] == 12
    assert fetch(f"?organisation={crm.tischlerei.slug}")[1]["count"] == 1
    assert fetch(f"?person={crm.clara.uuid}")[1]["count"] == 12
    assert fetch("?since=2025-01-03&until=2025-01-04")[1]["count"] == 2
    assert [item["subject"] for item in fetch("?since=2025-01-03&until=2025-01-04")[1]["items"]] == [
        "Mail 3",
        "Mail 2",
    ]
    response = call(api, "get", f"{API}/interactions?organisation=gibt-es-nicht")
    assert response.status_code == 422 and loc(response) == [["query", "organisation"]]
    response = call(api, "get", f"{API}/interactions?since=2025-02-01&until=2025-01-01")
    assert response.status_code == 422 and loc(response) == [["query", "until"]]
    response = call(api, "get", f"{API}/interactions?since=gestern")
    assert response.status_code == 422


# Follow-ups -------------------------------------------------------------------------------------------------


def test_follow_up_flow_through_the_api(portfolio: Portfolio, crm: Crm) -> None:
    api = client(portfolio, "administrator")
    base = f"{API}/interactions/{crm.interaction.uuid}/follow-ups"
    response = call(
        api,
        "post",
        base,
        {"title": "Angebot nachfassen", "due_date": "2999-12-31", "assignee": "coordinator@example.org"},
    )
    assert response.status_code == 201
    added = FollowUp.objects.get(title="Angebot nachfassen")
    assert response.json()["uuid"] == str(added.uuid) and added.interaction == crm.interaction
    assert response.json()["assignee"]["email"] == "coordinator@example.org"
    url = f"{API}/follow-ups/{added.uuid}"
    shown = call(api, "get", url).json()
    assert shown["title"] == "Angebot nachfassen" and shown["interaction"]["uuid"] == str(
        crm.interaction.uuid
    )
    response = call(
        api, "post", base, {"title": "", "due_date": "2999-12-31", "assignee": "outsider@example.org"}
    )
    assert response.status_code == 422 and {("body", "title"), ("body", "assignee")} <= {
        tuple(x) for x in loc(response)
    }
    done = call(api, "post", f"{url}/complete")
    assert (
        done.status_code == 200
        and done.json()["done_at"]
        and done.json()["done_by"]["email"] == "admin@example.org"
    )
    again = call(api, "post", f"{url}/complete")
    assert again.status_code == 409 and again.json() == {"detail": "“Angebot nachfassen” is already done."}
    assert call(api, "post", f"{url}/reopen").json()["done_at"] is None
    assert FollowUp.objects.get(pk=added.pk).done_at is None
    missing = f"{API}/follow-ups/{uuid_module.uuid4()}"
    assert call(api, "post", f"{missing}/complete").status_code == 404
    assert call(api, "get", missing).status_code == 404
    assert call(api, "post", f"{API}/follow-ups/zwei/complete").status_code == 404
    # The old addresses by number within the interaction are gone.
    assert call(api, "post", f"{base}/1/complete").status_code in (404, 405)


def test_follow_up_lists(portfolio: Portfolio, crm: Crm) -> None:
    old = services.record_interaction(
        user=None,
        data={
            "kind": "call",
            "occurred_at": timezone.now() - dt.timedelta(days=40),
            "subject": "Alt",
            "organisation": crm.tischlerei,
        },
    )
    today = timezone.localdate()
    for title, days, role in [
        ("Überfällig", -3, "coordinator"),
        ("Admin", 2, "administrator"),
        ("Erledigt", -1, "coordinator"),
    ]:
        services.add_follow_up(
            user=None,
            interaction=old,
            title=title,
            due_date=today + dt.timedelta(days=days),
            assignee=portfolio.users[role],
        )
    services.complete_follow_up(user=None, follow_up=FollowUp.objects.get(title="Erledigt"))
    api = client(portfolio)

    def titles(query: str) -> list[str]:
        response = call(api, "get", f"{API}/follow-ups{query}")
        assert response.status_code == 200
        return [item["title"] for item in response.json()["items"]]

    assert titles("?mine=true") == ["Überfällig", "Angebot Digitalberatung schicken"]
    assert titles("") == ["Überfällig", "Admin", "Angebot Digitalberatung schicken"]
    assert titles("?status=done") == ["Erledigt"]
    assert titles("?status=all&mine=true") == ["Überfällig", "Erledigt", "Angebot Digitalberatung schicken"]
    assert titles("?overdue=true") == ["Überfällig"]
    item = call(api, "get", f"{API}/follow-ups?overdue=true").json()["items"][0]
    assert item["is_overdue"] is True and item["uuid"] == str(FollowUp.objects.get(title="Überfällig").uuid)
    assert (
        item["interaction"]["uuid"] == str(old.uuid)
        and item["interaction"]["organisation"]["slug"] == crm.tischlerei.slug
    )


# Needs ---------------------------------------------------------------------------------------------------------


def test_needs_of_an_organisation_and_a_person(portfolio: Portfolio, crm: Crm) -> None:
    api = client(portfolio)
    url = f"{API}/organisations/{crm.tischlerei.slug}/needs"
    response = call(api, "post", url, {"family": "needs", "code": "skilled-workers", "note": "Zwei Gesellen"})
    assert response.status_code == 201
    body = response.json()
    assert (body["family"], body["code"], body["label"], body["priority"], body["note"]) == (
        "needs",
        "skilled-workers",
        "Skilled workers",
        "primary",
        "Zwei Gesellen",
    )
    assert body["recorded_by"] == str(user_of(portfolio, "coordinator")) and body["recorded_at"]
    again = call(api, "post", url, {"family": "needs", "code": "skilled-workers"})
    assert again.status_code == 422 and loc(again) == [["body", "code"]]
    unknown = call(api, "post", url, {"family": "needs", "code": "teleportation"})
    assert unknown.status_code == 422 and "Unknown term “teleportation”" in messages(unknown)[0]
    other = call(api, "post", url, {"family": "megatrends", "code": "digitalisierung"})
    assert other.status_code == 422 and loc(other) == [["body", "family"]]
    reader = call(client(portfolio, "reader"), "get", url)
    assert [item["code"] for item in reader.json()] == ["skilled-workers"]
    assert call(api, "delete", f"{url}/needs/skilled-workers").status_code == 204
    assert call(api, "delete", f"{url}/needs/skilled-workers").status_code == 404
    assert call(api, "get", url).json() == []

    person_url = f"{API}/people/{crm.bernd.uuid}/needs"
    response = call(
        api, "post", person_url, {"family": "motivations", "code": "new-customers", "priority": "secondary"}
    )
    assert response.status_code == 201 and response.json()["priority"] == "secondary"
    assert [item["code"] for item in call(api, "get", person_url).json()] == ["new-customers"]
    assert call(api, "get", f"{API}/people/kaputt/needs").status_code == 404
    assert Tag.objects.filter(term__vocabulary__family="motivations").count() == 1


# Stakeholders -----------------------------------------------------------------------------------------------


def test_stakeholder_positions_through_the_api(portfolio: Portfolio, crm: Crm) -> None:
    api = client(portfolio)
    url = f"{API}/labs/{portfolio.handwerk.slug}/stakeholders"
    needs_services.record_need(user=None, obj=crm.tischlerei, family="needs", code="digitalisation")
    measure = portfolio.handwerk.measures.order_by("position").first()
    assert measure is not None
    Tag.objects.create(
        term=needs_services.needs_of(crm.tischlerei).get().term,
        content_type=ContentType.objects.get_for_model(Measure),
        object_id=measure.pk,
        priority="primary",
    )
    response = call(api, "put", url, {"organisation": crm.tischlerei.slug, "interest": 5, "influence": 5})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["organisation"]["slug"], body["person"], body["quadrant"]) == (
        crm.tischlerei.slug,
        None,
        "key_players",
    )
    assert [(n["code"], [m["slug"] for m in n["measures"]], n["own"]) for n in body["needs"]] == [
        ("digitalisation", [measure.slug], True)
    ]
    response = call(api, "put", url, {"person": str(crm.anna.uuid), "interest": 2, "influence": 4})
    assert response.json()["quadrant"] == "keep_satisfied"
    assert response.json()["needs"][0]["via"] == ["Tischlerei Beispiel GmbH"]
    moved = call(api, "put", url, {"organisation": crm.tischlerei.slug, "interest": 1, "influence": 1})
    assert moved.json()["quadrant"] == "monitor"
    listing = call(api, "get", f"{url}?limit=1")
    assert listing.json()["count"] == 2 and len(listing.json()["items"]) == 1
    assert listing.json()["items"][0]["person"]["uuid"] == str(crm.anna.uuid)
    bad = call(
        api,
        "put",
        url,
        {"organisation": crm.tischlerei.slug, "person": str(crm.anna.uuid), "interest": 9, "influence": 1},
    )
    assert bad.status_code == 422 and ["body", "interest"] in loc(bad)
    both = call(
        api,
        "put",
        url,
        {"organisation": crm.tischlerei.slug, "person": str(crm.anna.uuid), "interest": 3, "influence": 1},
    )
    assert both.status_code == 422 and loc(both) == [["body", "person"]]
    assert call(api, "delete", url).status_code == 422
    assert call(api, "delete", f"{url}?person={crm.anna.uuid}").status_code == 204
    assert call(api, "delete", f"{url}?person={crm.anna.uuid}").status_code == 404
    assert StakeholderPosition.objects.count() == 1
    assert call(api, "get", f"{API}/labs/gibt-es-nicht/stakeholders").status_code == 404
