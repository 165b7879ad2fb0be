"""Time the events (issue 5) at one scale: ``python -m bench.events --scale city --only mails``.

Runs in its own process on a *copy* of the scale's cached database (``bench/data/<scale>.sqlite3``
copied with SQLite's backup API to ``<scale>-events.sqlite3``, migrated, removed at the end), so the
cached database never changes. Prints one JSON object on stdout. The parts (``--only`` picks some):

- ``mails``: 1,000 registrations for one event, registered by the office one by one through
  ``services.registrations.register`` (each commit queues its confirmation: a task in the database,
  as in production); then the worker (django-tasks-db's ``db_worker --batch``, in this process)
  delivers every queued confirmation — multipart text and HTML, the calendar file and the QR code —
  to a real SMTP server (aiosmtpd in a process of its own on the loopback interface), which counts
  what arrives. Target: all of them within 30 s.
- ``pages``: the public registration request (a POST of the form by an anonymous visitor, a new
  address each time) and, for an event with 500 participants, the public event page (anonymous) and
  the office's participants page (administrator), each against the floor (``/bench/floor/``, the
  same user, in the same run, interleaved): median of repeated requests with Django's test client,
  CPU time and query counts. Target: ≤ 3× the floor; the pages' query counts are the same with 50
  participants (a differing count is an error on the row).

Every function below works on the current default database, so the tests can run them small.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from bench.actors import Operation, _operation, _remove_database, copy_database, smtp_sink
from bench.environment import DATA_DIR, configure, database_path, marker_path

PARTS = ("mails", "pages")
MAILS_S = 30.0


@dataclass(frozen=True)
class Sizes:
    registrations: int
    participants: int = 500
    few_participants: int = 50
    repeat: int = 30
    warmup: int = 3


SIZES = {"city": Sizes(registrations=1_000), "nation": Sizes(registrations=1_000)}


def copy_path(scale: str) -> str:
    return str(DATA_DIR / f"{scale}-events.sqlite3")


def migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def queue_registrations(count: int) -> tuple[Any, float]:
    """An event with room for everybody and ``count`` registrations by the office (committed one
    by one, each queuing its confirmation); returns the event and the seconds it took."""
    from django.utils import timezone

    from bench.generate import ADMIN_EMAIL
    from reallabor.accounts.models import User
    from reallabor.events.services import events as event_services
    from reallabor.events.services import registrations as registration_services

    admin = User.objects.get(email=ADMIN_EMAIL)
    starts = timezone.now().replace(second=0, microsecond=0) + dt.timedelta(days=21)
    event = event_services.create_event(
        user=admin,
        data={
            "title": f"Bottroper Handwerksfrühstück {time.time_ns()}",
            "description": "Frühstück, Austausch und ein kurzer Impuls: **Digitalisierung im Betrieb**.",
            "starts_at": starts,
            "ends_at": starts + dt.timedelta(hours=2),
            "venue_name": "Tischlerei Beispiel",
            "street": "Hauptstraße 1",
            "postcode": "46236",
            "city": "Bottrop",
            "capacity": None,
        },
    )
    event = event_services.publish_event(user=admin, event=event)
    started = time.perf_counter()
    for number in range(count):
        registration_services.register(
            user=admin,
            event=event,
            data={
                "first_name": "Teilnehmerin",
                "last_name": f"Nummer {number}",
                "email": f"bench-teilnahme-{number}@example.org",
                "organisation_name": f"Betrieb {number % 97}",
            },
        )
    return event, time.perf_counter() - started


def time_mails(count: int) -> list[Operation]:
    """Queue ``count`` registrations' confirmations and time the worker delivering them."""
    from django.core.management import call_command
    from django.tasks import TaskResultStatus
    from django.test import override_settings
    from django_tasks_db.models import DBTaskResult

    path = "reallabor.events.tasks.send_notice_mails"
    DBTaskResult.objects.filter(task_path=path).delete()
    event, queue_seconds = queue_registrations(count)
    queued = DBTaskResult.objects.filter(task_path=path, status=TaskResultStatus.READY).count()
    operations = [
        Operation(
            what="registrations by the office (each queues its confirmation)",
            size=f"{count:,} registrations",
            value=queue_seconds,
            unit="s",
            note=f"{queued:,} mail tasks queued",
        )
    ]
    with smtp_sink() as (port, received):
        options = {"host": "127.0.0.1", "port": port, "timeout": 20}
        mailers = {"default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend", "OPTIONS": options}}
        with override_settings(MAILERS=mailers):
            gc.collect()
            cpu_started, started = time.process_time(), time.perf_counter()
            call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
            seconds = time.perf_counter() - started
            cpu_seconds = time.process_time() - cpu_started
        # The sink counts a message once it has been accepted; give the last one a moment.
        deadline = time.monotonic() + 5
        while int(received.value) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        arrived = int(received.value)
    finished = DBTaskResult.objects.filter(task_path=path, status=TaskResultStatus.SUCCESSFUL).count()
    error = "" if arrived == count else f"{count} confirmations queued, {arrived} arrived"
    operations.append(
        Operation(
            what="registrations' mails delivered by the worker to SMTP on loopback",
            size=f"{count:,} mails",
            value=seconds,
            cpu=cpu_seconds,
            unit="s",
            target=MAILS_S,
            note=f"{arrived:,} arrived in {seconds:.1f} s ({arrived / seconds:.0f} mails/s; the worker's CPU "
            f"{cpu_seconds:.1f} s); {finished:,} tasks done; each with text, HTML, calendar file, QR code; "
            f"event {event.slug}",
            error=error,
        )
    )
    return operations


