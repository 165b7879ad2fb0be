"""Answers checked against a questionnaire definition (pure: no ORM).

``read_answer_file(content)`` parses an answer file strictly; ``check_answer_file(data)`` finds the
definition it names and ``validate_answers(definition, data)`` returns a plain, canonical ``Answers``
object or raises ``AnswerError`` with every problem, each naming the question and item ("5a, item
3: 6 is out of range (0–5)"). Types are strict: a bool is not a number, ``"3"`` is not a level, a
tick list holds whole numbers only (not ``"3"``), each at most once.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from django.utils.translation import gettext as _

from reallabor.assessment.engine.definitions import (
    FREE_TEXT,
    INVEST_CHOICES,
    INVEST_GRID,
    NUMBER,
    RELEVANCE_MAX,
    RELEVANCE_MIN,
    SCALE,
    SCALE_MAX,
    SCALE_MIN,
    SINGLE_CHOICE,
    TICK_LIST,
    YES_PARTLY_NO,
    YES_PARTLY_NO_CHOICES,
    Definition,
    Question,
    _is_int,
    _is_number,
    _refuse_constant,
    _show,
    current_version,
    load_definition,
    questionnaire_slugs,
    questionnaire_versions,
)

ANSWER_FILE_KEYS: Final = ("questionnaire", "version", "answers", "relevance")


@dataclass(frozen=True)
class Problem:
    """One problem of an answer file: ``where`` is "5a", "5a, item 3", "relevance, dimension 2" or ""."""

    message: str
    question: str = ""  # a question id, or "questionnaire", "version", "answers", "relevance", a key
    item: str = ""  # the item (or dimension) number the problem is about, if any
    where: str = ""

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


class AnswerError(Exception):
    """Answers that cannot be used; ``problems`` lists all of them, in the order of the questionnaire."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(problem) for problem in problems))

    @property
    def messages(self) -> list[str]:
        return [str(problem) for problem in self.problems]


@dataclass(frozen=True)
class Answers:
    """Checked answers in canonical form: question id → value, in the questionnaire's order.

    Tick lists: the ticked item numbers, ascending (ints); invest grids, scales and yes/partly/no: an
    object of every item number ("1" …) in order; single choice: the chosen item number (int); number:
    int or float; free text: the string. ``to_dict()`` is the answer file again (JSON-ready).
    """

    questionnaire: str
    version: int
    values: dict[str, Any]
    relevance: dict[str, int] | None = None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "questionnaire": self.questionnaire,
            "version": self.version,
            "answers": json.loads(json.dumps(self.values)),
        }
        if self.relevance is not None:
            data["relevance"] = dict(self.relevance)
        return data


class _Problems:
    def __init__(self, *, partial: bool = False) -> None:
        self.problems: list[Problem] = []
        self.partial = partial  # a draft: missing answers, items and relevance levels are no problem

    def at(self, question: str, message: str, item: str = "") -> None:
        """A problem of the question as a whole (the message may name an item)."""
        self.problems.append(Problem(message=message, question=question, item=item, where=question))

    def at_item(self, question: str, item: str, message: str) -> None:
        """A problem of one item's value: "5a, item 3: …"."""
        where = _("%(question)s, item %(item)s") % {"question": question, "item": item}
        self.problems.append(Problem(message=message, question=question, item=item, where=where))

    def at_dimension(self, dimension: str, message: str) -> None:
        where = _("relevance, dimension %(dimension)s") % {"dimension": dimension}
        self.problems.append(Problem(message=message, question="relevance", item=dimension, where=where))


def read_answer_file(content: bytes | str) -> Any:
    """Parse an answer file's JSON strictly (UTF-8, a BOM allowed; no NaN/Infinity; no key twice)."""
    try:
        text = content.decode("utf-8-sig") if isinstance(content, bytes) else content
    except UnicodeDecodeError:
        raise AnswerError([Problem(message=_("The file is not UTF-8 text."))]) from None
    try:
        return json.loads(text, parse_constant=_refuse_constant, object_pairs_hook=_unique_keys)
    except json.JSONDecodeError as error:
        message = _("The file is not valid JSON (line %(line)s, column %(column)s: %(error)s).") % {
            "line": error.lineno,
            "column": error.colno,
            "error": error.msg,
        }
        raise AnswerError([Problem(message=message)]) from None
    except RecursionError:
        raise AnswerError([Problem(message=_("The file is nested too deeply."))]) from None
    except ValueError as error:
        raise AnswerError(
            [Problem(message=_("The file is not valid JSON: %(error)s.") % {"error": error})]
        ) from None


