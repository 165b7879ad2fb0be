"""Reminders: due at the configured offsets, to confirmed participants only, claimed once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone

from reallabor.core.testing.events import make_event, register_person
from reallabor.events.models import Event, Registration, ReminderDelivery
from reallabor.events.services.reminders import claim_reminder, due_reminders

pytestmark = pytest.mark.django_db


def test_reminders_are_due_at_their_offsets_for_confirmed_seats_only() -> None:
    event = make_event(capacity=2, starts_at=timezone.now() + dt.timedelta(days=10))
    confirmed = register_person(event)
    unconfirmed = register_person(event, confirmed=False)
    waiting = register_person(event)
    assert (confirmed.status, unconfirmed.status, waiting.status) == ("registered", "registered", "waiting")
    start = event.starts_at

    assert due_reminders(now=start - dt.timedelta(minutes=2881)) == []
    two_days = due_reminders(now=start - dt.timedelta(minutes=2880))
    assert [(registration.pk, offset) for registration, offset in two_days] == [(confirmed.pk, 2880)]
    assert due_reminders(now=start - dt.timedelta(minutes=120)) == [(confirmed, 120)]
    assert due_reminders(now=start) == []  # begun: no more reminders


def test_a_claimed_reminder_is_not_due_again_and_cannot_be_claimed_twice() -> None:
    event = make_event(starts_at=timezone.now() + dt.timedelta(days=10))
    registration = register_person(event)
    moment = event.starts_at - dt.timedelta(minutes=2000)
    [(due, offset)] = due_reminders(now=moment)
    with transaction.atomic():
        assert claim_reminder(due, offset) is True
        assert claim_reminder(due, offset) is False  # the caller's transaction is still usable
        assert Registration.objects.filter(pk=registration.pk).exists()
    assert due_reminders(now=moment) == []
    assert ReminderDelivery.objects.filter(registration=registration).count() == 1
    # The next offset is due at its time.
    assert due_reminders(now=event.starts_at - dt.timedelta(minutes=60)) == [(registration, 120)]


def test_no_reminders_for_cancelled_events_bounced_addresses_or_late_registrations() -> None:
    event = make_event(starts_at=timezone.now() + dt.timedelta(days=10))
    registration = register_person(event)
    bounced = register_person(event)
    from reallabor.events.services.contacts import record_bounce

    record_bounce(email=bounced.email)
    moment = event.starts_at - dt.timedelta(minutes=2000)
    assert due_reminders(now=moment) == [(registration, 2880)]
    # Registered after the reminder's moment: the confirmation said it all.
    late = make_event(starts_at=timezone.now() + dt.timedelta(hours=20))
    register_person(late)
    assert due_reminders(now=late.starts_at - dt.timedelta(minutes=200)) == []
    Event.objects.filter(pk=event.pk).update(status=Event.Status.CANCELLED)
    assert due_reminders(now=moment) == []
