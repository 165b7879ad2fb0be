"""The portfolio report as plain data, and the pure computations on it.

``selectors.build_report`` loads a ``Report`` from the database; everything here works on that
plain data only (no ORM): the overview table and its two split views as in the seed documents,
and the series of the SDG and megatrend charts. The renderers (HTML/PDF, Markdown, .docx) take a
``Report`` and these results and never query the database.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.formats import number_format

from reallabor.taxonomy.weights import tag_weight

SDG_KIND = "sdg"
MEGATREND_KIND = "megatrend"


@dataclass(frozen=True, slots=True)
class ReportTag:
    """A measure's tag. ``display`` as in the seed: SDG 8 »Menschenwürdige Arbeit …«, MT »Digitalisierung« (note)."""

    kind: str  # the vocabulary's kind: "sdg", "megatrend", "strategy", …
    code: str
    label: str  # the term's label (the city's own wording, if any)
    display: str
    colour: str
    priority: str
    share: int | None
    goal_code: str = ""  # an SDG target's goal ("8" for 8.5); "" for goals and other terms

    @property
    def weight(self) -> float:
        return tag_weight(self.priority, self.share)


@dataclass(frozen=True, slots=True)
class ActivityRow:
    title: str
    start: datetime.date | None
    end: datetime.date | None
    text: str  # Markdown


@dataclass(frozen=True, slots=True)
class FinancingRow:
    kind_label: str  # "Förderprogramm" / "Fördermittelgeber"
    source: str
    amount: Decimal | None
    start: datetime.date | None
    end: datetime.date | None


@dataclass(frozen=True, slots=True)
class ActorRow:
    name: str
    role: str


@dataclass(frozen=True, slots=True)
class TargetGroupRow:
    label: str
    added_value: str  # Markdown


@dataclass(frozen=True, slots=True)
class ResultRow:
    date: datetime.date | None
    text: str  # Markdown
    evidence_url: str
    evidence_file: str  # the file's name only, "" without a file


@dataclass(slots=True)
class ReportMeasure:
    title: str
    slug: str
    summary: str
    status_label: str
    start: datetime.date | None
    end: datetime.date | None
    is_draft: bool  # the measure or its lab is not published (only in internal reports)
    url: str  # absolute path of the measure page
    tags: list[ReportTag] = field(default_factory=list)
    activities: list[ActivityRow] = field(default_factory=list)
    coordination: list[str] = field(default_factory=list)  # organisation names
    financing: list[FinancingRow] = field(default_factory=list)
    actors: list[ActorRow] = field(default_factory=list)
    target_groups: list[TargetGroupRow] = field(default_factory=list)
    results: list[ResultRow] = field(default_factory=list)

    @property
    def added_values(self) -> list[TargetGroupRow]:
        """The target groups with an added value (the profile's Mehrwert row)."""
        return [row for row in self.target_groups if row.added_value.strip()]


@dataclass(slots=True)
class ReportLab:
    name: str
    slug: str
    summary: str
    background: str  # Markdown (Hintergrund und Zielsetzung)
    outlook: str  # Markdown (Zukunftsperspektive)
    phase_label: str
    funding_start: datetime.date | None
    funding_end: datetime.date | None
    coordinator: str  # the coordinating organisation's name, "" if none
    is_draft: bool
    url: str
    measures: list[ReportMeasure] = field(default_factory=list)

    @property
    def tags(self) -> list[ReportTag]:
        """The union of the measures' tags in measure order, each term once (its first tag wins)."""
        seen: set[tuple[str, str]] = set()
        result: list[ReportTag] = []
        for measure in self.measures:
            for tag in measure.tags:
                key = (tag.kind, tag.code)
                if key not in seen:
                    seen.add(key)
                    result.append(tag)
        return result


@dataclass(frozen=True, slots=True)
class ChartTerm:
    """A term a chart has a bar for (all 17 goals; the current megatrends and any used)."""

    code: str
    label: str
    colour: str


@dataclass(slots=True)
class Report:
    title: str
    city: str
    office: str
    date: datetime.date
    scope: str  # "Portfolio" or the lab's name
    internal: bool  # drafts included (and marked)
    labs: list[ReportLab]
    sdg_goals: list[ChartTerm]
    megatrends: list[ChartTerm]
    lab_slug: str = ""  # set when the report covers one lab

    @property
    def measures(self) -> list[ReportMeasure]:
        return [measure for lab in self.labs for measure in lab.measures]

    @property
    def has_drafts(self) -> bool:
        return any(lab.is_draft for lab in self.labs) or any(m.is_draft for m in self.measures)


# Pure computations -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ChartBar:
    code: str
    label: str
    colour: str
    value: float  # weighted number of measures
    measures: int  # unweighted number of measures


def _contributions(measure: ReportMeasure, kind: str) -> dict[str, float]:
    """Per term code (an SDG target counts for its goal) the measure's strongest tag weight."""
    weights: dict[str, float] = {}
    for tag in measure.tags:
        if tag.kind != kind:
            continue
        code = tag.goal_code or tag.code
        weights[code] = max(weights.get(code, 0.0), tag.weight)
    return weights


def chart_bars(report: Report, kind: str) -> list[ChartBar]:
    """How many measures contribute to each term, weighted by their tag weights.

    ``kind`` is ``SDG_KIND`` (one bar per goal, all 17, targets count for their goal) or
    ``MEGATREND_KIND`` (one bar per megatrend). A measure counts once per term, with the weight of its
    strongest tag on it: primary 1, secondary 0.5, a share as its fraction.
    """
    terms = report.sdg_goals if kind == SDG_KIND else report.megatrends
    totals: dict[str, float] = {term.code: 0.0 for term in terms}
    counts: dict[str, int] = {term.code: 0 for term in terms}
    for measure in report.measures:
        for code, weight in _contributions(measure, kind).items():
            if code in totals:
                totals[code] += weight
                counts[code] += 1
    return [
        ChartBar(
            code=term.code,
            label=term.label,
            colour=term.colour,
            value=round(totals[term.code], 2),
            measures=counts[term.code],
        )
        for term in terms
    ]


def overview_tags(tags: list[ReportTag]) -> list[ReportTag]:
    """The tags the column Megatrend/SDG shows: megatrends and SDGs, in their order (as in the seed)."""
    return [tag for tag in tags if tag.kind in (MEGATREND_KIND, SDG_KIND)]


# The charts' numbers as text (the table beside each chart; the Markdown and .docx reports) --------


@dataclass(frozen=True, slots=True)
class ChartRow:
    """One row of the table of values of a chart."""

    label: str
    value: str  # weighted, formatted for the current language
    measures: int


def format_value(value: float) -> str:
    """A weighted number of measures: "2", "1,5" (German), "0,75"."""
    if value == int(value):
        return str(int(value))
    return str(number_format(Decimal(str(round(value, 2))), use_l10n=True))


def bar_label(bar: ChartBar, kind: str) -> str:
    """The label of a bar: "SDG 8 Menschenwürdige Arbeit und Wirtschaftswachstum", "Digitalisierung"."""
    return f"SDG {bar.code} {bar.label}" if kind == SDG_KIND else bar.label


def chart_rows(report: Report, kind: str) -> list[ChartRow]:
    return [
        ChartRow(label=bar_label(bar, kind), value=format_value(bar.value), measures=bar.measures)
        for bar in chart_bars(report, kind)
    ]


def has_data(report: Report, kind: str) -> bool:
    return any(bar.value > 0 for bar in chart_bars(report, kind))
