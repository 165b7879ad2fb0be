"""Scores, bands and gaps of the digital-maturity check (dma.md), computed by hand, and their properties."""

from __future__ import annotations

import copy
import random
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reallabor.assessment import engine, scoring
from reallabor.assessment.tests.helpers import example, full, submissions, with_answers, zero

PROPERTIES = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def result_of(data: dict[str, Any]) -> scoring.Result:
    definition = engine.load_definition("dma-handwerk")
    return scoring.score(definition, engine.validate_answers(definition, data))


def scores(result: scoring.Result) -> dict[str, Fraction]:
    return {dimension.id: dimension.score for dimension in result.dimensions}


# --- worked examples ---------------------------------------------------------------------------------


def test_the_example_of_dma_md_scored_by_hand() -> None:
    result = result_of(example())

    # 1a: invested ×3 (items 1, 6, 10) = 3 points, planned ×3 (2, 5, 8) = 1.5 → 4.5 ÷ 10 × 10 = 4.5
    # 1b: 3 of 10 ticked → 3.  Dimension 1 = (4.5 + 3) ÷ 2 × 10 = 37.5
    assert result.question_scores["1a"] == Fraction(9, 2)
    assert result.question_scores["1b"] == 3
    # 2a: 3 of 10 → 3; 2b: levels 0+3+5+1+0+0+2 = 11 ÷ (5 × 7) × 10 = 22/7.  (3 + 22/7) ÷ 2 × 10 = 215/7
    assert result.question_scores["2b"] == Fraction(22, 7)
    # 3a: 0; 3b: 1 of 8 → 1.25.  (0 + 1.25) ÷ 2 × 10 = 6.25
    # 4a: 2 of 7 → 20/7; 4b: 1 of 6 → 5/3.  (20/7 + 5/3) ÷ 2 × 10 = 475/21
    # 5a: levels 0+0+1+0+2 = 3 ÷ 25 × 10 = 1.2 → 12
    # 6a: 1 of 10 → 1; 6b: 1 + 0.5 + 0 + 0 + 1 = 2.5 ÷ 5 × 10 = 5.  (1 + 5) ÷ 2 × 10 = 30
    expected = {
        "1": Fraction(75, 2),
        "2": Fraction(215, 7),
        "3": Fraction(25, 4),
        "4": Fraction(475, 21),
        "5": Fraction(12),
        "6": Fraction(30),
    }
    assert scores(result) == expected
    overall = sum(expected.values(), Fraction(0)) / 6  # = 5841/252 = 23.178…
    assert result.overall == overall
    assert result.band.german == "Einstieg"
    # Gaps: relevance × 20 − score: 1: 80 − 37.5 = 42.5; 2: 100 − 30.71 = 69.29; 3: 60 − 6.25 = 53.75;
    # 4: 100 − 22.62 = 77.38; 5: 40 − 12 = 28; 6: 60 − 30 = 30.  Largest first.
    assert [dimension.id for dimension in result.gaps] == ["4", "2", "3", "1", "6", "5"]
    assert {dimension.id: dimension.gap for dimension in result.gaps} == {
        "1": Fraction(85, 2),
        "2": 100 - Fraction(215, 7),
        "3": Fraction(215, 4),
        "4": 100 - Fraction(475, 21),
        "5": Fraction(28),
        "6": Fraction(30),
    }
    # Rounded half up for display: 6.25 → 6.3 (not 6.2 as round() would), 53.75 → 53.8.
    assert result.to_json() == {
        "dimensions": {"1": 37.5, "2": 30.7, "3": 6.3, "4": 22.6, "5": 12.0, "6": 30.0},
        "overall": 23.2,
        "band": "Einstieg",
        "gaps": {"4": 77.4, "2": 69.3, "3": 53.8, "1": 42.5, "6": 30.0, "5": 28.0},
    }


def test_without_relevance_there_are_no_gaps_and_no_gaps_key() -> None:
    data = example()
    del data["relevance"]
    result = result_of(data)
    assert not result.has_gaps
    assert result.gaps == ()
    assert all(dimension.gap is None and dimension.relevance is None for dimension in result.dimensions)
    assert list(result.to_json()) == ["dimensions", "overall", "band"]


def test_all_lowest_answers_score_zero_everywhere() -> None:
    result = result_of(zero(relevance=dict.fromkeys("123456", 1)))
    assert set(result.question_scores.values()) == {0}
    assert set(scores(result).values()) == {0}
    assert result.overall == 0
    assert result.band.german == "Einstieg"
    # Relevance 1 → 1 ÷ 5 × 100 = 20 − 0 = 20 for each dimension, in the questionnaire's order.
    assert result.to_json() == {
        "dimensions": dict.fromkeys("123456", 0.0),
        "overall": 0.0,
        "band": "Einstieg",
        "gaps": dict.fromkeys("123456", 20.0),
    }


