"""The periodic tick: offers passing on, unconfirmed registrations lapsing, the command for cron,
and at most one tick waiting in the database queue of the worker."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core.management import call_command
from django.tasks import TaskResultStatus
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from reallabor.actors.tests.test_mailings_worker import refill_migrated_data  # noqa: F401 - a fixture
from reallabor.core.testing.events import make_event, register_person
from reallabor.events import tasks
from reallabor.events.models import NoticeMail, Registration
from reallabor.events.services import registrations as registration_services

pytestmark = pytest.mark.django_db
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture(autouse=True)
def _english(settings: Any) -> None:
    settings.LANGUAGE_CODE = "en"


def test_the_command_passes_expired_offers_on_and_lapses_unconfirmed() -> None:
    event = make_event(capacity=1)
    first = register_person(event)
    second = register_person(event)
    third = register_person(event)
    registration_services.cancel_registration(user=None, registration=first)
    second.refresh_from_db()
    assert second.status == Registration.Status.OFFERED
    Registration.objects.filter(pk=second.pk).update(
        offer_expires_at=timezone.now() - dt.timedelta(minutes=1)
    )
    unconfirmed = register_person(make_event(), confirmed=False)
    Registration.objects.filter(pk=unconfirmed.pk).update(confirm_by=timezone.now() - dt.timedelta(minutes=1))

    out = io.StringIO()
    call_command("events_tick", stdout=out)

    second.refresh_from_db()
    third.refresh_from_db()
    unconfirmed.refresh_from_db()
    assert second.status == Registration.Status.LAPSED
    assert third.status == Registration.Status.OFFERED
    assert unconfirmed.status == Registration.Status.LAPSED
    assert "registrations lapsed: 1" in out.getvalue()


def test_schedule_with_the_immediate_backend_does_nothing() -> None:
    out = io.StringIO()
    call_command("events_tick", "--schedule", stdout=out)
    assert DBTaskResult.objects.count() == 0
    assert "queued already" in out.getvalue()


@override_settings(TASKS=DATABASE_TASKS)
def test_at_most_one_tick_waits() -> None:
    assert tasks.ensure_tick() is True
    assert tasks.ensure_tick() is False
    pending = DBTaskResult.objects.filter(task_path="reallabor.events.tasks.events_tick")
    assert pending.count() == 1
    assert pending.get().status == TaskResultStatus.READY
    # Two workers finishing ticks at the same moment queued two: the next look keeps one.
    tasks.events_tick.using(run_after=timezone.now() + dt.timedelta(minutes=5)).enqueue()
    assert pending.count() == 2
    assert tasks.ensure_tick() is False
    assert pending.count() == 1


@override_settings(TASKS=DATABASE_TASKS)
def test_a_tick_queues_the_next_one_later() -> None:
    first = tasks.events_tick.enqueue()
    stored = DBTaskResult.objects.get(id=first.id)
    stored.status = TaskResultStatus.RUNNING  # as the worker does when it takes it
    stored.save(update_fields=["status"])
    assert tasks.ensure_tick(exclude=first.id, delay=tasks.TICK_INTERVAL) is True
    following = DBTaskResult.objects.filter(status=TaskResultStatus.READY).get()
    assert following.task_path == "reallabor.events.tasks.events_tick"
    assert following.run_after >= timezone.now() + tasks.TICK_INTERVAL - dt.timedelta(seconds=5)


@override_settings(TASKS=DATABASE_TASKS)
def test_notices_wait_in_the_outbox_and_one_delivery_is_queued(
    django_capture_on_commit_callbacks: Any,
) -> None:
    event = make_event()
    with django_capture_on_commit_callbacks(execute=True):
        first = register_person(event, confirmed=False)
    with django_capture_on_commit_callbacks(execute=True):
        second = register_person(event, confirmed=False)
    rows = NoticeMail.objects.order_by("id")
    assert [(row.notice, row.registration_id, row.status) for row in rows] == [
        ("confirm_address", first.pk, "pending"),
        ("confirm_address", second.pk, "pending"),
    ]
    # One delivery waits for both.
    stored = DBTaskResult.objects.get(task_path="reallabor.events.tasks.send_notice_mails")
    assert stored.status == TaskResultStatus.READY


# The worker closes the database connection between tasks: a transactional test (as in the actors'
# worker tests), so the connection it closes is not the one holding the test's transaction; the
# migrated data (content types, vocabularies) is put back afterwards for the tests that follow.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.usefixtures("refill_migrated_data")
@override_settings(TASKS=DATABASE_TASKS)
def test_one_worker_run_delivers_the_outbox_over_one_connection(
    django_capture_on_commit_callbacks: Any, settings: Any
) -> None:
    from reallabor.actors.tests.test_mailings_send import Inbox, smtp_settings, start_server

    event = make_event()
    for number in range(4):
        register_person(event, confirmed=False, email=f"p{number}@example.org")
    stored = DBTaskResult.objects.filter(task_path="reallabor.events.tasks.send_notice_mails")
    assert stored.count() == 1
    assert NoticeMail.objects.filter(status="pending").count() == 4
    inbox = Inbox()
    controller = start_server(inbox)
    try:
        with override_settings(**smtp_settings(controller.port)):
            call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    finally:
        controller.stop()
    assert sorted(m["To"] for m in inbox.messages) == [f"p{n}@example.org" for n in range(4)]
    assert inbox.connections == 1
    assert set(stored.values_list("status", flat=True)) == {TaskResultStatus.SUCCESSFUL}
    assert (stored.get().return_value or {})["sent"] == 4
    assert NoticeMail.objects.filter(status="sent").count() == 4


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.usefixtures("refill_migrated_data")
@override_settings(TASKS=DATABASE_TASKS)
def test_the_tick_delivers_what_a_lost_task_left(settings: Any) -> None:
    from reallabor.actors.tests.test_mailings_send import Inbox, smtp_settings, start_server

    event = make_event()
    register_person(event, confirmed=False, email="lost@example.org")
    DBTaskResult.objects.all().delete()  # the delivery task got lost
    inbox = Inbox()
    controller = start_server(inbox)
    try:
        with override_settings(**smtp_settings(controller.port)):
            result = tasks.run_tick()
    finally:
        controller.stop()
    assert result["notices"] == 1
    assert [m["To"] for m in inbox.messages] == ["lost@example.org"]
