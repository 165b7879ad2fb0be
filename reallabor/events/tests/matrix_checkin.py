"""Role matrix entries of the check-in page and the series' development (collected by
test_role_matrix.py)."""

from typing import Any

from reallabor.core.testing.events import EventsWorld
from reallabor.events.tests.matrix_common import OFFICE, OTHER_LAB, MatrixEntry, event_slug, series_slug

# The numbers of a series have no personal data: readers see them too, besides the office.
READERS_AND_OFFICE = (302, 200, 403, 200, 200, 403)


def _trade_event(world: EventsWorld) -> dict[str, Any]:
    return {"slug": world.trade_invitation.slug}


GET_MATRIX: list[MatrixEntry] = [
    ("events:checkin", event_slug, OFFICE),
    ("events:checkin", _trade_event, OTHER_LAB),
    ("events:series-development", series_slug, READERS_AND_OFFICE),
    ("events:event-feedback", event_slug, OFFICE),
    ("events:event-feedback", _trade_event, OTHER_LAB),
]
POST_ONLY: set[str] = {
    "events:checkin-register",
    "events:checkin-walk-in",
    "events:checkin-undo",
}
