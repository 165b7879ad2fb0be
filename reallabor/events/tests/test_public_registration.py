"""Registering on the event page without an account (views.public.event_register): the outcomes,
the second registration with the same address, the refusals (each changes nothing), htmx and the
full-page fallback."""

from __future__ import annotations

import datetime as dt
import html
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import Portfolio
from reallabor.actors.models import Consent, Purpose
from reallabor.actors.services.consent import current_texts
from reallabor.core.testing.actors import Crm
from reallabor.core.testing.events import EventsWorld, make_event, register_person
from reallabor.events.models import Event, Registration
from reallabor.events.services import events as event_services
from reallabor.events.services.notifications import Notice, deliver
from reallabor.events.tests.helpers import snapshot

pytestmark = pytest.mark.django_db


def client_for(portfolio: Portfolio, role: str = "anonymous") -> Client:
    client = portfolio.client(role)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def register_url(event: Event) -> str:
    return reverse("events:event-register", kwargs={"slug": event.slug})


def form(**data: Any) -> dict[str, Any]:
    values = {"first_name": "Hanna", "last_name": "Hobel", "email": "hanna@hobelwerk.example"}
    values.update(data)
    return values


def question_field(event: Event) -> str:
    return f"answer_{event.questions.get().pk}"


def notices(callbacks: list[Any]) -> list[tuple[str, list[int]]]:
    """The notices scheduled for after the commit (``services.notifications.deliver`` calls)."""
    return [
        (str(callback.args[0]), list(callback.args[1]))
        for callback in callbacks
        if getattr(callback, "func", None) is deliver
    ]


