"""Registering: seats, the waiting list, double opt-in, matching people and organisations, consent,
every refusal (changing nothing), self-service changes and cancellations with the cut-off."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from conftest import Portfolio
from reallabor.actors.models import Consent, ConsentText, Person, Purpose
from reallabor.core.testing.actors import Crm, make_person
from reallabor.core.testing.events import EventsWorld, make_event, make_registration, register_person
from reallabor.events.models import Event, Invitation, Registration
from reallabor.events.services import contacts, registrations
from reallabor.events.services.notifications import Notice
from reallabor.events.tests.helpers import messages, snapshot
from reallabor.organisations.models import Organisation

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def notices(callbacks: list[Callable[[], Any]]) -> list[tuple[str, list[int]]]:
    """The notices scheduled for after the commit, as (notice, ids)."""
    return [
        (str(callback.args[0]), list(callback.args[1]))  # type: ignore[attr-defined]
        for callback in callbacks
        if getattr(callback, "func", None).__name__ == "deliver"  # type: ignore[union-attr]
    ]


def data(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {"first_name": "Dora", "last_name": "Dach", "email": "dora@dachdecker.example"}
    values.update(overrides)
    return values


def staff(portfolio: Portfolio, role: str = "coordinator") -> Any:
    return portfolio.users[role]


# Seats ------------------------------------------------------------------------------------------


def test_a_free_seat_registers_and_a_full_event_puts_people_on_the_waiting_list(
    events_portfolio: EventsWorld, django_capture_on_commit_callbacks: Any
) -> None:
    event = events_portfolio.fruehstueck  # capacity 3, anna and clara registered
    with django_capture_on_commit_callbacks() as callbacks:
        third = registrations.register(user=None, event=event, data=data())
    assert third.status == Registration.Status.REGISTERED
    assert third.source == Registration.Source.ONLINE
    assert third.created_by is None
    assert len(third.code) == 6 and set(third.code) <= set(registrations.CODE_ALPHABET)
    assert notices(callbacks) == [(Notice.CONFIRM_ADDRESS, [third.pk])]

    fourth = registrations.register(user=None, event=event, data=data(email="emil@example.org"))
    assert fourth.status == Registration.Status.WAITING
    assert fourth.waiting_since is not None


def test_unlimited_capacity_always_has_a_seat(events_portfolio: EventsWorld) -> None:
    event = events_portfolio.office_event
    for number in range(5):
        assert (
            registrations.register(user=None, event=event, data=data(email=f"p{number}@example.org")).status
            == Registration.Status.REGISTERED
        )


def test_organiser_seats_are_kept_and_given_by_staff_only(portfolio: Portfolio) -> None:
    event = make_event(capacity=3, reserved_seats=1)
    register_person(event)
    register_person(event)
    assert register_person(event).status == Registration.Status.WAITING  # 3 − 1 kept for organisers

    before = snapshot()
    with pytest.raises(PermissionDenied):
        registrations.register(user=None, event=event, data=data(reserved=True))
    assert snapshot() == before

    # The office gives the organiser seat (a lab-less event: any coordinator is the office).
    given = registrations.register(user=staff(portfolio), event=event, data=data(reserved=True))
    assert given.status == Registration.Status.REGISTERED and given.reserved
    # Beyond the seats kept, organisers take seats like anybody: still registered (staff decide).
    second = registrations.register(
        user=staff(portfolio), event=event, data=data(email="orga2@example.org", reserved=True)
    )
    assert second.status == Registration.Status.REGISTERED


# Double opt-in, people, organisations, consent -----------------------------------------------------


def test_a_new_address_waits_for_confirmation_until_48_hours_at_most_the_start(
    events_portfolio: EventsWorld,
) -> None:
    event = events_portfolio.office_event
    registration = registrations.register(user=None, event=event, data=data())
    assert registration.address_confirmed_at is None
    assert registration.confirm_by is not None
    expected = registration.created_at + dt.timedelta(hours=48)
    assert abs((registration.confirm_by - expected).total_seconds()) < 5

    soon = make_event(starts_at=timezone.now() + dt.timedelta(hours=5), title="Kurzfristig")
    late = registrations.register(user=None, event=soon, data=data())
    assert late.confirm_by == soon.starts_at


def test_the_registrant_becomes_a_new_person_or_is_matched_by_address(
    events_portfolio: EventsWorld, crm: Crm
) -> None:
    people = Person.objects.count()
    new = registrations.register(user=None, event=events_portfolio.office_event, data=data())
    assert Person.objects.count() == people + 1
    assert (new.person.first_name, new.person.last_name, new.person.email) == (
        "Dora",
        "Dach",
        "dora@dachdecker.example",
    )

    bernd = registrations.register(
        user=None,
        event=events_portfolio.office_event,
        data=data(
            first_name="B.", last_name="Hobel", email=crm.bernd.email.upper().replace("EXAMPLE", "example")
        ),
    )
    assert bernd.person == crm.bernd
    assert Person.objects.count() == people + 1


def test_an_address_confirmed_before_needs_no_second_opt_in(events_portfolio: EventsWorld, crm: Crm) -> None:
    # anna confirmed her address for the Frühstück (register_person confirms by the link).
    crm.anna.refresh_from_db()
    assert crm.anna.email_confirmed == crm.anna.email
    again = registrations.register(
        user=None, event=events_portfolio.office_event, data=data(first_name="Anna", email=crm.anna.email)
    )
    assert again.is_confirmed and again.confirm_by is None


def test_the_organisation_typed_is_matched_by_its_name_key(events_portfolio: EventsWorld, crm: Crm) -> None:
    event = events_portfolio.office_event
    matched = registrations.register(
        user=None, event=event, data=data(organisation_name="Tischlerei Beispiel")
    )
    assert matched.organisation == crm.tischlerei
    assert matched.organisation_name == "Tischlerei Beispiel"

    Organisation.objects.create(name="Bau GmbH", slug="bau-1", kind="company", name_key="bau")
    Organisation.objects.create(name="Bau KG", slug="bau-2", kind="company", name_key="bau")
    ambiguous = registrations.register(
        user=None, event=event, data=data(email="x@example.org", organisation_name="Bau")
    )
    assert ambiguous.organisation is None and ambiguous.organisation_name == "Bau"


def test_consents_are_recorded_from_the_form_without_duplicates(
    events_portfolio: EventsWorld, crm: Crm
) -> None:
    event = events_portfolio.office_event
    registration = registrations.register(
        user=None, event=event, data=data(consents=[Purpose.NEWSLETTER, Purpose.PHOTOS])
    )
    consents = Consent.objects.filter(person=registration.person)
    assert sorted(consents.values_list("purpose", "source")) == [("newsletter", "form"), ("photos", "form")]

    # anna has a valid newsletter consent already: only the photos consent is new.
    before = Consent.objects.filter(person=crm.anna).count()
    registrations.register(
        user=None, event=event, data=data(email=crm.anna.email, consents=[Purpose.NEWSLETTER, Purpose.PHOTOS])
    )
    assert Consent.objects.filter(person=crm.anna).count() == before + 1


def test_staff_register_on_behalf_without_opt_in_and_consent_given_in_person(
    events_portfolio: EventsWorld, portfolio: Portfolio
) -> None:
    coordinator = staff(portfolio)
    registration = registrations.register(
        user=coordinator,
        event=events_portfolio.fruehstueck,
        data=data(consents=[Purpose.EVENT_FOLLOW_UP], organisation="tischlerei-beispiel"),
    )
    assert registration.source == Registration.Source.STAFF
    assert registration.created_by == coordinator
    assert registration.is_confirmed
    assert registration.organisation is not None and registration.organisation.slug == "tischlerei-beispiel"
    consent = Consent.objects.get(person=registration.person)
    assert (consent.source, consent.recorded_by) == ("in_person", coordinator)


def test_staff_register_after_the_window_closed_but_not_for_a_cancelled_event(portfolio: Portfolio) -> None:
    event = make_event(registration_closes_at=timezone.now() + dt.timedelta(days=13))
    Event.objects.filter(pk=event.pk).update(registration_closes_at=timezone.now() - dt.timedelta(hours=1))
    event.refresh_from_db()
    assert registrations.register(user=staff(portfolio), event=event, data=data()).is_active
    Event.objects.filter(pk=event.pk).update(status=Event.Status.CANCELLED)
    event.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        registrations.register(user=staff(portfolio), event=event, data=data(email="b@example.org"))
    assert messages(error) == {"event": ["This event has been cancelled."]}


def test_a_signed_in_member_without_office_rights_registers_as_a_participant(
    events_portfolio: EventsWorld, portfolio: Portfolio
) -> None:
    registration = registrations.register(
        user=portfolio.users["partner"], event=events_portfolio.office_event, data=data()
    )
    assert registration.source == Registration.Source.ONLINE and registration.created_by is None
    assert not registration.is_confirmed


# Refusals -----------------------------------------------------------------------------------------


def _refused(event: Event, payload: dict[str, Any], **kwargs: Any) -> dict[str, list[str]]:
    before = snapshot()
    with pytest.raises(ValidationError) as error:
        registrations.register(user=kwargs.pop("user", None), event=event, data=payload, **kwargs)
    assert snapshot() == before
    return messages(error)


def test_refusals_for_the_event_state_say_why_and_change_nothing(portfolio: Portfolio) -> None:
    now = timezone.now()
    draft = make_event(published=False)
    assert _refused(draft, data()) == {"event": ["This event is not open for registration."]}

    cancelled = make_event()
    Event.objects.filter(pk=cancelled.pk).update(status=Event.Status.CANCELLED)
    cancelled.refresh_from_db()
    assert _refused(cancelled, data()) == {"event": ["This event has been cancelled."]}

    begun = make_event(starts_at=now - dt.timedelta(minutes=10))
    assert _refused(begun, data())["event"][0].startswith("Registration closed when the event began on ")

    later = make_event(registration_opens_at=now + dt.timedelta(days=2))
    message = _refused(later, data())["event"][0]
    assert message == f"Registration opens on {registrations.local(later.registration_opens_at)}."  # type: ignore[arg-type]

    closed = make_event(registration_closes_at=now + dt.timedelta(days=1))
    Event.objects.filter(pk=closed.pk).update(
        registration_opens_at=now - dt.timedelta(days=3), registration_closes_at=now - dt.timedelta(hours=2)
    )
    closed.refresh_from_db()
    assert _refused(closed, data())["event"] == [
        f"Registration closed on {registrations.local(closed.registration_closes_at)}."  # type: ignore[arg-type]
    ]


def test_by_invitation_only_with_a_valid_invitation(events_portfolio: EventsWorld, crm: Crm) -> None:
    event = events_portfolio.trade_invitation
    assert _refused(event, data()) == {
        "event": ["This event is by invitation only. Please use the link from your invitation."]
    }
    other = Invitation.objects.create(event=events_portfolio.office_event, person=crm.bernd)
    assert _refused(event, data(), invitation=other) == {
        "invitation": ["This invitation is for another event."]
    }

    invitation = Invitation.objects.create(event=event, person=crm.bernd)
    registration = registrations.register(
        user=None, event=event, data=data(first_name="Bernd", email=crm.bernd.email), invitation=invitation
    )
    assert registration.source == Registration.Source.INVITATION
    assert registration.is_confirmed  # the invitation link went to this very address
    invitation.refresh_from_db()
    assert invitation.registration == registration
    with pytest.raises(registrations.AlreadyRegistered) as again:
        registrations.register(
            user=None, event=event, data=data(email="anders@example.org"), invitation=invitation
        )
    assert again.value.registration == registration


def test_a_second_registration_with_the_same_address_is_refused_with_the_first(
    events_portfolio: EventsWorld,
) -> None:
    event = events_portfolio.fruehstueck
    before = snapshot()
    with pytest.raises(registrations.AlreadyRegistered) as error:
        registrations.register(user=None, event=event, data=data(email=events_portfolio.anna.email.upper()))
    assert snapshot() == before
    assert error.value.registration == events_portfolio.anna
    assert messages(error)["email"][0].startswith("This e-mail address is already registered for this event.")

    # After cancelling, the address may register again.
    registrations.cancel_registration(user=None, registration=events_portfolio.anna)
    assert registrations.register(
        user=None, event=event, data=data(email=events_portfolio.anna.email)
    ).is_active


def test_bad_details_name_every_field(events_portfolio: EventsWorld) -> None:
    event = events_portfolio.fruehstueck
    errors = _refused(event, {"first_name": "", "last_name": "x" * 101, "email": "nicht-gueltig"})
    assert errors == {
        "first_name": ["Enter the first name."],
        "last_name": ["Use at most 100 characters."],
        "email": ["Enter a valid e-mail address, such as name@example.org."],
    }
    assert _refused(event, data(telefon="0123")) == {"telefon": ["Unknown field."]}


def test_answers_are_checked_against_the_questions(
    events_portfolio: EventsWorld, portfolio: Portfolio
) -> None:
    from reallabor.events.services import events as event_services

    event = event_services.update_event(
        user=None,
        event=events_portfolio.office_event,
        data={
            "questions": [
                {"label": "Ernährung", "kind": "choice", "choices": ["vegan", "alles"], "required": True},
                {"label": "Parkplatz nötig?", "kind": "yes_no"},
                {"label": "Ihre Frage an uns", "kind": "text"},
            ]
        },
    )
    food, parking, question = (str(q.pk) for q in event.questions.all())
    assert _refused(event, data()) == {f"answers.{food}": ["Please answer this question."]}
    assert _refused(event, data(answers={food: "Fisch"})) == {
        f"answers.{food}": ["Choose one of: vegan, alles."]
    }
    assert _refused(event, data(answers={food: "vegan", parking: "vielleicht"})) == {
        f"answers.{parking}": ["Answer yes or no."]
    }
    assert _refused(event, data(answers={food: "vegan", "999": "x"})) == {
        "answers": ["There is no question “999” for this event."]
    }
    registration = registrations.register(
        user=None, event=event, data=data(answers={food: "vegan", parking: "ja", question: "  Wann?  "})
    )
    assert registration.answers == {food: "vegan", parking: True, question: "Wann?"}


def test_unknown_consent_purposes_and_missing_texts_are_refused(portfolio: Portfolio) -> None:
    event = make_event()
    ConsentText.objects.filter(purpose=Purpose.BENCHMARKING).delete()
    assert _refused(event, data(consents=["werbung"])) == {"consents": ["Unknown purpose “werbung”."]}
    assert _refused(event, data(consents=[Purpose.BENCHMARKING])) == {
        "consents": ["There is no consent text for “Benchmarking” yet."]
    }


# Self-service -------------------------------------------------------------------------------------


def test_the_participant_changes_details_until_the_cutoff(events_portfolio: EventsWorld) -> None:
    registration = events_portfolio.anna
    changed = registrations.change_registration(
        user=None,
        registration=registration,
        data={"first_name": "Anna-Lena", "organisation_name": "Anders GmbH"},
    )
    assert (changed.first_name, changed.organisation_name, changed.organisation) == (
        "Anna-Lena",
        "Anders GmbH",
        None,
    )
    before = snapshot()
    with pytest.raises(ValidationError) as error:
        registrations.change_registration(
            user=None, registration=registration, data={"email": "neu@example.org"}
        )
    assert messages(error) == {"email": ["Unknown field."]}
    assert snapshot() == before


def test_after_the_cutoff_only_the_office_changes_or_cancels_a_seat(
    events_portfolio: EventsWorld, portfolio: Portfolio
) -> None:
    soon = make_event(starts_at=timezone.now() + dt.timedelta(hours=10), capacity=5, title="Bald")
    registration = register_person(soon)
    expected = f"Changes and cancellations were possible until {registrations.local(registrations.cutoff(soon))}. Please contact the office."
    for action in (
        lambda: registrations.change_registration(
            user=None, registration=registration, data={"first_name": "X"}
        ),
        lambda: registrations.cancel_registration(user=None, registration=registration),
    ):
        before = snapshot()
        with pytest.raises(ValidationError) as error:
            action()
        assert messages(error) == {"registration": [expected]}
        assert snapshot() == before
    assert (
        registrations.cancel_registration(user=staff(portfolio), registration=registration).status
        == "cancelled"
    )


def test_after_the_cutoff_the_waiting_list_can_be_left(portfolio: Portfolio) -> None:
    soon = make_event(starts_at=timezone.now() + dt.timedelta(hours=10), capacity=1, title="Bald")
    register_person(soon)
    waiting = register_person(soon)
    assert registrations.cancel_registration(user=None, registration=waiting).status == "cancelled"


def test_others_may_not_change_a_registration(events_portfolio: EventsWorld, portfolio: Portfolio) -> None:
    for role in ("reader", "partner", "outsider"):
        before = snapshot()
        with pytest.raises(PermissionDenied):
            registrations.cancel_registration(user=portfolio.users[role], registration=events_portfolio.anna)
        with pytest.raises(PermissionDenied):
            registrations.change_registration(
                user=portfolio.users[role], registration=events_portfolio.anna, data={"first_name": "X"}
            )
        assert snapshot() == before
    with pytest.raises(PermissionDenied):
        registrations.cancel_registration(user=AnonymousUser(), registration=events_portfolio.anna)


def test_cancelling_twice_says_it_is_cancelled_already(events_portfolio: EventsWorld) -> None:
    registrations.cancel_registration(user=None, registration=events_portfolio.anna)
    before = snapshot()
    with pytest.raises(ValidationError) as error:
        registrations.cancel_registration(user=None, registration=events_portfolio.anna)
    assert messages(error) == {"registration": ["This registration is no longer active (cancelled)."]}
    assert snapshot() == before


def test_confirming_the_address_is_idempotent_and_remembered_on_the_person(
    events_portfolio: EventsWorld,
) -> None:
    registration = registrations.register(user=None, event=events_portfolio.office_event, data=data())
    confirmed = registrations.confirm_address(registration=registration)
    assert confirmed.is_confirmed and confirmed.confirm_by is None
    person = Person.objects.get(pk=registration.person_id)
    assert person.email_confirmed == "dora@dachdecker.example" and person.email_confirmed_at is not None
    assert contacts.is_address_confirmed(person, "DORA@dachdecker.example")
    again = registrations.confirm_address(registration=registration)
    assert again.address_confirmed_at == confirmed.address_confirmed_at


def test_unconfirmed_registrations_lapse_and_their_seat_goes_on(
    events_portfolio: EventsWorld, django_capture_on_commit_callbacks: Any
) -> None:
    event = events_portfolio.fruehstueck  # 3 seats: anna, clara
    unconfirmed = registrations.register(user=None, event=event, data=data())
    waiting = register_person(event)
    assert waiting.status == "waiting"
    assert registrations.lapse_unconfirmed(now=timezone.now()) == []

    with django_capture_on_commit_callbacks() as callbacks:
        lapsed = registrations.lapse_unconfirmed(now=unconfirmed.confirm_by)
    assert [row.pk for row in lapsed] == [unconfirmed.pk]
    unconfirmed.refresh_from_db()
    waiting.refresh_from_db()
    assert unconfirmed.status == "lapsed"
    assert waiting.status == "offered"
    assert notices(callbacks) == [(Notice.OFFERED, [waiting.pk]), (Notice.LAPSED, [unconfirmed.pk])]

    before = snapshot()
    with pytest.raises(ValidationError) as error:
        registrations.confirm_address(registration=unconfirmed)
    assert messages(error) == {
        "registration": [
            "The address was not confirmed in time and the registration lapsed. Please register again."
        ]
    }
    assert snapshot() == before


def test_a_bouncing_address_is_recorded_on_the_people_with_it(crm: Crm) -> None:
    twin = make_person(email=crm.anna.email.upper())
    assert contacts.record_bounce(email=crm.anna.email) == 2  # both spellings
    crm.anna.refresh_from_db()
    first = crm.anna.email_bounced_at
    assert first is not None
    assert contacts.record_bounce(email=crm.anna.email) == 0
    crm.anna.refresh_from_db()
    assert crm.anna.email_bounced_at == first
    twin.refresh_from_db()
    assert twin.email_bounced_at == first
    crm.bernd.refresh_from_db()
    assert crm.bernd.email_bounced_at is None
    with pytest.raises(ValidationError) as error:
        contacts.record_bounce(email="kein-at")
    assert messages(error) == {"email": ["Enter a valid e-mail address, such as name@example.org."]}


def test_past_registrations_of_a_person_are_kept(crm: Crm, portfolio: Portfolio) -> None:
    past = make_event(starts_at=timezone.now() - dt.timedelta(days=30), title="Früher")
    old = make_registration(past, person=crm.bernd, checked_in_at=past.starts_at)
    assert old.person == crm.bernd and old.is_active
