"""Answer files checked against their definition: canonical answers, and every bad input named exactly."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.utils import translation

from reallabor.assessment import engine
from reallabor.assessment.engine import definitions
from reallabor.assessment.tests.helpers import example, full, with_answers, zero
from reallabor.assessment.tests.test_definitions import DEFINITION_FILE, SURVEY


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """The messages are compared in English (the msgids); German is the site's default."""
    with translation.override("en"):
        yield


def problems(data: Any) -> list[str]:
    with pytest.raises(engine.AnswerError) as error:
        engine.check_answer_file(data)
    return error.value.messages


def test_the_example_gives_canonical_answers() -> None:
    data = example()
    data["answers"]["1b"] = [7, 1, 4]
    answers = engine.check_answer_file(data)
    assert (answers.questionnaire, answers.version) == ("dma-handwerk", 1)
    assert list(answers.values) == ["1a", "1b", "2a", "2b", "3a", "3b", "4a", "4b", "5a", "6a", "6b"]
    assert answers.values["1b"] == [1, 4, 7]
    assert list(answers.values["1a"]) == [str(n) for n in range(1, 11)]
    assert answers.relevance == {"1": 4, "2": 5, "3": 3, "4": 5, "5": 2, "6": 3}
    # to_dict() is an answer file again, naming the version, and gives the same answers back.
    again = answers.to_dict()
    assert again["version"] == 1
    assert engine.check_answer_file(again) == answers


def test_the_version_may_be_named_and_relevance_may_be_null() -> None:
    data = example()
    data["version"] = 1
    data["relevance"] = None
    answers = engine.check_answer_file(data)
    assert answers.version == 1 and answers.relevance is None
    assert "relevance" not in answers.to_dict()


def test_the_dma_md_example_as_printed_is_refused_for_its_placeholders() -> None:
    data = example()
    data["answers"]["1a"] = {
        "1": "invested",
        "2": "planned",
        "3": "nothing",
        "...": "one entry for each of the 10 areas",
    }
    assert problems(data) == [
        "1a: item 4 is missing",
        "1a: item 5 is missing",
        "1a: item 6 is missing",
        "1a: item 7 is missing",
        "1a: item 8 is missing",
        "1a: item 9 is missing",
        "1a: item 10 is missing",
        "1a: item ... is unknown",
    ]


# --- dma.md's bad inputs, with the exact messages ----------------------------------------------------------


def test_an_unknown_question_is_named() -> None:
    assert problems(with_answers(example(), **{"7a": [1]})) == ["7a: the question is unknown"]


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({"1a": {**example()["answers"]["1a"], "11": "planned"}}, "1a: item 11 is unknown"),
        ({"1b": [1, 11]}, "1b: item 11 is unknown"),
        ({"1b": [0]}, "1b: item 0 is unknown"),
        ({"2b": {**example()["answers"]["2b"], "8": 1}}, "2b: item 8 is unknown"),
        ({"2b": {**example()["answers"]["2b"], "01": 1}}, "2b: item 01 is unknown"),
        ({"4b": [7]}, "4b: item 7 is unknown"),  # 4b has no exclusive item
        ({"4a": [9]}, "4a: item 9 is unknown"),
        ({"6b": {**example()["answers"]["6b"], "6": "no"}}, "6b: item 6 is unknown"),
    ],
)
def test_an_unknown_item_is_named(answers: dict[str, Any], message: str) -> None:
    assert problems(with_answers(example(), **answers)) == [message]


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({"5a": {"1": 0, "2": 0, "3": 6, "4": 0, "5": 2}}, "5a, item 3: 6 is out of range (0–5)"),
        ({"2b": {**example()["answers"]["2b"], "7": -1}}, "2b, item 7: -1 is out of range (0–5)"),
        ({"5a": {"1": 0, "2": 0, "3": "3", "4": 0, "5": 2}}, '5a, item 3: "3" is not a level (a whole number 0–5)'),
        ({"5a": {"1": True, "2": 0, "3": 1, "4": 0, "5": 2}}, "5a, item 1: true is not a level (a whole number 0–5)"),
        ({"5a": {"1": 2.0, "2": 0, "3": 1, "4": 0, "5": 2}}, "5a, item 1: 2.0 is not a level (a whole number 0–5)"),
        ({"5a": {"1": None, "2": 0, "3": 1, "4": 0, "5": 2}}, "5a, item 1: null is not a level (a whole number 0–5)"),
        ({"1a": {**example()["answers"]["1a"], "2": "maybe"}}, '1a, item 2: "maybe" is not one of nothing, planned, invested'),
        ({"1a": {**example()["answers"]["1a"], "2": "Planned"}}, '1a, item 2: "Planned" is not one of nothing, planned, invested'),
        ({"6b": {**example()["answers"]["6b"], "4": 1}}, "6b, item 4: 1 is not one of yes, partly, no"),
        ({"1b": [1, "4"]}, '1b: "4" is not an item number (a whole number such as 3)'),
        ({"1b": [1, True]}, "1b: true is not an item number (a whole number such as 3)"),
        ({"1b": [1.0]}, "1b: 1.0 is not an item number (a whole number such as 3)"),
        ({"1b": [4, 1, 4]}, "1b: item 4 is ticked twice"),
        ({"1b": {"1": True}}, '1b: expected a list of the ticked item numbers such as [1, 3], not {"1": true}'),
        ({"2b": [1, 2]}, '2b: expected an object with an answer for each item such as {"1": 0, "2": 3, …}, not [1, 2]'),
    ],
)  # fmt: skip
def test_a_value_of_the_wrong_type_or_out_of_range_is_named(answers: dict[str, Any], message: str) -> None:
    assert problems(with_answers(example(), **answers)) == [message]


