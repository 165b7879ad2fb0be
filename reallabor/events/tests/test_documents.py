"""Documents of an event: uploaded by those who manage it, checked, removed with their file."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from conftest import Portfolio
from reallabor.core.testing.events import EventsWorld
from reallabor.events.models import EventDocument
from reallabor.events.services.documents import add_document, remove_document
from reallabor.events.tests.helpers import messages, snapshot

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def pdf(name: str = "protokoll.pdf", content: bytes = b"%PDF-1.4 minutes") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def test_the_coordinator_attaches_and_removes_minutes(
    events_portfolio: EventsWorld, portfolio: Portfolio, django_capture_on_commit_callbacks: Any
) -> None:
    user = portfolio.users["coordinator"]
    event = events_portfolio.fruehstueck
    document = add_document(user=user, event=event, title="Protokoll", file=pdf(), kind="minutes")
    storage, path = document.file.storage, document.file.name or ""
    assert path.startswith(f"events/{event.uuid}/")
    assert path.endswith("/protokoll.pdf")
    assert storage.exists(path)
    with django_capture_on_commit_callbacks(execute=True):
        remove_document(user=user, document=document)
    assert not storage.exists(path)
    assert not EventDocument.objects.exists()


def test_bad_uploads_and_other_roles_are_refused(events_portfolio: EventsWorld, portfolio: Portfolio) -> None:
    event = events_portfolio.fruehstueck
    before = snapshot()
    with pytest.raises(ValidationError) as error:
        add_document(user=None, event=event, title="", file=pdf("virus.exe"), kind="video")
    assert set(messages(error)) == {"title", "file", "kind"}
    with pytest.raises(ValidationError) as error:
        add_document(user=None, event=event, title="Leer", file=pdf(content=b""))
    assert messages(error) == {"file": ["The file is empty."]}
    for role in ("reader", "partner", "outsider"):
        with pytest.raises(PermissionDenied):
            add_document(user=portfolio.users[role], event=event, title="X", file=pdf())
    with pytest.raises(PermissionDenied):
        add_document(
            user=portfolio.users["coordinator"], event=events_portfolio.trade_draft, title="X", file=pdf()
        )
    assert snapshot() == before
