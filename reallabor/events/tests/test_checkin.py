"""Check-in at the door: by code, QR (UUID) or name; idempotent; undo; walk-ins; the attendance in the
actors' timeline; only the office."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from conftest import Portfolio
from reallabor.actors.models import Consent, Interaction, Person, Purpose
from reallabor.core.testing.actors import Crm
from reallabor.core.testing.events import EventsWorld, register_person
from reallabor.events.models import Event, Registration
from reallabor.events.services import checkin
from reallabor.events.services.common import local_time
from reallabor.events.tests.helpers import messages, snapshot

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def begin(event: Event, minutes_ago: int = 30) -> Event:
    starts = timezone.now() - dt.timedelta(minutes=minutes_ago)
    Event.objects.filter(pk=event.pk).update(starts_at=starts, ends_at=starts + dt.timedelta(hours=2))
    event.refresh_from_db()
    return event


def coordinator(portfolio: Portfolio) -> Any:
    return portfolio.users["coordinator"]


def test_checking_in_records_the_attendance_in_the_timeline(
    events_portfolio: EventsWorld, portfolio: Portfolio, crm: Crm
) -> None:
    event = begin(events_portfolio.fruehstueck)
    user = coordinator(portfolio)
    result = checkin.check_in(user=user, registration=events_portfolio.anna)
    assert not result.already
    assert result.message == "Anna Schreiner is checked in."
    anna = result.registration
    assert anna.checked_in_at is not None and anna.checked_in_by == user

    event.refresh_from_db()
    interaction = event.attendance_interaction
    assert interaction is not None
    assert (interaction.kind, interaction.subject, interaction.organisation, interaction.lab) == (
        Interaction.Kind.EVENT,
        event.title,
        crm.tischlerei,
        portfolio.handwerk,
    )
    assert interaction.occurred_at == event.starts_at
    assert list(interaction.participants.all()) == [crm.anna]
    checkin.check_in(user=user, registration=events_portfolio.clara)
    assert set(interaction.participants.all()) == {crm.anna, crm.clara}
    assert Interaction.objects.filter(kind=Interaction.Kind.EVENT).count() == 1
    crm.clara.refresh_from_db()
    assert crm.clara.last_contact_at == event.starts_at


def test_checking_in_twice_changes_nothing_and_says_when(
    events_portfolio: EventsWorld, portfolio: Portfolio
) -> None:
    begin(events_portfolio.fruehstueck)
    first = checkin.check_in(user=coordinator(portfolio), registration=events_portfolio.anna)
    before = snapshot()
    second = checkin.check_in(user=portfolio.users["administrator"], registration=events_portfolio.anna)
    assert snapshot() == before
    assert second.already
    assert first.registration.checked_in_at is not None
    assert (
        second.message
        == f"Anna Schreiner was already checked in at {local_time(first.registration.checked_in_at)}."
    )


def test_check_in_opens_on_the_day_of_the_event(events_portfolio: EventsWorld, portfolio: Portfolio) -> None:
    before = snapshot()
    with pytest.raises(ValidationError) as error:
        checkin.check_in(user=coordinator(portfolio), registration=events_portfolio.anna)
    assert messages(error)["event"][0].startswith("Check-in opens on the day of the event (")
    assert snapshot() == before


def test_a_waiting_person_who_comes_gets_a_seat(events_portfolio: EventsWorld, portfolio: Portfolio) -> None:
    event = events_portfolio.fruehstueck
    register_person(event)
    waiting = register_person(event)
    assert waiting.status == Registration.Status.WAITING
    begin(event)
    result = checkin.check_in(user=coordinator(portfolio), registration=waiting)
    assert result.registration.status == Registration.Status.REGISTERED


def test_undoing_a_check_in_takes_the_person_out_of_the_timeline(
    events_portfolio: EventsWorld, portfolio: Portfolio, crm: Crm
) -> None:
    user = coordinator(portfolio)
    dora = register_person(events_portfolio.office_event, first_name="Dora", email="dora@example.org")
    event = begin(events_portfolio.office_event)  # no host: the interaction goes with its last participant
    checkin.check_in(user=user, registration=dora)
    event.refresh_from_db()
    interaction = event.attendance_interaction
    assert interaction is not None
    undone = checkin.undo_check_in(user=user, registration=dora)
    assert undone.checked_in_at is None and undone.checked_in_by is None
    assert not Interaction.objects.filter(pk=interaction.pk).exists()
    event.refresh_from_db()
    assert event.attendance_interaction is None
    assert checkin.undo_check_in(user=user, registration=dora).checked_in_at is None  # twice is fine

    hosted = begin(events_portfolio.fruehstueck)  # with a host the interaction stays
    checkin.check_in(user=user, registration=events_portfolio.anna)
    checkin.undo_check_in(user=user, registration=events_portfolio.anna)
    hosted.refresh_from_db()
    assert hosted.attendance_interaction is not None
    assert list(hosted.attendance_interaction.participants.all()) == []


def test_finding_people_by_code_qr_name_and_organisation(
    events_portfolio: EventsWorld, portfolio: Portfolio
) -> None:
    user = coordinator(portfolio)
    event = events_portfolio.fruehstueck
    anna = events_portfolio.anna

    def found(text: str) -> list[str]:
        return [
            registration.last_name
            for registration in checkin.find_for_check_in(user=user, event=event, text=text)
        ]

    assert found(anna.code.lower()) == ["Schreiner"]
    assert found(f"{anna.code[:3]} {anna.code[3:]}") == ["Schreiner"]
    assert found(str(anna.uuid)) == ["Schreiner"]
    assert found(f"https://reallabor.example/veranstaltungen/checkin/{anna.uuid}/") == ["Schreiner"]
    assert found("anna schrei") == ["Schreiner"]
    assert found("tischlerei") == ["Schreiner"]
    assert found("clara") == ["Einzeln"]
    assert found("niemand") == []
    assert found("   ") == []
    other = events_portfolio.office_event
    assert checkin.find_for_check_in(user=user, event=other, text=anna.code) == []


def test_walk_ins_are_registered_and_checked_in_even_when_full(
    events_portfolio: EventsWorld, portfolio: Portfolio
) -> None:
    event = events_portfolio.fruehstueck
    register_person(event)  # full: 3 of 3
    begin(event)
    user = coordinator(portfolio)
    result = checkin.walk_in(
        user=user,
        event=event,
        data={
            "first_name": "Walter",
            "last_name": "Spontan",
            "organisation_name": "Tischlerei Beispiel",
            "consents": [Purpose.PHOTOS],
        },
    )
    walter = result.registration
    assert result.message == "Walter Spontan is registered and checked in."
    assert (walter.status, walter.source, walter.email, walter.created_by) == (
        "registered",
        "walk_in",
        "",
        user,
    )
    assert walter.checked_in_at is not None and walter.organisation is not None
    assert Person.objects.get(pk=walter.person_id).email == ""
    assert Consent.objects.get(person=walter.person).source == "in_person"
    # Another walk-in without an address is another person.
    second = checkin.walk_in(user=user, event=event, data={"first_name": "Wilma", "last_name": "Spontan"})
    assert second.registration.person_id != walter.person_id
    # Someone registered who says they are a walk-in is simply checked in.
    again = checkin.walk_in(
        user=user,
        event=event,
        data={"first_name": "Anna", "last_name": "S", "email": events_portfolio.anna.email},
    )
    assert again.registration.pk == events_portfolio.anna.pk and not again.already


def test_walk_in_input_is_checked(events_portfolio: EventsWorld, portfolio: Portfolio) -> None:
    begin(events_portfolio.fruehstueck)
    before = snapshot()
    with pytest.raises(ValidationError) as error:
        checkin.walk_in(
            user=coordinator(portfolio),
            event=events_portfolio.fruehstueck,
            data={"last_name": "", "email": "x"},
        )
    assert messages(error) == {
        "first_name": ["Enter the first name."],
        "last_name": ["Enter the last name."],
        "email": ["Enter a valid e-mail address, such as name@example.org."],
    }
    assert snapshot() == before


@pytest.mark.parametrize("role", ["anonymous", "reader", "partner", "outsider"])
def test_only_the_office_checks_in(role: str, events_portfolio: EventsWorld, portfolio: Portfolio) -> None:
    begin(events_portfolio.fruehstueck)
    user = portfolio.users[role] if role != "anonymous" else AnonymousUser()
    before = snapshot()
    for action in (
        lambda: checkin.check_in(user=user, registration=events_portfolio.anna),
        lambda: checkin.undo_check_in(user=user, registration=events_portfolio.anna),
        lambda: checkin.find_for_check_in(user=user, event=events_portfolio.fruehstueck, text="anna"),
        lambda: checkin.walk_in(
            user=user, event=events_portfolio.fruehstueck, data={"first_name": "A", "last_name": "B"}
        ),
    ):
        with pytest.raises(PermissionDenied):
            action()
    with pytest.raises(PermissionDenied):  # nor the participant's link
        checkin.check_in(user=None, registration=events_portfolio.anna)
    assert snapshot() == before


def test_the_crafts_coordinator_does_not_check_in_at_the_trade_lab(
    events_portfolio: EventsWorld, portfolio: Portfolio
) -> None:
    event = begin(events_portfolio.trade_invitation)
    registration = register_person(event, user=portfolio.users["administrator"])
    with pytest.raises(PermissionDenied):
        checkin.check_in(user=coordinator(portfolio), registration=registration)
    assert checkin.check_in(
        user=portfolio.users["administrator"], registration=registration
    ).registration.checked_in_at