def test_a_missing_item_is_named() -> None:
    data = example()
    del data["answers"]["2b"]["7"]
    del data["answers"]["6b"]["1"]
    assert problems(data) == ["2b: item 7 is missing", "6b: item 1 is missing"]


def test_a_missing_question_is_named_and_an_empty_tick_list_is_an_answer() -> None:
    data = example()
    del data["answers"]["4b"]
    data["answers"]["3a"] = []
    assert problems(data) == ["4b: the answer is missing"]


def test_the_exclusive_item_ticked_with_others_is_named() -> None:
    assert problems(with_answers(example(), **{"4a": [1, 8]})) == [
        "4a: item 8 (exclusive) cannot be ticked together with other items"
    ]
    assert problems(with_answers(example(), **{"4a": [8, 2, 3]})) == [
        "4a: item 8 (exclusive) cannot be ticked together with other items"
    ]
    assert engine.check_answer_file(with_answers(example(), **{"4a": [8]})).values["4a"] == [8]


def test_every_problem_is_listed_in_the_questionnaires_order() -> None:
    data = zero()
    data["answers"] = {
        "zz": 1,
        "6b": {"1": "vielleicht", "2": "no", "3": "no", "4": "no", "5": "no"},
        "4a": [1, 8],
        "1b": [1, "2", 2, 2, 11],
        "5a": {"1": 6, "2": True},
        **{
            key: value
            for key, value in data["answers"].items()
            if key in {"1a", "2a", "2b", "3a", "3b", "4b", "6a"}
        },
    }
    data["relevance"] = {"1": 0, "7": 3}
    data["colour"] = "blue"
    assert problems(data) == [
        "colour: unknown key (allowed: questionnaire, version, answers, relevance)",
        '1b: "2" is not an item number (a whole number such as 3)',
        "1b: item 2 is ticked twice",
        "1b: item 11 is unknown",
        "4a: item 8 (exclusive) cannot be ticked together with other items",
        "5a, item 1: 6 is out of range (0–5)",
        "5a, item 2: true is not a level (a whole number 0–5)",
        "5a: item 3 is missing",
        "5a: item 4 is missing",
        "5a: item 5 is missing",
        '6b, item 1: "vielleicht" is not one of yes, partly, no',
        "zz: the question is unknown",
        "relevance, dimension 1: 0 is out of range (1–5)",
        "relevance: dimension 2 is missing",
        "relevance: dimension 3 is missing",
        "relevance: dimension 4 is missing",
        "relevance: dimension 5 is missing",
        "relevance: dimension 6 is missing",
        "relevance: dimension 7 is unknown",
    ]


def test_each_problem_names_its_question_and_item_for_forms_and_the_api() -> None:
    with pytest.raises(engine.AnswerError) as error:
        engine.check_answer_file(with_answers(example(), **{"4a": [1, 8], "5a": {"1": 0, "2": 0, "3": 6, "4": 0, "5": 2}}))  # fmt: skip
    assert [(p.question, p.item, p.where) for p in error.value.problems] == [
        ("4a", "8", "4a"),
        ("5a", "3", "5a, item 3"),
    ]


