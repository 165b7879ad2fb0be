"""Time the digital-maturity check (issue 6): ``python -m bench.assessment [--runs 5000]``.

Needs no database (the engine and the scoring are pure); runs in its own process with the
benchmark's settings (DEBUG off) and prints one JSON object on stdout, ``{"operations": [...]}``
in the format of ``bench.actors`` (``bench.run`` prints it with the actors' table). The parts
(``--only`` picks some):

- ``scoring``: validating and scoring one submission: a random valid answer file of
  ``dma-handwerk`` (every question answered, relevance in half of them; a new one per run, already
  parsed from JSON) through ``engine.check_answer_file`` (find the questionnaire and version, check
  every answer) and ``scoring.score``. Median of many runs against the target of 5 ms; the same with
  the JSON text parsed first is shown without a target.
- ``dashboard``: the office's dashboard (``/digitalcheck/auswertung/``) over 100,000 stored results.
  Works on a *copy* of the city database (``bench/data/city-dashboard.sqlite3``, migrated, removed at
  the end; the cached database never changes): ``dashboard_results`` bulk-creates 80,000 businesses
  and 100,000 submitted results (20,000 re-takes; no services: fast), then the page as an
  administrator is timed against the floor (same user, interleaved): warm (target ≤ 3× the floor),
  the first request after another change of content (``core.cache.content_changed()``: a
  registration, a person; the numbers are kept, the offers' part is rendered again), the first
  request after a change of the results (``dashboard_data.results_changed()``, what a submitted
  check, a recommendation or an uptake does: the cells are computed again), and building the cells
  alone.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import Any

from bench.actors import Operation, _operation
from bench.environment import BENCH_ENVIRONMENT

PARTS = ("scoring", "dashboard")
DASHBOARD_RESULTS = 100_000
DASHBOARD_FLOOR_RATIO = 3.0
SCORING_MS = 5.0
DEFAULT_RUNS = 5000
DEFAULT_WARMUP = 200


def random_submission(
    definition: Any, rng: random.Random, *, relevance: bool | None = None
) -> dict[str, Any]:
    """A valid answer file (as parsed JSON) for a definition of the engine's scored types."""
    from reallabor.assessment import engine

    answers: dict[str, Any] = {}
    for question in definition.questions.values():
        numbers = question.item_numbers
        if question.type == engine.TICK_LIST:
            if question.exclusive is not None and rng.random() < 0.1:
                answers[question.id] = [question.exclusive_number]
            else:
                ticked = rng.sample(range(1, len(numbers) + 1), rng.randint(0, len(numbers)))
                answers[question.id] = ticked  # in random order: the order does not matter
        elif question.type == engine.INVEST_GRID:
            answers[question.id] = {number: rng.choice(list(engine.INVEST_CHOICES)) for number in numbers}
        elif question.type == engine.SCALE:
            answers[question.id] = {
                number: rng.randint(engine.SCALE_MIN, engine.SCALE_MAX) for number in numbers
            }
        elif question.type == engine.YES_PARTLY_NO:
            answers[question.id] = {
                number: rng.choice(list(engine.YES_PARTLY_NO_CHOICES)) for number in numbers
            }
        else:
            raise ValueError(f"{question.id}: no random answers for type {question.type}")
    data: dict[str, Any] = {"questionnaire": definition.slug, "answers": answers}
    if relevance if relevance is not None else rng.random() < 0.5:
        data["relevance"] = {
            section: rng.randint(engine.RELEVANCE_MIN, engine.RELEVANCE_MAX)
            for section in definition.relevance_sections
        }
    return data


def _median_ms(function: Callable[[Any], Any], inputs: list[Any], warmup: int) -> tuple[float, float, float]:
    """Median wall-clock, median CPU and maximum wall-clock milliseconds of ``function(input)`` per input."""
    for item in inputs[:warmup]:
        function(item)
    samples: list[int] = []
    cpu_samples: list[int] = []
    for item in inputs[warmup:]:
        cpu_started, started = time.process_time_ns(), time.perf_counter_ns()
        function(item)
        samples.append(time.perf_counter_ns() - started)
        cpu_samples.append(time.process_time_ns() - cpu_started)
    return statistics.median(samples) / 1e6, statistics.median(cpu_samples) / 1e6, max(samples) / 1e6


