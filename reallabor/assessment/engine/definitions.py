"""Questionnaire definitions (pure: no ORM): versioned data files ``questionnaires/<slug>/v<N>.json``.

``load_definition(slug, version)`` reads and checks a definition once per process; a broken file
raises ``DefinitionError`` listing every problem under its path (``sections[3].questions[0].type:
unknown type …``). The format is described in docs/assessment.md.
"""

from __future__ import annotations

import functools
import json
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from django.utils.translation import get_language, gettext_lazy, pgettext_lazy
from django.utils.translation import gettext as _

QUESTIONNAIRES_DIR = Path(__file__).resolve().parent.parent / "questionnaires"
SLUG_PATTERN: Final = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
VERSION_FILE_PATTERN: Final = re.compile(r"^v([1-9][0-9]*)\.json$")
LANGUAGES: Final = ("de", "en")

TICK_LIST: Final = "tick_list"
INVEST_GRID: Final = "invest_grid"
SCALE: Final = "scale"
YES_PARTLY_NO: Final = "yes_partly_no"
SINGLE_CHOICE: Final = "single_choice"
NUMBER: Final = "number"
FREE_TEXT: Final = "free_text"
QUESTION_TYPES: Final = (TICK_LIST, INVEST_GRID, SCALE, YES_PARTLY_NO, SINGLE_CHOICE, NUMBER, FREE_TEXT)
SCORED_TYPES: Final = frozenset({TICK_LIST, INVEST_GRID, SCALE, YES_PARTLY_NO})
TYPES_WITH_ITEMS: Final = frozenset({TICK_LIST, INVEST_GRID, SCALE, YES_PARTLY_NO, SINGLE_CHOICE})
SCORINGS: Final = ("dma",)

# The answers of the engine's own types, in order; their labels are translated by the application.
INVEST_CHOICES: Final = {
    "nothing": pgettext_lazy("investment", "nothing"),
    "planned": pgettext_lazy("investment", "planned"),
    "invested": pgettext_lazy("investment", "invested"),
}
YES_PARTLY_NO_CHOICES: Final = {
    "yes": gettext_lazy("yes"),
    "partly": gettext_lazy("partly"),
    "no": gettext_lazy("no"),
}
SCALE_MIN: Final = 0
SCALE_MAX: Final = 5
SCALE_LEVELS: Final = {
    0: pgettext_lazy("technology level", "not used"),
    1: pgettext_lazy("technology level", "considering"),
    2: pgettext_lazy("technology level", "prototyping"),
    3: pgettext_lazy("technology level", "testing"),
    4: pgettext_lazy("technology level", "implementing"),
    5: pgettext_lazy("technology level", "in operation"),
}
RELEVANCE_MIN: Final = 1
RELEVANCE_MAX: Final = 5
RELEVANCE_QUESTION: Final = gettext_lazy("How relevant is this area for your work?")
RELEVANCE_LABELS: Final = {1: pgettext_lazy("relevance", "hardly"), 5: pgettext_lazy("relevance", "very")}
MAX_TEXT_LENGTH: Final = 5000


# --- definitions -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Text:
    """A user-facing text in German and English; ``str()`` gives the active language's (German default)."""

    de: str
    en: str

    def get(self, language: str | None = None) -> str:
        code = (language or get_language() or "de").split("-")[0].lower()
        return self.en if code == "en" else self.de

    def __str__(self) -> str:
        return self.get()


@dataclass(frozen=True)
class Question:
    id: str
    type: str
    text: Text
    items: tuple[Text, ...] = ()
    exclusive: Text | None = None  # tick lists only: numbered after the items, not counted among them
    required: bool = True
    minimum: int | float | None = None  # numbers only
    maximum: int | float | None = None
    integer: bool = False  # numbers only: whole numbers
    max_length: int = MAX_TEXT_LENGTH  # free text only

    @property
    def scored(self) -> bool:
        return self.type in SCORED_TYPES

    @property
    def item_numbers(self) -> tuple[str, ...]:
        """The counted items' numbers, "1" … "n" (the exclusive item is not among them)."""
        return tuple(str(number) for number in range(1, len(self.items) + 1))

    @property
    def exclusive_number(self) -> int | None:
        return len(self.items) + 1 if self.exclusive is not None else None

    def item_text(self, number: int | str) -> Text:
        index = int(number) - 1
        if index == len(self.items) and self.exclusive is not None:
            return self.exclusive
        if not 0 <= index < len(self.items):
            raise KeyError(number)
        return self.items[index]


