"""Many stored results at once for the dashboard's tests (bulk, no services: the scores are given)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.utils import timezone

from reallabor.assessment import dashboard_data, services
from reallabor.assessment.models import DIMENSIONS, Response
from reallabor.organisations.models import Organisation
from reallabor.taxonomy.models import Term


def band_of(overall: Decimal) -> str:
    if overall <= 25:
        return "einstieg"
    if overall <= 50:
        return "grundlagen"
    if overall <= 75:
        return "fortgeschritten"
    return "vorreiter"


def add_results(
    count: int,
    *,
    prefix: str,
    trade: Term | None = None,
    band: str = "",
    district: str = "",
    scores: Sequence[int] = (10, 20, 30, 40, 50, 60),
    gaps: Sequence[int] | None = (5, 0, 30, 20, 10, 40),
    submitted_at: dt.datetime | None = None,
) -> list[Response]:
    """``count`` new organisations, each with one submitted result of these scores and context."""
    questionnaire = services.questionnaire_version("dma-handwerk", 1)
    organisations = Organisation.objects.bulk_create(
        [Organisation(name=f"{prefix} {number}", slug=f"{prefix}-{number}") for number in range(count)]
    )
    overall = Decimal(sum(scores)) / len(scores)
    fields: dict[str, Any] = {
        f"score_{d}": Decimal(score) for d, score in zip(DIMENSIONS, scores, strict=True)
    }
    if gaps is not None:
        fields |= {f"gap_{d}": Decimal(gap) for d, gap in zip(DIMENSIONS, gaps, strict=True)}
    responses = Response.objects.bulk_create(
        [
            Response(
                questionnaire=questionnaire,
                organisation=organisation,
                status=Response.Status.SUBMITTED,
                submitted_at=submitted_at or timezone.now(),
                trade=trade,
                headcount_band=band,
                district=district,
                overall=overall,
                band=band_of(overall),
                **fields,
            )
            for organisation in organisations
        ]
    )
    dashboard_data.results_changed()  # bulk writes pass no service
    return responses
