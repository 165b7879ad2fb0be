"""Role matrix entries of the public pages and the personal links (collected by test_role_matrix.py).

The calendar, the pages of listed public events and series and their calendar files are for
everybody. An event by invitation is not public (404) but for readers, the office and the
partners (listed events of either visibility); drafts only for those who see the lab's drafts.
The personal links do not depend on who is signed in: the signed token is the key (a damaged
token gives 400 to everybody).
"""

from typing import Any

from reallabor.core.testing.events import EventsWorld
from reallabor.events.models import Invitation
from reallabor.events.services.tokens import Purpose, invitation_token, registration_token
from reallabor.events.tests.matrix_common import ALL_200, MatrixEntry, event_slug, no_kwargs, series_slug

ALL_302 = (302, 302, 302, 302, 302, 302)
ALL_400 = (400, 400, 400, 400, 400, 400)
# Listed events by invitation: not public; readers, partners and the office see them.
NOT_PUBLIC = (404, 200, 200, 200, 200, 404)
NOT_PUBLIC_REDIRECT = (404, 302, 302, 302, 302, 404)
# A draft of the crafts lab: readers, its coordinator and administrators.
CRAFTS_DRAFT = (404, 200, 404, 200, 200, 404)


def trade_invitation(world: EventsWorld) -> dict[str, Any]:
    return {"slug": world.trade_invitation.slug}


def crafts_draft(world: EventsWorld) -> dict[str, Any]:
    return {"slug": world.crafts_draft.slug}


def trade_draft(world: EventsWorld) -> dict[str, Any]:
    return {"slug": world.trade_draft.slug}


def invitation(world: EventsWorld) -> dict[str, Any]:
    """Anna's invitation to the trade lab's event (made on demand)."""
    found, _created = Invitation.objects.get_or_create(event=world.trade_invitation, person=world.anna.person)
    return {"token": invitation_token(found)}


def anna_token(purpose: Purpose) -> Any:
    def kwargs(world: EventsWorld) -> dict[str, Any]:
        return {"token": registration_token(world.anna, purpose)}

    return kwargs


def damaged_token(world: EventsWorld) -> dict[str, Any]:
    return {"token": registration_token(world.anna, Purpose.MANAGE)[:-4] + "abcd"}


GET_MATRIX: list[MatrixEntry] = [
    ("events:calendar", no_kwargs, ALL_200),
    ("events:event-detail", event_slug, ALL_200),
    ("events:event-detail", trade_invitation, NOT_PUBLIC),
    ("events:event-detail", crafts_draft, CRAFTS_DRAFT),
    ("events:event-detail", trade_draft, NOT_PUBLIC),
    ("events:event-register", event_slug, ALL_302),
    ("events:event-register", trade_invitation, NOT_PUBLIC_REDIRECT),
    ("events:event-ics", event_slug, ALL_200),
    ("events:event-ics", crafts_draft, CRAFTS_DRAFT),
    ("events:series-detail", series_slug, ALL_200),
    ("events:series-feed", series_slug, ALL_200),
    ("events:invitation", invitation, ALL_200),
    ("events:registration-manage", anna_token(Purpose.MANAGE), ALL_200),
    ("events:registration-manage", damaged_token, ALL_400),
    ("events:registration-cancel", anna_token(Purpose.MANAGE), ALL_200),
    ("events:registration-ics", anna_token(Purpose.MANAGE), ALL_200),
    ("events:registration-confirm", anna_token(Purpose.CONFIRM), ALL_200),
    ("events:registration-accept", anna_token(Purpose.ACCEPT_OFFER), ALL_200),
    ("events:registration-decline", anna_token(Purpose.DECLINE_OFFER), ALL_200),
    ("events:registration-feedback", anna_token(Purpose.FEEDBACK), ALL_200),
]
POST_ONLY: set[str] = set()
