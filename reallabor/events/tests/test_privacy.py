"""The events' part of a person's export, erasure and anonymisation (reallabor/events/privacy.py)."""

from __future__ import annotations

import pytest

from conftest import Portfolio
from reallabor.actors.models import Person
from reallabor.actors.services import privacy
from reallabor.core.testing.actors import Crm
from reallabor.core.testing.events import make_event, register_person
from reallabor.events.models import Feedback, Invitation, Registration

pytestmark = pytest.mark.django_db


def dora_at(event_capacity: int = 1) -> tuple[Registration, Registration]:
    """Dora holds the only seat of an event; Emil waits."""
    event = make_event(capacity=event_capacity)
    dora = register_person(event, first_name="Dora", last_name="Dahlmann", email="dora@example.org")
    emil = register_person(event, first_name="Emil", last_name="Ebert", email="emil@example.org")
    assert (dora.status, emil.status) == (Registration.Status.REGISTERED, Registration.Status.WAITING)
    return dora, emil


def test_the_person_export_holds_registrations_invitations_and_the_confirmed_address(
    portfolio: Portfolio, crm: Crm
) -> None:
    dora, _emil = dora_at()
    Invitation.objects.create(event=dora.event, person=dora.person)
    data = privacy.export_person(user=portfolio.users["administrator"], person=dora.person)
    (registration,) = data["events"]["registrations"]
    assert registration["event"]["slug"] == dora.event.slug
    assert registration["email"] == "dora@example.org" and registration["status"] == "registered"
    assert data["events"]["invitations"][0]["event"] == dora.event.slug
    assert data["person"]["email_confirmed"] == "dora@example.org"
    assert data["person"]["email_confirmed_at"]


def test_erasing_a_person_removes_their_registrations_and_gives_the_seat_on(
    portfolio: Portfolio, crm: Crm
) -> None:
    dora, emil = dora_at()
    person = dora.person
    privacy.erase_person(user=portfolio.users["administrator"], person=person)
    assert not Person.objects.filter(pk=person.pk).exists()
    assert not Registration.objects.filter(pk=dora.pk).exists()
    emil.refresh_from_db()
    assert emil.status == Registration.Status.OFFERED


def test_anonymising_a_person_blanks_what_their_registrations_say_about_them(
    portfolio: Portfolio, crm: Crm
) -> None:
    dora, _emil = dora_at()
    Feedback.objects.create(registration=dora, rating=4, text="Frau Dahlmann fand es gut", next_topic="KI")
    privacy.anonymise_person(user=portfolio.users["administrator"], person=dora.person)
    dora.refresh_from_db()
    assert (dora.first_name, dora.email, dora.organisation_name, dora.answers) == ("", "", "", {})
    assert "Dahlmann" not in dora.last_name
    feedback = Feedback.objects.get(registration=dora)
    assert feedback.rating == 4 and "Dahlmann" not in feedback.text and feedback.next_topic == "KI"
    assert dora.person.email_confirmed == ""