@dataclass(frozen=True)
class Section:
    id: str
    title: Text
    questions: tuple[Question, ...]
    relevance: bool = False  # the respondent also says how relevant the section is (1–5)
    description: Text | None = None


@dataclass(frozen=True)
class Definition:
    slug: str
    version: int
    title: Text
    sections: tuple[Section, ...]
    scoring: str | None = None  # "dma" or None (not scored)
    retired: bool = False  # kept to show old results; new answers to it are refused
    description: Text | None = None

    @functools.cached_property
    def questions(self) -> dict[str, Question]:
        return {question.id: question for section in self.sections for question in section.questions}

    @functools.cached_property
    def relevance_sections(self) -> tuple[str, ...]:
        return tuple(section.id for section in self.sections if section.relevance)

    def __hash__(self) -> int:
        return hash((self.slug, self.version))


class DefinitionError(Exception):
    """A definition file that cannot be used; ``problems`` names each place (for the developer)."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        super().__init__(f"{source}: " + "; ".join(problems))


class UnknownQuestionnaire(LookupError):
    pass


class _DefinitionReader:
    """Builds a ``Definition`` from parsed JSON, collecting every problem under a path."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def problem(self, path: str, message: str) -> None:
        self.problems.append(f"{path}: {message}")

    def keys(
        self, path: str, data: Mapping[str, Any], required: Iterable[str], optional: Iterable[str]
    ) -> None:
        required = tuple(required)
        allowed = set(required) | set(optional)
        for key in data:
            if key not in allowed:
                self.problem(f"{path}.{key}" if path else key, "unknown key")
        for key in required:
            if key not in data:
                self.problem(f"{path}.{key}" if path else key, "missing")

    def text(self, path: str, value: Any) -> Text | None:
        if not isinstance(value, dict):
            self.problem(path, 'expected {"de": …, "en": …}')
            return None
        self.keys(path, value, LANGUAGES, ())
        texts = {}
        for language in LANGUAGES:
            text = value.get(language)
            if language in value and (not isinstance(text, str) or not text.strip()):
                self.problem(f"{path}.{language}", "expected a non-empty string")
            texts[language] = text if isinstance(text, str) else ""
        return Text(de=texts["de"], en=texts["en"])

    def number(self, path: str, value: Any) -> int | float | None:
        if not _is_number(value):
            self.problem(path, "expected a number")
            return None
        return value

    def definition(self, data: Any, source: str) -> Definition | None:
        if not isinstance(data, dict):
            self.problem(source, "expected a JSON object")
            return None
        self.keys("", data, ("slug", "version", "title", "sections"), ("scoring", "description", "retired"))
        slug: Any = data.get("slug")
        if "slug" in data and (not isinstance(slug, str) or not SLUG_PATTERN.match(slug)):
            self.problem("slug", "expected lower-case letters, digits and hyphens")
        version: Any = data.get("version")
        if "version" in data and (not _is_int(version) or version < 1):
            self.problem("version", "expected a whole number ≥ 1")
        retired = data.get("retired", False)
        if not isinstance(retired, bool):
            self.problem("retired", "expected true or false")
        scoring = data.get("scoring")
        if scoring is not None and scoring not in SCORINGS:
            self.problem("scoring", f"unknown scoring {_show(scoring)} (known: {', '.join(SCORINGS)})")
        title = self.text("title", data.get("title")) if "title" in data else None
        description = self.text("description", data["description"]) if "description" in data else None
        sections_data = data.get("sections")
        sections: list[Section] = []
        if "sections" in data and (not isinstance(sections_data, list) or not sections_data):
            self.problem("sections", "expected a non-empty list")
        elif isinstance(sections_data, list):
            section_ids: set[str] = set()
            question_ids: set[str] = set()
            for index, section_data in enumerate(sections_data):
                section = self.section(f"sections[{index}]", section_data, section_ids, question_ids)
                if section is not None:
                    sections.append(section)
                    if scoring == "dma" and not any(question.scored for question in section.questions):
                        self.problem(f"sections[{index}]", "a dimension needs at least one scored question")
        if self.problems or title is None:
            return None
        return Definition(
            slug=slug,
            version=version,
            title=title,
            sections=tuple(sections),
            scoring=scoring,
            retired=retired is True,
            description=description,
        )

    def section(self, path: str, data: Any, section_ids: set[str], question_ids: set[str]) -> Section | None:
        if not isinstance(data, dict):
            self.problem(path, "expected an object")
            return None
        self.keys(path, data, ("id", "title", "questions"), ("relevance", "description"))
        section_id: Any = data.get("id")
        if "id" in data:
            if not _is_identifier(section_id):
                self.problem(f"{path}.id", "expected letters, digits, hyphens or underscores")
            elif section_id in section_ids:
                self.problem(f"{path}.id", f"duplicate section id {_show(section_id)}")
            else:
                section_ids.add(section_id)
        relevance = data.get("relevance", False)
        if not isinstance(relevance, bool):
            self.problem(f"{path}.relevance", "expected true or false")
        title = self.text(f"{path}.title", data.get("title")) if "title" in data else None
        description = self.text(f"{path}.description", data["description"]) if "description" in data else None
        questions_data = data.get("questions")
        questions: list[Question] = []
        if "questions" in data and (not isinstance(questions_data, list) or not questions_data):
            self.problem(f"{path}.questions", "expected a non-empty list")
        elif isinstance(questions_data, list):
            for index, question_data in enumerate(questions_data):
                question = self.question(f"{path}.questions[{index}]", question_data, question_ids)
                if question is not None:
                    questions.append(question)
        if title is None:
            return None
        return Section(
            id=str(section_id),
            title=title,
            questions=tuple(questions),
            relevance=relevance is True,
            description=description,
        )

    def question(self, path: str, data: Any, question_ids: set[str]) -> Question | None:
        if not isinstance(data, dict):
            self.problem(path, "expected an object")
            return None
        kind = data.get("type")
        optional = {"required"}
        if kind in TYPES_WITH_ITEMS:
            optional |= {"items"} | ({"exclusive"} if kind == TICK_LIST else set())
        elif kind == NUMBER:
            optional |= {"min", "max", "integer"}
        elif kind == FREE_TEXT:
            optional |= {"max_length"}
        elif kind not in QUESTION_TYPES:  # the type is reported; its keys cannot be judged
            optional |= {"items", "exclusive", "min", "max", "integer", "max_length"}
        self.keys(
            path, data, ("id", "type", "text", *(("items",) if kind in TYPES_WITH_ITEMS else ())), optional
        )
        if "type" in data and kind not in QUESTION_TYPES:
            self.problem(f"{path}.type", f"unknown type {_show(kind)} (known: {', '.join(QUESTION_TYPES)})")
        question_id: Any = data.get("id")
        if "id" in data:
            if not _is_identifier(question_id):
                self.problem(f"{path}.id", "expected letters, digits, hyphens or underscores")
            elif question_id in question_ids:
                self.problem(f"{path}.id", f"duplicate question id {_show(question_id)}")
            else:
                question_ids.add(question_id)
        text = self.text(f"{path}.text", data.get("text")) if "text" in data else None
        required = data.get("required", True)
        if not isinstance(required, bool):
            self.problem(f"{path}.required", "expected true or false")
        if kind in SCORED_TYPES and required is not True:
            self.problem(f"{path}.required", "a scored question is always required")
        items: list[Text] = []
        if kind in TYPES_WITH_ITEMS and "items" in data:
            items_data = data["items"]
            if not isinstance(items_data, list) or not items_data:
                self.problem(f"{path}.items", "expected a non-empty list")
            else:
                for index, item in enumerate(items_data):
                    item_text = self.text(f"{path}.items[{index}]", item)
                    if item_text is not None:
                        items.append(item_text)
        exclusive = self.text(f"{path}.exclusive", data["exclusive"]) if "exclusive" in data else None
        minimum = maximum = None
        integer = False
        max_length = MAX_TEXT_LENGTH
        if kind == NUMBER:
            for key in ("min", "max"):
                if key not in data:
                    self.problem(f"{path}.{key}", "missing")
            minimum = self.number(f"{path}.min", data["min"]) if "min" in data else None
            maximum = self.number(f"{path}.max", data["max"]) if "max" in data else None
            if minimum is not None and maximum is not None and minimum > maximum:
                self.problem(f"{path}.max", "must not be less than min")
            integer = data.get("integer", False)
            if not isinstance(integer, bool):
                self.problem(f"{path}.integer", "expected true or false")
        if kind == FREE_TEXT and "max_length" in data:
            max_length = data["max_length"]
            if not _is_int(max_length) or max_length < 1:
                self.problem(f"{path}.max_length", "expected a whole number ≥ 1")
        if text is None or kind not in QUESTION_TYPES or not _is_identifier(question_id):
            return None
        return Question(
            id=question_id,
            type=kind,
            text=text,
            items=tuple(items),
            exclusive=exclusive,
            required=required is True,
            minimum=minimum,
            maximum=maximum,
            integer=integer is True,
            max_length=max_length if _is_int(max_length) else MAX_TEXT_LENGTH,
        )


