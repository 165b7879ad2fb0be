"""The check's forms: questions rendered from the definition, posted fields read back into answers.

Field names: a tick list ``a-<question>`` (the ticked item numbers, the exclusive item's number
too); an item of an invest grid, a scale or yes/partly/no ``a-<question>-<item>``; single choice
``a-<question>``; the relevance of a dimension ``r-<dimension>``. ``read_section`` turns a POST into
the service's ``{"answers": …, "relevance": …}`` for one section (an unanswered grid is ``None``:
removed from the draft; a tick list with nothing ticked is ``[]``, an answer). The engine's checks
name the question and the item; ``problems_by_field`` puts each next to its question or item.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.core.validators import MaxValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reallabor.assessment import engine
from reallabor.assessment.engine import Question, Section
from reallabor.assessment.services import MAX_DISTRICT_LENGTH, MIN_FOUNDING_YEAR
from reallabor.organisations.models import Organisation
from reallabor.taxonomy.models import TRADES_FAMILY, Term

RELEVANCE_CHOICES = tuple(range(engine.RELEVANCE_MIN, engine.RELEVANCE_MAX + 1))


@dataclass
class Option:
    value: str
    label: str
    checked: bool
    id: str


@dataclass
class ItemRow:
    number: str
    label: str
    name: str
    options: list[Option]
    errors: list[str] = field(default_factory=list)


@dataclass
class QuestionView:
    question: Question
    name: str
    kind: str
    options: list[Option] = field(default_factory=list)  # tick list, single choice
    exclusive: Option | None = None
    rows: list[ItemRow] = field(default_factory=list)  # grids, scales, yes/partly/no
    errors: list[str] = field(default_factory=list)


@dataclass
class RelevanceView:
    name: str
    question: str
    options: list[Option]
    errors: list[str] = field(default_factory=list)


@dataclass
class SectionView:
    section: Section
    questions: list[QuestionView]
    relevance: RelevanceView | None


def _level_choices(question: Question) -> list[tuple[str, str]]:
    if question.type == engine.INVEST_GRID:
        return [(key, str(label)) for key, label in engine.INVEST_CHOICES.items()]
    if question.type == engine.YES_PARTLY_NO:
        return [(key, str(label)) for key, label in engine.YES_PARTLY_NO_CHOICES.items()]
    return [(str(level), f"{level} {label}") for level, label in engine.SCALE_LEVELS.items()]


def _items(value: Any) -> set[str]:
    if isinstance(value, list):
        return {str(item) for item in value}
    if value is None or value == "":
        return set()
    return {str(value)}


def section_view(
    section: Section,
    answers: Mapping[str, Any],
    relevance: Mapping[str, Any] | None,
    errors: Mapping[str, list[str]] | None = None,
) -> SectionView:
    """The section's questions with the given answers checked and the errors next to their fields."""
    errors = errors or {}
    questions = []
    for question in section.questions:
        name = f"a-{question.id}"
        value = answers.get(question.id)
        view = QuestionView(
            question=question, name=name, kind=question.type, errors=list(errors.get(name, []))
        )
        if question.type in (engine.TICK_LIST, engine.SINGLE_CHOICE):
            chosen = _items(value)
            view.options = [
                Option(str(number), str(label), str(number) in chosen, f"id_{name}_{number}")
                for number, label in enumerate(question.items, start=1)
            ]
            if question.exclusive is not None:
                exclusive = str(len(question.items) + 1)
                view.exclusive = Option(
                    exclusive, str(question.exclusive), exclusive in chosen, f"id_{name}_{exclusive}"
                )
        elif question.type in (engine.INVEST_GRID, engine.SCALE, engine.YES_PARTLY_NO):
            given = value if isinstance(value, Mapping) else {}
            for number, label in enumerate(question.items, start=1):
                item_name = f"{name}-{number}"
                current = given.get(str(number))
                view.rows.append(
                    ItemRow(
                        number=str(number),
                        label=str(label),
                        name=item_name,
                        options=[
                            Option(
                                key,
                                text,
                                current is not None and str(current) == key,
                                f"id_{item_name}_{key}",
                            )
                            for key, text in _level_choices(question)
                        ],
                        errors=list(errors.get(item_name, [])),
                    )
                )
        else:
            view.options = [Option("", "" if value is None else str(value), False, f"id_{name}")]
        questions.append(view)
    relevance_view = None
    if section.relevance:
        name = f"r-{section.id}"
        current = (relevance or {}).get(section.id)
        relevance_view = RelevanceView(
            name=name,
            question=str(engine.RELEVANCE_QUESTION),
            options=[
                Option(
                    str(level),
                    f"{level} {engine.RELEVANCE_LABELS.get(level, '')}".strip(),
                    current is not None and str(current) == str(level),
                    f"id_{name}_{level}",
                )
                for level in RELEVANCE_CHOICES
            ],
            errors=list(errors.get(name, [])),
        )
    return SectionView(section=section, questions=questions, relevance=relevance_view)


def _number(text: str) -> Any:
    """A posted item number or level as a whole number; anything else stays text (the engine names it)."""
    text = text.strip()
    return int(text) if text.isdigit() and len(text) < 6 else text


