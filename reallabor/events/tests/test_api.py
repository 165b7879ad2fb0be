"""The events' API: series, events, registrations (the office) and the participant's own link."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from conftest import Portfolio
from reallabor.api.tests.conftest import API, api_client, call
from reallabor.core.testing.actors import Crm
from reallabor.core.testing.events import EventsWorld, make_event, make_registration, register_person
from reallabor.events.models import Event, EventSeries, Registration
from reallabor.events.services import tokens
from reallabor.events.tests.helpers import snapshot

pytestmark = pytest.mark.django_db


def client(portfolio: Portfolio, role: str) -> Any:
    return api_client(portfolio.users[role])


def begin(event: Event, minutes_ago: int = 30) -> Event:
    starts = timezone.now() - dt.timedelta(minutes=minutes_ago)
    Event.objects.filter(pk=event.pk).update(starts_at=starts, ends_at=starts + dt.timedelta(hours=2))
    event.refresh_from_db()
    return event


def slugs(response: Any) -> list[str]:
    return [item["slug"] for item in response.json()["items"]]


# Series and events: reading -------------------------------------------------------------------------


def test_events_are_listed_with_the_pages_visibility(
    events_portfolio: EventsWorld, portfolio: Portfolio
) -> None:
    world = events_portfolio
    public = {world.fruehstueck.slug, world.office_event.slug}

    anonymous = api_client().get(f"{API}/events")
    assert anonymous.status_code == 200
    assert set(slugs(anonymous)) == public
    assert anonymous.json()["count"] == 2
    assert set(slugs(client(portfolio, "outsider").get(f"{API}/events"))) == public
    partner = set(slugs(client(portfolio, "partner").get(f"{API}/events")))
    assert partner == public | {world.trade_invitation.slug, world.trade_draft.slug}
    every = public | {world.trade_invitation.slug, world.trade_draft.slug, world.crafts_draft.slug}
    for role in ("reader", "coordinator", "administrator"):
        assert set(slugs(client(portfolio, role).get(f"{API}/events"))) == every, role


def test_an_event_shows_its_venue_seats_and_questions(
    events_portfolio: EventsWorld, portfolio: Portfolio
) -> None:
    world = events_portfolio
    event = world.fruehstueck
    Event.objects.filter(pk=event.pk).update(
        format=Event.Format.HYBRID, online_url="https://meet.example/raum"
    )

    response = api_client().get(f"{API}/events/{event.slug}")

    assert response.status_code == 200
    data = response.json()
    assert data["title"] == "Handwerksfrühstück bei der Tischlerei"
    assert data["series"] == {"slug": world.series.slug, "title": "Bottroper Handwerksfrühstück"}
    assert data["host"]["slug"] == world.fruehstueck.host.slug  # type: ignore[union-attr]
    assert data["lab"]["slug"] == "digitale-koproduktion-im-handwerk"
    assert data["seats"] == {"capacity": 3, "reserved_seats": 0, "taken": 2, "free": 1, "waiting": 0}
    assert [question["label"] for question in data["questions"]] == ["Ernährung"]
    assert data["questions"][0]["choices"] == ["vegetarisch", "vegan", "alles"]
    assert data["status"] == "published"
    assert data["url"].endswith(f"/veranstaltungen/{event.slug}/")
    assert data["online_url"] is None, "the link is for participants and the office"
    office = client(portfolio, "coordinator").get(f"{API}/events/{event.slug}").json()
    assert office["online_url"] == "https://meet.example/raum"


def test_invisible_events_and_odd_slugs_are_404(events_portfolio: EventsWorld) -> None:
    world = events_portfolio
    for slug in (world.crafts_draft.slug, world.trade_invitation.slug, "gibt-es-nicht", "x" * 300, "%00"):
        response = api_client().get(f"{API}/events/{slug}")
        assert response.status_code == 404, slug
        assert isinstance(response.json()["detail"], str)


def test_event_filters_and_bad_query_parameters(events_portfolio: EventsWorld, portfolio: Portfolio) -> None:
    world = events_portfolio
    admin = client(portfolio, "administrator")
    assert slugs(admin.get(f"{API}/events?series={world.series.slug}")) == [world.fruehstueck.slug]
    drafts = set(slugs(admin.get(f"{API}/events?status=draft")))
    assert drafts == {world.crafts_draft.slug, world.trade_draft.slug}
    assert slugs(admin.get(f"{API}/events?q=Allianz")) == [world.office_event.slug]
    today = timezone.localdate()
    assert admin.get(f"{API}/events?until={today.isoformat()}").json()["count"] == 0

    bad = admin.get(f"{API}/events?since=2026-05-01&until=2026-04-01")
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"] == ["query", "until"]
    assert admin.get(f"{API}/events?status=unknown").status_code == 422
    assert admin.get(f"{API}/events?since=gestern").status_code == 422
    assert admin.get(f"{API}/events?limit=100000").status_code == 422


def test_the_event_list_takes_a_constant_number_of_queries(
    events_portfolio: EventsWorld, portfolio: Portfolio, django_assert_max_num_queries: Any
) -> None:
    admin = client(portfolio, "administrator")
    with django_assert_max_num_queries(12):
        small = admin.get(f"{API}/events?limit=200")
    for number in range(6):
        event = make_event(
            title=f"Werkstatttreffen {number}",
            lab=portfolio.handwerk,
            organisers=[events_portfolio.fruehstueck.host],
            questions=[{"label": "Frage"}],
        )
        for _person in range(3):
            register_person(event)
    with django_assert_max_num_queries(12):
        large = admin.get(f"{API}/events?limit=200")
    assert large.json()["count"] == small.json()["count"] + 6


def test_series_are_listed_and_read(events_portfolio: EventsWorld, portfolio: Portfolio) -> None:
    world = events_portfolio
    hidden = EventSeries.objects.create(slug="intern", title="Interne Reihe", is_public=False)

    assert slugs(api_client().get(f"{API}/event-series")) == [world.series.slug]
    assert set(slugs(client(portfolio, "reader").get(f"{API}/event-series"))) == {world.series.slug, "intern"}
    detail = api_client().get(f"{API}/event-series/{world.series.slug}").json()
    assert detail["title"] == "Bottroper Handwerksfrühstück"
    assert detail["lab"]["slug"] == "digitale-koproduktion-im-handwerk"
    assert detail["url"].endswith(f"/veranstaltungen/reihen/{world.series.slug}/")
    assert api_client().get(f"{API}/event-series/{hidden.slug}").status_code == 404


# Series and events: writing -------------------------------------------------------------------------


def test_the_office_creates_changes_and_discontinues_a_series(
    events_portfolio: EventsWorld, portfolio: Portfolio
) -> None:
    coordinator = client(portfolio, "coordinator")
    created = call(
        coordinator,
        "post",
        f"{API}/event-series",
        {"title": "Werkstattgespräche", "lab": "digitale-koproduktion-im-handwerk"},
    )
    assert created.status_code == 201, created.content
    series = created.json()
    assert series["slug"] == "werkstattgespraeche"
    assert series["revision"] == 1

    changed = call(
        coordinator,
        "patch",
        f"{API}/event-series/werkstattgespraeche",
        {"description": "Neu", "is_public": False, "expected_revision": 1},
    )
    assert changed.status_code == 200, changed.content
    assert changed.json()["is_public"] is False
    stale = call(
        coordinator,
        "patch",
        f"{API}/event-series/werkstattgespraeche",
        {"title": "X", "expected_revision": 1},
    )
    assert stale.status_code == 409
    assert EventSeries.objects.get(slug="werkstattgespraeche").title == "Werkstattgespräche"

    cancelled = call(coordinator, "post", f"{API}/event-series/{events_portfolio.series.slug}/cancel")
    assert cancelled.status_code == 200, cancelled.content
    assert [event["slug"] for event in cancelled.json()["cancelled"]] == [events_portfolio.fruehstueck.slug]
    assert Event.objects.get(pk=events_portfolio.fruehstueck.pk).status == Event.Status.CANCELLED


def test_series_input_errors_name_the_field(events_portfolio: EventsWorld, portfolio: Portfolio) -> None:
    coordinator = client(portfolio, "coordinator")
    before = snapshot()
    other_lab = call(
        coordinator, "post", f"{API}/event-series", {"title": "X", "lab": "hybride-formen-des-handels"}
    )
    assert other_lab.status_code == 422
    assert other_lab.json()["detail"][0]["loc"] == ["body", "lab"]
    unknown = call(coordinator, "post", f"{API}/event-series", {"title": "X", "colour": "red"})
    assert unknown.status_code == 422
    assert unknown.json()["detail"][0]["loc"] == ["body", "colour"]
    taken = call(
        coordinator, "post", f"{API}/event-series", {"title": "X", "slug": events_portfolio.series.slug}
    )
    assert taken.status_code == 422
    assert taken.json()["detail"][0]["loc"] == ["body", "slug"]
    assert snapshot() == before


def test_the_office_creates_publishes_and_cancels_an_event(
    events_portfolio: EventsWorld, portfolio: Portfolio
) -> None:
    coordinator = client(portfolio, "coordinator")
    starts = (timezone.localtime() + dt.timedelta(days=30)).replace(hour=8, minute=0, second=0, microsecond=0)
    body = {
        "title": "Handwerksfrühstück im Herbst",
        "series": events_portfolio.series.slug,
        "lab": "digitale-koproduktion-im-handwerk",
        "starts_at": starts.replace(tzinfo=None).isoformat(),
        "ends_at": (starts + dt.timedelta(hours=2)).replace(tzinfo=None).isoformat(),
        "host": events_portfolio.fruehstueck.host.slug,  # type: ignore[union-attr]
        "capacity": 25,
        "reserved_seats": 2,
        "postcode": "46236",
        "city": "Bottrop",
        "measures": ["kooperation-digitalisierung-handwerk"],
        "questions": [
            {"label": "Ernährung", "kind": "choice", "choices": ["vegan", "alles"], "required": True}
        ],
    }
    created = call(coordinator, "post", f"{API}/events", body)
    assert created.status_code == 201, created.content
    data = created.json()
    assert data["status"] == "draft"
    assert data["slug"] == f"handwerksfruehstueck-im-herbst-{starts.date().isoformat()}"
    assert dt.datetime.fromisoformat(data["starts_at"]) == starts, "naive times are Berlin time"
    assert data["seats"]["free"] == 23
    assert data["questions"][0]["required"] is True
    assert api_client().get(f"{API}/events/{data['slug']}").status_code == 404, "a draft is not public"

    published = call(coordinator, "post", f"{API}/events/{data['slug']}/publish")
    assert published.status_code == 200
    assert published.json()["status"] == "published"
    assert api_client().get(f"{API}/events/{data['slug']}").status_code == 200

    changed = call(
        coordinator,
        "patch",
        f"{API}/events/{data['slug']}",
        {"capacity": 30, "expected_revision": published.json()["revision"]},
    )
    assert changed.status_code == 200, changed.content
    assert changed.json()["seats"]["capacity"] == 30
    stale = call(
        coordinator, "patch", f"{API}/events/{data['slug']}", {"capacity": 10, "expected_revision": 1}
    )
    assert stale.status_code == 409

    cancelled = call(coordinator, "post", f"{API}/events/{data['slug']}/cancel")
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"
    again = call(coordinator, "post", f"{API}/events/{data['slug']}/publish")
    assert again.status_code == 422
    assert again.json()["detail"][0]["loc"] == ["body", "status"]


def test_event_input_errors_name_the_field_and_change_nothing(
    events_portfolio: EventsWorld, portfolio: Portfolio
) -> None:
    admin = client(portfolio, "administrator")
    event = events_portfolio.fruehstueck
    before = snapshot()

    def error(method: str, url: str, body: dict[str, Any]) -> tuple[int, list[Any]]:
        response = call(admin, method, url, body)
        detail = response.json()["detail"]
        return response.status_code, detail[0]["loc"] if isinstance(detail, list) else detail

    assert error("patch", f"{API}/events/{event.slug}", {"capacity": 1}) == (422, ["body", "capacity"])
    lower = call(admin, "patch", f"{API}/events/{event.slug}", {"capacity": 1}).json()
    assert lower["detail"][0]["msg"] == "2 seats are taken; the capacity cannot be lower."
    start = event.starts_at.isoformat()
    assert error("patch", f"{API}/events/{event.slug}", {"ends_at": "2020-01-01T10:00:00"})[1] == [
        "body",
        "ends_at",
    ]
    assert error("patch", f"{API}/events/{event.slug}", {"format": "online"})[1] == ["body", "online_url"]
    assert error("patch", f"{API}/events/{event.slug}", {"postcode": "123"})[1] == ["body", "postcode"]
    assert error("patch", f"{API}/events/{event.slug}", {"capacity": 0})[1] == ["body", "capacity"]
    assert error("patch", f"{API}/events/{event.slug}", {"questions": [{"label": ""}]})[1] == [
        "body",
        "questions",
        0,
        "label",
    ]
    assert error("patch", f"{API}/events/{event.slug}", {"starts_at": "morgen"})[1][:2] == [
        "body",
        "starts_at",
    ]
    assert error("post", f"{API}/events", {"title": "X", "starts_at": start, "ends_at": start, "lab": "nix"})[
        1
    ] == ["body", "lab"]
    assert error("delete", f"{API}/events/{event.slug}", {})[1] == ["body", "event"]
    assert snapshot() == before


def test_a_draft_without_registrations_can_be_deleted(
    events_portfolio: EventsWorld, portfolio: Portfolio
) -> None:
    response = client(portfolio, "coordinator").delete(f"{API}/events/{events_portfolio.crafts_draft.slug}")
    assert response.status_code == 204
    assert not Event.objects.filter(pk=events_portfolio.crafts_draft.pk).exists()


def test_writes_need_the_csrf_token_in_the_browser(
    events_portfolio: EventsWorld, portfolio: Portfolio
) -> None:
    browser = api_client(portfolio.users["coordinator"], enforce_csrf_checks=True)
    before = snapshot()
    response = call(browser, "post", f"{API}/events/{events_portfolio.crafts_draft.slug}/publish")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert snapshot() == before


# Registrations: the office --------------------------------------------------------------------------


def test_the_office_lists_the_registrations_with_the_waiting_list(
    events_portfolio: EventsWorld, portfolio: Portfolio, django_assert_max_num_queries: Any
) -> None:
    world = events_portfolio
    event = world.fruehstueck
    register_person(event, first_name="Dritte", last_name="Person")
    waiting = register_person(event, first_name="Vierte", last_name="Person")
    assert waiting.status == Registration.Status.WAITING
    coordinator = client(portfolio, "coordinator")

    with django_assert_max_num_queries(14):
        response = coordinator.get(f"{API}/events/{event.slug}/registrations")
    assert response.status_code == 200
    data = response.json()
    assert data["count"] == 4
    assert [item["status"] for item in data["items"]] == ["registered"] * 3 + ["waiting"]
    anna = data["items"][0]
    assert anna["email"] == world.anna.email
    assert anna["event"]["slug"] == event.slug
    assert anna["code"] == world.anna.code
    assert anna["feedback"] is None

    for _number in range(5):
        register_person(event)
    with django_assert_max_num_queries(14):
        more = coordinator.get(f"{API}/events/{event.slug}/registrations")
    assert more.json()["count"] == 9

    assert [
        i["status"]
        for i in coordinator.get(f"{API}/events/{event.slug}/registrations?status=waiting").json()["items"]
    ] == ["waiting"] * 6
    found = coordinator.get(f"{API}/events/{event.slug}/registrations?q=Vierte").json()
    assert [item["first_name"] for item in found["items"]] == ["Vierte"]
    assert coordinator.get(f"{API}/events/{event.slug}/registrations?status=nope").status_code == 422


def test_registering_on_behalf_and_cancelling(
    events_portfolio: EventsWorld, portfolio: Portfolio, crm: Crm
) -> None:
    world = events_portfolio
    event = world.fruehstueck
    coordinator = client(portfolio, "coordinator")
    question = str(event.questions.get().pk)
    body = {
        "first_name": "Bernd",
        "last_name": crm.bernd.last_name,
        "email": crm.bernd.email,
        "organisation": crm.tischlerei.slug,
        "answers": {question: "vegan"},
    }

    created = call(coordinator, "post", f"{API}/events/{event.slug}/registrations", body)
    assert created.status_code == 201, created.content
    data = created.json()
    assert data["status"] == "registered"
    assert data["source"] == "staff"
    assert data["address_confirmed_at"] is not None, "staff registrations need no opt-in"
    assert data["person"]["uuid"] == str(crm.bernd.uuid)
    assert data["organisation"]["slug"] == crm.tischlerei.slug
    assert data["answers"] == {question: "vegan"}

    before = snapshot()
    duplicate = call(coordinator, "post", f"{API}/events/{event.slug}/registrations", body)
    assert duplicate.status_code == 422
    assert duplicate.json()["detail"][0]["loc"] == ["body", "email"]
    bad_answer = call(
        coordinator,
        "post",
        f"{API}/events/{event.slug}/registrations",
        {**body, "email": "neu@example.org", "answers": {question: "Fisch"}},
    )
    assert bad_answer.status_code == 422
    assert bad_answer.json()["detail"][0]["loc"] == ["body", "answers", question]
    assert snapshot() == before

    full = call(
        coordinator,
        "post",
        f"{API}/events/{event.slug}/registrations",
        {"first_name": "Zu", "last_name": "Spät", "email": "spaet@example.org"},
    )
    assert full.json()["status"] == "waiting"

    cancelled = call(coordinator, "post", f"{API}/registrations/{world.anna.uuid}/cancel")
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"
    assert Registration.objects.get(uuid=full.json()["uuid"]).status == Registration.Status.OFFERED
    again = call(coordinator, "post", f"{API}/registrations/{world.anna.uuid}/cancel")
    assert again.status_code == 422
    assert again.json()["detail"][0]["loc"] == ["body", "registration"]


def test_the_office_changes_a_registration(
    events_portfolio: EventsWorld, portfolio: Portfolio, crm: Crm
) -> None:
    world = events_portfolio
    admin = client(portfolio, "administrator")
    response = call(
        admin,
        "patch",
        f"{API}/registrations/{world.clara.uuid}",
        {"organisation_name": "Tischlerei", "organisation": crm.tischlerei.slug},
    )
    assert response.status_code == 200, response.content
    assert response.json()["organisation"]["slug"] == crm.tischlerei.slug
    detail = admin.get(f"{API}/registrations/{world.clara.uuid}").json()
    assert detail["organisation_name"] == "Tischlerei"


def test_registrations_of_other_labs_and_odd_ids_are_404(
    events_portfolio: EventsWorld, portfolio: Portfolio
) -> None:
    world = events_portfolio
    trade = make_registration(world.trade_invitation)
    coordinator = client(portfolio, "coordinator")
    assert coordinator.get(f"{API}/registrations/{trade.uuid}").status_code == 404
    assert coordinator.get(f"{API}/registrations/kein-uuid").status_code == 404
    assert coordinator.get(f"{API}/events/{world.trade_invitation.slug}/registrations").status_code == 403
    assert client(portfolio, "administrator").get(f"{API}/registrations/{trade.uuid}").status_code == 200


def test_checking_in_records_the_attendance(
    events_portfolio: EventsWorld, portfolio: Portfolio, crm: Crm
) -> None:
    world = events_portfolio
    coordinator = client(portfolio, "coordinator")
    early = call(coordinator, "post", f"{API}/registrations/{world.anna.uuid}/check-in")
    assert early.status_code == 422
    assert early.json()["detail"][0]["loc"] == ["body", "event"]

    event = begin(world.fruehstueck)
    response = call(coordinator, "post", f"{API}/registrations/{world.anna.uuid}/check-in")
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["already"] is False
    assert data["registration"]["checked_in_at"] is not None
    interaction = Event.objects.get(pk=event.pk).attendance_interaction
    assert interaction is not None
    assert crm.anna in interaction.participants.all()

    twice = call(coordinator, "post", f"{API}/registrations/{world.anna.uuid}/check-in").json()
    assert twice["already"] is True

    walk_in = call(
        coordinator,
        "post",
        f"{API}/events/{event.slug}/walk-ins",
        {"first_name": "Spontan", "last_name": "Gast", "organisation_name": "Bäckerei"},
    )
    assert walk_in.status_code == 201, walk_in.content
    assert walk_in.json()["registration"]["source"] == "walk_in"
    assert interaction.participants.count() == 2

    undone = call(coordinator, "post", f"{API}/registrations/{world.anna.uuid}/undo-check-in")
    assert undone.status_code == 200
    assert undone.json()["checked_in_at"] is None
    assert crm.anna not in interaction.participants.all()


# Registrations: the participant's own link ------------------------------------------------------------


def test_a_participant_sees_only_their_own_registration_by_their_link(
    events_portfolio: EventsWorld, portfolio: Portfolio
) -> None:
    world = events_portfolio
    token = tokens.registration_token(world.anna, tokens.Purpose.MANAGE)

    for role in ("anonymous", "outsider", "administrator"):
        response = client(portfolio, role).get(f"{API}/registrations/by-token/{token}")
        assert response.status_code == 200, role
        data = response.json()
        assert data["uuid"] == str(world.anna.uuid)
        assert data["email"] == world.anna.email
        assert data["event"]["slug"] == world.fruehstueck.slug
        assert data["code"] == world.anna.code
        assert "person" not in data and "checked_in_by" not in data

    feedback_token = tokens.registration_token(world.anna, tokens.Purpose.FEEDBACK)
    for bad, status in (
        (token[:-2], 400),
        (token.replace(":", "x", 1), 400),
        (feedback_token, 400),
        ("x" * 600, 400),
    ):
        response = api_client().get(f"{API}/registrations/by-token/{bad}")
        assert response.status_code == status, bad
        assert "link" in response.json()["detail"]


def test_a_participant_changes_and_cancels_by_their_link(events_portfolio: EventsWorld) -> None:
    world = events_portfolio
    token = tokens.registration_token(world.clara, tokens.Purpose.MANAGE)
    waiting = register_person(world.fruehstueck)
    waiting_after = register_person(world.fruehstueck)
    assert waiting.status == Registration.Status.REGISTERED
    assert waiting_after.status == Registration.Status.WAITING

    changed = call(
        api_client(), "patch", f"{API}/registrations/by-token/{token}", {"organisation_name": "Eigenes Büro"}
    )
    assert changed.status_code == 200, changed.content
    assert changed.json()["organisation_name"] == "Eigenes Büro"
    assert (
        api_client().get(f"{API}/registrations/by-token/{token}").json()["organisation_name"]
        == "Eigenes Büro"
    )
    before = snapshot()
    refused = call(api_client(), "patch", f"{API}/registrations/by-token/{token}", {"email": "x@example.org"})
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"] == ["body", "email"]
    assert snapshot() == before

    cancelled = call(api_client(), "post", f"{API}/registrations/by-token/{token}/cancel")
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"
    assert Registration.objects.get(pk=waiting_after.pk).status == Registration.Status.OFFERED
    assert api_client().get(f"{API}/registrations/by-token/{token}").json()["status"] == "cancelled"
    twice = call(api_client(), "post", f"{API}/registrations/by-token/{token}/cancel")
    assert twice.status_code == 422


def test_a_link_of_an_erased_registration_is_gone(events_portfolio: EventsWorld) -> None:
    world = events_portfolio
    token = tokens.registration_token(world.clara, tokens.Purpose.MANAGE)
    Registration.objects.filter(pk=world.clara.pk).delete()
    response = api_client().get(f"{API}/registrations/by-token/{token}")
    assert response.status_code == 410
    assert response.json()["detail"] == "This registration no longer exists."


def test_after_the_cut_off_the_participant_is_sent_to_the_office(events_portfolio: EventsWorld) -> None:
    world = events_portfolio
    starts = timezone.now() + dt.timedelta(hours=3)
    Event.objects.filter(pk=world.fruehstueck.pk).update(
        starts_at=starts, ends_at=starts + dt.timedelta(hours=2)
    )
    token = tokens.registration_token(world.anna, tokens.Purpose.MANAGE)
    before = snapshot()
    response = call(api_client(), "post", f"{API}/registrations/by-token/{token}/cancel")
    assert response.status_code == 422
    assert "contact the office" in response.json()["detail"][0]["msg"]
    assert snapshot() == before
