"""No overbooking under concurrency: many simultaneous registrations against the real database.

Real threads, each with its own database connection, all released at once by a barrier, call
``registrations.register``; the test is transactional (every registration really commits). Run
it on SQLite (the default) and on PostgreSQL::

    nice -n 19 bash scripts/with-postgres .venv/bin/pytest -p no:cacheprovider \\
        reallabor/events/tests/test_concurrency.py -q

SQLite: the test database normally lives in memory with a shared cache, where a second writer
fails at once ("database table is locked") instead of waiting as it does on a database file. The
test therefore copies the database into a file and points every connection at it (the
production setup: a file with WAL and IMMEDIATE transactions), and back afterwards.
PostgreSQL: at most ``max_connections`` − 20 threads talk to the server at the same time.
"""

from __future__ import annotations

import sqlite3
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.db import DEFAULT_DB_ALIAS, connection, connections
from pytest_django import DjangoDbBlocker

from reallabor.actors.models import Person
from reallabor.core.testing.events import make_event
from reallabor.events.models import Event, Registration
from reallabor.events.services import registrations

THREADS = 200
SEATS = 20


@pytest.fixture(scope="module")
def refill_migrated_data(django_db_blocker: DjangoDbBlocker) -> Iterator[None]:
    """A transactional test ends with an emptied database: put the migrated data back for the
    tests that run next."""
    yield
    contents = getattr(connections[DEFAULT_DB_ALIAS], "_test_serialized_contents", None)
    if contents:
        with django_db_blocker.unblock():
            connections[DEFAULT_DB_ALIAS].creation.deserialize_db_from_string(contents)


@contextmanager
def database_file(directory: Path) -> Iterator[None]:
    """On an in-memory SQLite test database: work on a file copy of it meanwhile."""
    if connection.vendor != "sqlite" or not connection.is_in_memory_db():  # type: ignore[attr-defined]
        yield
        return
    connection.ensure_connection()
    memory_name = connection.settings_dict["NAME"]
    keep_alive = sqlite3.connect(memory_name, uri=True)  # the memory database lives while one is open
    path = directory / "events-concurrency.sqlite3"
    copy = sqlite3.connect(path)
    connection.connection.backup(copy)
    copy.close()
    # Every thread's connection reads this same settings dictionary.
    connection.settings_dict["NAME"] = str(path)
    connection.close()
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict["NAME"] = memory_name
        connection.ensure_connection()
        keep_alive.close()


def parallel_limit() -> int:
    if connection.vendor != "postgresql":
        return THREADS
    with connection.cursor() as cursor:
        cursor.execute("SHOW max_connections")
        (maximum,) = cursor.fetchone()
    return max(2, min(THREADS, int(maximum) - 20))


def run_at_once(count: int, work: Callable[[int], Any]) -> tuple[dict[int, Any], dict[int, str]]:
    """``work(i)`` in ``count`` threads released together; results and errors by ``i``."""
    barrier = threading.Barrier(count)
    gate = threading.BoundedSemaphore(parallel_limit())
    results: dict[int, Any] = {}
    errors: dict[int, str] = {}

    def run(number: int) -> None:
        barrier.wait()
        with gate:
            try:
                results[number] = work(number)
            except Exception as error:
                errors[number] = f"{type(error).__name__}: {error}"
            finally:
                connections.close_all()

    threads = [threading.Thread(target=run, args=(number,)) for number in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_200_simultaneous_registrations_for_20_seats(refill_migrated_data: None, tmp_path: Path) -> None:
    event = make_event(capacity=SEATS, title="Digitalisierungsausbau in Unternehmen")
    # Most registrants are known in the CRM already (matched by address), some are new people.
    Person.objects.bulk_create(
        Person(
            first_name="Person", last_name=f"Nummer {number}", email=f"person{number}@betrieb{number}.example"
        )
        for number in range(THREADS)
        if number % 4
    )

    def register(number: int) -> str:
        mine = Event.objects.get(pk=event.pk)
        registration = registrations.register(
            user=None,
            event=mine,
            data={
                "first_name": "Person",
                "last_name": f"Nummer {number}",
                "email": f"person{number}@betrieb{number}.example",
                "organisation_name": f"Betrieb {number}",
            },
        )
        return str(registration.status)

    with database_file(tmp_path):
        results, errors = run_at_once(THREADS, register)
        assert errors == {}
        assert len(results) == THREADS
        assert Counter(results.values()) == {"registered": SEATS, "waiting": THREADS - SEATS}
        stored = Counter(Registration.objects.filter(event=event).values_list("status", flat=True))
        assert stored == {"registered": SEATS, "waiting": THREADS - SEATS}
        waiting_order = list(
            Registration.objects.filter(event=event, status="waiting").values_list("waiting_since", flat=True)
        )
        assert len(waiting_order) == THREADS - SEATS and None not in waiting_order
        codes = Registration.objects.filter(event=event).values_list("code", flat=True)
        assert len(set(codes)) == THREADS
        assert Person.objects.count() == THREADS


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_simultaneous_registrations_with_one_address_give_one_registration(
    refill_migrated_data: None, tmp_path: Path
) -> None:
    event = make_event(capacity=SEATS)

    def register(number: int) -> str:
        try:
            registration = registrations.register(
                user=None,
                event=Event.objects.get(pk=event.pk),
                data={"first_name": "Anna", "last_name": "Doppelt", "email": "Anna@Example.org"},
            )
        except registrations.AlreadyRegistered:
            return "already"
        return str(registration.status)

    with database_file(tmp_path):
        results, errors = run_at_once(20, register)
        assert errors == {}
        assert Counter(results.values()) == {"registered": 1, "already": 19}
        assert Registration.objects.filter(event=event).count() == 1
