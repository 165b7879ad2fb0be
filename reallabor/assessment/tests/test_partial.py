"""The engine's partial mode (drafts): what is there must be valid, missing parts are no problem."""

from __future__ import annotations

import pytest

from reallabor.assessment import engine
from reallabor.assessment.tests import helpers


def definition() -> engine.Definition:
    return engine.load_definition("dma-handwerk")


def test_an_empty_draft_is_valid_in_partial_mode_only() -> None:
    answers = engine.validate_answers(definition(), {"answers": {}}, partial=True)
    assert (answers.values, answers.relevance) == ({}, None)
    with pytest.raises(engine.AnswerError) as error:
        engine.validate_answers(definition(), {"answers": {}})
    assert len(error.value.problems) == len(definition().questions)


def test_missing_items_and_relevance_levels_are_kept_out() -> None:
    answers = engine.validate_answers(
        definition(),
        {"answers": {"2b": {"3": 2, "1": 0}, "1b": [4, 1]}, "relevance": {"2": 3}},
        partial=True,
    )
    assert answers.values == {"1b": [1, 4], "2b": {"1": 0, "3": 2}}
    assert answers.relevance == {"2": 3}


def test_what_is_there_is_checked_as_strictly_as_ever() -> None:
    with pytest.raises(engine.AnswerError) as error:
        engine.validate_answers(
            definition(),
            {"answers": {"2b": {"9": 2, "1": "3"}, "4a": [8, 1], "x": 1}, "relevance": {"7": 3, "1": 6}},
            partial=True,
        )
    assert error.value.messages == [
        '2b, item 1: "3" is not a level (a whole number 0–5)',
        "2b: item 9 is unknown",
        "4a: item 8 (exclusive) cannot be ticked together with other items",
        "x: the question is unknown",
        "relevance, dimension 1: 6 is out of range (1–5)",
        "relevance: dimension 7 is unknown",
    ]


def test_a_complete_file_gives_the_same_answers_in_both_modes() -> None:
    data = helpers.example()
    assert engine.validate_answers(definition(), data, partial=True) == engine.validate_answers(
        definition(), data
    )
