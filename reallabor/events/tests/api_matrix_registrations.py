"""API role matrix cases of the registrations (collected by test_api_role_matrix.py).

The office's endpoints are for those who see the event's participants; the participant's own
registration is reached by the token of their personal link by anybody who has it (signed in or
not: the token is the credential). Check-in cases use an event that began half an hour ago.
"""

import datetime as dt
from typing import Any

from django.utils import timezone

from reallabor.core.testing.events import EventsWorld, make_event, make_registration
from reallabor.events.models import Registration
from reallabor.events.services import tokens
from reallabor.events.tests.api_matrix_common import (
    ALL_200,
    API,
    OFFICE_CREATE,
    OFFICE_READ,
    OFFICE_WRITE,
    ApiCase,
    expect,
)

ADMIN_ONLY_READ = expect(401, 403, 403, 403, 200, 403)
PERSON = {"first_name": "Heike", "last_name": "Telefon", "email": "heike.telefon@example.org"}


def _begun(world: EventsWorld, **fields: Any) -> Registration:
    """A registration for an event of the crafts lab that began half an hour ago."""
    starts = timezone.now().replace(microsecond=0) - dt.timedelta(minutes=30)
    event = make_event(title="Werkstattbesuch heute", lab=world.fruehstueck.lab, starts_at=starts)
    return make_registration(event, **fields)


def _anna(world: EventsWorld) -> str:
    return f"{API}/registrations/{world.anna.uuid}"


def _token(world: EventsWorld) -> str:
    return f"{API}/registrations/by-token/{tokens.registration_token(world.clara, tokens.Purpose.MANAGE)}"


def _trade_registration(world: EventsWorld) -> str:
    return f"{API}/registrations/{make_registration(world.trade_invitation).uuid}"


API_CASES = [
    ApiCase(
        "registrations of an event",
        "get",
        lambda world: f"{API}/events/{world.fruehstueck.slug}/registrations",
        OFFICE_READ,
    ),
    ApiCase(
        "registrations of a trade lab event",
        "get",
        lambda world: f"{API}/events/{world.trade_invitation.slug}/registrations",
        ADMIN_ONLY_READ,
    ),
    ApiCase(
        "register on behalf",
        "post",
        lambda world: f"{API}/events/{world.fruehstueck.slug}/registrations",
        OFFICE_CREATE,
        PERSON,
    ),
    ApiCase(
        "register on behalf for a trade lab event",
        "post",
        lambda world: f"{API}/events/{world.trade_invitation.slug}/registrations",
        expect(401, 403, 403, 403, 201, 403),
        PERSON,
    ),
    ApiCase(
        "walk-in",
        "post",
        lambda world: f"{API}/events/{_begun(world).event.slug}/walk-ins",
        OFFICE_CREATE,
        {"first_name": "Spontan", "last_name": "Gast"},
    ),
    ApiCase("registration", "get", _anna, OFFICE_READ),
    ApiCase(
        "registration of a trade lab event",
        "get",
        _trade_registration,
        expect(401, 403, 403, 404, 200, 403),
    ),
    ApiCase("change registration", "patch", _anna, OFFICE_WRITE, {"organisation_name": "Tischlerei"}),
    ApiCase("cancel registration", "post", lambda world: f"{_anna(world)}/cancel", OFFICE_WRITE),
    ApiCase(
        "check in",
        "post",
        lambda world: f"{API}/registrations/{_begun(world).uuid}/check-in",
        OFFICE_WRITE,
    ),
    ApiCase(
        "undo check-in",
        "post",
        lambda world: f"{API}/registrations/{_begun(world, checked_in_at=timezone.now()).uuid}/undo-check-in",
        OFFICE_WRITE,
    ),
    ApiCase("own registration by link", "get", _token, ALL_200),
    ApiCase("change own registration by link", "patch", _token, ALL_200, {"organisation_name": "Büro"}),
    ApiCase("cancel own registration by link", "post", lambda world: f"{_token(world)}/cancel", ALL_200),
    ApiCase(
        "tampered link",
        "post",
        lambda world: f"{_token(world)}x/cancel",
        expect(400, 400, 400, 400, 400, 400),
    ),
]