# Pages -------------------------------------------------------------------------------------------------


def published_event(title: str) -> Any:
    """A published event with room for everybody, in three weeks, made by the office."""
    from django.utils import timezone

    from bench.generate import ADMIN_EMAIL
    from reallabor.accounts.models import User
    from reallabor.events.services import events as event_services

    admin = User.objects.get(email=ADMIN_EMAIL)
    starts = timezone.now().replace(second=0, microsecond=0) + dt.timedelta(days=21)
    event = event_services.create_event(
        user=admin,
        data={
            "title": f"{title} {time.time_ns()}",
            "description": "Frühstück, Austausch und ein kurzer Impuls: **Digitalisierung im Betrieb**.",
            "starts_at": starts,
            "ends_at": starts + dt.timedelta(hours=2),
            "venue_name": "Tischlerei Beispiel",
            "street": "Hauptstraße 1",
            "postcode": "46236",
            "city": "Bottrop",
            "capacity": None,
        },
    )
    return event_services.publish_event(user=admin, event=event)


def add_participants(event: Any, count: int) -> None:
    """``count`` confirmed registrations of new people, written as rows in bulk (as the test
    factory ``make_registration`` does one by one): the page is measured, not the registering."""
    import secrets

    from django.utils import timezone

    from reallabor.actors.models import Person
    from reallabor.events.models import Registration
    from reallabor.events.services.intake import CODE_ALPHABET, CODE_LENGTH

    now = timezone.now()
    stamp = time.time_ns()
    people = Person.objects.bulk_create(
        Person(
            first_name="Teilnehmerin",
            last_name=f"Nummer {number}",
            email=f"bench-seite-{stamp}-{number}@example.org",
        )
        for number in range(count)
    )
    codes: set[str] = set()
    while len(codes) < count:
        codes.add("".join(secrets.choice(CODE_ALPHABET) for _position in range(CODE_LENGTH)))
    Registration.objects.bulk_create(
        Registration(
            event=event,
            person=person,
            first_name=person.first_name,
            last_name=person.last_name,
            email=person.email,
            organisation_name=f"Betrieb {number % 97}",
            status=Registration.Status.REGISTERED,
            address_confirmed_at=now,
            code=code,
        )
        for number, (person, code) in enumerate(zip(people, sorted(codes), strict=True))
    )


def _floors(measurements: list[Any]) -> dict[str, float]:
    return {item.user: item.summary()["median_ms"] for item in measurements if item.page == "floor"}


