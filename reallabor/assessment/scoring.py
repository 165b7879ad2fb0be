"""Scoring of the digital-maturity check (pure: no ORM), exactly as /work/shared/dma.md specifies.

Question score 0–10 by type (tick list, invest grid, scale 0–5, yes/partly/no; an exclusive item
ticked gives 0); dimension score = mean of its scored questions × 10; overall = mean of the dimensions;
band from the unrounded overall; gap = relevance ÷ 5 × 100 − dimension score, floored at 0, only with
relevance, largest first. Everything is computed exactly with ``Fraction``; ``round_half_up`` rounds
for display only (one decimal, half up: 47.25 → 47.3).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any, Final

from django.utils.functional import Promise
from django.utils.translation import pgettext_lazy

from reallabor.assessment.engine import (
    INVEST_GRID,
    SCALE,
    SCALE_MAX,
    TICK_LIST,
    YES_PARTLY_NO,
    Answers,
    Definition,
    Question,
)

DMA: Final = "dma"
QUESTION_MAX: Final = Fraction(10)
INVEST_POINTS: Final = {"nothing": Fraction(0), "planned": Fraction(1, 2), "invested": Fraction(1)}
YES_PARTLY_NO_POINTS: Final = {"yes": Fraction(1), "partly": Fraction(1, 2), "no": Fraction(0)}
RELEVANCE_FACTOR: Final = 20  # relevance ÷ 5 × 100


@dataclass(frozen=True)
class Band:
    key: str
    german: str  # the name dma.md gives (the CLI prints it whatever the language)
    label: Promise  # translated for display
    upper: int | None  # the highest score in the band (inclusive); None: no limit

    def __str__(self) -> str:
        return str(self.label)


BANDS: Final = (
    Band("einstieg", "Einstieg", pgettext_lazy("maturity band", "basic"), 25),
    Band("grundlagen", "Grundlagen", pgettext_lazy("maturity band", "average"), 50),
    Band("fortgeschritten", "Fortgeschritten", pgettext_lazy("maturity band", "moderately advanced"), 75),
    Band("vorreiter", "Vorreiter", pgettext_lazy("maturity band", "advanced"), None),
)


@dataclass(frozen=True)
class Dimension:
    id: str
    score: Fraction  # 0–100
    relevance: int | None = None
    gap: Fraction | None = None  # only with relevance


@dataclass(frozen=True)
class Result:
    dimensions: tuple[Dimension, ...]  # in the questionnaire's order
    overall: Fraction
    band: Band
    question_scores: dict[str, Fraction]  # 0–10 per scored question

    @property
    def has_gaps(self) -> bool:
        return any(dimension.gap is not None for dimension in self.dimensions)

    @property
    def gaps(self) -> tuple[Dimension, ...]:
        """The dimensions with relevance, largest gap first (equal gaps in the questionnaire's order)."""
        with_gap = [dimension for dimension in self.dimensions if dimension.gap is not None]
        return tuple(sorted(with_gap, key=lambda dimension: -(dimension.gap or 0)))

    def to_json(self) -> dict[str, Any]:
        """The result as ``reallabor check-score`` prints it: scores rounded to one decimal, the band's
        German name, and ``gaps`` (largest first) only when relevance was given."""
        data: dict[str, Any] = {
            "dimensions": {dimension.id: display(dimension.score) for dimension in self.dimensions},
            "overall": display(self.overall),
            "band": self.band.german,
        }
        if self.has_gaps:
            data["gaps"] = {dimension.id: display(dimension.gap or Fraction(0)) for dimension in self.gaps}
        return data


def round_half_up(value: Fraction, places: int = 1) -> Decimal:
    """``value`` rounded to ``places`` decimals, halves away from zero (47.25 → 47.3, 0.05 → 0.1)."""
    scale = 10**places
    magnitude = abs(value) * scale + Fraction(1, 2)
    rounded = Decimal(magnitude.numerator // magnitude.denominator).scaleb(-places)
    return -rounded if value < 0 else rounded


def display(value: Fraction) -> float:
    """A score for JSON output: rounded half up to one decimal (46 → 46.0)."""
    return float(round_half_up(value))


def band_for(score: Fraction) -> Band:
    """The band of an unrounded score: ≤ 25 Einstieg, ≤ 50 Grundlagen, ≤ 75 Fortgeschritten, else Vorreiter."""
    for band in BANDS:
        if band.upper is None or score <= band.upper:
            return band
    raise AssertionError("unreachable: the last band has no limit")


def question_score(question: Question, value: Any) -> Fraction:
    """The score 0–10 of one checked answer (``Answers.values[question.id]``)."""
    if question.type == TICK_LIST:
        ticked: list[int] = value
        if question.exclusive_number is not None and question.exclusive_number in ticked:
            return Fraction(0)
        return Fraction(len(ticked), len(question.items)) * QUESTION_MAX
    if question.type == INVEST_GRID:
        points = sum((INVEST_POINTS[choice] for choice in value.values()), Fraction(0))
        return points / len(question.items) * QUESTION_MAX
    if question.type == SCALE:
        return Fraction(sum(value.values()), SCALE_MAX * len(question.items)) * QUESTION_MAX
    if question.type == YES_PARTLY_NO:
        points = sum((YES_PARTLY_NO_POINTS[choice] for choice in value.values()), Fraction(0))
        return points / len(question.items) * QUESTION_MAX
    raise ValueError(f"questions of type {question.type!r} carry no score")


def score(definition: Definition, answers: Answers) -> Result:
    """The DMA result of checked answers (``engine.validate_answers``) to a DMA definition."""
    if definition.scoring != DMA:
        raise ValueError(f"{definition.slug} v{definition.version} is not scored as a DMA")
    if (answers.questionnaire, answers.version) != (definition.slug, definition.version):
        raise ValueError(
            f"answers to {answers.questionnaire} v{answers.version} scored against "
            f"{definition.slug} v{definition.version}"
        )
    question_scores: dict[str, Fraction] = {}
    dimensions: list[Dimension] = []
    for section in definition.sections:
        scores = []
        for question in section.questions:
            if question.scored:
                question_scores[question.id] = question_score(question, answers.values[question.id])
                scores.append(question_scores[question.id])
        dimension_score = sum(scores, Fraction(0)) / len(scores) * 10
        relevance = answers.relevance.get(section.id) if answers.relevance is not None else None
        gap = None
        if relevance is not None:
            gap = max(Fraction(relevance * RELEVANCE_FACTOR) - dimension_score, Fraction(0))
        dimensions.append(Dimension(id=section.id, score=dimension_score, relevance=relevance, gap=gap))
    overall = sum((dimension.score for dimension in dimensions), Fraction(0)) / len(dimensions)
    return Result(
        dimensions=tuple(dimensions), overall=overall, band=band_for(overall), question_scores=question_scores
    )
