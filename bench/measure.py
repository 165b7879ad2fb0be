"""Measure the pages against one scale's database: ``python -m bench.measure --scale city``.

Runs in its own process (Django is set up once per process, for one database) and prints one
JSON object on stdout. Server-side time is the time of ``django.test.Client.get`` in-process:
request in, through every middleware, response out; no network and no browser. The CPU time of
the process is recorded alongside: on a busy machine it is the steadier of the two. The floor (a
template view with one query, ``bench.floor``) is measured in the same process, interleaved
with the pages, for each kind of user.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import statistics
import sys
import time
from dataclasses import asdict, dataclass, field
from typing import Any

from bench.environment import configure, database_path, marker_path

USER_KINDS = ("anonymous", "reader")
DEFAULT_REPEAT = {"city": 50, "nation": 30}
DEFAULT_WARMUP = 5


@dataclass
class Measurement:
    user: str
    page: str
    path: str | None
    note: str = ""
    status: int | None = None
    error: str = ""
    queries: int | None = None
    bytes: int | None = None
    samples_ns: list[int] = field(default_factory=list)  # wall-clock time (perf_counter)
    cpu_samples_ns: list[int] = field(default_factory=list)  # CPU time of this process
    cold_samples_ns: list[int] = field(default_factory=list)  # first request after a change (cache empty)

    @property
    def measurable(self) -> bool:
        return self.path is not None and not self.error

    def summary(self) -> dict[str, Any]:
        data = asdict(self)
        samples = sorted(data.pop("samples_ns"))
        cpu_samples = data.pop("cpu_samples_ns")
        cold_samples = data.pop("cold_samples_ns")
        if cold_samples:
            data["cold_median_ms"] = statistics.median(cold_samples) / 1e6
        data["samples"] = len(samples)
        if samples:
            data["median_ms"] = statistics.median(samples) / 1e6
            data["p95_ms"] = samples[max(0, math.ceil(0.95 * len(samples)) - 1)] / 1e6
            data["min_ms"] = samples[0] / 1e6
            data["cpu_median_ms"] = statistics.median(cpu_samples) / 1e6
        return data


def _row_counts() -> dict[str, int]:
    from reallabor.labs.models import Activity, Actor, Financing, Lab, Measure, Result, TargetGroup
    from reallabor.organisations.models import Organisation
    from reallabor.taxonomy.models import Tag

    counts = {
        "labs": Lab.objects.count(),
        "published labs": Lab.objects.published().count(),
        "measures": Measure.objects.count(),
        "published measures": Measure.objects.published().count(),
        "organisations": Organisation.objects.count(),
    }
    for model in (Activity, Financing, Actor, TargetGroup, Result, Tag):
        counts[str(model._meta.verbose_name_plural)] = model.objects.count()
    return counts


COLD_REPEAT = 7


def make_clients(user_kinds: tuple[str, ...]) -> dict[str, Any]:
    """One test client per kind of user: anonymous, or signed in as the generated reader or administrator."""
    from django.test import Client

    from bench.generate import ADMIN_EMAIL, READER_EMAIL
    from reallabor.accounts.models import User

    emails = {"reader": READER_EMAIL, "administrator": ADMIN_EMAIL}
    clients: dict[str, Any] = {}
    for kind in user_kinds:
        client = Client()
        if kind in emails:
            client.force_login(User.objects.get(email=emails[kind]))
        elif kind != "anonymous":
            raise SystemExit(f"Unknown kind of user: {kind}")
        clients[kind] = client
    return clients


def run_measurements(
    measurements: list[Measurement],
    clients: dict[str, Any],
    repeat: int,
    warmup: int,
    cold_repeat: int = COLD_REPEAT,
) -> None:
    """Probe each page once (status, size, queries), then time them round-robin; fills ``measurements``."""
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    # One probe each: status, size, query count (and exceptions, which drop the page).
    for item in measurements:
        if item.path is None:
            continue
        try:
            with CaptureQueriesContext(connection) as queries:
                response = clients[item.user].get(item.path)
        except Exception as error:  # a broken page is a result, not the end of the run
            item.error = f"{type(error).__name__}: {error}"[:300]
            continue
        item.status = response.status_code
        item.bytes = len(response.content)
        item.queries = len(queries)

    targets = [item for item in measurements if item.measurable]
    for _ in range(warmup):
        for item in targets:
            clients[item.user].get(item.path)
    gc.collect()
    # Round-robin: every round requests each page once, so drifting machine load hits all alike.
    for _ in range(repeat):
        for item in targets:
            client, path = clients[item.user], item.path
            cpu_started = time.process_time_ns()
            started = time.perf_counter_ns()
            client.get(path)
            elapsed = time.perf_counter_ns() - started
            item.cpu_samples_ns.append(time.process_time_ns() - cpu_started)
            item.samples_ns.append(elapsed)

    # Cold: the cache emptied before each request, as after any change of content.
    for _ in range(cold_repeat):
        for item in targets:
            cache.clear()
            started = time.perf_counter_ns()
            clients[item.user].get(item.path)
            item.cold_samples_ns.append(time.perf_counter_ns() - started)


def measure(scale: str, repeat: int, warmup: int, user_kinds: tuple[str, ...]) -> dict[str, Any]:
    database = database_path(scale)
    if not database.exists():
        raise SystemExit(f"No database for {scale}: run `python -m bench.database --scale {scale}` first.")
    configure(database)

    from bench.pages import discover, floor_page

    pages = [floor_page(), *discover()]
    clients = make_clients(user_kinds)
    measurements = [
        Measurement(user=kind, page=page.key, path=page.path, note=page.note)
        for kind in user_kinds
        for page in pages
    ]
    run_measurements(measurements, clients, repeat, warmup)

    marker: dict[str, Any] = {}
    if marker_path(scale).exists():
        marker = json.loads(marker_path(scale).read_text())
    return {
        "scale": scale,
        "repeat": repeat,
        "warmup": warmup,
        "rows": _row_counts(),
        "marker": marker,
        "measurements": [item.summary() for item in measurements],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.measure", description=__doc__.splitlines()[0])
    parser.add_argument("--scale", required=True)
    parser.add_argument("--repeat", type=int, help="timed requests per page (default: 50 city, 30 nation)")
    parser.add_argument("--warmup", type=int, default=DEFAULT_WARMUP)
    parser.add_argument("--users", default=",".join(USER_KINDS), help="anonymous,reader,administrator")
    args = parser.parse_args(argv)
    repeat = args.repeat or DEFAULT_REPEAT.get(args.scale, 30)
    user_kinds = tuple(kind.strip() for kind in args.users.split(",") if kind.strip())
    result = measure(args.scale, repeat, args.warmup, user_kinds)
    sys.stdout.write(json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