def time_scoring(runs: int = DEFAULT_RUNS, warmup: int = DEFAULT_WARMUP, seed: int = 6) -> list[Operation]:
    from reallabor.assessment import engine, scoring

    definition = engine.load_definition("dma-handwerk")
    rng = random.Random(seed)
    submissions = [random_submission(definition, rng) for _ in range(runs + warmup)]
    texts = [json.dumps(submission) for submission in submissions]

    def validate_and_score(data: Any) -> scoring.Result:
        answers = engine.check_answer_file(data)
        return scoring.score(engine.load_definition(answers.questionnaire, answers.version), answers)

    # Every submission is valid and scores within 0–100 (a benchmark of failures would measure nothing).
    for data in submissions:
        result = validate_and_score(data)
        assert 0 <= result.overall <= 100
    median, cpu, longest = _median_ms(validate_and_score, submissions, warmup)
    parse_median, parse_cpu, parse_longest = _median_ms(
        lambda text: validate_and_score(engine.read_answer_file(text)), texts, warmup
    )
    size = f"{len(definition.questions)} questions"
    return [
        Operation(
            what="validate and score one submission",
            size=size,
            value=median,
            cpu=cpu,
            unit="ms",
            runs=runs,
            max=longest,
            target=SCORING_MS,
            note=f"random valid dma-handwerk v{definition.version} submissions, relevance in about half",
        ),
        Operation(
            what="parse JSON, validate and score",
            size=size,
            value=parse_median,
            cpu=parse_cpu,
            unit="ms",
            runs=runs,
            max=parse_longest,
        ),
    ]