def measure_event_pages(participants: tuple[int, ...], repeat: int, warmup: int) -> list[Operation]:
    """The public event page (anonymous) and the office's participants page (administrator) of
    events with each number of ``participants``, round-robin with the floor for both users."""
    from django.urls import reverse

    from bench.measure import Measurement, make_clients, run_measurements
    from bench.pages import floor_page

    events = {count: published_event(f"Bottroper Handwerksfrühstück ({count})") for count in participants}
    for count, event in events.items():
        add_participants(event, count)
    floor = floor_page().path
    measurements = [
        Measurement(user=kind, page="floor", path=floor) for kind in ("anonymous", "administrator")
    ]
    for count, event in events.items():
        measurements.append(
            Measurement(
                user="anonymous",
                page=f"event page ({count})",
                path=reverse("events:event-detail", kwargs={"slug": event.slug}),
            )
        )
        measurements.append(
            Measurement(
                user="administrator",
                page=f"participants page ({count})",
                path=reverse("events:event-participants", kwargs={"slug": event.slug}),
            )
        )
    run_measurements(
        measurements, make_clients(("anonymous", "administrator")), repeat, warmup, cold_repeat=0
    )
    floors = _floors(measurements)
    largest = max(participants)
    operations = []
    for item in measurements:
        data = item.summary()
        if item.page == "floor":
            operations.append(
                Operation(
                    what=f"floor ({item.user})",
                    size="",
                    value=data.get("median_ms"),
                    cpu=data.get("cpu_median_ms"),
                    unit="ms",
                    runs=data["samples"],
                    max=data.get("p95_ms"),
                    note=f"{item.queries} queries",
                    error=item.error,
                )
            )
            continue
        kind, label = item.page.rsplit(" (", 1)
        size = int(label.rstrip(")"))
        error = item.error or ("" if item.status == 200 else f"status {item.status}")
        same_page = [other for other in measurements if other.page.startswith(f"{kind} (")]
        if len({other.queries for other in same_page}) > 1:
            counts = ", ".join(f"{other.page}: {other.queries}" for other in same_page)
            error = error or f"query count not constant ({counts})"
        floor_ms = floors[item.user]
        median = data.get("median_ms")
        operations.append(
            Operation(
                what=f"{kind} as {item.user}",
                size=f"{size:,} participants",
                value=median,
                cpu=data.get("cpu_median_ms"),
                unit="ms",
                runs=data["samples"],
                max=data.get("p95_ms"),
                target=3 * floor_ms if size == largest else None,
                note=f"{(median or 0) / floor_ms:.2f}× floor ({floor_ms:.1f} ms); {item.queries} queries; "
                f"{item.bytes or 0:,} bytes",
                error=error,
            )
        )
    return operations


def time_registration_requests(repeat: int, warmup: int) -> list[Operation]:
    """The public registration form sent by anonymous visitors, each with a new address (the
    whole request: form, service, queued confirmation, outcome page), interleaved with the floor."""
    import statistics

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    event = published_event("Bottroper Handwerksfrühstück (Anmeldung)")
    url = reverse("events:event-register", kwargs={"slug": event.slug})
    floor = reverse("bench-floor")
    client = Client()
    stamp = time.time_ns()
    numbers = iter(range(10**9))

    def post() -> Any:
        number = next(numbers)
        return client.post(
            url,
            {
                "first_name": "Teilnehmerin",
                "last_name": f"Nummer {number}",
                "email": f"bench-anmeldung-{stamp}-{number}@example.org",
                "organisation_name": f"Betrieb {number % 97}",
            },
        )

    with CaptureQueriesContext(connection) as queries:
        probe = post()
    status, query_count = probe.status_code, len(queries)
    with CaptureQueriesContext(connection) as queries:
        client.get(floor)
    floor_queries = len(queries)
    for _ in range(warmup):
        post()
        client.get(floor)
    samples: dict[str, list[float]] = {"post": [], "floor": []}
    cpu: dict[str, list[float]] = {"post": [], "floor": []}
    gc.collect()
    for _ in range(repeat):
        for key, request in (("post", post), ("floor", lambda: client.get(floor))):
            cpu_started, started = time.process_time(), time.perf_counter()
            request()
            samples[key].append((time.perf_counter() - started) * 1000)
            cpu[key].append((time.process_time() - cpu_started) * 1000)
    floor_ms = statistics.median(samples["floor"])
    median = statistics.median(samples["post"])
    registrations = event.registrations.count()
    expected = repeat + warmup + 1
    error = ""
    if status != 200:
        error = f"status {status}"
    elif registrations != expected:
        error = f"{expected} registrations sent, {registrations} stored"
    return [
        Operation(
            what="floor (anonymous, next to the registrations)",
            size="",
            value=floor_ms,
            cpu=statistics.median(cpu["floor"]),
            unit="ms",
            runs=repeat,
            max=max(samples["floor"]),
            note=f"{floor_queries} queries",
        ),
        Operation(
            what="registration request (POST, anonymous, new address each)",
            size=f"{repeat:,} requests",
            value=median,
            cpu=statistics.median(cpu["post"]),
            unit="ms",
            runs=repeat,
            max=max(samples["post"]),
            target=3 * floor_ms,
            note=f"{median / floor_ms:.2f}× floor ({floor_ms:.1f} ms); {query_count} queries; "
            f"{registrations:,} registrations stored",
            error=error,
        ),
    ]