def check_answer_file(data: Any, *, allow_retired: bool = False) -> Answers:
    """The answers of a parsed answer file, checked against the questionnaire and version it names.

    Without ``version`` the current version applies. A retired version is refused unless
    ``allow_retired`` (re-reading answers stored earlier).
    """
    if not isinstance(data, dict):
        raise AnswerError([Problem(message=_file_shape_message(data))])
    problems = _Problems()
    slug = data.get("questionnaire")
    version = data.get("version")
    if "questionnaire" not in data:
        problems.at(
            "questionnaire",
            _("missing (the questionnaire's name, e.g. %(example)s)") % {"example": '"dma-handwerk"'},
        )
    elif not isinstance(slug, str) or not questionnaire_versions(slug):
        known = ", ".join(questionnaire_slugs())
        problems.at(
            "questionnaire",
            _("unknown questionnaire %(name)s (known: %(known)s)") % {"name": _show(slug), "known": known},
        )
    elif version is not None and (not _is_int(version) or version not in questionnaire_versions(slug)):
        message = _("the questionnaire %(name)s has no version %(version)s (versions: %(versions)s)") % {
            "name": _show(slug),
            "version": _show(version),
            "versions": ", ".join(str(number) for number in questionnaire_versions(slug)),
        }
        problems.at("version", message)
    elif version is None and current_version(slug) is None:
        problems.at("questionnaire", _("every version of %(name)s is retired") % {"name": _show(slug)})
    elif version is not None and not allow_retired and load_definition(slug, version).retired:
        message = _("version %(version)s of %(name)s is retired: answer version %(current)s")
        current = current_version(slug)
        problems.at("version", message % {"version": version, "name": _show(slug), "current": current or "–"})
    if problems.problems:
        _check_keys(data, problems)
        raise AnswerError(problems.problems)
    assert isinstance(slug, str)
    return validate_answers(load_definition(slug, version), data)


def validate_answers(definition: Definition, data: Any, *, partial: bool = False) -> Answers:
    """Check ``data`` (an answer file's object: ``answers``, optional ``relevance``; ``questionnaire`` and
    ``version`` when present must name ``definition``) and return the canonical ``Answers``.

    Raises ``AnswerError`` listing every problem: top-level keys first, then the questions in the
    questionnaire's order (then unknown questions in the file's order), then the relevance.

    ``partial=True`` checks a draft: what is there must be valid, but questions, items of invest
    grids, scales and yes/partly/no, and relevance levels may be missing (``Answers.values`` then
    holds only the answered questions and items; such answers cannot be scored).
    """
    if not isinstance(data, dict):
        raise AnswerError([Problem(message=_file_shape_message(data))])
    problems = _Problems(partial=partial)
    _check_keys(data, problems)
    if "questionnaire" in data and data["questionnaire"] != definition.slug:
        problems.at(
            "questionnaire",
            _("expected %(name)s, not %(value)s")
            % {"name": _show(definition.slug), "value": _show(data["questionnaire"])},
        )
    if data.get("version") is not None and not (
        _is_int(data["version"]) and data["version"] == definition.version
    ):
        problems.at(
            "version",
            _("expected %(version)s, not %(value)s")
            % {"version": definition.version, "value": _show(data["version"])},
        )
    values: dict[str, Any] = {}
    answers = data.get("answers")
    if "answers" not in data:
        problems.at("answers", _("missing (an object of question ids and answers)"))
    elif not isinstance(answers, dict):
        problems.at(
            "answers",
            _("expected an object of question ids and answers, not %(value)s") % {"value": _show(answers)},
        )
    else:
        for question in definition.questions.values():
            if question.id not in answers:
                if question.required and not partial:
                    problems.at(question.id, _("the answer is missing"))
                continue
            value = _CHECKS[question.type](question, answers[question.id], problems)
            if value is not None:
                values[question.id] = value
        for key in answers:
            if key not in definition.questions:
                problems.at(_key(key), _("the question is unknown"))
    relevance = _check_relevance(definition, data.get("relevance"), problems)
    if problems.problems:
        raise AnswerError(problems.problems)
    return Answers(
        questionnaire=definition.slug, version=definition.version, values=values, relevance=relevance
    )


