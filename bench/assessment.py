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
from typing import Any

from bench.actors import Operation, _operation
from bench.environment import BENCH_ENVIRONMENT

PARTS = ("scoring",)
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


def run(parts: tuple[str, ...], runs: int, warmup: int, log: Callable[[str], None]) -> list[dict[str, Any]]:
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
    return [_operation(item) for item in operations]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.assessment", description=__doc__.splitlines()[0])
    parser.add_argument("--only", default=",".join(PARTS), help=f"comma-separated, of {', '.join(PARTS)}")
    parser.add_argument(
        "--runs", type=int, default=DEFAULT_RUNS, help="timed submissions (default %(default)s)"
    )
    parser.add_argument(
        "--warmup", type=int, default=DEFAULT_WARMUP, help="untimed first (default %(default)s)"
    )
    args = parser.parse_args(argv)
    parts = tuple(part.strip() for part in args.only.split(",") if part.strip())
    unknown = sorted(set(parts) - set(PARTS))
    if unknown:
        parser.error(f"unknown part(s): {', '.join(unknown)}; known: {', '.join(PARTS)}")

    import django

    os.environ.update(BENCH_ENVIRONMENT)
    os.environ["DATABASE_URL"] = "sqlite://:memory:"  # not used: the check needs no database
    django.setup()
    from django.utils import translation

    translation.activate("de")

    def log(message: str) -> None:
        print(f"assessment: {message}", file=sys.stderr, flush=True)

    operations = run(parts, args.runs, args.warmup, log)
    sys.stdout.write(json.dumps({"operations": operations}) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