def parse_definition(data: Any, *, source: str = "definition") -> Definition:
    """A ``Definition`` from parsed JSON, or ``DefinitionError`` naming every problem."""
    reader = _DefinitionReader()
    definition = reader.definition(data, source)
    if definition is None or reader.problems:
        raise DefinitionError(source, reader.problems or ["not a definition"])
    return definition


def load_definition_file(path: Path) -> Definition:
    """Read and check one definition file; its slug and version must match its place (``<slug>/v<N>.json``)."""
    source = str(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"), parse_constant=_refuse_constant)
    except OSError as error:
        raise DefinitionError(source, [f"cannot be read ({error.strerror})"]) from None
    except (ValueError, UnicodeDecodeError) as error:
        raise DefinitionError(source, [f"not valid JSON ({error})"]) from None
    definition = parse_definition(data, source=source)
    match = VERSION_FILE_PATTERN.match(path.name)
    problems = []
    if definition.slug != path.parent.name:
        problems.append(f"slug: {definition.slug!r} does not match the folder {path.parent.name!r}")
    if match is None or int(match.group(1)) != definition.version:
        problems.append(f"version: {definition.version} does not match the file name {path.name!r}")
    if problems:
        raise DefinitionError(source, problems)
    return definition


def questionnaires_dir() -> Path:
    """Where the definitions are read from (``QUESTIONNAIRES_DIR``; tests point it elsewhere)."""
    return QUESTIONNAIRES_DIR


@functools.cache
def _catalogue() -> dict[str, tuple[int, ...]]:
    """Slug → versions (oldest first) of the definition files, read once per process."""
    catalogue = {}
    for folder in sorted(questionnaires_dir().iterdir()):
        if folder.is_dir() and SLUG_PATTERN.match(folder.name):
            matches = (VERSION_FILE_PATTERN.match(path.name) for path in folder.iterdir())
            versions = tuple(sorted(int(match.group(1)) for match in matches if match))
            if versions:
                catalogue[folder.name] = versions
    return catalogue


def questionnaire_slugs() -> tuple[str, ...]:
    return tuple(_catalogue())


def questionnaire_versions(slug: str) -> tuple[int, ...]:
    """The versions of a questionnaire, oldest first; () for an unknown one."""
    return _catalogue().get(slug, ()) if isinstance(slug, str) else ()


def current_version(slug: str) -> int | None:
    """The version new answers go to: the latest that is not retired (None: none, or an unknown slug)."""
    for version in reversed(questionnaire_versions(slug)):
        if not _load_cached(slug, version).retired:
            return version
    return None


def load_definition(slug: str, version: int | None = None) -> Definition:
    """The definition of ``slug`` in ``version`` (default: the current one), read once per process.

    Raises ``UnknownQuestionnaire`` for an unknown slug or version (or no current version),
    ``DefinitionError`` for a broken file. A retired version given by number is returned (old results).
    """
    versions = questionnaire_versions(slug)
    if not versions:
        raise UnknownQuestionnaire(slug)
    if version is None:
        version = current_version(slug)
        if version is None:
            raise UnknownQuestionnaire(f"{slug}: every version is retired")
    if version not in versions:
        raise UnknownQuestionnaire(f"{slug} v{version}")
    return _load_cached(slug, version)


def clear_cache() -> None:
    """Forget the definitions read (after ``QUESTIONNAIRES_DIR`` changed: tests, a deployment in place)."""
    _catalogue.cache_clear()
    _load_cached.cache_clear()


@functools.cache
def _load_cached(slug: str, version: int) -> Definition:
    return load_definition_file(questionnaires_dir() / slug / f"v{version}.json")


# --- helpers ---------------------------------------------------------------------------------------


def _is_int(value: Any) -> bool:
    return type(value) is int  # not bool


def _is_number(value: Any) -> bool:
    return type(value) is int or (type(value) is float and math.isfinite(value))


def _is_identifier(value: Any) -> bool:
    return isinstance(value, str) and re.fullmatch(r"[A-Za-z0-9_-]+", value) is not None


def _show(value: Any, limit: int = 40) -> str:
    """A value as it was written in the file (JSON), shortened."""
    try:
        text = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError, RecursionError):
        text = f"<{type(value).__name__}>"
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _refuse_constant(name: str) -> Any:
    raise ValueError(_("%(name)s is not a number") % {"name": name})
