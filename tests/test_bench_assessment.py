"""The digital-maturity check's benchmark (``bench.assessment``) runs small; no timings are asserted."""

from __future__ import annotations

import random

from bench.assessment import SCORING_MS, random_submission, run, time_scoring
from reallabor.assessment import engine, scoring


def test_random_submissions_are_valid_and_cover_relevance_and_the_exclusive_item() -> None:
    definition = engine.load_definition("dma-handwerk")
    rng = random.Random(1)
    submissions = [random_submission(definition, rng) for _ in range(200)]
    results = [scoring.score(definition, engine.check_answer_file(data)) for data in submissions]
    assert all(0 <= result.overall <= 100 for result in results)
    assert any(result.has_gaps for result in results) and not all(result.has_gaps for result in results)
    assert any(data["answers"]["4a"] == [8] for data in submissions)


def test_the_scoring_is_timed_against_its_target() -> None:
    timed, parsed = time_scoring(runs=20, warmup=2)
    assert timed.error == "" and timed.runs == 20 and timed.target == SCORING_MS
    assert timed.value is not None and timed.value > 0 and timed.max is not None and timed.max >= timed.value
    assert parsed.target is None and parsed.value is not None


def test_a_failing_part_is_a_row_with_its_error() -> None:
    rows = run(("scoring",), runs=0, warmup=0, log=lambda message: None)
    assert [row["what"] for row in rows] == ["scoring"]
    assert rows[0]["error"].startswith("StatisticsError")
    assert rows[0]["ok"] is False
