"""Documents shared beyond the office in the events' role matrix (see ``matrix_common``).

A document for everybody is downloaded from the page of a listed public event by every role; one
for the office only is not there (404 for everybody: the office has its own download). A document
for the participants comes through the participant's personal link, whoever is signed in.
"""

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from reallabor.core.testing.events import EventsWorld
from reallabor.events.models import Event, EventDocument
from reallabor.events.services.documents import add_document
from reallabor.events.services.tokens import Purpose, registration_token
from reallabor.events.tests.matrix_common import ALL_200, MatrixEntry

ALL_404 = (404, 404, 404, 404, 404, 404)
ALL_400 = (400, 400, 400, 400, 400, 400)


def shared(event: Event, audience: str) -> EventDocument:
    """A document of the event for this audience (added on first use)."""
    found = EventDocument.objects.filter(event=event, audience=audience).first()
    if found is None:
        upload = SimpleUploadedFile(f"{audience}.pdf", b"%PDF-1.4 " + audience.encode(), "application/pdf")
        found = add_document(
            user=None, event=event, title=f"Unterlagen {audience}", file=upload, audience=audience
        )
    return found


def public_document(audience: str, event: str = "fruehstueck") -> Any:
    def kwargs(world: EventsWorld) -> dict[str, Any]:
        found = shared(getattr(world, event), audience)
        return {"slug": found.event.slug, "uuid": found.uuid}

    return kwargs


def participant_document(audience: str, token: str = "") -> Any:
    def kwargs(world: EventsWorld) -> dict[str, Any]:
        found = shared(world.fruehstueck, audience)
        return {"token": token or registration_token(world.anna, Purpose.MANAGE), "uuid": found.uuid}

    return kwargs


GET_MATRIX: list[MatrixEntry] = [
    ("events:document-public", public_document("public"), ALL_200),
    ("events:document-public", public_document("participants"), ALL_404),
    ("events:document-public", public_document("office"), ALL_404),
    # A public document of an event by invitation is not on a public page.
    ("events:document-public", public_document("public", "trade_invitation"), ALL_404),
    ("events:registration-document", participant_document("participants"), ALL_200),
    ("events:registration-document", participant_document("public"), ALL_200),
    ("events:registration-document", participant_document("office"), ALL_404),
    ("events:registration-document", participant_document("participants", "kaputt"), ALL_400),
]

POST_ONLY: set[str] = {"events:document-audience"}


def _office_document(world: EventsWorld) -> dict[str, Any]:
    found = shared(world.fruehstueck, "office")
    return {"slug": world.fruehstueck.slug, "uuid": found.uuid}


POST_KWARGS = {"events:document-audience": _office_document}