def _check_keys(data: dict[str, Any], problems: _Problems) -> None:
    for key in data:
        if key not in ANSWER_FILE_KEYS:
            problems.at(
                _key(key), _("unknown key (allowed: %(keys)s)") % {"keys": ", ".join(ANSWER_FILE_KEYS)}
            )


def _check_tick_list(question: Question, value: Any, problems: _Problems) -> list[int] | None:
    if not isinstance(value, list):
        problems.at(
            question.id,
            _("expected a list of the ticked item numbers such as [1, 3], not %(value)s")
            % {"value": _show(value)},
        )
        return None
    ticked: set[int] = set()
    valid = set(range(1, len(question.items) + 1))
    if question.exclusive_number is not None:
        valid.add(question.exclusive_number)
    ok = True
    for entry in value:
        if not _is_int(entry):
            problems.at(
                question.id,
                _("%(value)s is not an item number (a whole number such as 3)") % {"value": _show(entry)},
            )
            ok = False
        elif entry not in valid:
            problems.at(question.id, _("item %(item)s is unknown") % {"item": entry}, item=str(entry))
            ok = False
        elif entry in ticked:
            problems.at(question.id, _("item %(item)s is ticked twice") % {"item": entry}, item=str(entry))
            ok = False
        else:
            ticked.add(entry)
    exclusive = question.exclusive_number
    if exclusive is not None and exclusive in ticked and len(ticked) > 1:
        message = _("item %(item)s (exclusive) cannot be ticked together with other items") % {
            "item": exclusive
        }
        problems.at(question.id, message, item=str(exclusive))
        ok = False
    return sorted(ticked) if ok else None


def _check_items(
    question: Question, value: Any, problems: _Problems, check: Any, example: str
) -> dict[str, Any] | None:
    """An object with one entry per item ("1" … "n"); ``check(question, item, entry, problems)`` → ok."""
    if not isinstance(value, dict):
        message = _("expected an object with an answer for each item such as %(example)s, not %(value)s")
        problems.at(question.id, message % {"example": example, "value": _show(value)})
        return None
    ok = True
    for number in question.item_numbers:
        if number not in value:
            if not problems.partial:
                problems.at(question.id, _("item %(item)s is missing") % {"item": number}, item=number)
                ok = False
        elif not check(question, number, value[number], problems):
            ok = False
    for key in value:
        if key not in question.item_numbers:
            problems.at(question.id, _("item %(item)s is unknown") % {"item": _key(key)}, item=_key(key))
            ok = False
    return {number: value[number] for number in question.item_numbers if number in value} if ok else None


def _check_choice(choices: Mapping[str, Any]) -> Any:
    def check(question: Question, item: str, entry: Any, problems: _Problems) -> bool:
        if isinstance(entry, str) and entry in choices:
            return True
        message = _("%(value)s is not one of %(choices)s") % {
            "value": _show(entry),
            "choices": ", ".join(choices),
        }
        problems.at_item(question.id, item, message)
        return False

    return check


def _check_level(question: Question, item: str, entry: Any, problems: _Problems) -> bool:
    return _check_whole_number(
        entry, SCALE_MIN, SCALE_MAX, lambda message: problems.at_item(question.id, item, message)
    )


def _check_whole_number(value: Any, minimum: int, maximum: int, report: Any) -> bool:
    if not _is_int(value):
        report(
            _("%(value)s is not a level (a whole number %(min)s–%(max)s)")
            % {"value": _show(value), "min": minimum, "max": maximum}
        )
        return False
    if not minimum <= value <= maximum:
        report(
            _("%(value)s is out of range (%(min)s–%(max)s)")
            % {"value": value, "min": minimum, "max": maximum}
        )
        return False
    return True


def _check_invest_grid(question: Question, value: Any, problems: _Problems) -> dict[str, Any] | None:
    return _check_items(
        question, value, problems, _check_choice(INVEST_CHOICES), '{"1": "invested", "2": "planned", …}'
    )


def _check_scale(question: Question, value: Any, problems: _Problems) -> dict[str, Any] | None:
    return _check_items(question, value, problems, _check_level, '{"1": 0, "2": 3, …}')


