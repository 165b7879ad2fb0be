"""Time the actors (issue 4) at one scale: ``python -m bench.actors --scale nation``.

Runs in its own process on a *copy* of the scale's cached database (``bench/data/<scale>.sqlite3``
copied with SQLite's backup API to ``<scale>-actors.sqlite3``, removed at the end), so the cached
database never changes. Prints one JSON object on stdout. The parts (``--only`` picks some):

- ``pages``: the actors' pages as an administrator, server-side time through the in-process test
  client, next to the bare-Django floor in the same process (``bench.measure``, ``bench.pages``).
- ``counts``: what a segment's page counts (``services.segment_counts``: people and reachable)
  of every saved segment and of broad ones, median of several runs.
- ``import``: a spreadsheet as the office's own (semicolons, Windows-1252, German headers, some
  rows naming records that exist) through the CLI ``import-actors`` itself (``call_command``), in a
  transaction rolled back afterwards; its progress lines are counted and timed.
- ``duplicates``: ``find_duplicate_organisations()`` after adding near-duplicates (same name key
  and postcode, same e-mail, same web domain), rolled back afterwards.
- ``mailing``: a people segment reaching at least the wanted number of recipients, ``send_mailing``
  (freezing and queuing the recipients) timed, then a sample of them delivered by the worker's task
  function (``deliver_mailing``) to a real SMTP server (aiosmtpd in a process of its own on the
  loopback interface), which counts what arrives.

Every function below works on the current default database, so the tests can run them small.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import functools
import gc
import io
import json
import multiprocessing
import random
import re
import socket
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bench.environment import DATA_DIR, configure, database_path, marker_path

PARTS = ("pages", "counts", "import", "duplicates", "mailing")
IMPORT_HEADERS = [
    "Firma", "Straße", "PLZ", "Ort", "Stadtteil", "E-Mail", "Telefon", "Vorname", "Nachname", "Funktion",
    "Branche", "Gewerk", "Mitarbeiter",
]  # fmt: skip
BUSINESSES = [
    "Tischlerei", "Metallbau", "Elektro", "Bäckerei", "Malerbetrieb", "Sanitär- und Heizungsbau", "Dachdeckerei",
    "Friseursalon", "Steuerberatung", "Logistik", "Autohaus", "Fliesenlegerei", "Gebäudereinigung", "Optik",
]  # fmt: skip
LEGAL_FORMS = ["GmbH", "GmbH", "", "", "e.K.", "GmbH & Co. KG", "UG (haftungsbeschränkt)", "KG"]


@dataclass(frozen=True)
class Sizes:
    import_rows: int
    near_duplicates: int
    recipients: int  # the mailing's segment reaches at least this many (if the data has them)
    delivery_sample: int  # of those, how many are delivered over SMTP
    repeat: int  # timed requests per page
    count_runs: int  # runs per segment count
    duplicate_runs: int


SIZES = {
    "city": Sizes(
        import_rows=5_000, near_duplicates=30, recipients=1_000, delivery_sample=1_000,
        repeat=15, count_runs=9, duplicate_runs=5,
    ),
    "nation": Sizes(
        import_rows=100_000, near_duplicates=300, recipients=50_000, delivery_sample=5_000,
        repeat=15, count_runs=5, duplicate_runs=3,
    ),
}  # fmt: skip

# The targets (at nation scale; the city run shows the same ones where they do not depend
# on the amount of data: the count of a segment and the delivery rate).
SEGMENT_COUNT_MS = 200.0
IMPORT_S = 60.0
DUPLICATES_S = 30.0
QUEUE_S = 10.0
DELIVERY_PER_S = 50.0


@dataclass
class Operation:
    """One timed operation: ``value`` against ``target`` (lower is better unless ``higher``)."""

    what: str
    size: str
    value: float | None  # the median (or the rate)
    unit: str  # "ms", "s", "mails/s", "lines"
    cpu: float | None = None  # the same from this process's CPU time (steadier on a busy machine)
    runs: int = 1
    max: float | None = None
    target: float | None = None
    higher: bool = False  # a rate: at least the target
    note: str = ""
    error: str = ""

    @property
    def ok(self) -> bool | None:
        if self.error:
            return False
        if self.target is None or self.value is None:
            return None
        return self.value >= self.target if self.higher else self.value <= self.target


def _time(function: Callable[[], Any], runs: int) -> tuple[list[float], list[float], Any]:
    """Wall-clock and CPU seconds of each run (garbage collected before each), and the last result."""
    samples: list[float] = []
    cpu_samples: list[float] = []
    result: Any = None
    for _ in range(runs):
        gc.collect()
        cpu_started, started = time.process_time(), time.perf_counter()
        result = function()
        samples.append(time.perf_counter() - started)
        cpu_samples.append(time.process_time() - cpu_started)
    return samples, cpu_samples, result


class _Rollback(Exception):
    pass


@contextlib.contextmanager
def rolled_back() -> Iterator[None]:
    """Everything written inside is undone at the end (one transaction, rolled back)."""
    from django.db import transaction

    try:
        with transaction.atomic():
            yield
            raise _Rollback
    except _Rollback:
        pass


# The database copy -----------------------------------------------------------------------------------


def copy_path(scale: str) -> Path:
    return DATA_DIR / f"{scale}-actors.sqlite3"


def _remove_database(path: Path) -> None:
    for name in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
        name.unlink(missing_ok=True)


def copy_database(source: Path, target: Path) -> float:
    """Copy ``source`` to ``target`` with SQLite's backup API (consistent even while it is open)."""
    started = time.perf_counter()
    _remove_database(target)
    with (
        contextlib.closing(sqlite3.connect(source)) as origin,
        contextlib.closing(sqlite3.connect(target)) as copy,
    ):
        origin.backup(copy)
    return time.perf_counter() - started