def test_new_address_must_be_confirmed(portfolio: Portfolio, events_portfolio: EventsWorld) -> None:
    event = events_portfolio.fruehstueck
    response = client_for(portfolio).post(
        register_url(event),
        form(organisation_name="Hobelwerk Bottrop", **{question_field(event): "vegan"}),
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Please confirm your e-mail address" in page
    assert "hanna@hobelwerk.example" in page
    assert "<html" in page  # without JavaScript: a page of its own
    registration = Registration.objects.get(event=event, email="hanna@hobelwerk.example")
    assert registration.status == Registration.Status.REGISTERED
    assert not registration.is_confirmed
    assert registration.source == Registration.Source.ONLINE
    assert registration.organisation_name == "Hobelwerk Bottrop"
    assert registration.answers == {str(event.questions.get().pk): "vegan"}
    assert registration.created_by is None


def test_confirmed_address_is_registered_at_once(
    portfolio: Portfolio, events_portfolio: EventsWorld, crm: Crm
) -> None:
    event = events_portfolio.office_event
    response = client_for(portfolio).post(register_url(event), form(email=crm.anna.email))
    assert response.status_code == 200
    assert "You are registered" in response.content.decode()
    registration = Registration.objects.get(event=event)
    assert registration.is_confirmed and registration.status == Registration.Status.REGISTERED


def test_full_event_puts_on_the_waiting_list(
    portfolio: Portfolio, events_portfolio: EventsWorld, crm: Crm
) -> None:
    event = make_event(title="Kleine Runde", capacity=1)
    register_person(event)
    response = client_for(portfolio).post(register_url(event), form(email=crm.anna.email))
    assert response.status_code == 200
    assert "You are on the waiting list" in response.content.decode()
    assert Registration.objects.get(event=event, email=crm.anna.email).status == Registration.Status.WAITING


def test_consents_are_recorded_with_the_shown_text(
    portfolio: Portfolio, events_portfolio: EventsWorld
) -> None:
    event = events_portfolio.office_event
    page = client_for(portfolio).get(reverse("events:event-detail", kwargs={"slug": event.slug}))
    shown = page.content.decode()
    for text in current_texts().values():
        statement = text.text.replace("\r\n", "\n").strip().split("\n\n")[0]
        assert html.escape(statement) in shown
    response = client_for(portfolio).post(
        register_url(event), form(consents=[Purpose.NEWSLETTER, Purpose.PHOTOS])
    )
    assert response.status_code == 200
    person = Registration.objects.get(event=event).person
    assert set(Consent.objects.filter(person=person).values_list("purpose", flat=True)) == {
        Purpose.NEWSLETTER,
        Purpose.PHOTOS,
    }


def test_second_registration_says_so_and_sends_the_link_again(
    portfolio: Portfolio,
    events_portfolio: EventsWorld,
    crm: Crm,
    django_capture_on_commit_callbacks: Any,
) -> None:
    event = events_portfolio.fruehstueck
    before = snapshot()
    with django_capture_on_commit_callbacks() as callbacks:
        response = client_for(portfolio).post(register_url(event), form(email=crm.anna.email.upper()))
    assert response.status_code == 200
    assert "You are already registered" in response.content.decode()
    assert snapshot() == before
    assert notices(callbacks) == [(Notice.REGISTERED, [events_portfolio.anna.pk])]
    # Sent again a moment later: no second e-mail (the address is not flooded).
    with django_capture_on_commit_callbacks() as callbacks:
        response = client_for(portfolio).post(register_url(event), form(email=crm.anna.email))
    assert "You are already registered" in response.content.decode()
    assert notices(callbacks) == []


def test_second_registration_unconfirmed_gets_the_confirmation_link_again(
    portfolio: Portfolio, events_portfolio: EventsWorld, django_capture_on_commit_callbacks: Any
) -> None:
    event = events_portfolio.office_event
    client_for(portfolio).post(register_url(event), form())
    registration = Registration.objects.get(event=event)
    with django_capture_on_commit_callbacks() as callbacks:
        client_for(portfolio).post(register_url(event), form())
    assert notices(callbacks) == [(Notice.CONFIRM_ADDRESS, [registration.pk])]


def test_every_bad_field_is_named_and_nothing_changes(
    portfolio: Portfolio, events_portfolio: EventsWorld
) -> None:
    event = events_portfolio.fruehstueck
    event_services.update_event(
        user=None,
        event=event,
        data={
            "questions": [
                {"label": "Ernährung", "kind": "choice", "choices": ["vegan", "alles"], "required": True}
            ]
        },
    )
    before = snapshot()
    response = client_for(portfolio).post(
        register_url(event),
        {"first_name": "", "last_name": "", "email": "kein-at-zeichen", "consents": ["x"]},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert page.count('class="error"') >= 5
    for field in ("first_name", "last_name", "email", question_field(event), "consents"):
        assert f'href="#id_{field}"' in page, field
    assert "Enter a valid e-mail address, such as name@example.org." in page
    assert snapshot() == before


def test_too_long_and_wrong_answers(portfolio: Portfolio, events_portfolio: EventsWorld) -> None:
    event = events_portfolio.fruehstueck
    before = snapshot()
    response = client_for(portfolio).post(
        register_url(event), form(first_name="x" * 101, **{question_field(event): "Kuchen"})
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert f'href="#id_{question_field(event)}"' in page
    assert 'href="#id_first_name"' in page
    assert snapshot() == before


def _closed_window(event: Event) -> Event:
    Event.objects.filter(pk=event.pk).update(registration_closes_at=timezone.now() - dt.timedelta(hours=1))
    return Event.objects.get(pk=event.pk)


def _not_yet_open(event: Event) -> Event:
    Event.objects.filter(pk=event.pk).update(registration_opens_at=timezone.now() + dt.timedelta(days=2))
    return Event.objects.get(pk=event.pk)


def _cancelled(event: Event) -> Event:
    return event_services.cancel_event(user=None, event=event)


def _past(event: Event) -> Event:
    starts = timezone.now() - dt.timedelta(days=3)
    Event.objects.filter(pk=event.pk).update(starts_at=starts, ends_at=starts + dt.timedelta(hours=2))
    return Event.objects.get(pk=event.pk)


def _begun(event: Event) -> Event:
    starts = timezone.now() - dt.timedelta(minutes=10)
    Event.objects.filter(pk=event.pk).update(starts_at=starts, ends_at=starts + dt.timedelta(hours=2))
    return Event.objects.get(pk=event.pk)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (_closed_window, "Registration closed on"),
        (_not_yet_open, "Registration opens on"),
        (_cancelled, "This event has been cancelled."),
        (_past, "This event has taken place."),
        (_begun, "This event has begun; registration is closed."),
    ],
)
def test_closed_registration_says_why_and_changes_nothing(
    portfolio: Portfolio, events_portfolio: EventsWorld, change: Any, message: str
) -> None:
    event = change(events_portfolio.office_event)
    page = client_for(portfolio).get(reverse("events:event-detail", kwargs={"slug": event.slug}))
    assert message in page.content.decode()
    assert 'name="first_name"' not in page.content.decode()
    before = snapshot()
    response = client_for(portfolio).post(register_url(event), form())
    assert response.status_code == 400
    assert snapshot() == before
    assert message in response.content.decode()


def test_htmx_gets_the_fragment(portfolio: Portfolio, events_portfolio: EventsWorld) -> None:
    event = events_portfolio.office_event
    client = client_for(portfolio)
    bad = client.post(register_url(event), form(email=""), headers={"HX-Request": "true"})
    assert bad.status_code == 200  # htmx swaps it in
    body = bad.content.decode()
    assert "<html" not in body and 'id="anmeldung"' in body and 'href="#id_email"' in body
    good = client.post(register_url(event), form(), headers={"HX-Request": "true"})
    assert good.status_code == 200
    body = good.content.decode()
    assert "<html" not in body and 'aria-live="polite"' in body
    assert "Please confirm your e-mail address" in body
    assert Registration.objects.filter(event=event).count() == 1


def test_get_of_the_form_address_goes_to_the_event(
    portfolio: Portfolio, events_portfolio: EventsWorld
) -> None:
    event = events_portfolio.office_event
    response = client_for(portfolio).get(register_url(event))
    assert response.status_code == 302
    assert response["Location"].endswith(
        reverse("events:event-detail", kwargs={"slug": event.slug}) + "#anmeldung"
    )


@pytest.mark.parametrize("role", ["reader", "partner", "coordinator", "administrator", "outsider"])
def test_signed_in_visitors_register_as_participants(
    portfolio: Portfolio, events_portfolio: EventsWorld, role: str
) -> None:
    """The public form is the participant's, whoever is signed in (the office registers people on
    their behalf on its own pages)."""
    event = events_portfolio.office_event
    response = client_for(portfolio, role).post(register_url(event), form())
    assert response.status_code == 200
    registration = Registration.objects.get(event=event)
    assert registration.source == Registration.Source.ONLINE and registration.created_by is None
    assert not registration.is_confirmed
