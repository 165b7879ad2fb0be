"""Who may download an event's documents: the office only (the default), the participants through
their personal link, or everybody from the public event page — always through a view that checks."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from conftest import ROLES, Portfolio
from reallabor.core.testing.events import EventsWorld
from reallabor.events.models import EventDocument
from reallabor.events.services import registrations as registration_services
from reallabor.events.services.documents import add_document
from reallabor.events.services.tokens import Purpose, registration_token
from reallabor.events.tests.helpers import snapshot

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def pdf(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def documents(event: Any) -> dict[str, EventDocument]:
    """One document per audience."""
    return {
        audience: add_document(
            user=None,
            event=event,
            title=f"Titel {audience}",
            file=pdf(f"{audience}.pdf", f"%PDF-1.4 {audience}".encode()),
            audience=audience,
        )
        for audience in EventDocument.Audience.values
    }


def content(response: Any) -> bytes:
    return b"".join(response.streaming_content)


def test_the_default_is_the_office_only(events_portfolio: EventsWorld) -> None:
    document = add_document(
        user=None, event=events_portfolio.fruehstueck, title="Protokoll", file=pdf("p.pdf", b"%PDF-1.4 x")
    )
    assert document.audience == EventDocument.Audience.OFFICE


@pytest.mark.parametrize("role", ROLES)
def test_the_public_page_lists_and_hands_out_only_the_public_documents(
    portfolio: Portfolio, events_portfolio: EventsWorld, role: str
) -> None:
    event = events_portfolio.fruehstueck
    shared = documents(event)
    client = portfolio.client(role)
    page = client.get(reverse("events:event-detail", kwargs={"slug": event.slug})).content.decode()
    public_url = reverse("events:document-public", kwargs={"slug": event.slug, "uuid": shared["public"].uuid})
    assert public_url in page
    assert "Titel public" in page
    assert "Titel participants" not in page and "Titel office" not in page
    response = client.get(public_url)
    assert response.status_code == 200
    assert content(response) == b"%PDF-1.4 public"
    assert response["Content-Disposition"].startswith("attachment")
    for audience in ("participants", "office"):
        url = reverse("events:document-public", kwargs={"slug": event.slug, "uuid": shared[audience].uuid})
        assert client.get(url).status_code == 404
    # Another event's slug with this document: not found either.
    other = reverse(
        "events:document-public",
        kwargs={"slug": events_portfolio.office_event.slug, "uuid": shared["public"].uuid},
    )
    assert client.get(other).status_code == 404


def test_an_event_page_without_public_documents_has_no_documents_section(
    portfolio: Portfolio, events_portfolio: EventsWorld
) -> None:
    event = events_portfolio.fruehstueck
    add_document(user=None, event=event, title="Intern", file=pdf("i.pdf", b"%PDF-1.4 i"))
    page = portfolio.client("anonymous").get(reverse("events:event-detail", kwargs={"slug": event.slug}))
    assert 'id="documents-heading"' not in page.content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_participants_get_their_documents_through_their_personal_link(
    portfolio: Portfolio, events_portfolio: EventsWorld, role: str
) -> None:
    event = events_portfolio.fruehstueck
    shared = documents(event)
    token = registration_token(events_portfolio.anna, Purpose.MANAGE)
    client = portfolio.client(role)
    page = client.get(reverse("events:registration-manage", kwargs={"token": token})).content.decode()
    for audience, listed in (("participants", True), ("public", True), ("office", False)):
        url = reverse("events:registration-document", kwargs={"token": token, "uuid": shared[audience].uuid})
        assert (url in page) is listed
        response = client.get(url)
        assert response.status_code == (200 if listed else 404)
        if listed:
            assert content(response) == f"%PDF-1.4 {audience}".encode()


def test_a_cancelled_registration_or_another_event_gets_no_documents(
    portfolio: Portfolio, events_portfolio: EventsWorld
) -> None:
    shared = documents(events_portfolio.fruehstueck)
    other = documents(events_portfolio.office_event)
    anna = events_portfolio.anna
    token = registration_token(anna, Purpose.MANAGE)
    client = portfolio.client("anonymous")
    url = reverse("events:registration-document", kwargs={"token": token, "uuid": other["participants"].uuid})
    assert client.get(url).status_code == 404
    registration_services.cancel_registration(user=None, registration=anna)
    page = client.get(reverse("events:registration-manage", kwargs={"token": token})).content.decode()
    assert "Titel participants" not in page
    url = reverse(
        "events:registration-document", kwargs={"token": token, "uuid": shared["participants"].uuid}
    )
    assert client.get(url).status_code == 404
    damaged = reverse(
        "events:registration-document", kwargs={"token": token[:-3] + "xyz", "uuid": shared["public"].uuid}
    )
    assert client.get(damaged).status_code == 400


def test_the_office_chooses_the_audience_when_uploading(
    portfolio: Portfolio, events_portfolio: EventsWorld
) -> None:
    event = events_portfolio.fruehstueck
    url = reverse("events:document-list", kwargs={"slug": event.slug})
    client = portfolio.client("coordinator")
    page = client.get(url).content.decode()
    assert 'name="audience"' in page
    response = client.post(
        url,
        {
            "title": "Folien",
            "kind": "slides",
            "audience": "participants",
            "file": pdf("f.pdf", b"%PDF-1.4 f"),
        },
    )
    assert response.status_code == 302
    assert EventDocument.objects.get(title="Folien").audience == "participants"
    before = snapshot()
    response = client.post(
        url, {"title": "Folien", "kind": "slides", "audience": "alle", "file": pdf("g.pdf", b"%PDF-1.4 g")}
    )
    assert response.status_code == 200
    assert "audience" in response.context["form"].errors
    assert snapshot() == before


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("anonymous", False),
        ("reader", False),
        ("partner", False),
        ("outsider", False),
        ("coordinator", True),
        ("administrator", True),
    ],
)
def test_changing_the_audience_is_for_those_who_manage_the_event(
    portfolio: Portfolio, events_portfolio: EventsWorld, role: str, allowed: bool
) -> None:
    event = events_portfolio.fruehstueck
    document = add_document(user=None, event=event, title="Protokoll", file=pdf("p.pdf", b"%PDF-1.4 p"))
    url = reverse("events:document-audience", kwargs={"slug": event.slug, "uuid": document.uuid})
    before = snapshot()
    response = portfolio.client(role).post(url, {"audience": "public"})
    document.refresh_from_db()
    if allowed:
        assert response.status_code == 302
        assert document.audience == "public"
        # Bad input: a clear message, nothing changed.
        before = snapshot()
        response = portfolio.client(role).post(
            url, {"audience": "alle"}, follow=True, headers={"accept-language": "en"}
        )
        assert "Choose who may download the document." in response.content.decode()
        assert snapshot() == before
    else:
        assert response.status_code in (302, 403)
        assert snapshot() == before