def row_counts() -> dict[str, int]:
    from reallabor.actors.models import Affiliation, Consent, FollowUp, Interaction, Person, Segment
    from reallabor.organisations.models import Organisation

    return {
        "organisations": Organisation.objects.count(),
        "people": Person.objects.count(),
        "affiliations": Affiliation.objects.count(),
        "interactions": Interaction.objects.count(),
        "follow-ups": FollowUp.objects.count(),
        "consents": Consent.objects.count(),
        "segments": Segment.objects.count(),
    }


# Pages --------------------------------------------------------------------------------------------------


def measure_pages(repeat: int, warmup: int) -> list[dict[str, Any]]:
    """The actors' pages and the floor as an administrator (no cold runs: their pages are never cached)."""
    from bench.measure import Measurement, make_clients, run_measurements
    from bench.pages import discover_actors, floor_page

    kind = "administrator"
    pages = [floor_page(), *discover_actors()]
    measurements = [Measurement(user=kind, page=page.key, path=page.path, note=page.note) for page in pages]
    run_measurements(measurements, make_clients((kind,)), repeat, warmup, cold_repeat=0)
    return [item.summary() for item in measurements]


# Segment counts ----------------------------------------------------------------------------------------


# Broad segments, not saved: each reaches a large part of the people (the table of facts per
# person, ``actors.facts``, is for these).
BROAD_SEGMENTS = (
    ("companies with a newsletter consent", {"kinds": ["company"], "consent": "newsletter"}),
    ("not in the alliance", {"alliance": ["none"]}),
    ("companies with 1–9 employees", {"kinds": ["company"], "headcount_bands": ["1-4", "5-9"]}),
    (
        "companies not in the alliance, newsletter",
        {"kinds": ["company"], "alliance": ["none"], "consent": "newsletter"},
    ),
    ("companies", {"kinds": ["company"]}),
    ("newsletter consent", {"consent": "newsletter"}),
)


def time_segment_counts(runs: int) -> list[Operation]:
    """What a segment's page shows: the people it reaches and how many of them can be mailed
    (``services.segment_counts``), for the saved segments and for broad ones."""
    from reallabor.actors.models import Segment
    from reallabor.actors.services.segments import segment_counts

    segments = list(Segment.objects.order_by("name", "pk"))
    segments += [
        Segment(name=f"broad: {name}", subject=Segment.Subject.PEOPLE, criteria=criteria)
        for name, criteria in BROAD_SEGMENTS
    ]
    operations = []
    for segment in segments:
        count = functools.partial(segment_counts, segment, user=None)
        count()  # warm-up: the terms' lookups, the page cache
        samples, cpu_samples, counts = _time(count, runs)
        operations.append(
            Operation(
                what=f"segment count: {segment.name}",
                size=f"{counts.people:,} people, {counts.reachable:,} reachable",
                value=statistics.median(samples) * 1000,
                cpu=statistics.median(cpu_samples) * 1000,
                max=max(samples) * 1000,
                unit="ms",
                runs=runs,
                target=SEGMENT_COUNT_MS,
                note=json.dumps(segment.criteria, ensure_ascii=False),
            )
        )
    return operations


