"""``{% public_documents event as documents %}``: the documents everybody may download from the
event's public page (``services.documents.public_documents``; one query)."""

from __future__ import annotations

from django import template

from reallabor.events.models import Event, EventDocument
from reallabor.events.services.documents import public_documents as shared

register = template.Library()


@register.simple_tag
def public_documents(event: Event) -> list[EventDocument]:
    if not isinstance(event, Event):
        return []
    return list(shared(event))
