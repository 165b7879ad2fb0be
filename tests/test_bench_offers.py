"""The matching benchmark (``bench.offers``) runs small; no timings are asserted."""

from __future__ import annotations

import random

from bench.offers import (
    BATCH_S,
    MATCH_MS,
    TODAY,
    random_businesses,
    random_offers,
    run,
    time_batch,
    time_match,
)
from reallabor.offers import matching


def test_the_generated_data_gives_eligible_and_ineligible_pairs() -> None:
    rng = random.Random(3)
    offers = random_offers(200, rng)
    businesses = random_businesses(50, rng)
    counts = [len(matching.match(business, offers, today=TODAY)) for business in businesses]
    assert max(counts) > 0 and min(counts) < len(offers)


def test_both_parts_are_timed_against_their_targets() -> None:
    (match,) = time_match(runs=5)
    assert match.error == "" and match.runs == 5 and match.target == MATCH_MS and match.value
    (batch,) = time_batch(businesses_count=200)
    assert batch.error == "" and batch.target == BATCH_S and batch.value is not None


def test_a_failing_part_is_a_row_with_its_error() -> None:
    rows = run(("match",), runs=0, businesses=0, log=lambda message: None)
    assert [row["what"] for row in rows] == ["match"]
    assert rows[0]["ok"] is False and rows[0]["error"]