# Import ------------------------------------------------------------------------------------------------


_FOLD: dict[str, str | int | None] = {"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"}


def _ascii(text: str) -> str:
    folded = text.lower().translate(str.maketrans(_FOLD))
    return re.sub(r"[^a-z0-9]+", "", folded)


def _sample_ids(model: Any, count: int, rng: random.Random, **filters: Any) -> list[int]:
    ids = list(model.objects.filter(**filters).order_by("pk").values_list("pk", flat=True).iterator(20_000))
    return sorted(rng.sample(ids, min(count, len(ids))))


def _in_chunks(model: Any, ids: list[int], *fields: str) -> list[tuple[Any, ...]]:
    rows: list[tuple[Any, ...]] = []
    for start in range(0, len(ids), 900):
        rows += model.objects.filter(pk__in=ids[start : start + 900]).order_by("pk").values_list(*fields)
    return rows


def import_csv(rows: int, seed: int = 4) -> tuple[bytes, dict[str, int]]:
    """A spreadsheet as the office keeps them: one row per contact person, the firm repeated on each.

    Semicolons, Windows-1252, CRLF, German headers. About 3 % of the firms and 2 % of the people
    exist already (same name and postcode; same e-mail address). Returns the file and what it holds.
    """
    from bench import content
    from bench.actors_data import FIRST_NAMES, FUNCTIONS, LAST_NAMES
    from reallabor.actors.models import Person
    from reallabor.organisations.models import Organisation
    from reallabor.taxonomy.models import SECTOR_FAMILY, TRADES_FAMILY, Term

    rng = random.Random(seed)
    divisions = list(
        Term.objects.filter(
            vocabulary__family=SECTOR_FAMILY, vocabulary__retired_at__isnull=True, parent__isnull=False
        ).values_list("code", flat=True)
    )
    trades = list(
        Term.objects.filter(
            vocabulary__family=TRADES_FAMILY, vocabulary__retired_at__isnull=True, parent__isnull=False
        ).values_list("name", flat=True)
    )
    existing_orgs = _in_chunks(
        Organisation,
        _sample_ids(Organisation, max(1, rows * 3 // 200), rng),
        "name",
        "street",
        "postcode",
        "city",
        "district",
    )
    existing_people = _in_chunks(
        Person,
        _sample_ids(Person, max(1, rows // 50), rng, anonymised_at__isnull=True, email__contains="@"),
        "first_name",
        "last_name",
        "email",
    )
    rng.shuffle(existing_orgs)
    rng.shuffle(existing_people)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(IMPORT_HEADERS)
    written = {"rows": 0, "new firms": 0, "existing firms": 0, "existing people": 0}
    firm = 0
    while written["rows"] < rows:
        firm += 1
        if existing_orgs and rng.random() < 0.03:
            name, street, postcode, city, district = existing_orgs.pop()
            organisation = [name, street, postcode, city or "Bottrop", district, "", "", ""]
            people = 1
            written["existing firms"] += 1
        else:
            business = rng.choice(BUSINESSES)
            owner = rng.choice(LAST_NAMES)
            legal = rng.choice(LEGAL_FORMS)
            name = " ".join(part for part in (business, owner, str(firm), legal) if part)
            is_company = rng.random() < 0.85
            organisation = [
                name,
                f"{rng.choice(content.STREETS)} {rng.randint(1, 180)}",
                f"462{rng.randint(10, 49)}",
                "Bottrop",
                rng.choice(content.DISTRICTS) if rng.random() < 0.8 else "",
                rng.choice(divisions) if is_company and divisions and rng.random() < 0.7 else "",
                rng.choice(trades) if is_company and trades and rng.random() < 0.3 else "",
                str(rng.choice([1, 2, 3, 4, 6, 8, 12, 15, 25, 40, 80, 150, 300])) if is_company else "",
            ]
            people = rng.choices([1, 2, 3], [60, 30, 10])[0]
            written["new firms"] += 1
        names: set[tuple[str, str]] = set()  # two rows of one firm are two different people
        for number in range(min(people, rows - written["rows"])):
            if existing_people and rng.random() < 0.02:
                first, last, email = existing_people.pop()
                written["existing people"] += 1
            else:
                first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
                while (first, last) in names:
                    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
                email = f"{_ascii(first)}.{_ascii(last)}.{number}@firma{firm}.example"
            names.add((first, last))
            phone = f"02041 {rng.randint(100000, 999999)}" if rng.random() < 0.6 else ""
            name_, street, postcode, city, district, sector, trade, headcount = organisation
            writer.writerow(
                [
                    name_,
                    street,
                    postcode,
                    city,
                    district,
                    email,
                    phone,
                    first,
                    last,
                    rng.choice(FUNCTIONS),
                    sector,
                    trade,
                    headcount,
                ]
            )
            written["rows"] += 1
    return out.getvalue().encode("cp1252"), written


class _TimedStream(io.StringIO):
    """Keeps when each line was written (the CLI's progress goes to standard error)."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[tuple[float, str]] = []

    def write(self, text: str) -> int:
        now = time.perf_counter()
        for line in text.splitlines():
            if line.strip():
                self.lines.append((now, line))
        return super().write(text)

    def isatty(self) -> bool:
        return False


PROGRESS_LINE = re.compile(r"^(?P<stage>[^:]+): (?P<done>\d+)/(?P<total>\d+)$")


def time_import(content: bytes, path: Path, description: dict[str, int]) -> list[Operation]:
    """``reallabor import-actors FILE`` in-process (``call_command``), rolled back afterwards."""
    from django.core.management import call_command
    from django.utils import translation

    from reallabor.actors.models import Person
    from reallabor.organisations.models import Organisation

    path.write_bytes(content)
    stdout, stderr = io.StringIO(), _TimedStream()
    rows = description["rows"]
    size = f"{rows:,} rows, {len(content) / 1048576:.1f} MB"
    created: dict[str, int] = {}
    error = ""
    started = finished = time.perf_counter()
    cpu = 0.0
    with rolled_back():
        before = (Organisation.objects.count(), Person.objects.count())
        gc.collect()
        cpu_started, started = time.process_time(), time.perf_counter()
        try:
            with translation.override("en"):  # the stages are read from the English progress lines
                call_command("import_actors", str(path), stdout=stdout, stderr=stderr)
        except Exception as exception:  # a failed import is a result
            error = f"{type(exception).__name__}: {exception}"[:300]
        finished = time.perf_counter()
        cpu = time.process_time() - cpu_started
        created = {
            "organisations": Organisation.objects.count() - before[0],
            "people": Person.objects.count() - before[1],
        }
    path.unlink(missing_ok=True)
    progress = [(at, match) for at, line in stderr.lines if (match := PROGRESS_LINE.match(line))]
    stages = list(dict.fromkeys(match["stage"] for _at, match in progress))
    checked = next((at for at, match in progress if match["done"] == match["total"]), None)
    first = progress[0][0] if progress else None
    phases = ""
    if first is not None and checked is not None:
        phases = (
            f"read {first - started:.1f} s, check {checked - first:.1f} s, write {finished - checked:.1f} s; "
        )
    summary = next((line for line in reversed(stdout.getvalue().splitlines()) if line.strip()), "")
    note = (
        f"{phases}{description['existing firms']:,} firms and {description['existing people']:,} people "
        f"exist already (skipped); written: {created['organisations']:,} organisations, "
        f"{created['people']:,} people (rolled back). CLI: {summary.strip()}"
    )
    if error:
        error += " | " + " / ".join(line for _at, line in stderr.lines[-5:])
    return [
        Operation(
            what="import (CLI import-actors: read, check, write)",
            size=size,
            value=None if error else finished - started,
            cpu=None if error else cpu,
            unit="s",
            target=IMPORT_S,
            note=note,
            error=error,
        ),
        Operation(
            what="import: CLI progress lines",
            size=f"stages: {', '.join(stages) or 'none'}",
            value=len(progress),
            unit="lines",
            target=2,  # at least the check and the write stage
            higher=True,
            note="on standard error, not a terminal: a line every tenth of the way per stage",
        ),
    ]


# Duplicates --------------------------------------------------------------------------------------------


def add_near_duplicates(count: int, seed: int = 5) -> int:
    """``count`` organisations that duplicate existing ones: a third each by name and postcode
    (spelt differently), by e-mail address, and by web domain. Written in bulk (bench data)."""
    from reallabor.organisations.keys import name_key, web_domain
    from reallabor.organisations.models import Organisation

    rng = random.Random(seed)
    originals = Organisation.objects.filter(pk__in=_sample_ids(Organisation, count, rng))
    copies = []
    for index, original in enumerate(originals.order_by("pk")):
        copy = Organisation.objects.get(pk=original.pk)
        copy.pk = None
        copy.id = None
        copy.slug = f"{original.slug}-dublette"[:220]
        copy.profile_published = False
        way = index % 3
        if way == 1 and original.email:
            copy.name = f"{original.name} (Zweigstelle)"
            copy.email = original.email.upper()
        elif way == 2 and original.website:
            copy.name = f"{original.name} Service"
            copy.website = original.website.replace("https://", "https://www.") + "impressum"
        else:
            copy.name = original.name.upper().replace(" ", "-", 1) + " GmbH"
            copy.email = ""
        copy.name_key = name_key(copy.name)
        copy.web_domain = web_domain(copy.website)
        copies.append(copy)
    Organisation.objects.bulk_create(copies)
    return len(copies)


def time_duplicates(near_duplicates: int, runs: int) -> Operation:
    from reallabor.actors.services.duplicates import find_duplicate_organisations
    from reallabor.organisations.models import Organisation

    with rolled_back():
        added = add_near_duplicates(near_duplicates)
        total = Organisation.objects.count()
        samples, cpu_samples, groups = _time(find_duplicate_organisations, runs)
    members = sum(len(group.members) for group in groups)
    return Operation(
        what="duplicate detection: find_duplicate_organisations()",
        size=f"{total:,} organisations",
        value=statistics.median(samples),
        cpu=statistics.median(cpu_samples),
        max=max(samples),
        unit="s",
        runs=runs,
        target=DUPLICATES_S,
        note=f"{added} near-duplicates added (rolled back): {len(groups)} groups, {members} organisations",
    )


# Mailing -----------------------------------------------------------------------------------------------


def _sink_main(port: int, received: Any, ready: Any, stop: Any) -> None:
    """An SMTP server on the loopback interface that accepts and counts every message."""
    from aiosmtpd.controller import Controller

    class Counter:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            with received.get_lock():
                received.value += 1
            return "250 Message accepted for delivery"

    controller = Controller(Counter(), hostname="127.0.0.1", port=port)
    controller.start()
    ready.set()
    stop.wait()
    controller.stop()


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def smtp_sink() -> Iterator[tuple[int, Any]]:
    """(port, counter of received messages) of an SMTP server in a process of its own."""
    context = multiprocessing.get_context("spawn")
    received = context.Value("q", 0)
    ready, stop = context.Event(), context.Event()
    port = _free_port()
    process = context.Process(target=_sink_main, args=(port, received, ready, stop), daemon=True)
    process.start()
    try:
        if not ready.wait(60):
            raise RuntimeError("the SMTP server on the loopback interface did not start")
        yield port, received
    finally:
        stop.set()
        process.join(10)
        if process.is_alive():
            process.terminate()
            process.join(5)


def mailing_criteria(wanted: int) -> tuple[dict[str, Any], int]:
    """People criteria reaching at least ``wanted`` people with a newsletter consent (the fewest
    districts that do, else everybody), and how many they reach."""
    from bench import content
    from reallabor.actors.criteria import parse_criteria
    from reallabor.actors.services.segments import count_criteria

    reachable = 0
    for size in range(1, len(content.DISTRICTS) + 1):
        criteria = {"districts": content.DISTRICTS[:size]}
        reachable = count_criteria("people", parse_criteria(criteria)).reachable or 0
        if reachable >= wanted:
            return criteria, reachable
    everybody = count_criteria("people", parse_criteria({})).reachable or 0
    return {}, everybody


def time_mailing(wanted: int, sample: int) -> list[Operation]:
    """Queue a mailing to at least ``wanted`` people, deliver ``sample`` of them over SMTP.

    Writes (and commits) a segment, a mailing and its recipients: run it on a copy of a database.
    """
    from django.db.models import Count
    from django.test import override_settings

    from bench.generate import ADMIN_EMAIL
    from reallabor.accounts.models import User
    from reallabor.actors.models import MailingRecipient
    from reallabor.actors.services.mailings import create_mailing, send_mailing
    from reallabor.actors.services.segments import create_segment
    from reallabor.actors.tasks import deliver_mailing
    from reallabor.labs.models import Measure

    admin = User.objects.get(email=ADMIN_EMAIL)
    criteria, reachable = mailing_criteria(wanted)
    segment = create_segment(
        user=admin,
        data={
            "name": f"Benchmark: Verteiler {time.time_ns()}",
            "subject": "people",
            "criteria": criteria,
            "description": "",
        },
    )
    measures = list(Measure.objects.filter(target_groups__added_value__gt="").distinct().order_by("pk")[:2])
    mailing = create_mailing(
        user=admin,
        data={
            "subject": "Neues aus der Wirtschaftsförderung",
            "body": "## Liebe Unternehmerinnen und Unternehmer,\n\nwir laden Sie ein zum **Handwerksfrühstück**.\n\n"
            "- Digitalisierung im Betrieb\n- Fachkräfte finden\n\n[Anmeldung](https://example.org/anmeldung)\n",
            "segment": str(segment.uuid),
            "purpose": "newsletter",
            "measures": measures,
        },
    )
    gc.collect()
    cpu_started, started = time.process_time(), time.perf_counter()
    queued = send_mailing(user=admin, mailing=mailing)
    queue_seconds = time.perf_counter() - started
    queue_cpu = time.process_time() - cpu_started
    operations = [
        Operation(
            what="mailing queued: send_mailing()",
            size=f"{queued:,} recipients",
            value=queue_seconds,
            cpu=queue_cpu,
            unit="s",
            target=QUEUE_S,
            note=f"people segment {json.dumps(criteria, ensure_ascii=False)}, {len(measures)} measures' "
            f"added value; {reachable:,} reachable when counted",
        )
    ]
    # Deliver a sample: the recipients after it are set aside (skipped) before the worker starts.
    recipients = MailingRecipient.objects.filter(mailing=mailing, status=MailingRecipient.Status.QUEUED)
    cutoff = recipients.order_by("pk").values_list("pk", flat=True)[sample : sample + 1].first()
    if cutoff is not None:
        recipients.filter(pk__gte=cutoff).update(
            status=MailingRecipient.Status.SKIPPED, error="benchmark: not in the delivery sample"
        )
    to_send = MailingRecipient.objects.filter(mailing=mailing, status=MailingRecipient.Status.QUEUED).count()
    with smtp_sink() as (port, received):
        options = {"host": "127.0.0.1", "port": port, "timeout": 20}
        mailers = {"default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend", "OPTIONS": options}}
        with override_settings(MAILERS=mailers):
            gc.collect()
            cpu_started, started = time.process_time(), time.perf_counter()
            result = deliver_mailing.call(mailing_uuid=str(mailing.uuid))
            seconds = time.perf_counter() - started
            cpu_seconds = time.process_time() - cpu_started
        arrived = int(received.value)
    statuses = dict(
        MailingRecipient.objects.filter(mailing=mailing)
        .order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
    )
    error = ""
    if arrived != to_send:
        error = f"{to_send} recipients to send, {arrived} arrived (the worker reported {result})"
    operations.append(
        Operation(
            what="mailing delivered: deliver_mailing() to SMTP on loopback",
            size=f"{to_send:,} of {queued:,} (sample)",
            value=arrived / seconds if seconds else None,
            cpu=arrived / cpu_seconds if cpu_seconds else None,
            unit="mails/s",
            target=DELIVERY_PER_S,
            higher=True,
            note=f"{arrived:,} arrived in {seconds:.1f} s (the worker's CPU {cpu_seconds:.1f} s); one worker, "
            f"batches of 100 over one connection each; statuses {statuses}",
            error=error,
        )
    )
    return operations


# The run ------------------------------------------------------------------------------------------------


@dataclass
class Result:
    scale: str
    sizes: dict[str, int]
    rows: dict[str, int] = field(default_factory=dict)
    copy_seconds: float = 0.0
    marker: dict[str, Any] = field(default_factory=dict)
    measurements: list[dict[str, Any]] = field(default_factory=list)
    operations: list[dict[str, Any]] = field(default_factory=list)
    repeat: int = 0
    warmup: int = 0


def _operation(item: Operation) -> dict[str, Any]:
    return {**asdict(item), "ok": item.ok}


def run(
    sizes: Sizes, parts: tuple[str, ...], repeat: int, warmup: int, log: Callable[[str], None]
) -> dict[str, Any]:
    """Measure ``parts`` on the current database; returns the measurements and operations."""
    from django.utils import translation

    translation.activate("de")
    result: dict[str, Any] = {"measurements": [], "operations": []}
    operations: list[Operation] = []

    def attempt(what: str, function: Callable[[], list[Operation]]) -> None:
        """A part that fails is a result (an error row), not the end of the run."""
        try:
            operations.extend(function())
        except Exception as error:  # a failed part is a result
            log(f"{what} failed: {type(error).__name__}: {error}")
            operations.append(
                Operation(
                    what=what, size="", value=None, unit="", error=f"{type(error).__name__}: {error}"[:300]
                )
            )

    if "pages" in parts:
        log("pages …")
        result["measurements"] = measure_pages(repeat, warmup)
    if "counts" in parts:
        log("segment counts …")
        attempt("segment counts", lambda: time_segment_counts(sizes.count_runs))
    if "import" in parts:
        log(f"import of {sizes.import_rows:,} rows …")

        def importing() -> list[Operation]:
            content, description = import_csv(sizes.import_rows)
            return time_import(content, DATA_DIR / "actors-import.csv", description)

        attempt("import", importing)
    if "duplicates" in parts:
        log("duplicate detection …")
        attempt("duplicate detection", lambda: [time_duplicates(sizes.near_duplicates, sizes.duplicate_runs)])
    if "mailing" in parts:
        log(f"mailing to ≥ {sizes.recipients:,}, delivering {sizes.delivery_sample:,} …")
        attempt("mailing", lambda: time_mailing(sizes.recipients, sizes.delivery_sample))
    result["operations"] = [_operation(item) for item in operations]
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.actors", description=__doc__.splitlines()[0])
    parser.add_argument("--scale", required=True, choices=sorted(SIZES))
    parser.add_argument("--only", default=",".join(PARTS), help=f"comma-separated, of {', '.join(PARTS)}")
    parser.add_argument("--repeat", type=int, help="timed requests per page (default 15)")
    parser.add_argument("--warmup", type=int, default=2, help="untimed requests per page first (default 2)")
    parser.add_argument("--keep-copy", action="store_true", help="keep the database copy afterwards")
    args = parser.parse_args(argv)
    parts = tuple(part.strip() for part in args.only.split(",") if part.strip())
    unknown = sorted(set(parts) - set(PARTS))
    if unknown:
        parser.error(f"unknown part(s): {', '.join(unknown)}; known: {', '.join(PARTS)}")
    sizes = SIZES[args.scale]
    repeat = args.repeat or sizes.repeat
    source = database_path(args.scale)
    if not source.exists():
        raise SystemExit(
            f"No database for {args.scale}: run `python -m bench.database --scale {args.scale}`."
        )

    def log(message: str) -> None:
        print(f"{args.scale} actors: {message}", file=sys.stderr, flush=True)

    copy = copy_path(args.scale)
    log(f"copying the database to {copy.name} …")
    copy_seconds = copy_database(source, copy)
    try:
        configure(copy)
        counts = row_counts()
        measured = run(sizes, parts, repeat, args.warmup, log)
        from django.db import connections

        connections.close_all()
    finally:
        if not args.keep_copy:
            _remove_database(copy)
    marker = json.loads(marker_path(args.scale).read_text()) if marker_path(args.scale).exists() else {}
    result = Result(
        scale=args.scale,
        sizes=asdict(sizes),
        rows=counts,
        copy_seconds=round(copy_seconds, 2),
        marker=marker,
        measurements=measured["measurements"],
        operations=measured["operations"],
        repeat=repeat,
        warmup=args.warmup,
    )
    sys.stdout.write(json.dumps(asdict(result)) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
