"""The waiting list: freed seats are offered in order, accepted, declined, passed on when unanswered,
given directly at the last minute; the capacity raised offers the new seats."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from conftest import Portfolio
from reallabor.core.testing.events import make_event, register_person
from reallabor.events.models import Event, Registration
from reallabor.events.services import events as event_services
from reallabor.events.services import registrations, waitlist
from reallabor.events.services.notifications import Notice
from reallabor.events.tests.helpers import messages, snapshot
from reallabor.events.tests.test_registrations import notices

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

S = Registration.Status


def full_event(
    *, seats: int = 2, waiting: int = 2, **fields: Any
) -> tuple[Event, list[Registration], list[Registration]]:
    event = make_event(capacity=seats, **fields)
    holders = [register_person(event) for _ in range(seats)]
    queue = [register_person(event) for _ in range(waiting)]
    assert [r.status for r in holders] == [S.REGISTERED] * seats
    assert [r.status for r in queue] == [S.WAITING] * waiting
    return event, holders, queue


def fresh(registration: Registration) -> Registration:
    return Registration.objects.get(pk=registration.pk)


def test_a_cancelled_seat_is_offered_to_the_first_in_line(django_capture_on_commit_callbacks: Any) -> None:
    event, holders, queue = full_event()
    with django_capture_on_commit_callbacks() as callbacks:
        registrations.cancel_registration(user=None, registration=holders[0])
    first, second = fresh(queue[0]), fresh(queue[1])
    assert (first.status, second.status) == (S.OFFERED, S.WAITING)
    assert first.offer_expires_at is not None
    assert abs((first.offer_expires_at - timezone.now() - dt.timedelta(hours=24)).total_seconds()) < 10
    assert notices(callbacks) == [(Notice.CANCELLED, [holders[0].pk]), (Notice.OFFERED, [first.pk])]
    # The offered seat counts as taken: a newcomer waits.
    assert register_person(event).status == S.WAITING


def test_accepting_takes_the_seat_and_confirms_the_address(django_capture_on_commit_callbacks: Any) -> None:
    event, holders, _queue = full_event(waiting=0)
    unconfirmed = register_person(event, confirmed=False)
    assert unconfirmed.status == S.WAITING
    registrations.cancel_registration(user=None, registration=holders[0])
    assert fresh(unconfirmed).status == S.OFFERED
    with django_capture_on_commit_callbacks() as callbacks:
        accepted = waitlist.accept_offer(registration=unconfirmed)
    assert accepted.status == S.REGISTERED and accepted.offer_expires_at is None
    assert accepted.is_confirmed and accepted.person.email_confirmed == accepted.email
    assert notices(callbacks) == [(Notice.REGISTERED, [accepted.pk])]
    assert waitlist.accept_offer(registration=accepted).status == S.REGISTERED  # twice is fine


def test_declining_passes_the_seat_to_the_next() -> None:
    _event, holders, queue = full_event()
    registrations.cancel_registration(user=None, registration=holders[0])
    declined = waitlist.decline_offer(registration=queue[0])
    assert declined.status == S.DECLINED
    assert fresh(queue[1]).status == S.OFFERED
    assert waitlist.decline_offer(registration=declined).status == S.DECLINED  # twice is fine
    before = snapshot()
    with pytest.raises(ValidationError) as error:
        waitlist.accept_offer(registration=declined)
    assert messages(error) == {"registration": ["This offer is no longer open (offer declined)."]}
    assert snapshot() == before


def test_unanswered_offers_pass_on(django_capture_on_commit_callbacks: Any) -> None:
    _event, holders, queue = full_event()
    registrations.cancel_registration(user=None, registration=holders[0])
    offer = fresh(queue[0])
    assert offer.offer_expires_at is not None
    assert waitlist.expire_offers(now=offer.offer_expires_at - dt.timedelta(seconds=1)) == []
    with django_capture_on_commit_callbacks() as callbacks:
        passed_on = waitlist.expire_offers(now=offer.offer_expires_at)
    assert [r.pk for r in passed_on] == [queue[1].pk]
    assert fresh(queue[0]).status == S.LAPSED
    assert fresh(queue[1]).status == S.OFFERED
    assert notices(callbacks) == [(Notice.OFFERED, [queue[1].pk]), (Notice.OFFER_EXPIRED, [queue[0].pk])]


def test_an_offer_past_its_time_cannot_be_accepted() -> None:
    _event, holders, queue = full_event()
    registrations.cancel_registration(user=None, registration=holders[0])
    Registration.objects.filter(pk=queue[0].pk).update(
        offer_expires_at=timezone.now() - dt.timedelta(minutes=1)
    )
    before = snapshot()
    with pytest.raises(ValidationError) as error:
        waitlist.accept_offer(registration=queue[0])
    assert messages(error)["registration"][0].startswith("This offer expired on ")
    assert snapshot() == before


def test_waiting_people_cannot_accept_what_was_not_offered() -> None:
    _event, _holders, queue = full_event()
    with pytest.raises(ValidationError) as error:
        waitlist.accept_offer(registration=queue[0])
    assert messages(error) == {"registration": ["This offer is no longer open (on the waiting list)."]}


def test_at_the_last_minute_the_seat_goes_to_the_next_confirmed_person(
    django_capture_on_commit_callbacks: Any,
) -> None:
    # 30 hours before the start: before the cut-off (24 h), inside the offer time (48 h).
    event, holders, _ = full_event(
        waiting=0, starts_at=timezone.now() + dt.timedelta(hours=30), offer_hours=48
    )
    unconfirmed = register_person(event, confirmed=False)
    confirmed = register_person(event)
    with django_capture_on_commit_callbacks() as callbacks:
        registrations.cancel_registration(user=None, registration=holders[0])
    assert fresh(unconfirmed).status == S.WAITING
    given = fresh(confirmed)
    assert given.status == S.REGISTERED and given.offer_expires_at is None
    assert (Notice.SEAT_GIVEN, [given.pk]) in notices(callbacks)
    # Within the cut-off, a seat from the waiting list can still be given back.
    Event.objects.filter(pk=event.pk).update(
        starts_at=timezone.now() + dt.timedelta(hours=6), ends_at=timezone.now() + dt.timedelta(hours=8)
    )
    assert registrations.cancel_registration(user=None, registration=given).status == S.CANCELLED
    with pytest.raises(ValidationError):  # not so a seat held all along
        registrations.cancel_registration(user=None, registration=holders[1])


def test_a_raised_capacity_is_offered_and_one_below_the_seats_taken_refused_and_refuses_one_below_the_seats_taken(
    portfolio: Portfolio,
) -> None:
    event, _holders, queue = full_event(seats=2, waiting=3)
    updated = event_services.update_event(user=None, event=event, data={"capacity": 4})
    assert updated.capacity == 4
    assert [fresh(r).status for r in queue] == [S.OFFERED, S.OFFERED, S.WAITING]

    before = snapshot()
    with pytest.raises(ValidationError) as error:
        event_services.update_event(user=None, event=event, data={"capacity": 3})
    assert messages(error) == {"capacity": ["4 seats are taken; the capacity cannot be lower."]}
    assert snapshot() == before


def test_organiser_seats_count_in_the_lowest_capacity(portfolio: Portfolio) -> None:
    event = make_event(capacity=5, reserved_seats=2)
    for _ in range(3):
        register_person(event)
    before = snapshot()
    with pytest.raises(ValidationError) as error:
        event_services.update_event(user=None, event=event, data={"capacity": 4})
    assert messages(error) == {
        "capacity": ["3 seats are taken and 2 kept for organisers; the capacity cannot be lower than 5."]
    }
    with pytest.raises(ValidationError) as error:
        event_services.update_event(user=None, event=event, data={"reserved_seats": 3})
    assert list(messages(error)) == ["reserved_seats"]
    assert snapshot() == before


def test_nothing_is_offered_for_a_cancelled_or_begun_event() -> None:
    event, holders, queue = full_event()
    Event.objects.filter(pk=event.pk).update(status=Event.Status.CANCELLED)
    registrations.cancel_registration(user=None, registration=holders[0])
    assert fresh(queue[0]).status == S.WAITING

    begun, holders, queue = full_event()
    locked = Event.objects.get(pk=begun.pk)
    assert waitlist.fill_seats(locked, now=begun.starts_at) == []


def test_the_office_may_answer_for_the_participant_others_may_not(portfolio: Portfolio) -> None:
    _event, holders, queue = full_event()
    registrations.cancel_registration(user=None, registration=holders[0])
    for role in ("reader", "partner", "outsider"):
        before = snapshot()
        with pytest.raises(PermissionDenied):
            waitlist.accept_offer(registration=queue[0], user=portfolio.users[role])
        assert snapshot() == before
    assert (
        waitlist.accept_offer(registration=queue[0], user=portfolio.users["administrator"]).status
        == S.REGISTERED
    )


def test_an_event_filled_beyond_its_capacity_at_the_door_can_still_be_edited(portfolio: Portfolio) -> None:
    """Walk-ins may fill an event beyond its capacity; its minutes and other fields stay editable,
    only a capacity lower still is refused."""
    event, _holders, _queue = full_event(seats=2, waiting=0)
    Registration.objects.create(
        event=event, person=_holders[0].person, first_name="Walk", last_name="In", email="walk@example.org",
        status=S.REGISTERED, source=Registration.Source.WALK_IN, code="WALKIN",
    )  # fmt: skip
    updated = event_services.update_event(
        user=None, event=event, data={"minutes": "Gut besucht.", "capacity": 2}
    )
    assert updated.minutes == "Gut besucht."
    with pytest.raises(ValidationError) as error:
        event_services.update_event(user=None, event=event, data={"capacity": 1})
    assert list(messages(error)) == ["capacity"]
