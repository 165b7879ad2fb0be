"""API role matrix cases of the events (collected by test_api_role_matrix.py)."""

from reallabor.core.testing.events import EventsWorld
from reallabor.events.tests.api_matrix_common import (
    ALL_200,
    API,
    MANAGE,
    MANAGE_CREATE,
    ApiCase,
    expect,
)

NEW_EVENT = {"title": "Neues Treffen", "starts_at": "2031-05-06T09:00:00", "ends_at": "2031-05-06T11:00:00"}
SEES_ALL = expect(404, 200, 200, 200, 200, 404)  # the partner sees the trade lab's events


def _event(world: EventsWorld) -> str:
    return f"{API}/events/{world.fruehstueck.slug}"


def _crafts_draft(world: EventsWorld) -> str:
    return f"{API}/events/{world.crafts_draft.slug}"


def _trade_draft(world: EventsWorld) -> str:
    return f"{API}/events/{world.trade_draft.slug}"


API_CASES = [
    ApiCase("list events", "get", f"{API}/events", ALL_200),
    ApiCase("event", "get", _event, ALL_200),
    ApiCase("draft of the crafts lab", "get", _crafts_draft, expect(404, 200, 404, 200, 200, 404)),
    ApiCase(
        "event by invitation", "get", lambda world: f"{API}/events/{world.trade_invitation.slug}", SEES_ALL
    ),
    ApiCase("draft of the trade lab", "get", _trade_draft, SEES_ALL),
    ApiCase("create event", "post", f"{API}/events", MANAGE_CREATE, NEW_EVENT),
    ApiCase(
        "create event for the trade lab",
        "post",
        f"{API}/events",
        expect(401, 403, 403, 422, 201, 403),
        {**NEW_EVENT, "lab": "hybride-formen-des-handels"},
    ),
    ApiCase("update event", "patch", _event, MANAGE, {"description": "Mit Frühstück"}),
    ApiCase(
        "update the office's event",
        "patch",
        lambda world: f"{API}/events/{world.office_event.slug}",
        MANAGE,
        {"capacity": 40},
    ),
    ApiCase(
        "update a draft of the trade lab", "patch", _trade_draft, expect(401, 403, 403, 403, 200, 404), {}
    ),
    ApiCase(
        "publish a draft",
        "post",
        lambda world: f"{_crafts_draft(world)}/publish",
        expect(401, 403, 404, 200, 200, 404),
    ),
    ApiCase(
        "publish a draft of the trade lab",
        "post",
        lambda world: f"{_trade_draft(world)}/publish",
        expect(401, 403, 403, 403, 200, 404),
    ),
    ApiCase("cancel event", "post", lambda world: f"{_event(world)}/cancel", MANAGE),
    ApiCase("delete a draft", "delete", _crafts_draft, expect(401, 403, 404, 204, 204, 404)),
]