def read_section(section: Section, post: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """The posted answers and relevance of one section (``None``: not answered)."""
    answers: dict[str, Any] = {}
    for question in section.questions:
        name = f"a-{question.id}"
        if question.type == engine.TICK_LIST:
            answers[question.id] = [_number(value) for value in post.getlist(name)]
        elif question.type in (engine.INVEST_GRID, engine.SCALE, engine.YES_PARTLY_NO):
            given: dict[str, Any] = {}
            for number in range(1, len(question.items) + 1):
                value = post.get(f"{name}-{number}")
                if value not in (None, ""):
                    given[str(number)] = _number(value) if question.type == engine.SCALE else value
            answers[question.id] = given or None
        elif question.type == engine.SINGLE_CHOICE:
            value = post.get(name)
            answers[question.id] = _number(value) if value else None
        elif question.type == engine.NUMBER:
            value = (post.get(name) or "").strip().replace(",", ".")
            try:
                answers[question.id] = (int(value) if question.integer else float(value)) if value else None
            except ValueError:
                answers[question.id] = value
        else:
            value = (post.get(name) or "").strip()
            answers[question.id] = value or None
    relevance: dict[str, Any] = {}
    if section.relevance:
        value = post.get(f"r-{section.id}")
        relevance[section.id] = _number(value) if value else None
    return answers, relevance


ITEM_FIELD_TYPES = frozenset({engine.INVEST_GRID, engine.SCALE, engine.YES_PARTLY_NO})


def problems_by_field(
    definition: engine.Definition, problems: Iterable[engine.Problem]
) -> dict[str, list[str]]:
    """The engine's problems under the form's field names (an item's own field when it has one)."""
    result: dict[str, list[str]] = {}
    for problem in problems:
        question = definition.questions.get(problem.question)
        if problem.question == "relevance":
            key = f"r-{problem.item}" if problem.item else "__all__"
        elif question is not None:
            item_field = problem.item and question.type in ITEM_FIELD_TYPES and problem.item.isdigit()
            key = f"a-{question.id}-{problem.item}" if item_field else f"a-{question.id}"
        elif problem.question and problem.question not in ("questionnaire", "version", "answers"):
            key = f"a-{problem.question}"
        else:
            key = "__all__"
        result.setdefault(key, []).append(str(problem))
    return result


def service_errors_by_field(errors: Mapping[str, list[str]]) -> dict[str, list[str]]:
    """A service's ``ValidationError`` keys (``answers.4a``, ``relevance.2``) as the form's names."""
    result: dict[str, list[str]] = {}
    for key, messages in errors.items():
        if key.startswith("answers."):
            name = f"a-{key.removeprefix('answers.')}"
        elif key.startswith("relevance."):
            name = f"r-{key.removeprefix('relevance.')}"
        else:
            name = "__all__"
        result.setdefault(name, []).extend(messages)
    return result


def check_section(
    definition: engine.Definition, answers: dict[str, Any], relevance: dict[str, Any]
) -> dict[str, list[str]]:
    """The engine's partial check of one section's posted answers (field name → messages)."""
    file = {
        "answers": {key: value for key, value in answers.items() if value is not None},
        "relevance": {key: value for key, value in relevance.items() if value is not None} or None,
    }
    try:
        engine.validate_answers(definition, file, partial=True)
    except engine.AnswerError as error:
        return problems_by_field(definition, error.problems)
    return {}


def trade_choices() -> list[tuple[str, str]]:
    terms = (
        Term.objects.filter(
            vocabulary__family=TRADES_FAMILY, vocabulary__retired_at__isnull=True, parent__isnull=False
        )
        .select_related("vocabulary")
        .order_by("name")
    )
    return [
        ("", str(_("— please choose —"))),
        *sorted(((term.code, str(term.label)) for term in terms), key=lambda pair: pair[1]),
    ]


class ContextForm(forms.Form):
    """The context data dma.md asks once per business (all optional)."""

    trade = forms.ChoiceField(label=_("Trade"), required=False, choices=())
    headcount_band = forms.ChoiceField(
        label=_("Number of employees"),
        required=False,
        choices=[("", _("— please choose —")), *Organisation.HeadcountBand.choices],
    )
    founding_year = forms.IntegerField(label=_("Founding year"), required=False, min_value=MIN_FOUNDING_YEAR)
    district = forms.CharField(label=_("District"), required=False, max_length=MAX_DISTRICT_LENGTH)
    benchmark_consent = forms.BooleanField(
        label=_("My answers may be used anonymously for the city's comparisons (benchmarks)."),
        required=False,
        help_text=_("Only groups of at least five businesses are shown; your business is never named."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        trade_field = self.fields["trade"]
        assert isinstance(trade_field, forms.ChoiceField)
        trade_field.choices = trade_choices()
        year_field = self.fields["founding_year"]
        assert isinstance(year_field, forms.IntegerField)
        year_field.max_value = timezone.now().year
        year_field.validators.append(MaxValueValidator(timezone.now().year))
        year_field.widget.attrs.update({"inputmode": "numeric", "max": timezone.now().year})

    def context_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "trade": data.get("trade") or None,
            "headcount_band": data.get("headcount_band") or "",
            "founding_year": data.get("founding_year"),
            "district": data.get("district") or "",
            "benchmark_consent": bool(data.get("benchmark_consent")),
        }


def context_initial(response: Any) -> dict[str, Any]:
    return {
        "trade": response.trade.code if response.trade_id else "",
        "headcount_band": response.headcount_band,
        "founding_year": response.founding_year,
        "district": response.district,
        "benchmark_consent": response.benchmark_consent,
    }
