"""Reminders by the worker: to confirmed participants only, never twice (run twice, or two
workers at once), counted at a real SMTP server on the loopback interface."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connections
from django.test import override_settings
from django.utils import timezone

from reallabor.actors.models import Person
from reallabor.actors.tests.test_mailings_send import Inbox, smtp_settings, start_server
from reallabor.core.testing.events import make_event, register_person
from reallabor.events.models import NoticeMail, Registration, ReminderDelivery
from reallabor.events.services import registrations as registration_services
from reallabor.events.tasks import run_tick, send_reminders
from reallabor.events.tests.test_concurrency import database_file, refill_migrated_data  # noqa: F401

BASE = "https://reallabor.example"


@pytest.fixture(autouse=True)
def _english(settings: Any) -> None:
    settings.LANGUAGE_CODE = "en"
    settings.BASE_URL = BASE


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    inbox = Inbox()
    controller = start_server(inbox)
    try:
        with override_settings(**smtp_settings(controller.port)):
            yield inbox
    finally:
        controller.stop()


def soon_event(hours: float = 1.5, **data: Any) -> Any:
    """An event registered for days ago that starts in ``hours`` (the 2-hour reminder is due)."""
    starts = timezone.now().replace(microsecond=0) + dt.timedelta(days=10)
    event = make_event(starts_at=starts, ends_at=starts + dt.timedelta(hours=2), **data)
    return event


def move_start(event: Any, hours: float) -> None:
    starts = timezone.now().replace(microsecond=0) + dt.timedelta(hours=hours)
    type(event).objects.filter(pk=event.pk).update(starts_at=starts, ends_at=starts + dt.timedelta(hours=2))
    Registration.objects.filter(event=event).update(created_at=timezone.now() - dt.timedelta(days=5))
    event.refresh_from_db()


@pytest.mark.django_db
def test_reminder_goes_to_confirmed_participants_only_and_once(inbox: Inbox) -> None:
    event = soon_event(capacity=2)
    register_person(event, email="one@example.org")
    unconfirmed = register_person(event, confirmed=False, email="unconfirmed@example.org")
    register_person(event, email="waiting@example.org")  # full: waiting list
    cancelled = register_person(event, email="cancelled@example.org", user=None)
    registration_services.cancel_registration(user=None, registration=cancelled)
    assert unconfirmed.status == Registration.Status.REGISTERED
    bounced = register_person(event, email="bounced@example.org")
    Person.objects.filter(pk=bounced.person_id).update(email_bounced_at=timezone.now())
    move_start(event, 1.5)
    NoticeMail.objects.all().delete()  # the set-up's notices (the tick would deliver them)

    assert send_reminders() == 1
    assert send_reminders() == 0  # the second run (a restarted worker) sends nothing
    assert run_tick()["reminders"] == 0
    assert [m["To"] for m in inbox.messages] == ["one@example.org"]
    message = inbox.messages[0]
    assert message["Subject"].startswith(f"Reminder: {event.title} on ")
    text = message.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    assert f"{BASE}/anmeldung/" in text
    assert ReminderDelivery.objects.filter(offset_minutes=120).count() == 1


@pytest.mark.django_db
def test_each_offset_once_and_a_refused_address_is_not_retried(inbox: Inbox) -> None:
    event = soon_event()
    register_person(event, email="one@example.org")
    refused = register_person(event, email="nobody@example.org")
    inbox.refuse = {"nobody@example.org"}
    move_start(event, 47)  # the two-day reminder
    assert send_reminders() == 1
    assert Person.objects.get(pk=refused.person_id).email_bounced_at is not None
    assert send_reminders() == 0
    move_start(event, 1)  # then the two-hour one
    assert send_reminders() == 1
    assert sorted(ReminderDelivery.objects.values_list("offset_minutes", flat=True)) == [120, 2880, 2880]
    assert [m["To"] for m in inbox.messages] == ["one@example.org", "one@example.org"]


@pytest.mark.django_db
def test_a_failed_delivery_is_tried_again_by_the_next_run(inbox: Inbox) -> None:
    event = soon_event()
    register_person(event, email="one@example.org")
    move_start(event, 1)
    with override_settings(**smtp_settings(1)):  # nobody listens there
        assert send_reminders() == 0
    assert ReminderDelivery.objects.count() == 0
    assert send_reminders() == 1
    assert len(inbox.messages) == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_workers_at_once_send_each_reminder_once(
    refill_migrated_data: None,  # noqa: F811
    inbox: Inbox,
    tmp_path: Path,
) -> None:
    event = soon_event(capacity=None)
    for number in range(12):
        register_person(event, email=f"p{number}@example.org")
    move_start(event, 1)
    inbox.messages.clear()  # the confirmations (this test commits)
    with database_file(tmp_path):
        barrier = threading.Barrier(3)
        counts: list[int] = []
        errors: list[BaseException] = []

        def worker() -> None:
            try:
                barrier.wait()
                counts.append(send_reminders())
            except BaseException as error:
                errors.append(error)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=worker) for _ in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        assert sum(counts) == 12
        assert all(m["Subject"].startswith("Reminder: ") for m in inbox.messages)
        assert sorted(m["To"] for m in inbox.messages) == sorted(f"p{n}@example.org" for n in range(12))
        assert ReminderDelivery.objects.count() == 12
