"""The catalogue's filters and look-ups, shared by the offers' pages and API (read-only)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet, TextField
from django.db.models.functions import Cast

from reallabor.offers.models import Offer


def with_details(queryset: QuerySet[Offer]) -> QuerySet[Offer]:
    """Everything a list shows, in a constant number of queries however many offers."""
    return queryset.select_related("provider").prefetch_related("funding_areas", "sectors", "trades", "needs")


def _json_has(queryset: QuerySet[Offer], field: str, value: str) -> QuerySet[Offer]:
    """Offers whose JSON list ``field`` holds ``value`` (portable: SQLite has no JSON ``contains``)."""
    return queryset.annotate(**{f"_{field}_text": Cast(field, TextField())}).filter(
        **{f"_{field}_text__contains": f'"{value}"'}
    )


def filter_offers(
    queryset: QuerySet[Offer],
    *,
    kind: str | None = None,
    funding_type: str | None = None,
    region_level: str | None = None,
    dimension: str | None = None,
    status: str | None = None,
    needs_verification: bool = False,
    q: str | None = None,
    **_ignored: Any,
) -> QuerySet[Offer]:
    if kind:
        queryset = queryset.filter(kind=kind)
    if funding_type:
        queryset = _json_has(queryset, "funding_types", funding_type)
    if region_level:
        queryset = queryset.filter(region_level=region_level)
    if dimension:
        queryset = _json_has(queryset, "dimensions", dimension)
    if status:
        queryset = queryset.filter(status=status)
    if needs_verification:
        queryset = queryset.filter(pk__in=Offer.objects.needs_verification().values("pk"))
    for word in (q or "").split()[:5]:
        queryset = queryset.filter(
            Q(title__icontains=word)
            | Q(description__icontains=word)
            | Q(supported__icontains=word)
            | Q(provider__name__icontains=word)
        )
    return queryset