def _check_yes_partly_no(question: Question, value: Any, problems: _Problems) -> dict[str, Any] | None:
    return _check_items(
        question, value, problems, _check_choice(YES_PARTLY_NO_CHOICES), '{"1": "yes", "2": "partly", …}'
    )


def _check_single_choice(question: Question, value: Any, problems: _Problems) -> int | None:
    if not _is_int(value):
        problems.at(
            question.id,
            _("%(value)s is not an item number (a whole number such as 3)") % {"value": _show(value)},
        )
        return None
    if not 1 <= value <= len(question.items):
        problems.at(question.id, _("item %(item)s is unknown") % {"item": value}, item=str(value))
        return None
    return int(value)


def _check_number(question: Question, value: Any, problems: _Problems) -> int | float | None:
    if question.integer and not _is_int(value):
        problems.at(question.id, _("%(value)s is not a whole number") % {"value": _show(value)})
        return None
    if not _is_number(value):
        problems.at(question.id, _("%(value)s is not a number") % {"value": _show(value)})
        return None
    assert question.minimum is not None and question.maximum is not None
    if not question.minimum <= value <= question.maximum:
        message = _("%(value)s is out of range (%(min)s–%(max)s)")
        problems.at(question.id, message % {"value": value, "min": question.minimum, "max": question.maximum})
        return None
    return value


def _check_free_text(question: Question, value: Any, problems: _Problems) -> str | None:
    if not isinstance(value, str):
        problems.at(question.id, _("expected a text, not %(value)s") % {"value": _show(value)})
        return None
    if question.required and not value.strip():
        problems.at(question.id, _("the answer is empty"))
        return None
    if len(value) > question.max_length:
        message = _("the text has %(length)s characters, at most %(max)s are allowed")
        problems.at(question.id, message % {"length": len(value), "max": question.max_length})
        return None
    return value


_CHECKS: Final[dict[str, Any]] = {
    TICK_LIST: _check_tick_list,
    INVEST_GRID: _check_invest_grid,
    SCALE: _check_scale,
    YES_PARTLY_NO: _check_yes_partly_no,
    SINGLE_CHOICE: _check_single_choice,
    NUMBER: _check_number,
    FREE_TEXT: _check_free_text,
}


def _check_relevance(definition: Definition, value: Any, problems: _Problems) -> dict[str, int] | None:
    """``None`` (or absent): no relevance; otherwise a level 1–5 for every section that asks for it."""
    if value is None:
        return None
    dimensions = definition.relevance_sections
    if not dimensions:
        problems.at("relevance", _("this questionnaire does not ask for relevance"))
        return None
    if not isinstance(value, dict):
        message = _(
            "expected an object with a level %(min)s–%(max)s for each dimension such as %(example)s, not %(value)s"
        )
        problems.at(
            "relevance",
            message
            % {
                "min": RELEVANCE_MIN,
                "max": RELEVANCE_MAX,
                "example": '{"1": 4, "2": 5, …}',
                "value": _show(value),
            },
        )
        return None
    ok = True
    for dimension in dimensions:
        if dimension not in value and problems.partial:
            continue
        if dimension not in value:
            problems.at(
                "relevance",
                _("dimension %(dimension)s is missing") % {"dimension": dimension},
                item=dimension,
            )
            ok = False
        elif not _check_whole_number(
            value[dimension],
            RELEVANCE_MIN,
            RELEVANCE_MAX,
            lambda message, d=dimension: problems.at_dimension(d, message),
        ):
            ok = False
    for key in value:
        if key not in dimensions:
            problems.at(
                "relevance",
                _("dimension %(dimension)s is unknown") % {"dimension": _key(key)},
                item=_key(key),
            )
            ok = False
    return {dimension: value[dimension] for dimension in dimensions if dimension in value} if ok else None


def _file_shape_message(data: Any) -> str:
    return _('The answers must be one JSON object with "questionnaire" and "answers", not %(value)s.') % {
        "value": _show(data)
    }


def _key(key: str, limit: int = 40) -> str:
    """A key of the file (a question id, an item number) as named in a message, shortened."""
    return key if len(key) <= limit else key[: limit - 1] + "…"


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for key, value in pairs:
        if key in data:
            raise ValueError(_("the key %(key)s appears twice in one object") % {"key": _show(key)})
        data[key] = value
    return data
