"""The pure matching: eligibility rules, ranking, reasons (no database)."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from reallabor.offers import matching
from reallabor.offers.matching import Business, Labels, Offer
from reallabor.organisations.models import HEADCOUNT_BOUNDS

TODAY = dt.date(2026, 6, 15)
BANDS = tuple(HEADCOUNT_BOUNDS)
DIMENSIONS = ("1", "2", "3", "4", "5", "6")
REGIONS = ("EU", "DE", "DE-NW", "DE-BY", "bottrop", "essen")
SECTORS = ("", "43", "47", "56")
TRADES = ("", "a-24", "a-25", "b1-3")
NEEDS = ("digitalisation", "financing", "training")
DMA_NAMES = Labels(dimensions={"4": "Daten und Vernetzung", "2": "Digitale Bereitschaft"})
SMALL = frozenset({"1-4", "5-9", "10-19", "20-49"})


def bottrop_business(**changes: object) -> Business:
    values: dict[str, object] = {
        "key": "tischlerei",
        "headcount_band": "10-19",
        "sector": "43",
        "trade": "a-24",
        "region": frozenset({"EU", "DE", "DE-NW", "bottrop"}),
        "founded_year": 1998,
        "needs": frozenset({"digitalisation"}),
        "gaps": (("4", Fraction(46)), ("2", Fraction(30)), ("1", Fraction(0))),
    }
    values.update(changes)
    return Business(**values)  # type: ignore[arg-type]


# --- examples -----------------------------------------------------------------------------------------


def test_the_issue_example_with_exact_reasons() -> None:
    offer = Offer(
        key="mid", region="DE-NW", region_label="NRW", headcount_bands=SMALL, dimensions=frozenset({"4"})
    )
    [recommendation] = matching.match(bottrop_business(needs=frozenset()), [offer], today=TODAY)
    assert recommendation.rank == 1
    assert recommendation.score == Fraction(46)
    assert recommendation.reasons_json() == [
        {"kind": "gap", "dimension": "4", "gap": 46.0},
        {"kind": "size", "lower": 1, "upper": 49},
        {"kind": "region", "region": "DE-NW", "label": "NRW"},
    ]
    with translation.override("en"):
        assert recommendation.text(DMA_NAMES) == (
            "addresses Daten und Vernetzung, gap 46; eligible: up to 49 employees in NRW"
        )


def test_reasons_name_needs_trade_founders_and_deadline() -> None:
    offer = Offer(
        key="gruender",
        region="bottrop",
        region_label="Bottrop",
        trades=frozenset({"a-24"}),
        founders="only",
        dimensions=frozenset({"2", "4"}),
        needs=frozenset({"digitalisation", "financing"}),
        deadline=dt.date(2026, 12, 31),
    )
    business = bottrop_business(founded_year=2023)
    [recommendation] = matching.match(business, [offer], today=TODAY)
    # 3/4 × 46 + 1/4 × (46 + 30) + 20 for the need
    assert recommendation.score == Fraction(3, 4) * 46 + Fraction(76, 4) + 20
    with translation.override("en"):
        assert recommendation.text(DMA_NAMES) == (
            "addresses Daten und Vernetzung, gap 46; Digitale Bereitschaft, gap 30; the need “digitalisation”; "
            "eligible: trade a-24, founded 2023 in Bottrop; apply by 31.12.2026"
        )


def test_hard_rules_one_by_one() -> None:
    business = bottrop_business()
    fits = Offer(key="fits", region="DE-NW")
    assert matching.is_eligible(business, fits, today=TODAY)
    refused = {
        "other land": Offer(key="x", region="DE-BY"),
        "other city": Offer(key="x", region="essen"),
        "too small": Offer(key="x", headcount_bands=frozenset({"1-4", "5-9"})),
        "other sector and trade": Offer(key="x", sectors=frozenset({"47"}), trades=frozenset({"a-25"})),
        "founders only": Offer(key="x", founders="only"),
        "deadline passed": Offer(key="x", deadline=TODAY - dt.timedelta(days=1)),
    }
    for reason, offer in refused.items():
        assert not matching.is_eligible(business, offer, today=TODAY), reason
    # The deadline day itself is still open; a sector suffices where the trade does not match.
    assert matching.is_eligible(business, Offer(key="x", deadline=TODAY), today=TODAY)
    assert matching.is_eligible(
        business, Offer(key="x", sectors=frozenset({"43"}), trades=frozenset({"a-25"})), today=TODAY
    )
    assert matching.is_eligible(business, Offer(key="x", founders="also"), today=TODAY)


def test_unknown_size_fits_only_offers_without_size_limits() -> None:
    business = bottrop_business(headcount_band="")
    assert matching.is_eligible(business, Offer(key="any"), today=TODAY)
    assert not matching.is_eligible(
        business, Offer(key="small", headcount_bands=frozenset(BANDS)), today=TODAY
    )


def test_founders_within_five_years() -> None:
    only = Offer(key="x", founders="only")
    assert matching.is_eligible(bottrop_business(founded_year=TODAY.year - 5), only, today=TODAY)
    assert not matching.is_eligible(bottrop_business(founded_year=TODAY.year - 6), only, today=TODAY)
    assert not matching.is_eligible(bottrop_business(founded_year=None), only, today=TODAY)


def test_without_a_check_the_needs_then_the_key_decide() -> None:
    business = bottrop_business(gaps=(), needs=frozenset({"financing"}))
    offers = [
        Offer(key="c", dimensions=frozenset({"4"})),
        Offer(key="b", needs=frozenset({"financing"})),
        Offer(key="a"),
    ]
    assert [item.offer.key for item in matching.match(business, offers, today=TODAY)] == ["b", "a", "c"]


def test_best_businesses_ranks_by_gap_and_skips_ineligible() -> None:
    offer = Offer(key="mid", region="DE-NW", headcount_bands=SMALL, dimensions=frozenset({"4"}))
    businesses = [
        bottrop_business(key="small-gap", gaps=(("4", Fraction(10)),)),
        bottrop_business(key="large-gap", gaps=(("4", Fraction(60)),)),
        bottrop_business(key="too-big", headcount_band="250+", gaps=(("4", Fraction(90)),)),
        bottrop_business(key="bavaria", region=frozenset({"EU", "DE", "DE-BY"}), gaps=(("4", Fraction(90)),)),
    ]
    result = matching.best_businesses(offer, businesses, today=TODAY, limit=10)
    assert [(item.business.key, item.rank) for item in result] == [("large-gap", 1), ("small-gap", 2)]


def test_size_text() -> None:
    with translation.override("en"):
        assert matching.size_text(1, 49) == "up to 49 employees"
        assert matching.size_text(10, 249) == "10–249 employees"
        assert matching.size_text(250, None) == "at least 250 employees"
    assert matching.band_range({"10-19", "20-49"}) == (10, 49)
    assert matching.band_range({"50-249", "250+"}) == (50, None)


# --- properties -----------------------------------------------------------------------------------------

gaps_strategy = st.fractions(min_value=0, max_value=100, max_denominator=60)


@st.composite
def businesses(draw: st.DrawFn, key: str | None = None) -> Business:
    dims = draw(st.lists(st.sampled_from(DIMENSIONS), unique=True, max_size=6))
    gaps = tuple(sorted(((d, draw(gaps_strategy)) for d in dims), key=lambda pair: (-pair[1], pair[0])))
    return Business(
        key=key or draw(st.text("abcdef", min_size=1, max_size=6)),
        headcount_band=draw(st.sampled_from(("", *BANDS))),
        sector=draw(st.sampled_from(SECTORS)),
        trade=draw(st.sampled_from(TRADES)),
        region=frozenset(draw(st.lists(st.sampled_from(REGIONS), max_size=4))),
        founded_year=draw(st.one_of(st.none(), st.integers(2000, 2026))),
        needs=frozenset(draw(st.lists(st.sampled_from(NEEDS), max_size=3))),
        gaps=gaps,
    )


def offer_strategy(key: str) -> st.SearchStrategy[Offer]:
    return st.builds(
        Offer,
        key=st.just(key),
        region=st.sampled_from(REGIONS),
        headcount_bands=st.frozensets(st.sampled_from(BANDS)),
        sectors=st.frozensets(st.sampled_from(SECTORS[1:]), max_size=2),
        trades=st.frozensets(st.sampled_from(TRADES[1:]), max_size=2),
        founders=st.sampled_from(("", "only", "also")),
        dimensions=st.frozensets(st.sampled_from(DIMENSIONS), max_size=3),
        needs=st.frozensets(st.sampled_from(NEEDS), max_size=2),
        deadline=st.one_of(st.none(), st.dates(dt.date(2026, 1, 1), dt.date(2026, 12, 31))),
    )


@st.composite
def offer_lists(draw: st.DrawFn) -> list[Offer]:
    count = draw(st.integers(0, 12))
    return [draw(offer_strategy(f"offer-{index:02d}")) for index in range(count)]


def _obeys_rules(business: Business, offer: Offer) -> bool:
    """The rules written out once more, independently of the module."""
    if offer.deadline is not None and offer.deadline < TODAY:
        return False
    if offer.region not in business.region:
        return False
    if offer.headcount_bands and business.headcount_band not in offer.headcount_bands:
        return False
    named = offer.sectors or offer.trades
    if named and business.sector not in offer.sectors and business.trade not in offer.trades:
        return False
    founder = business.founded_year is not None and 0 <= TODAY.year - business.founded_year <= 5
    return offer.founders != "only" or founder


@settings(max_examples=150, deadline=None)
@given(businesses(), offer_lists())
def test_an_ineligible_offer_is_never_recommended(business: Business, offers: list[Offer]) -> None:
    recommended = matching.match(business, offers, today=TODAY)
    assert all(_obeys_rules(business, item.offer) for item in recommended)
    # … and every eligible one is.
    assert {item.offer.key for item in recommended} == {o.key for o in offers if _obeys_rules(business, o)}
    assert [item.rank for item in recommended] == list(range(1, len(recommended) + 1))


@settings(max_examples=150, deadline=None)
@given(businesses(), offer_lists(), st.randoms(use_true_random=False))
def test_the_order_does_not_depend_on_the_input_order(
    business: Business, offers: list[Offer], rng: object
) -> None:
    shuffled = list(offers)
    rng.shuffle(shuffled)  # type: ignore[attr-defined]
    first = matching.match(business, offers, today=TODAY)
    assert first == matching.match(business, shuffled, today=TODAY)
    assert [item.offer.key for item in first] == list(
        matching.rank_many([business], shuffled, today=TODAY)[business.key]
    )
    assert matching.match(business, shuffled, today=TODAY, limit=3) == first[:3]


@settings(max_examples=150, deadline=None)
@given(
    businesses(),
    offer_strategy("a-offer"),
    st.sampled_from(DIMENSIONS),
    st.sampled_from(DIMENSIONS),
    offer_lists(),
)
def test_a_larger_gap_never_ranks_an_otherwise_equal_offer_lower(
    business: Business, base: Offer, larger: str, smaller: str, others: list[Offer]
) -> None:
    gaps = dict(business.gaps)
    if gaps.get(larger, 0) < gaps.get(smaller, 0):
        larger, smaller = smaller, larger
    rest = base.dimensions - {larger, smaller}
    # Equal but for one dimension; the offer addressing the smaller gap has the better (smaller) key.
    to_larger = Offer(**{**base.__dict__, "key": "z-larger", "dimensions": rest | {larger}})
    to_smaller = Offer(**{**base.__dict__, "key": "a-smaller", "dimensions": rest | {smaller}})
    ranked = [
        item.offer.key for item in matching.match(business, [*others, to_smaller, to_larger], today=TODAY)
    ]
    if "z-larger" in ranked:
        assert "a-smaller" in ranked  # the same rules
        if gaps.get(larger, 0) > gaps.get(smaller, 0):
            assert ranked.index("z-larger") < ranked.index("a-smaller")


@settings(max_examples=150, deadline=None)
@given(businesses(key="b"), offer_lists(), st.sampled_from(DIMENSIONS), gaps_strategy)
def test_raising_a_gap_never_ranks_an_offer_addressing_it_lower(
    business: Business, offers: list[Offer], dimension: str, extra: Fraction
) -> None:
    gaps = dict(business.gaps)
    raised = dict(gaps)
    raised[dimension] = gaps.get(dimension, Fraction(0)) + extra
    higher = Business(**{**business.__dict__, "gaps": tuple(raised.items())})
    before = [item.offer for item in matching.match(business, offers, today=TODAY)]
    after = [item.offer for item in matching.match(higher, offers, today=TODAY)]
    for offer in before:
        if dimension not in offer.dimensions:
            continue
        # No offer that does not address the dimension gets ahead of it.
        ahead_before = {o.key for o in before[: before.index(offer)] if dimension not in o.dimensions}
        ahead_after = {o.key for o in after[: after.index(offer)] if dimension not in o.dimensions}
        assert ahead_after <= ahead_before


@settings(max_examples=100, deadline=None)
@given(st.lists(businesses(), max_size=8, unique_by=lambda b: b.key), offer_lists())
def test_rank_many_orders_as_match(business_list: list[Business], offers: list[Offer]) -> None:
    batch = matching.rank_many(business_list, offers, today=TODAY)
    for business in business_list:
        assert batch[business.key] == tuple(
            item.offer.key for item in matching.match(business, offers, today=TODAY)
        )
