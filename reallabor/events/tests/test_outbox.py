"""The outbox of the participants' e-mails (``models.NoticeMail``, ``mail.deliver_outbox``), against
a real SMTP server on the loopback interface (aiosmtpd) and the real database.

- a row is written with the change it tells about, and dropped with it on a rollback;
- each row is marked sent once the server accepted it; a crash in the middle of a batch leaves
  the rest pending and nothing is sent twice;
- two workers delivering at the same moment never send a row twice (real threads; SQLite here,
  PostgreSQL with ``scripts/with-postgres``);
- temporary refusals are retried later, up to ``mail.MAX_ATTEMPTS``; permanent ones mark the
  person's address bouncing;
- erasing or anonymising a person removes their rows; merging people moves them along.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, transaction
from django.test import override_settings
from django.utils import timezone

from reallabor.actors.models import Person
from reallabor.actors.services.duplicates import merge_people
from reallabor.actors.services.privacy import anonymise_person, erase_person
from reallabor.actors.tests.test_mailings_send import Inbox, smtp_settings, start_server
from reallabor.core.testing.actors import make_person
from reallabor.core.testing.events import make_event, make_registration, register_person
from reallabor.events import mail
from reallabor.events.models import NoticeMail, Registration
from reallabor.events.services.notifications import Notice, schedule
from reallabor.events.tests.test_concurrency import database_file, refill_migrated_data  # noqa: F401

Status = NoticeMail.Status
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture(autouse=True)
def _english(settings: Any) -> None:
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    inbox = Inbox()
    controller = start_server(inbox)
    try:
        with override_settings(**smtp_settings(controller.port)):
            yield inbox
    finally:
        controller.stop()


def queued(count: int, *, notice: Notice = Notice.REGISTERED, prefix: str = "p") -> list[Registration]:
    """``count`` registrations (rows written directly) with the notice waiting in the outbox."""
    event = make_event(capacity=None)
    registrations = [
        make_registration(event, person=make_person(email=f"{prefix}{number}@example.org"))
        for number in range(count)
    ]
    with transaction.atomic():
        schedule(notice, registrations)
    return registrations


def statuses() -> Counter[str]:
    return Counter(NoticeMail.objects.values_list("status", flat=True))


@pytest.mark.django_db
def test_the_row_is_written_with_the_change_and_dropped_with_its_rollback(
    inbox: Inbox, django_capture_on_commit_callbacks: Any
) -> None:
    event = make_event()

    class Undo(Exception):
        pass

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(Undo),
        transaction.atomic(),
    ):
        register_person(event, email="undone@example.org")
        assert NoticeMail.objects.filter(registration__email="undone@example.org").exists()
        raise Undo
    assert callbacks == []
    assert not NoticeMail.objects.exists()
    assert not Registration.objects.filter(email="undone@example.org").exists()
    assert mail.deliver_outbox().sent == 0
    assert inbox.messages == []


@pytest.mark.django_db
def test_each_row_is_marked_sent_once_the_server_accepted_it(inbox: Inbox) -> None:
    registrations = queued(3)
    result = mail.deliver_outbox()
    assert (result.sent, result.batches) == (3, 1)
    assert sorted(m["To"] for m in inbox.messages) == [r.email for r in registrations]
    rows = list(NoticeMail.objects.order_by("id"))
    assert {row.status for row in rows} == {Status.SENT}
    assert all(row.sent_at and row.attempts == 1 and row.claim is None for row in rows)
    # Delivering again sends nothing.
    assert mail.deliver_outbox().sent == 0
    assert len(inbox.messages) == 3


@pytest.mark.django_db
def test_a_crash_in_the_middle_of_a_batch_loses_nothing_and_sends_nothing_twice(
    inbox: Inbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    registrations = queued(5)
    broken = registrations[2]
    original = mail.registration_message

    def crashing(notice: str, registration: Registration, **kwargs: Any) -> Any:
        if registration.pk == broken.pk:
            raise RuntimeError("the worker crashed")
        return original(notice, registration, **kwargs)

    monkeypatch.setattr(mail, "registration_message", crashing)
    with pytest.raises(RuntimeError):
        mail.deliver_outbox()
    assert sorted(m["To"] for m in inbox.messages) == [r.email for r in registrations[:2]]
    rows = {row.registration_id: row for row in NoticeMail.objects.all()}
    assert [rows[r.pk].status for r in registrations] == [Status.SENT] * 2 + [Status.PENDING] * 3
    assert all(row.claim is None and row.claimed_until is None for row in rows.values())
    # The message that crashed counts an attempt and waits; the others are due at once.
    assert rows[broken.pk].attempts == 1
    assert "the worker crashed" in rows[broken.pk].last_error
    assert rows[broken.pk].next_attempt_at > timezone.now()
    assert [rows[r.pk].attempts for r in registrations[3:]] == [0, 0]

    monkeypatch.setattr(mail, "registration_message", original)
    assert mail.deliver_outbox().sent == 2  # the next run: the two never tried
    NoticeMail.objects.filter(registration=broken).update(next_attempt_at=timezone.now())
    assert mail.deliver_outbox().sent == 1  # and the one that crashed, when due
    assert sorted(m["To"] for m in inbox.messages) == sorted(r.email for r in registrations)
    assert statuses() == {Status.SENT: 5}


@pytest.mark.django_db
def test_claimed_rows_are_not_taken_by_another_worker_until_the_lease_runs_out() -> None:
    queued(5)
    first = mail.claim_batch(size=3)
    second = mail.claim_batch(size=3)
    assert len(first) == 3 and len(second) == 2
    assert not {row.pk for row in first} & {row.pk for row in second}
    assert mail.claim_batch() == []
    # A worker killed outright: its claims run out and the rows are taken up again.
    later = timezone.now() + mail.CLAIM_LEASE + dt.timedelta(seconds=1)
    assert len(mail.claim_batch(now=later)) == 5


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_workers_at_the_same_moment_send_each_row_once(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    refill_migrated_data: None,  # noqa: F811
) -> None:
    monkeypatch.setattr(mail, "BATCH_SIZE", 4)
    inbox = Inbox()
    controller = start_server(inbox)
    results: list[mail.Delivery] = []
    errors: list[BaseException] = []
    try:
        with (
            database_file(tmp_path),
            override_settings(TASKS=DATABASE_TASKS, **smtp_settings(controller.port)),
        ):
            registrations = queued(40, prefix="w")  # committed: a delivery task is queued, not run
            barrier = threading.Barrier(2)

            def worker() -> None:
                try:
                    barrier.wait()
                    results.append(mail.deliver_outbox())
                except BaseException as error:  # reported below
                    errors.append(error)
                finally:
                    connection.close()

            threads = [threading.Thread(target=worker) for _ in range(2)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            rows = statuses()
    finally:
        controller.stop()
    assert errors == []
    addresses = Counter(m["To"] for m in inbox.messages)
    assert sorted(addresses) == sorted(r.email for r in registrations)
    assert set(addresses.values()) == {1}
    assert sum(result.sent for result in results) == 40
    assert rows == {Status.SENT: 40}


@pytest.mark.django_db
def test_temporary_refusals_are_retried_later_until_max_attempts(inbox: Inbox) -> None:
    (soft, fine) = queued(2)

    async def handle_RCPT(server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if address == soft.email:
            return "451 4.7.1 Try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    inbox.handle_RCPT = handle_RCPT  # type: ignore[method-assign,assignment]
    result = mail.deliver_outbox()
    assert (result.sent, result.retry) == (1, 1)
    row = NoticeMail.objects.get(registration=soft)
    assert (row.status, row.attempts) == (Status.PENDING, 1)
    assert row.next_attempt_at >= timezone.now() + mail.RETRY_DELAY - dt.timedelta(seconds=5)
    assert "451" in row.last_error
    assert mail.deliver_outbox().batches == 0  # not due yet
    for attempt in range(2, mail.MAX_ATTEMPTS + 1):
        NoticeMail.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())
        assert mail.deliver_outbox().retry == 1
        row.refresh_from_db()
        assert row.attempts == attempt
    assert row.status == Status.FAILED  # given up
    NoticeMail.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())
    assert mail.deliver_outbox().batches == 0
    assert [m["To"] for m in inbox.messages] == [fine.email]
    assert Person.objects.get(pk=soft.person_id).email_bounced_at is None


@pytest.mark.django_db
def test_an_unreachable_server_leaves_every_row_pending_for_later() -> None:
    queued(3)
    with override_settings(**smtp_settings(1)):
        result = mail.deliver_outbox()
    assert result.retry == 3 and result.sent == 0
    assert statuses() == {Status.PENDING: 3}
    assert set(NoticeMail.objects.values_list("attempts", flat=True)) == {1}


@pytest.mark.django_db
def test_a_permanent_refusal_marks_the_address_bouncing_and_later_notices_are_skipped(
    inbox: Inbox,
) -> None:
    inbox.refuse = {"p0@example.org"}
    (bad, good) = queued(2)
    result = mail.deliver_outbox()
    assert (result.sent, result.bounced) == (1, 1)
    assert NoticeMail.objects.get(registration=bad).status == Status.BOUNCED
    assert Person.objects.get(pk=bad.person_id).email_bounced_at is not None
    assert Person.objects.get(pk=good.person_id).email_bounced_at is None
    with transaction.atomic():
        schedule(Notice.CHANGED, [bad])
    assert mail.deliver_outbox().skipped == 1
    assert NoticeMail.objects.get(registration=bad, notice="changed").status == Status.SKIPPED
    assert [m["To"] for m in inbox.messages] == [good.email]


@pytest.mark.parametrize("count", [3, 30])
@pytest.mark.django_db
def test_a_batch_costs_a_constant_number_of_queries_besides_one_update_per_message(
    inbox: Inbox, count: int, django_assert_max_num_queries: Any
) -> None:
    queued(count)
    with django_assert_max_num_queries(count + 8):
        assert mail.deliver_outbox().sent == count


@pytest.mark.django_db
def test_erasing_or_anonymising_a_person_removes_their_rows_and_merging_moves_them(
    portfolio: Any,
) -> None:
    admin = portfolio.users["administrator"]
    erased, anonymised, kept = queued(3)
    erase_person(user=admin, person=erased.person)
    anonymise_person(user=admin, person=Person.objects.get(pk=anonymised.person_id))
    assert list(NoticeMail.objects.values_list("registration_id", flat=True)) == [kept.pk]
    twin = make_person(email="twin@example.org")
    merge_people(user=admin, keep=twin, remove=Person.objects.get(pk=kept.person_id))
    row = NoticeMail.objects.select_related("registration").get()
    assert row.registration is not None and row.registration.person_id == twin.pk
