"""Documents attached to an event (minutes, slides, others): uploaded by those who manage it.

Files go under an unguessable path in the media storage, which is not served: the pages hand them
out through views that check who may have them. ``EventDocument.audience`` says who that is:

- ``office`` (the default): those who manage the event (``views.exports.document_download``);
- ``participants``: also the confirmed participants (registration ``registered``), through their
  personal link (``views.selfservice.registration_document``; ``for_participant``);
- ``public``: also everybody, on the page of a listed public event
  (``views.exports.public_document_download``; ``public_documents``).
"""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from reallabor.core.validation import ErrorCollector
from reallabor.events import permissions
from reallabor.events.models import Event, EventDocument, Registration
from reallabor.events.services.common import acting, text
from reallabor.labs.services.common import EVIDENCE_EXTENSIONS

EXTENSIONS = EVIDENCE_EXTENSIONS | {".odp", ".ppt", ".md"}


@transaction.atomic
def add_document(
    *,
    user: Any,
    event: Event,
    title: str,
    file: UploadedFile,
    kind: str = EventDocument.Kind.OTHER,
    audience: str = EventDocument.Audience.OFFICE,
) -> EventDocument:
    if not permissions.can_manage_event(user, event):
        raise PermissionDenied(_("You may not add documents to this event."))
    errors = ErrorCollector()
    title = text(title, "title", errors, limit=200, required=True, label=_("title"))
    if kind not in EventDocument.Kind.values:
        errors.add("kind", _("Choose minutes, slides or other."))
    if audience not in EventDocument.Audience.values:
        errors.add("audience", _("Choose who may download the document."))
    name = PurePath(getattr(file, "name", "") or "").name
    if file is None or not name:
        errors.add("file", _("Choose a file."))
    else:
        if PurePath(name).suffix.lower() not in EXTENSIONS:
            errors.add(
                "file",
                _("Files of this type cannot be attached; allowed: %(types)s.")
                % {"types": ", ".join(sorted(EXTENSIONS))},
            )
        if (file.size or 0) > settings.MAX_UPLOAD_BYTES:
            errors.add(
                "file",
                _("The file is larger than %(size)s MB.")
                % {"size": settings.MAX_UPLOAD_BYTES // (1024 * 1024)},
            )
        if not file.size:
            errors.add("file", _("The file is empty."))
    errors.raise_if_any()
    document = EventDocument(event=event, title=title, kind=kind, audience=audience, uploaded_by=acting(user))
    document.file.save(name[-150:], file, save=False)
    path = document.file.name or ""
    try:
        document.save()
    except Exception:
        document.file.storage.delete(path)
        raise
    return document


@transaction.atomic
def remove_document(*, user: Any, document: EventDocument) -> None:
    if not permissions.can_manage_event(user, document.event):
        raise PermissionDenied(_("You may not remove documents of this event."))
    storage, path = document.file.storage, document.file.name
    document.delete()
    if path:
        transaction.on_commit(lambda: storage.delete(path))


@transaction.atomic
def set_document_audience(*, user: Any, document: EventDocument, audience: str) -> EventDocument:
    """Change who may download the document."""
    if not permissions.can_manage_event(user, document.event):
        raise PermissionDenied(_("You may not change the documents of this event."))
    if audience not in EventDocument.Audience.values:
        raise ValidationError({"audience": _("Choose who may download the document.")})
    EventDocument.objects.filter(pk=document.pk).update(audience=audience)
    document.audience = audience
    return document


PARTICIPANT_AUDIENCES = (EventDocument.Audience.PARTICIPANTS, EventDocument.Audience.PUBLIC)


def public_documents(event: Event) -> QuerySet[EventDocument]:
    """What everybody may download: the public documents of a listed public event."""
    if event.published_at is None or event.visibility != Event.Visibility.PUBLIC:
        return EventDocument.objects.none()
    return EventDocument.objects.filter(event=event, audience=EventDocument.Audience.PUBLIC).order_by(
        "uploaded_at", "id"
    )


def for_participant(registration: Registration) -> QuerySet[EventDocument]:
    """What a participant may download through their personal link: the documents for the
    participants (and the public ones) of their event, while they are registered (a cancelled,
    lapsed or waiting registration gets none)."""
    if registration.status != Registration.Status.REGISTERED:
        return EventDocument.objects.none()
    return EventDocument.objects.filter(
        event_id=registration.event_id, audience__in=PARTICIPANT_AUDIENCES
    ).order_by("uploaded_at", "id")