def test_all_highest_answers_score_full_marks_and_leave_no_gap() -> None:
    result = result_of(full(relevance=dict.fromkeys("123456", 5)))
    assert set(result.question_scores.values()) == {10}
    assert set(scores(result).values()) == {100}
    assert result.overall == 100
    assert result.band.german == "Vorreiter"
    assert result.to_json() == {
        "dimensions": dict.fromkeys("123456", 100.0),
        "overall": 100.0,
        "band": "Vorreiter",
        "gaps": dict.fromkeys("123456", 0.0),
    }


def test_the_exclusive_item_alone_scores_zero_and_is_not_counted_among_the_items() -> None:
    result = result_of(with_answers(full(), **{"4a": [8]}))
    assert result.question_scores["4a"] == 0
    # Dimension 4 = (0 + 10) ÷ 2 × 10 = 50
    assert scores(result)["4"] == 50
    # All seven counted items ticked give full marks: the exclusive item is not one of the seven.
    assert result_of(full()).question_scores["4a"] == 10


def test_invest_grid_planned_is_half_and_yes_partly_no_partly_is_half() -> None:
    data = with_answers(
        zero(),
        **{"1a": {str(n): "planned" for n in range(1, 11)}, "6b": {str(n): "partly" for n in range(1, 6)}},
    )
    result = result_of(data)
    assert result.question_scores["1a"] == 5  # 10 × 0.5 ÷ 10 × 10
    assert result.question_scores["6b"] == 5  # 5 × 0.5 ÷ 5 × 10
    assert scores(result)["1"] == 25  # (5 + 0) ÷ 2 × 10
    assert scores(result)["6"] == 25


# --- rounding -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (Fraction(4725, 100), "47.3"),
        (Fraction(5, 100), "0.1"),
        (Fraction(25, 4), "6.3"),
        (Fraction(4715, 100), "47.2"),  # .x5 with an even digit before it: half up, not to even
        (Fraction(4724999, 100000), "47.2"),
        (Fraction(46), "46.0"),
        (Fraction(0), "0.0"),
        (Fraction(100), "100.0"),
        (Fraction(215, 7), "30.7"),
        (Fraction(-5, 100), "-0.1"),
    ],
)
def test_rounding_is_half_up_to_one_decimal(value: Fraction, shown: str) -> None:
    assert str(scoring.round_half_up(value)) == shown
    assert scoring.round_half_up(value) == Decimal(shown)


def test_a_submission_whose_overall_ends_in_five_hundredths_rounds_up() -> None:
    # 6a: 1 of 10 ticked → 1, 6b all no → 0: dimension 6 = (1 + 0) ÷ 2 × 10 = 5.
    # 3b: 1 of 8 ticked → 1.25, 3a none → 0: dimension 3 = (0 + 1.25) ÷ 2 × 10 = 6.25 → shown 6.3.
    # The others 0: overall = (5 + 6.25) ÷ 6 = 1.875 → shown 1.9.
    result = result_of(with_answers(zero(), **{"6a": [1], "3b": [1]}))
    assert scores(result)["3"] == Fraction(25, 4)
    assert result.overall == Fraction(15, 8)
    assert result.to_json()["dimensions"]["3"] == 6.3
    assert result.to_json()["overall"] == 1.9
    # Gap of dimension 3 with relevance 1: 20 − 6.25 = 13.75 → 13.8
    relevance = dict.fromkeys("123456", 1)
    gaps = result_of(with_answers(zero(relevance), **{"6a": [1], "3b": [1]})).to_json()["gaps"]
    assert gaps["3"] == 13.8


# --- bands ----------------------------------------------------------------------------------------------


def test_band_boundaries_from_the_unrounded_score() -> None:
    tiny = Fraction(1, 10**12)
    assert scoring.band_for(Fraction(0)).german == "Einstieg"
    assert scoring.band_for(Fraction(25)).german == "Einstieg"
    assert scoring.band_for(25 + tiny).german == "Grundlagen"  # rounds to 25.0 but is above 25
    assert scoring.band_for(Fraction(50)).german == "Grundlagen"
    assert scoring.band_for(50 + tiny).german == "Fortgeschritten"
    assert scoring.band_for(Fraction(75)).german == "Fortgeschritten"
    assert scoring.band_for(75 + tiny).german == "Vorreiter"
    assert scoring.band_for(Fraction(100)).german == "Vorreiter"


