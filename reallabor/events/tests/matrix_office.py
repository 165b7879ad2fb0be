"""The office's event pages in the events' role matrix (see ``matrix_common``)."""

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from reallabor.core.testing.events import EventsWorld
from reallabor.events.models import EventDocument
from reallabor.events.services.documents import add_document
from reallabor.events.tests.matrix_common import (
    OFFICE,
    OTHER_LAB,
    MatrixEntry,
    event_slug,
    no_kwargs,
    series_slug,
)


def trade_slug(world: EventsWorld) -> dict[str, Any]:
    return {"slug": world.trade_invitation.slug}


def office_event_slug(world: EventsWorld) -> dict[str, Any]:
    return {"slug": world.office_event.slug}


def anna(world: EventsWorld) -> dict[str, Any]:
    return {"slug": world.fruehstueck.slug, "uuid": world.anna.uuid}


def export(fmt: str) -> Any:
    return lambda world: {"slug": world.fruehstueck.slug, "fmt": fmt}


def document(world: EventsWorld) -> dict[str, Any]:
    """A document of the Handwerksfrühstück (added on first use)."""
    found = EventDocument.objects.filter(event=world.fruehstueck).first()
    if found is None:
        upload = SimpleUploadedFile("protokoll.pdf", b"%PDF-1.4 minutes", content_type="application/pdf")
        found = add_document(
            user=None, event=world.fruehstueck, title="Protokoll", file=upload, kind="minutes"
        )
    return {"slug": world.fruehstueck.slug, "uuid": found.uuid}


GET_MATRIX: list[MatrixEntry] = [
    ("events:event-office-list", no_kwargs, OFFICE),
    ("events:event-create", no_kwargs, OFFICE),
    ("events:series-create", no_kwargs, OFFICE),
    ("events:series-edit", series_slug, OFFICE),
    ("events:event-edit", event_slug, OFFICE),
    ("events:event-edit", trade_slug, OTHER_LAB),
    ("events:event-edit", office_event_slug, OFFICE),
    ("events:event-cancel", event_slug, OFFICE),
    ("events:event-delete", event_slug, OFFICE),
    ("events:event-participants", event_slug, OFFICE),
    ("events:event-participants", trade_slug, OTHER_LAB),
    ("events:participant-cancel", anna, OFFICE),
    ("events:event-export", export("csv"), OFFICE),
    ("events:event-export", export("xlsx"), OFFICE),
    ("events:event-sign-in-sheet", event_slug, OFFICE),
    ("events:document-list", event_slug, OFFICE),
    ("events:document-list", trade_slug, OTHER_LAB),
    ("events:document-download", document, OFFICE),
    ("events:event-minutes", event_slug, OFFICE),
]

POST_ONLY: set[str] = {
    "events:event-publish",
    "events:participant-add",
    "events:event-invite",
    "events:document-remove",
}

POST_KWARGS = {"events:document-remove": document}
"""Kwargs of POST-only URLs that the role matrix cannot fill in by itself."""
