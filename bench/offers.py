"""Time the matching of offers and businesses (issue 6): ``python -m bench.offers [--only match,batch]``.

Needs no database (``reallabor.offers.matching`` is pure); runs in its own process with the
benchmark's settings and prints one JSON object on stdout, ``{"operations": [...]}`` in the format
of ``bench.actors``. Plain data generated in memory, seeded, shaped like the city's: offers for the
EU, Germany, NRW (or another Land), Bottrop (or another city), a third with size bands, a quarter
naming sectors or trades, a few only for founders, a tenth past their deadline, each addressing
one to three of the check's six dimensions and zero to two needs; businesses in Bottrop with a
headcount band (a tenth unknown), a sector and mostly a trade, two thirds with the gaps of a check.

- ``match``: one business against 1,000 offers with ``matching.match`` (eligibility, exact scores,
  ranking; the reasons and their text of the first ten, as a page shows them; the reasons of the
  others are built only when asked for); median over many businesses, target 20 ms.
- ``batch``: all 300 offers ranked for each of 100,000 businesses in one call of
  ``matching.rank_many`` (the order of ``match``, without reasons), target 60 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from fractions import Fraction
from typing import Any

from bench.actors import Operation, _operation
from bench.environment import BENCH_ENVIRONMENT

PARTS = ("match", "batch")
MATCH_MS = 20.0
BATCH_S = 60.0
MATCH_OFFERS = 1000
MATCH_RUNS = 200
BATCH_OFFERS = 300
BATCH_BUSINESSES = 100_000
TODAY = dt.date(2026, 6, 15)
BANDS = ("1-4", "5-9", "10-19", "20-49", "50-249", "250+")
DIMENSIONS = ("1", "2", "3", "4", "5", "6")
NEEDS = (
    "skilled-workers",
    "digitalisation",
    "succession",
    "premises",
    "financing",
    "visibility",
    "networking",
    "training",
)
SECTORS = tuple(f"{number:02d}" for number in range(10, 99, 3))
TRADES = tuple(f"a-{number:02d}" for number in range(1, 54)) + tuple(
    f"b1-{number:02d}" for number in range(1, 20)
)


def random_offers(count: int, rng: random.Random) -> list[Any]:
    from reallabor.offers.matching import Offer

    offers = []
    for index in range(count):
        region = rng.choices(
            ["EU", "DE", "DE-NW", "DE-BY", "bottrop", "essen"], weights=[5, 30, 30, 10, 20, 5]
        )[0]
        bands: frozenset[str] = frozenset()
        if rng.random() < 1 / 3:
            low = rng.randrange(0, 3)
            bands = frozenset(BANDS[low : rng.randrange(low + 1, len(BANDS) + 1)])
        sectors: frozenset[str] = frozenset()
        trades: frozenset[str] = frozenset()
        if rng.random() < 0.25:
            if rng.random() < 0.5:
                sectors = frozenset(rng.sample(SECTORS, rng.randint(1, 4)))
            else:
                trades = frozenset(rng.sample(TRADES, rng.randint(1, 20)))
        offers.append(
            Offer(
                key=f"offer-{index:05d}",
                title=f"Angebot {index}",
                region=region,
                region_label=region,
                headcount_bands=bands,
                sectors=sectors,
                trades=trades,
                founders=rng.choices(["", "only", "also"], weights=[85, 5, 10])[0],
                dimensions=frozenset(rng.sample(DIMENSIONS, rng.randint(1, 3))),
                needs=frozenset(rng.sample(NEEDS, rng.randint(0, 2))),
                deadline=None if rng.random() < 0.6 else TODAY + dt.timedelta(days=rng.randint(-60, 300)),
            )
        )
    return offers


def random_businesses(count: int, rng: random.Random) -> list[Any]:
    from reallabor.offers.matching import Business

    region = frozenset({"EU", "DE", "DE-NW", "bottrop"})
    businesses = []
    for index in range(count):
        gaps: tuple[tuple[str, Fraction], ...] = ()
        if rng.random() < 2 / 3:
            # Gaps as the check gives them: relevance × 20 − a score with small denominators.
            pairs = [
                (
                    dimension,
                    max(
                        Fraction(rng.randint(1, 5) * 20)
                        - Fraction(rng.randint(0, 1000), rng.choice((1, 3, 7, 10, 14))) / 10,
                        Fraction(0),
                    ),
                )
                for dimension in DIMENSIONS
            ]
            gaps = tuple(sorted(pairs, key=lambda pair: (-pair[1], pair[0])))
        businesses.append(
            Business(
                key=f"business-{index:06d}",
                headcount_band="" if rng.random() < 0.1 else rng.choice(BANDS[:5]),
                sector=rng.choice(SECTORS),
                trade=rng.choice(TRADES) if rng.random() < 0.8 else "",
                region=region,
                founded_year=rng.randint(1950, 2026),
                needs=frozenset(rng.sample(NEEDS, rng.randint(0, 3))),
                gaps=gaps,
            )
        )
    return businesses


def time_match(runs: int = MATCH_RUNS, seed: int = 61) -> list[Operation]:
    from reallabor.offers import matching

    rng = random.Random(seed)
    offers = random_offers(MATCH_OFFERS, rng)
    businesses = random_businesses(runs + 20, rng)
    eligible = []
    for business in businesses[:20]:  # warm-up
        matching.match(business, offers, today=TODAY)
    samples: list[int] = []
    cpu_samples: list[int] = []
    for business in businesses[20:]:
        cpu_started, started = time.process_time_ns(), time.perf_counter_ns()
        result = matching.match(business, offers, today=TODAY)
        texts = [item.text() for item in result[:10]]  # the reasons of the ten a page shows
        samples.append(time.perf_counter_ns() - started)
        cpu_samples.append(time.process_time_ns() - cpu_started)
        eligible.append(len(result))
        assert len(texts) == min(10, len(result))
    assert max(eligible) > 0, "no business was eligible for any offer: the data measures nothing"
    return [
        Operation(
            what="match one business against 1,000 offers",
            size=f"{MATCH_OFFERS:,} offers",
            value=statistics.median(samples) / 1e6,
            cpu=statistics.median(cpu_samples) / 1e6,
            unit="ms",
            runs=runs,
            max=max(samples) / 1e6,
            target=MATCH_MS,
            note=f"eligibility, exact scores, ranking; reasons and text of the top 10; median {int(statistics.median(eligible))} eligible",
        )
    ]


def time_batch(businesses_count: int = BATCH_BUSINESSES, seed: int = 62) -> list[Operation]:
    from reallabor.offers import matching

    rng = random.Random(seed)
    offers = random_offers(BATCH_OFFERS, rng)
    businesses = random_businesses(businesses_count, rng)
    gc.collect()
    cpu_started, started = time.process_time(), time.perf_counter()
    ranked = matching.rank_many(businesses, offers, today=TODAY)
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    assert len(ranked) == businesses_count
    # The batch orders as match() does (checked on a sample).
    for business in businesses[:: max(1, businesses_count // 50)]:
        assert ranked[business.key] == tuple(
            item.offer.key for item in matching.match(business, offers, today=TODAY)
        )
    pairs = sum(len(keys) for keys in ranked.values())
    return [
        Operation(
            what="rank all offers for 100,000 businesses",
            size=f"{businesses_count:,} × {BATCH_OFFERS} offers",
            value=seconds,
            cpu=cpu,
            unit="s",
            runs=1,
            target=BATCH_S,
            note=f"matching.rank_many, one batch; {pairs / businesses_count:.0f} eligible offers per business on average",
        )
    ]


def run(
    parts: tuple[str, ...], runs: int, businesses: int, log: Callable[[str], None]
) -> list[dict[str, Any]]:
    operations: list[Operation] = []
    for part, what, function in (
        (
            "match",
            f"matching one business against {MATCH_OFFERS:,} offers, {runs} times",
            lambda: time_match(runs),
        ),
        (
            "batch",
            f"ranking {BATCH_OFFERS} offers for {businesses:,} businesses",
            lambda: time_batch(businesses),
        ),
    ):
        if part not in parts:
            continue
        log(f"{what} …")
        try:
            operations.extend(function())
        except Exception as error:  # a failed part is a result
            log(f"{part} failed: {type(error).__name__}: {error}")
            operations.append(
                Operation(
                    what=part, size="", value=None, unit="", error=f"{type(error).__name__}: {error}"[:300]
                )
            )
    return [_operation(item) for item in operations]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.offers", description=__doc__.splitlines()[0])
    parser.add_argument("--only", default=",".join(PARTS), help=f"comma-separated, of {', '.join(PARTS)}")
    parser.add_argument(
        "--runs", type=int, default=MATCH_RUNS, help="timed businesses for match (default %(default)s)"
    )
    parser.add_argument(
        "--businesses",
        type=int,
        default=BATCH_BUSINESSES,
        help="businesses of the batch (default %(default)s)",
    )
    args = parser.parse_args(argv)
    parts = tuple(part.strip() for part in args.only.split(",") if part.strip())
    unknown = sorted(set(parts) - set(PARTS))
    if unknown:
        parser.error(f"unknown part(s): {', '.join(unknown)}; known: {', '.join(PARTS)}")

    import django

    os.environ.update(BENCH_ENVIRONMENT)
    os.environ["DATABASE_URL"] = "sqlite://:memory:"  # not used: matching needs no database
    django.setup()
    from django.utils import translation

    translation.activate("de")

    def log(message: str) -> None:
        print(f"offers: {message}", file=sys.stderr, flush=True)

    operations = run(parts, args.runs, args.businesses, log)
    sys.stdout.write(json.dumps({"operations": operations}) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