def at_25() -> dict[str, Any]:
    # 1: 1a nothing (0), 1b 5 of 10 (5) → 25;  2: 2a 5 of 10 (5), 2b 0 → 25;  3: 3a 0, 3b 4 of 8 (5) → 25;
    # 4: 4a exclusive (0), 4b 3 of 6 (5) → 25;  5: 5a levels 5 ÷ 25 × 10 = 2 → 20;
    # 6: 6a 2 of 10 (2), 6b yes, yes, no, no, no (4) → 30.  Overall = (4 × 25 + 20 + 30) ÷ 6 = 25.
    return with_answers(
        zero(),
        **{
            "1b": [1, 2, 3, 4, 5],
            "2a": [1, 2, 3, 4, 5],
            "3b": [1, 2, 3, 4],
            "4a": [8],
            "4b": [1, 2, 3],
            "5a": {"1": 5, "2": 0, "3": 0, "4": 0, "5": 0},
            "6a": [1, 2],
            "6b": {"1": "yes", "2": "yes", "3": "no", "4": "no", "5": "no"},
        },
    )


def at_50() -> dict[str, Any]:
    # 1: 1a all planned (5), 1b 5 of 10 (5) → 50;  2: 2a all (10), 2b 0 → 50;  3: 3a all (10), 3b 0 → 50;
    # 4: 4a all 7 (10), 4b 0 → 50;  5: levels 10 → 4 → 40;  6: 6a 4 (4), 6b 4 yes (8) → 60.  Overall = 50.
    return with_answers(
        zero(),
        **{
            "1a": {str(n): "planned" for n in range(1, 11)},
            "1b": [1, 2, 3, 4, 5],
            "2a": list(range(1, 11)),
            "3a": list(range(1, 8)),
            "4a": list(range(1, 8)),
            "5a": {"1": 5, "2": 5, "3": 0, "4": 0, "5": 0},
            "6a": [1, 2, 3, 4],
            "6b": {"1": "yes", "2": "yes", "3": "yes", "4": "yes", "5": "no"},
        },
    )


def at_75() -> dict[str, Any]:
    # 1: 1a all invested (10), 1b 5 (5) → 75;  2: 2a 5 (5), 2b all 5 (10) → 75;  3: 3a all (10), 3b 4 (5) → 75;
    # 4: 4a all (10), 4b 3 (5) → 75;  5: levels 20 → 8 → 80;  6: 6a all (10), 6b 2 yes (4) → 70.  Overall = 75.
    return with_answers(
        zero(),
        **{
            "1a": {str(n): "invested" for n in range(1, 11)},
            "1b": [1, 2, 3, 4, 5],
            "2a": [1, 2, 3, 4, 5],
            "2b": {str(n): 5 for n in range(1, 8)},
            "3a": list(range(1, 8)),
            "3b": [1, 2, 3, 4],
            "4a": list(range(1, 8)),
            "4b": [1, 2, 3],
            "5a": {"1": 5, "2": 5, "3": 5, "4": 5, "5": 0},
            "6a": list(range(1, 11)),
            "6b": {"1": "yes", "2": "yes", "3": "no", "4": "no", "5": "no"},
        },
    )


@pytest.mark.parametrize(
    ("build", "boundary", "band", "next_band"),
    [
        (at_25, 25, "Einstieg", "Grundlagen"),
        (at_50, 50, "Grundlagen", "Fortgeschritten"),
        (at_75, 75, "Fortgeschritten", "Vorreiter"),
    ],
)
def test_submissions_exactly_at_a_boundary_stay_in_the_lower_band(
    build: Any, boundary: int, band: str, next_band: str
) -> None:
    data = build()
    result = result_of(data)
    assert result.overall == boundary
    assert result.band.german == band
    assert result.to_json()["overall"] == float(boundary)
    # One more "partly" in 6b (0.5 point → 6b + 1, dimension 6 + 5, overall + 5/6) crosses the boundary.
    answers = data["answers"]["6b"]
    answers[next(number for number, choice in answers.items() if choice == "no")] = "partly"
    above = result_of(data)
    assert above.overall == boundary + Fraction(5, 6)
    assert above.band.german == next_band


def test_band_names_are_translated_and_the_german_name_is_fixed() -> None:
    with translation.override("en"):
        assert [str(band) for band in scoring.BANDS] == [
            "basic",
            "average",
            "moderately advanced",
            "advanced",
        ]
    assert [band.german for band in scoring.BANDS] == [
        "Einstieg",
        "Grundlagen",
        "Fortgeschritten",
        "Vorreiter",
    ]
    with translation.override("en"):
        assert result_of(example()).to_json()["band"] == "Einstieg"


def test_score_refuses_answers_to_another_questionnaire_or_an_unscored_definition() -> None:
    definition = engine.load_definition("dma-handwerk")
    answers = engine.validate_answers(definition, example())
    other = engine.Answers(questionnaire="dma-handwerk", version=2, values=answers.values)
    with pytest.raises(ValueError, match="v2"):
        scoring.score(definition, other)
    unscored = engine.Definition(
        slug="survey", version=1, title=definition.title, sections=definition.sections, scoring=None
    )
    with pytest.raises(ValueError, match="not scored"):
        scoring.score(unscored, answers)