# --- relevance ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("relevance", "messages"),
    [
        ({"1": 4, "2": 5, "3": 3, "4": 5, "5": 2}, ["relevance: dimension 6 is missing"]),
        ({}, [f"relevance: dimension {n} is missing" for n in "123456"]),
        ({"1": 4, "2": 5, "3": 3, "4": 5, "5": 2, "6": 6}, ["relevance, dimension 6: 6 is out of range (1–5)"]),
        ({"1": 4, "2": 5, "3": 3, "4": 5, "5": 2, "6": "3"}, ['relevance, dimension 6: "3" is not a level (a whole number 1–5)']),
        ({"1": 4, "2": 5, "3": 3, "4": 5, "5": 2, "6": 3, "0": 1}, ["relevance: dimension 0 is unknown"]),
        ([4, 5, 3, 5, 2, 3], ['relevance: expected an object with a level 1–5 for each dimension such as {"1": 4, "2": 5, …}, not [4, 5, 3, 5, 2, 3]']),
    ],
)  # fmt: skip
def test_relevance_given_must_be_complete_and_in_range(relevance: Any, messages: list[str]) -> None:
    data = example()
    data["relevance"] = relevance
    assert problems(data) == messages


def test_relevance_is_refused_by_a_questionnaire_that_does_not_ask_for_it() -> None:
    definition = engine.parse_definition(copy.deepcopy(SURVEY))
    with pytest.raises(engine.AnswerError) as error:
        engine.validate_answers(definition, {"answers": {"size": 1, "staff": 3}, "relevance": {"a": 3}})
    assert error.value.messages == ["relevance: this questionnaire does not ask for relevance"]


# --- the file as a whole ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "messages"),
    [
        ([1, 2], ['The answers must be one JSON object with "questionnaire" and "answers", not [1, 2].']),
        ({"answers": {}}, ['questionnaire: missing (the questionnaire\'s name, e.g. "dma-handwerk")']),
        ({"questionnaire": "dma-handwerkk", "answers": {}}, ['questionnaire: unknown questionnaire "dma-handwerkk" (known: dma-handwerk)']),
        ({"questionnaire": "../questionnaires/dma-handwerk", "answers": {}}, ['questionnaire: unknown questionnaire "../questionnaires/dma-handwerk" (known: dma-handwerk)']),
        ({"questionnaire": ["dma-handwerk"], "answers": {}}, ['questionnaire: unknown questionnaire ["dma-handwerk"] (known: dma-handwerk)']),
        ({"questionnaire": "dma-handwerk", "version": 2, "answers": {}}, ['version: the questionnaire "dma-handwerk" has no version 2 (versions: 1)']),
        ({"questionnaire": "dma-handwerk", "version": "1", "answers": {}}, ['version: the questionnaire "dma-handwerk" has no version "1" (versions: 1)']),
        ({"questionnaire": "dma-handwerk"}, ["answers: missing (an object of question ids and answers)"]),
        ({"questionnaire": "dma-handwerk", "answers": []}, ["answers: expected an object of question ids and answers, not []"]),
    ],
)  # fmt: skip
def test_a_file_of_the_wrong_shape_or_naming_an_unknown_questionnaire_is_refused(
    data: Any, messages: list[str]
) -> None:
    assert problems(data) == messages


def test_validate_answers_checks_the_names_given_against_the_definition() -> None:
    definition = engine.load_definition("dma-handwerk")
    data = example()
    data["questionnaire"] = "survey"
    data["version"] = 3
    with pytest.raises(engine.AnswerError) as error:
        engine.validate_answers(definition, data)
    assert error.value.messages == [
        'questionnaire: expected "dma-handwerk", not "survey"',
        "version: expected 1, not 3",
    ]
    # Without the names (a form or the API knows the questionnaire): the answers alone.
    answers = engine.validate_answers(definition, {"answers": full()["answers"]})
    assert answers.questionnaire == "dma-handwerk" and answers.relevance is None


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'{"questionnaire": "dma-handwerk",', "The file is not valid JSON (line 1, column 34: Expecting property name enclosed in double quotes)."),
        (b"\xff\xfe{}", "The file is not UTF-8 text."),
        (b'{"answers": {"5a": {"1": NaN}}}', "The file is not valid JSON: NaN is not a number."),
        (b'{"answers": {"1b": [1], "1b": [2]}}', 'The file is not valid JSON: the key "1b" appears twice in one object.'),
    ],
)  # fmt: skip
def test_the_file_must_be_strict_json(content: bytes, message: str) -> None:
    with pytest.raises(engine.AnswerError) as error:
        engine.read_answer_file(content)
    assert error.value.messages == [message]