def run(
    parts: tuple[str, ...],
    runs: int,
    warmup: int,
    log: Callable[[str], None],
    dashboard_size: int = DASHBOARD_RESULTS,
) -> list[dict[str, Any]]:
    operations: list[Operation] = []
    if "scoring" in parts:
        log(f"validating and scoring {runs:,} submissions …")
        try:
            operations.extend(time_scoring(runs, warmup))
        except Exception as error:  # a failed part is a result
            log(f"scoring failed: {type(error).__name__}: {error}")
            operations.append(
                Operation(
                    what="scoring",
                    size="",
                    value=None,
                    unit="",
                    error=f"{type(error).__name__}: {error}"[:300],
                )
            )
    if "dashboard" in parts:
        log(f"the dashboard over {dashboard_size:,} results …")
        try:
            operations.extend(time_dashboard(dashboard_size, dashboard_size * 4 // 5))
        except Exception as error:  # a failed part is a result
            log(f"dashboard failed: {type(error).__name__}: {error}")
            operations.append(
                Operation(
                    what="dashboard",
                    size="",
                    value=None,
                    unit="",
                    error=f"{type(error).__name__}: {error}"[:300],
                )
            )
    return [_operation(item) for item in operations]


# --- the office's dashboard (needs a database) --------------------------------------------------------


def dashboard_results(results: int, businesses: int, seed: int = 6) -> int:
    """``businesses`` new organisations and ``results`` submitted results of them (every business one,
    the rest re-takes a year earlier), bulk-created with random scores, gaps (relevance in about
    two thirds), trades, headcount bands, districts and dates over three years. Returns the number
    of results now stored."""
    import datetime as dt
    from decimal import Decimal

    from django.db import transaction
    from django.utils import timezone

    from bench import content
    from reallabor.assessment import dashboard_data, scoring, services
    from reallabor.assessment.models import DIMENSIONS, Response
    from reallabor.organisations.models import Organisation
    from reallabor.taxonomy.models import TRADES_FAMILY, Term

    rng = random.Random(seed)
    questionnaire = services.questionnaire_version("dma-handwerk", 1)
    trades = list(
        Term.objects.filter(vocabulary__family=TRADES_FAMILY, parent__isnull=False).values_list(
            "pk", flat=True
        )
    )
    bands = [value for value, _label in Organisation.HeadcountBand.choices]
    districts = list(content.DISTRICTS)
    stamp = time.time_ns()
    now = timezone.now()
    with transaction.atomic():
        organisations = Organisation.objects.bulk_create(
            [
                Organisation(name=f"Bench-Betrieb {number}", slug=f"bench-betrieb-{stamp}-{number}")
                for number in range(businesses)
            ],
            batch_size=2000,
        )
        rows = []
        for number in range(results):
            organisation = organisations[number % businesses]
            retake = number >= businesses
            scores = [Decimal(rng.randint(0, 1000)) / 10 for _ in DIMENSIONS]
            overall = scoring.round_half_up(sum((Fraction(score) for score in scores), Fraction(0)) / 6)
            gaps: list[Decimal | None] = [None] * 6
            if rng.random() < 0.66:
                gaps = [max(Decimal(rng.randint(1, 5) * 20) - score, Decimal(0)) for score in scores]
            days = rng.randint(0, 365) + (365 if retake else 0) + rng.randint(0, 365)
            row = Response(
                questionnaire=questionnaire,
                organisation=organisation,
                status=Response.Status.SUBMITTED,
                submitted_at=now - dt.timedelta(days=days, minutes=rng.randint(0, 1440)),
                trade_id=rng.choice(trades) if trades and rng.random() < 0.9 else None,
                headcount_band=rng.choice(bands) if rng.random() < 0.9 else "",
                district=rng.choice(districts) if rng.random() < 0.85 else "",
                overall=overall,
                band=scoring.band_for(Fraction(overall)).key,
                source=Response.Source.IMPORT,
            )
            for dimension, score, gap in zip(DIMENSIONS, scores, gaps, strict=True):
                setattr(row, f"score_{dimension}", score)
                setattr(row, f"gap_{dimension}", gap)
            rows.append(row)
        Response.objects.bulk_create(rows, batch_size=2000)
        dashboard_data.results_changed()
    return Response.objects.filter(status=Response.Status.SUBMITTED).count()


def time_dashboard(
    results: int, businesses: int, repeat: int = 30, warmup: int = 3, cold: int = 7
) -> list[Operation]:
    """The dashboard against the floor as an administrator: warm, first after a change, the cells."""
    import gc

    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from bench.measure import make_clients
    from bench.pages import floor_page
    from reallabor.assessment import dashboard_data
    from reallabor.core.cache import content_changed

    build_started = time.perf_counter()
    stored = dashboard_results(results, businesses)
    build_seconds = time.perf_counter() - build_started
    client = make_clients(("administrator",))["administrator"]
    floor = floor_page().path
    assert floor is not None
    page = reverse("assessment:dashboard")
    probe = client.get(page)
    with CaptureQueriesContext(connection) as queries:
        probe = client.get(page)
    warm_queries = len(queries)
    for _ in range(warmup):
        client.get(page)
        client.get(floor)
    samples: dict[str, list[float]] = {"page": [], "floor": []}
    cpu: dict[str, list[float]] = {"page": [], "floor": []}
    gc.collect()
    for _ in range(repeat):
        for key, path in (("page", page), ("floor", floor)):
            cpu_started, started = time.process_time(), time.perf_counter()
            client.get(path)
            samples[key].append((time.perf_counter() - started) * 1000)
            cpu[key].append((time.process_time() - cpu_started) * 1000)
    other_samples: list[float] = []
    other_queries = 0
    for _ in range(cold):
        content_changed()  # another change: a registration, a person, a lab
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            client.get(page)
            other_samples.append((time.perf_counter() - started) * 1000)
        other_queries = len(queries)
    cold_samples: list[float] = []
    cold_queries = 0
    for _ in range(cold):
        dashboard_data.results_changed()  # what every write of a result does
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            client.get(page)
            cold_samples.append((time.perf_counter() - started) * 1000)
        cold_queries = len(queries)
    cells_samples = []
    for _ in range(3):
        started = time.perf_counter()
        cells = dashboard_data.build_cells()
        cells_samples.append((time.perf_counter() - started) * 1000)
    floor_ms = statistics.median(samples["floor"])
    median = statistics.median(samples["page"])
    cold_ms = statistics.median(cold_samples)
    size = f"{stored:,} results"
    error = "" if probe.status_code == 200 else f"status {probe.status_code}"
    return [
        Operation(
            what="floor (administrator, next to the dashboard)",
            size="",
            value=floor_ms,
            cpu=statistics.median(cpu["floor"]),
            unit="ms",
            runs=repeat,
            max=max(samples["floor"]),
        ),
        Operation(
            what="dashboard as administrator (warm)",
            size=size,
            value=median,
            cpu=statistics.median(cpu["page"]),
            unit="ms",
            runs=repeat,
            max=max(samples["page"]),
            target=DASHBOARD_FLOOR_RATIO * floor_ms,
            note=f"{median / floor_ms:.2f}× floor ({floor_ms:.1f} ms); {warm_queries} queries; "
            f"{len(probe.content):,} bytes; {businesses:,} businesses, data built in {build_seconds:.1f} s",
            error=error,
        ),
        Operation(
            what="dashboard, first request after another change of content",
            size=size,
            value=statistics.median(other_samples),
            unit="ms",
            runs=cold,
            max=max(other_samples),
            note=f"{statistics.median(other_samples) / floor_ms:.2f}× floor; {other_queries} queries "
            "(the numbers kept; the page rendered again)",
        ),
        Operation(
            what="dashboard, first request after a change of the results",
            size=size,
            value=cold_ms,
            unit="ms",
            runs=cold,
            max=max(cold_samples),
            note=f"{cold_ms / floor_ms:.1f}× floor; {cold_queries} queries (the cells computed again)",
        ),
        Operation(
            what="dashboard cells computed (1 grouped query)",
            size=f"{len(cells.cells):,} cells",
            value=statistics.median(cells_samples),
            unit="ms",
            runs=len(cells_samples),
            max=max(cells_samples),
        ),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.assessment", description=__doc__.splitlines()[0])
    parser.add_argument("--only", default=",".join(PARTS), help=f"comma-separated, of {', '.join(PARTS)}")
    parser.add_argument(
        "--runs", type=int, default=DEFAULT_RUNS, help="timed submissions (default %(default)s)"
    )
    parser.add_argument(
        "--warmup", type=int, default=DEFAULT_WARMUP, help="untimed first (default %(default)s)"
    )
    parser.add_argument(
        "--dashboard-results",
        type=int,
        default=DASHBOARD_RESULTS,
        help="stored results for the dashboard (default %(default)s)",
    )
    args = parser.parse_args(argv)
    parts = tuple(part.strip() for part in args.only.split(",") if part.strip())
    unknown = sorted(set(parts) - set(PARTS))
    if unknown:
        parser.error(f"unknown part(s): {', '.join(unknown)}; known: {', '.join(PARTS)}")

    import django

    def log(message: str) -> None:
        print(f"assessment: {message}", file=sys.stderr, flush=True)

    from bench.actors import _remove_database, copy_database
    from bench.environment import DATA_DIR, configure, database_path

    copy: Path | None = None
    if "dashboard" in parts:
        source = database_path("city")
        if source.exists():
            copy = DATA_DIR / "city-dashboard.sqlite3"
        else:
            log("no city database (run `python -m bench.database --scale city`): no dashboard measured")
            parts = tuple(part for part in parts if part != "dashboard")
    if copy is not None:
        log(f"copying the database to {copy.name} …")
        copy_database(source, copy)
        configure(copy)
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)
    else:
        os.environ.update(BENCH_ENVIRONMENT)
        os.environ["DATABASE_URL"] = "sqlite://:memory:"  # not used: the check needs no database
        django.setup()
    from django.utils import translation

    translation.activate("de")
    try:
        operations = run(parts, args.runs, args.warmup, log, args.dashboard_results)
    finally:
        if copy is not None:
            from django.db import connections

            connections.close_all()
            _remove_database(copy)
    sys.stdout.write(json.dumps({"operations": operations}) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