# --- properties -----------------------------------------------------------------------------------------


@PROPERTIES
@given(submissions())
def test_every_score_is_within_its_range(data: dict[str, Any]) -> None:
    result = result_of(data)
    assert all(0 <= value <= 10 for value in result.question_scores.values())
    assert all(0 <= dimension.score <= 100 for dimension in result.dimensions)
    assert 0 <= result.overall <= 100
    assert all(dimension.gap is None or 0 <= dimension.gap <= 100 for dimension in result.dimensions)
    shown = result.to_json()
    assert all(0 <= value <= 100 for value in [*shown["dimensions"].values(), shown["overall"]])


@PROPERTIES
@given(submissions(), st.randoms(use_true_random=False))
def test_ticking_one_more_item_never_lowers_a_score(data: dict[str, Any], rng: random.Random) -> None:
    definition = engine.load_definition("dma-handwerk")
    candidates = [
        (question.id, number)
        for question in definition.questions.values()
        if question.type == engine.TICK_LIST and question.exclusive_number not in data["answers"][question.id]
        for number in range(1, len(question.items) + 1)
        if number not in data["answers"][question.id]
    ]
    if not candidates:
        return
    question_id, number = rng.choice(candidates)
    before = result_of(data)
    more = copy.deepcopy(data)
    more["answers"][question_id].append(number)
    after = result_of(more)
    assert after.question_scores[question_id] > before.question_scores[question_id]
    assert all(after.question_scores[key] >= value for key, value in before.question_scores.items())
    assert all(scores(after)[key] >= value for key, value in scores(before).items())
    assert after.overall > before.overall
    assert all((a.gap or 0) <= (b.gap or 0) for a, b in zip(after.dimensions, before.dimensions, strict=True))


@PROPERTIES
@given(submissions(), st.randoms(use_true_random=False))
def test_a_higher_level_or_choice_never_lowers_a_score(data: dict[str, Any], rng: random.Random) -> None:
    order = {"nothing": "planned", "planned": "invested", "no": "partly", "partly": "yes"}
    candidates = [
        (question_id, number)
        for question_id, value in data["answers"].items()
        if isinstance(value, dict)
        for number, choice in value.items()
        if choice in order or (type(choice) is int and choice < engine.SCALE_MAX)
    ]
    if not candidates:
        return
    question_id, number = rng.choice(candidates)
    higher = copy.deepcopy(data)
    choice = higher["answers"][question_id][number]
    higher["answers"][question_id][number] = order[choice] if isinstance(choice, str) else choice + 1
    before, after = result_of(data), result_of(higher)
    assert after.question_scores[question_id] > before.question_scores[question_id]
    assert after.overall > before.overall


@PROPERTIES
@given(submissions())
def test_the_exclusive_item_gives_zero(data: dict[str, Any]) -> None:
    data = copy.deepcopy(data)
    data["answers"]["4a"] = [8]
    result = result_of(data)
    assert result.question_scores["4a"] == 0
    assert scores(result)["4"] == result.question_scores["4b"] * 5  # (0 + 4b) ÷ 2 × 10


@PROPERTIES
@given(submissions(relevance=True))
def test_gaps_are_never_negative_and_zero_exactly_when_the_score_reaches_the_relevance(
    data: dict[str, Any],
) -> None:
    result = result_of(data)
    for dimension in result.dimensions:
        assert dimension.gap is not None and dimension.relevance is not None
        assert dimension.gap >= 0
        assert (dimension.gap == 0) == (dimension.score >= dimension.relevance * 20)
        assert dimension.gap == max(Fraction(dimension.relevance * 100, 5) - dimension.score, Fraction(0))
    gaps = [dimension.gap or Fraction(0) for dimension in result.gaps]
    assert gaps == sorted(gaps, reverse=True)
    assert list(result.to_json()["gaps"]) == [dimension.id for dimension in result.gaps]


@PROPERTIES
@given(submissions(), st.randoms(use_true_random=False))
def test_the_result_does_not_depend_on_the_order_in_the_file(
    data: dict[str, Any], rng: random.Random
) -> None:
    def shuffled(value: Any) -> Any:
        if isinstance(value, list):
            return rng.sample(value, len(value))
        if isinstance(value, dict):
            keys = rng.sample(list(value), len(value))
            return {key: shuffled(value[key]) for key in keys}
        return value

    reordered = shuffled(data)
    assert result_of(reordered) == result_of(data)
    definition = engine.load_definition("dma-handwerk")
    assert engine.validate_answers(definition, reordered) == engine.validate_answers(definition, data)