@dataclass
class Result:
    scale: str
    sizes: dict[str, int]
    copy_seconds: float = 0.0
    marker: dict[str, Any] = field(default_factory=dict)
    operations: list[dict[str, Any]] = field(default_factory=list)


def run(sizes: Sizes, parts: tuple[str, ...], log: Callable[[str], None]) -> list[dict[str, Any]]:
    from django.utils import translation

    translation.activate("de")
    operations: list[Operation] = []
    if "mails" in parts:
        log(f"{sizes.registrations:,} registrations' mails …")
        try:
            operations.extend(time_mails(sizes.registrations))
        except Exception as error:  # a failed part is a result
            log(f"mails failed: {type(error).__name__}: {error}")
            operations.append(
                Operation(
                    what="mails", size="", value=None, unit="", error=f"{type(error).__name__}: {error}"[:300]
                )
            )
    if "pages" in parts:
        log(f"registration requests and event pages with {sizes.participants:,} participants …")
        for what, function in (
            ("registration request", lambda: time_registration_requests(sizes.repeat, sizes.warmup)),
            (
                "event pages",
                lambda: measure_event_pages(
                    (sizes.participants, sizes.few_participants), sizes.repeat, sizes.warmup
                ),
            ),
        ):
            try:
                operations.extend(function())
            except Exception as error:  # a failed part is a result
                log(f"{what} failed: {type(error).__name__}: {error}")
                operations.append(
                    Operation(
                        what=what,
                        size="",
                        value=None,
                        unit="",
                        error=f"{type(error).__name__}: {error}"[:300],
                    )
                )
    return [_operation(item) for item in operations]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.events", description=__doc__.splitlines()[0])
    parser.add_argument("--scale", required=True, choices=sorted(SIZES))
    parser.add_argument("--only", default=",".join(PARTS), help=f"comma-separated, of {', '.join(PARTS)}")
    parser.add_argument("--keep-copy", action="store_true", help="keep the database copy afterwards")
    args = parser.parse_args(argv)
    parts = tuple(part.strip() for part in args.only.split(",") if part.strip())
    unknown = sorted(set(parts) - set(PARTS))
    if unknown:
        parser.error(f"unknown part(s): {', '.join(unknown)}; known: {', '.join(PARTS)}")
    sizes = SIZES[args.scale]
    source = database_path(args.scale)
    if not source.exists():
        raise SystemExit(
            f"No database for {args.scale}: run `python -m bench.database --scale {args.scale}`."
        )

    def log(message: str) -> None:
        print(f"{args.scale} events: {message}", file=sys.stderr, flush=True)

    from pathlib import Path

    copy = Path(copy_path(args.scale))
    log(f"copying the database to {copy.name} …")
    copy_seconds = copy_database(source, copy)
    try:
        configure(copy)
        migrate()
        operations = run(sizes, parts, log)
        from django.db import connections

        connections.close_all()
    finally:
        if not args.keep_copy:
            _remove_database(copy)
    marker = json.loads(marker_path(args.scale).read_text()) if marker_path(args.scale).exists() else {}
    result = Result(
        scale=args.scale,
        sizes=asdict(sizes),
        copy_seconds=round(copy_seconds, 2),
        marker=marker,
        operations=operations,
    )
    sys.stdout.write(json.dumps(asdict(result)) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
