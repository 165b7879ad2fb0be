"""Reading stored check results: the latest result per organisation, the earlier one, the change.

``latest_results`` feeds the offers' matching (``Business.gaps``) and the dashboard; it reads the
stored scores and never scores again.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any, Final
from uuid import UUID

from django.db.models import OuterRef, Subquery

from reallabor.assessment import scoring
from reallabor.assessment.models import DIMENSIONS, Response

BATCH: Final = 10_000  # organisation ids per query (databases limit the parameters of one query)


def _fraction(text: str) -> Fraction:
    """A stored exact value ("1253/54", "46") back as a Fraction (faster than ``Fraction(text)``)."""
    numerator, _slash, denominator = text.partition("/")
    return Fraction(int(numerator), int(denominator or 1))


@dataclass(frozen=True)
class StoredResult:
    """A submitted result as stored: scores rounded for display; gaps and exact values parsed on use."""

    uuid: UUID
    organisation_id: int | None
    questionnaire: str
    version: int
    submitted_at: Any  # datetime
    overall: Decimal
    band: str  # the band's key (scoring.BANDS)
    dimensions: dict[str, Decimal]  # dimension id → score 0–100, one decimal
    exact: dict[str, Any]  # Response.exact: {"overall": "…", "dimensions": {…}, "gaps": {…}}

    @functools.cached_property
    def gaps(self) -> tuple[tuple[str, Fraction], ...]:
        """(dimension id, exact gap), largest first (equal gaps in the questionnaire's order); ()
        without relevance."""
        order = list(self.exact.get("dimensions", {})) or list(DIMENSIONS)
        pairs = [(key, _fraction(value)) for key, value in self.exact.get("gaps", {}).items()]
        pairs.sort(key=lambda pair: (-pair[1], order.index(pair[0]) if pair[0] in order else len(order)))
        return tuple(pairs)

    @functools.cached_property
    def exact_overall(self) -> Fraction:
        return _fraction(self.exact.get("overall", "0"))

    @functools.cached_property
    def exact_dimensions(self) -> dict[str, Fraction]:
        return {key: _fraction(value) for key, value in self.exact.get("dimensions", {}).items()}

    @property
    def band_label(self) -> str:
        return str(next((band.label for band in scoring.BANDS if band.key == self.band), self.band))

    @property
    def rounded_gaps(self) -> tuple[tuple[str, Decimal], ...]:
        return tuple((dimension, scoring.round_half_up(gap)) for dimension, gap in self.gaps)


_FIELDS: Final = (
    "uuid",
    "organisation_id",
    "questionnaire__slug",
    "questionnaire__version",
    "submitted_at",
    "overall",
    "band",
    "exact",
    *(f"score_{dimension}" for dimension in DIMENSIONS),
)


def _stored(row: dict[str, Any]) -> StoredResult:
    return StoredResult(
        uuid=row["uuid"],
        organisation_id=row["organisation_id"],
        questionnaire=row["questionnaire__slug"],
        version=row["questionnaire__version"],
        submitted_at=row["submitted_at"],
        overall=row["overall"],
        band=row["band"],
        dimensions={
            dimension: row[f"score_{dimension}"]
            for dimension in DIMENSIONS
            if row[f"score_{dimension}"] is not None
        },
        exact=row["exact"] or {},
    )


def latest_results(organisation_ids: Iterable[int] | None = None) -> dict[int, StoredResult]:
    """The newest submitted, scored result of each organisation: organisation id → ``StoredResult``.

    One query (per 10,000 ids; ``None``: every organisation, one query). Organisations without a
    result are missing from the answer.
    """
    newest = (
        Response.objects.filter(organisation_id=OuterRef("organisation_id"), status=Response.Status.SUBMITTED)
        .exclude(overall=None)
        .order_by("-submitted_at", "-id")
        .values("pk")[:1]
    )
    base = Response.objects.filter(status=Response.Status.SUBMITTED, organisation__isnull=False).filter(
        pk=Subquery(newest)
    )
    results: dict[int, StoredResult] = {}
    if organisation_ids is None:
        batches: list[list[int] | None] = [None]
    else:
        ids = sorted(set(organisation_ids))
        batches = [ids[start : start + BATCH] for start in range(0, len(ids), BATCH)]
    for batch in batches:
        rows = base if batch is None else base.filter(organisation_id__in=batch)
        for row in rows.values(*_FIELDS):
            result = _stored(row)
            assert result.organisation_id is not None
            results[result.organisation_id] = result
    return results


def stored_result(response: Response) -> StoredResult | None:
    """A submitted, scored response as a ``StoredResult`` (None for a draft or an unscored one)."""
    if response.status != Response.Status.SUBMITTED or response.overall is None:
        return None
    row: dict[str, Any] = {
        "uuid": response.uuid,
        "organisation_id": response.organisation_id,
        "questionnaire__slug": response.questionnaire.slug,
        "questionnaire__version": response.questionnaire.version,
        "submitted_at": response.submitted_at,
        "overall": response.overall,
        "band": response.band,
        "exact": response.exact,
    }
    for dimension in DIMENSIONS:
        row[f"score_{dimension}"] = getattr(response, f"score_{dimension}")
    return _stored(row)


def previous_result(response: Response) -> Response | None:
    """The earlier result this one is a re-take of (the organisation's result submitted before it)."""
    if response.previous_id is None:
        return None
    return Response.objects.select_related("questionnaire").filter(pk=response.previous_id).first()


@dataclass(frozen=True)
class Change:
    dimension: str
    before: Decimal
    after: Decimal
    change: Decimal  # the exact difference, rounded half up to one decimal


@dataclass(frozen=True)
class Comparison:
    earlier: StoredResult
    later: StoredResult
    overall_change: Decimal
    dimensions: tuple[Change, ...]  # in the questionnaire's order


def compare(earlier: StoredResult, later: StoredResult) -> Comparison:
    """The change per dimension and overall from ``earlier`` to ``later`` (from the exact values)."""
    changes = []
    for dimension, after in later.exact_dimensions.items():
        before = earlier.exact_dimensions.get(dimension)
        if before is None:
            continue
        changes.append(
            Change(
                dimension=dimension,
                before=scoring.round_half_up(before),
                after=scoring.round_half_up(after),
                change=scoring.round_half_up(after - before),
            )
        )
    return Comparison(
        earlier=earlier,
        later=later,
        overall_change=scoring.round_half_up(later.exact_overall - earlier.exact_overall),
        dimensions=tuple(changes),
    )


def comparison(response: Response) -> Comparison | None:
    """The change of a submitted result against the earlier result it re-takes (None: no earlier one)."""
    later = stored_result(response)
    earlier_response = previous_result(response)
    earlier = stored_result(earlier_response) if earlier_response is not None else None
    if later is None or earlier is None:
        return None
    return compare(earlier, later)
