"""Answer files of the digital-maturity check for the tests, and a hypothesis strategy of valid ones."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import strategies as st

from reallabor.assessment import engine

# dma.md's example, its "…" filled in (the values dma.md shows are kept as they are).
EXAMPLE: dict[str, Any] = {
    "questionnaire": "dma-handwerk",
    "answers": {
        "1a": {
            "1": "invested",
            "2": "planned",
            "3": "nothing",
            "4": "nothing",
            "5": "planned",
            "6": "invested",
            "7": "nothing",
            "8": "planned",
            "9": "nothing",
            "10": "invested",
        },
        "1b": [1, 4, 7],
        "2a": [1, 2, 3],
        "2b": {"1": 0, "2": 3, "3": 5, "4": 1, "5": 0, "6": 0, "7": 2},
        "3a": [],
        "3b": [2],
        "4a": [1, 2],
        "4b": [5],
        "5a": {"1": 0, "2": 0, "3": 1, "4": 0, "5": 2},
        "6a": [10],
        "6b": {"1": "yes", "2": "partly", "3": "no", "4": "no", "5": "yes"},
    },
    "relevance": {"1": 4, "2": 5, "3": 3, "4": 5, "5": 2, "6": 3},
}

ITEM_COUNTS = {
    "1a": 10,
    "1b": 10,
    "2a": 10,
    "2b": 7,
    "3a": 7,
    "3b": 8,
    "4a": 7,
    "4b": 6,
    "5a": 5,
    "6a": 10,
    "6b": 5,
}


def example() -> dict[str, Any]:
    return copy.deepcopy(EXAMPLE)


def zero(relevance: dict[str, int] | None = None) -> dict[str, Any]:
    """Every question answered with its lowest answer (nothing ticked, nothing invested, level 0, no)."""
    data: dict[str, Any] = {
        "questionnaire": "dma-handwerk",
        "answers": {
            "1a": dict.fromkeys(_numbers(10), "nothing"),
            "1b": [],
            "2a": [],
            "2b": dict.fromkeys(_numbers(7), 0),
            "3a": [],
            "3b": [],
            "4a": [],
            "4b": [],
            "5a": dict.fromkeys(_numbers(5), 0),
            "6a": [],
            "6b": dict.fromkeys(_numbers(5), "no"),
        },
    }
    if relevance is not None:
        data["relevance"] = relevance
    return data


def full(relevance: dict[str, int] | None = None) -> dict[str, Any]:
    """Every question answered with its highest answer."""
    data: dict[str, Any] = {
        "questionnaire": "dma-handwerk",
        "answers": {
            "1a": dict.fromkeys(_numbers(10), "invested"),
            "1b": list(range(1, 11)),
            "2a": list(range(1, 11)),
            "2b": dict.fromkeys(_numbers(7), 5),
            "3a": list(range(1, 8)),
            "3b": list(range(1, 9)),
            "4a": list(range(1, 8)),
            "4b": list(range(1, 7)),
            "5a": dict.fromkeys(_numbers(5), 5),
            "6a": list(range(1, 11)),
            "6b": dict.fromkeys(_numbers(5), "yes"),
        },
    }
    if relevance is not None:
        data["relevance"] = relevance
    return data


def with_answers(base: dict[str, Any], **answers: Any) -> dict[str, Any]:
    data = copy.deepcopy(base)
    data["answers"].update(answers)
    return data


def _numbers(count: int) -> list[str]:
    return [str(number) for number in range(1, count + 1)]


@st.composite
def submissions(draw: st.DrawFn, relevance: bool | None = None) -> dict[str, Any]:
    """A valid answer file of dma-handwerk (tick lists in a random order; relevance when asked or drawn)."""
    definition = engine.load_definition("dma-handwerk")
    answers: dict[str, Any] = {}
    for question in definition.questions.values():
        count = len(question.items)
        if question.type == engine.TICK_LIST:
            if question.exclusive_number is not None and draw(st.integers(0, 9)) == 0:
                answers[question.id] = [question.exclusive_number]
            else:
                ticked = draw(st.sets(st.integers(1, count), max_size=count))
                answers[question.id] = draw(st.permutations(sorted(ticked)))
        elif question.type == engine.INVEST_GRID:
            choices = st.sampled_from(list(engine.INVEST_CHOICES))
            answers[question.id] = {number: draw(choices) for number in question.item_numbers}
        elif question.type == engine.SCALE:
            levels = st.integers(engine.SCALE_MIN, engine.SCALE_MAX)
            answers[question.id] = {number: draw(levels) for number in question.item_numbers}
        else:
            choices = st.sampled_from(list(engine.YES_PARTLY_NO_CHOICES))
            answers[question.id] = {number: draw(choices) for number in question.item_numbers}
    data: dict[str, Any] = {"questionnaire": "dma-handwerk", "answers": answers}
    if relevance if relevance is not None else draw(st.booleans()):
        data["relevance"] = {
            section: draw(st.integers(engine.RELEVANCE_MIN, engine.RELEVANCE_MAX))
            for section in definition.relevance_sections
        }
    return data