def test_a_file_nested_too_deeply_is_refused_not_crashed() -> None:
    with pytest.raises(engine.AnswerError) as error:
        engine.read_answer_file(b"[" * 100_000 + b"]" * 100_000)
    assert error.value.messages == ["The file is nested too deeply."]


def test_long_unknown_names_are_shortened_in_the_messages() -> None:
    data = with_answers(example(), **{"x" * 500: 1})
    data["answers"]["2b"]["9" * 100] = 1
    assert problems(data) == [f"2b: item {'9' * 39}… is unknown", f"{'x' * 39}…: the question is unknown"]


def test_a_byte_order_mark_is_allowed() -> None:
    assert engine.read_answer_file(b'\xef\xbb\xbf{"answers": {}}') == {"answers": {}}


# --- the types that carry no score -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answers", "messages"),
    [
        ({"size": 3, "staff": 1}, ["size: item 3 is unknown"]),
        ({"size": "1", "staff": 1}, ['size: "1" is not an item number (a whole number such as 3)']),
        ({"size": 1, "staff": 1.5}, ["staff: 1.5 is not a whole number"]),
        ({"size": 1, "staff": False}, ["staff: false is not a whole number"]),
        ({"size": 1, "staff": 10001}, ["staff: 10001 is out of range (0–10000)"]),
        ({"size": 1, "staff": 2, "share": 1.6}, ["share: 1.6 is out of range (0–1.5)"]),
        ({"size": 1, "staff": 2, "share": "0.5"}, ['share: "0.5" is not a number']),
        ({"size": 1, "staff": 2, "notes": 7}, ["notes: expected a text, not 7"]),
        (
            {"size": 1, "staff": 2, "notes": "x" * 21},
            ["notes: the text has 21 characters, at most 20 are allowed"],
        ),
        ({}, ["size: the answer is missing", "staff: the answer is missing"]),
    ],
)
def test_single_choice_number_and_free_text_are_checked(answers: dict[str, Any], messages: list[str]) -> None:
    definition = engine.parse_definition(copy.deepcopy(SURVEY))
    with pytest.raises(engine.AnswerError) as error:
        engine.validate_answers(definition, {"answers": answers})
    assert error.value.messages == messages


def test_single_choice_number_and_free_text_answers_are_kept() -> None:
    definition = engine.parse_definition(copy.deepcopy(SURVEY))
    answers = engine.validate_answers(
        definition, {"answers": {"notes": "gut", "share": 0.25, "size": 2, "staff": 12}}
    )
    assert answers.values == {"size": 2, "staff": 12, "share": 0.25, "notes": "gut"}
    assert list(answers.values) == ["size", "staff", "share", "notes"]


# --- versions -------------------------------------------------------------------------------------------------


@pytest.fixture
def revised(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A catalogue in which dma-handwerk v1 is retired and v2 is current."""
    folder = tmp_path / "dma-handwerk"
    folder.mkdir()
    data = json.loads(DEFINITION_FILE.read_text(encoding="utf-8"))
    (folder / "v1.json").write_text(json.dumps({**data, "retired": True}), encoding="utf-8")
    (folder / "v2.json").write_text(json.dumps({**data, "version": 2}), encoding="utf-8")
    monkeypatch.setattr(definitions, "QUESTIONNAIRES_DIR", tmp_path)
    engine.clear_cache()
    yield folder
    engine.clear_cache()


@pytest.mark.usefixtures("revised")
def test_new_answers_go_to_the_current_version_and_a_retired_one_is_refused() -> None:
    assert engine.current_version("dma-handwerk") == 2
    assert engine.load_definition("dma-handwerk").version == 2
    assert engine.load_definition("dma-handwerk", 1).retired
    assert engine.check_answer_file(example()).version == 2
    data = example()
    data["version"] = 1
    assert problems(data) == ['version: version 1 of "dma-handwerk" is retired: answer version 2']
    # Answers stored earlier are read again against their own version.
    assert engine.check_answer_file(data, allow_retired=True).version == 1


def test_a_questionnaire_with_every_version_retired_takes_no_answers(revised: Path) -> None:
    (revised / "v2.json").unlink()
    engine.clear_cache()
    assert engine.current_version("dma-handwerk") is None
    with pytest.raises(engine.UnknownQuestionnaire):
        engine.load_definition("dma-handwerk")
    assert problems(example()) == ['questionnaire: every version of "dma-handwerk" is retired']
