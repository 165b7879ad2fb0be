"""The dashboard's data: the stored results reduced to cells, kept per version of the results.

**Design for speed.** Aggregating 100,000 results on every request would cost a hundred times the
cheapest page. Instead the dashboard's input is computed once per *version of the results*: a
counter of its own (``core.cache.CHECK_RESULTS``, a row of the content-version table) that every
write changing what the dashboard counts increases, and nothing else, so the office's daily work
elsewhere (registrations, profiles, people) leaves the computed dashboard in place.

- ``cells()``: one grouped SQL query (the work is done in the database; no result row is loaded
  into Python): the latest submitted result of every organisation (``selectors.latest_results``
  semantics) summed per trade × headcount band × district. Kept per process as Python objects
  (no unpickling per request), keyed on the version read from the database, so every process
  sees a change at once. The pure module ``dashboard`` adds the cells up for any filter.
- ``period_cells(filters)``: the checks per quarter for a choice of filters (one query), kept per
  process in the same way.
- the rendered results of each choice of filters (``views_dashboard``, in the cache under the
  results' version and the content version: offers' and trades' names are content).

Every write that changes what the dashboard counts calls ``results_changed()`` inside its
transaction: ``services.relink_retakes`` (after submitting, importing, linking to an organisation,
deleting, merging), ``services.set_context`` of a submitted result, ``offers.services`` when it
records recommendations or an uptake, and ``organisations.services.delete_organisation`` (an
organisation takes its results with it).

The groups use the context data each result keeps (trade, headcount band, district as given with
the check), so a later change of the organisation's profile does not move old results.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Final, cast

from django.db.models import (
    Case,
    Count,
    F,
    FloatField,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.db.models.lookups import LessThan
from django.utils import timezone
from django.utils.translation import get_language

from reallabor.assessment import dashboard
from reallabor.assessment.models import DIMENSIONS, Response
from reallabor.core.cache import CHECK_RESULTS, counter_changed, counter_value

SUM_FIELD: Final = FloatField()  # sums of one-decimal scores: read as floats (no per-value Decimal
# conversion, the costly part), made exact again by ``_tenths``


def _tenths(value: Any) -> int:
    """A sum of one-decimal values, as read from the database, in whole tenths (exact)."""
    if value is None:
        return 0
    return round(float(value) * 10)


def results_changed() -> None:
    """Call inside the writing transaction when submitted results, recommendations or uptakes
    change: the dashboard is stale (its own counter: other changes of content leave it be)."""
    counter_changed(CHECK_RESULTS)


def results_version() -> int:
    return counter_value(CHECK_RESULTS)


@dataclass(frozen=True)
class Trade:
    id: int
    code: str
    label: str


@dataclass(frozen=True)
class Cells:
    cells: tuple[dashboard.Cell, ...]
    trades: dict[int, Trade]  # the trades that occur, by term id
    districts: tuple[str, ...]  # the districts that occur (sorted)
    bands: tuple[str, ...]  # the headcount bands that occur


def _beats(other: str, dimension: str) -> Case:
    """1 when dimension ``other`` has a larger gap than ``dimension`` (equal: the earlier wins)."""
    condition = Q(**{f"gap_{other}__gt": F(f"gap_{dimension}")})
    if other < dimension:
        condition |= Q(**{f"gap_{other}": F(f"gap_{dimension}")})
    return Case(When(condition, then=Value(1)), default=Value(0), output_field=IntegerField())


def _in_top_gaps(dimension: str) -> Case:
    """1 when ``dimension`` is among the result's three largest gaps (and the gap is above 0)."""
    rank: Any = Value(0)
    for other in DIMENSIONS:
        if other != dimension:
            rank = rank + _beats(other, dimension)
    within = Case(
        When(LessThan(rank, dashboard.TOP_GAPS), then=Value(1)), default=Value(0), output_field=IntegerField()
    )
    return Case(
        When(Q(**{f"gap_{dimension}__gt": 0}), then=within), default=Value(0), output_field=IntegerField()
    )


def latest_queryset() -> Any:
    """The newest submitted, scored result of every organisation (as ``selectors.latest_results``)."""
    newest = (
        Response.objects.filter(organisation_id=OuterRef("organisation_id"), status=Response.Status.SUBMITTED)
        .exclude(overall=None)
        .order_by("-submitted_at", "-id")
        .values("pk")[:1]
    )
    return Response.objects.filter(status=Response.Status.SUBMITTED, organisation__isnull=False).filter(
        pk=Subquery(newest)
    )


def _cell_rows() -> list[dashboard.Cell]:
    annotations: dict[str, Any] = {
        "n": Count("id"),
        "overall_sum": Sum("overall", output_field=SUM_FIELD),
        "with_gaps": Count("id", filter=Q(gap_1__isnull=False)),
    }
    for dimension in DIMENSIONS:
        annotations[f"s{dimension}"] = Sum(f"score_{dimension}", output_field=SUM_FIELD)
        annotations[f"g{dimension}"] = Sum(f"gap_{dimension}", output_field=SUM_FIELD)
        annotations[f"t{dimension}"] = Sum(_in_top_gaps(dimension))
    for band in dashboard.BAND_KEYS:
        annotations[f"b_{band}"] = Count("id", filter=Q(band=band))
    rows = (
        latest_queryset()
        .order_by()
        .values("trade_id", "headcount_band", "district")
        .annotate(**annotations)
        .order_by("trade_id", "headcount_band", "district")
    )
    return [
        dashboard.Cell(
            trade=row["trade_id"],
            band=row["headcount_band"],
            district=row["district"],
            count=row["n"],
            overall_sum=_tenths(row["overall_sum"]),
            dimension_sums=tuple(_tenths(row[f"s{dimension}"]) for dimension in DIMENSIONS),
            bands=tuple(row[f"b_{band}"] for band in dashboard.BAND_KEYS),
            with_gaps=row["with_gaps"],
            gap_sums=tuple(_tenths(row[f"g{dimension}"]) for dimension in DIMENSIONS),
            top_gaps=tuple(int(row[f"t{dimension}"] or 0) for dimension in DIMENSIONS),
        )
        for row in rows
    ]


def period_cells(filters: dashboard.Filters, version: int | None = None) -> list[dashboard.PeriodCell]:
    """Every submitted check of an organisation matching ``filters``, per quarter (one query when
    not kept for the results' ``version`` already)."""
    key = (get_language() or "", results_version() if version is None else version)
    memo = f"periods:{filters.trade}:{filters.band}:{filters.district}"
    hit = _MEMO.get(memo)
    if hit is not None and hit[0] == key:
        return cast(list[dashboard.PeriodCell], hit[1])
    if len(_MEMO) > MEMO_ENTRIES:
        _MEMO.clear()
    value = _period_cells(filters)
    _MEMO[memo] = (key, value)
    return value


def _period_cells(filters: dashboard.Filters) -> list[dashboard.PeriodCell]:
    checks = Response.objects.filter(status=Response.Status.SUBMITTED, organisation__isnull=False).exclude(
        overall=None
    )
    if filters.trade is not None:
        checks = checks.filter(trade_id=filters.trade)
    if filters.band is not None:
        checks = checks.filter(headcount_band=filters.band)
    if filters.district is not None:
        checks = checks.filter(district=filters.district)
    bounds = checks.aggregate(first=Min("submitted_at"), last=Max("submitted_at"))
    if bounds["first"] is None:
        return []
    periods = quarters(bounds["first"], bounds["last"])
    # The quarter of each check by comparing with the quarters' ends (in the city's time zone): plain
    # comparisons in the database, where a date function would run per row.
    quarter = Case(
        *(When(submitted_at__lt=end, then=Value(index)) for index, (_label, end) in enumerate(periods)),
        default=Value(len(periods) - 1),
        output_field=IntegerField(),
    )
    rows = (
        checks.annotate(quarter=quarter)
        .order_by()
        .values("quarter")
        .annotate(n=Count("id"), overall_sum=Sum("overall", output_field=SUM_FIELD))
        .order_by("quarter")
    )
    return [
        dashboard.PeriodCell(
            trade=filters.trade,
            band=filters.band or "",
            district=filters.district or "",
            period=periods[row["quarter"]][0],
            count=row["n"],
            overall_sum=_tenths(row["overall_sum"]),
        )
        for row in rows
    ]


def quarters(first: dt.datetime, last: dt.datetime) -> list[tuple[str, dt.datetime]]:
    """The quarters from ``first``'s to ``last``'s (in the current time zone): (label, end)."""
    zone = timezone.get_current_timezone()
    start = timezone.localtime(first, zone)
    year, number = start.year, (start.month - 1) // 3
    end_of_range = timezone.localtime(last, zone)
    result = []
    while True:
        next_year, next_number = (year + 1, 0) if number == 3 else (year, number + 1)
        end = dt.datetime(next_year, next_number * 3 + 1, 1, tzinfo=zone)
        result.append((f"{year}-Q{number + 1}", end))
        if end > end_of_range:
            return result
        year, number = next_year, next_number


def build_cells() -> Cells:
    """Compute the cells from the database (one grouped query, and one for the trades' names)."""
    from reallabor.taxonomy.models import Term

    cells = tuple(_cell_rows())
    trade_ids = {cell.trade for cell in cells if cell.trade is not None}
    trades = {
        term.pk: Trade(id=term.pk, code=term.code, label=term.label)
        for term in Term.objects.filter(pk__in=trade_ids).only("pk", "code", "name", "name_en", "local_name")
    }
    return Cells(
        cells=cells,
        trades=trades,
        districts=tuple(sorted({cell.district for cell in cells if cell.district}, key=str.casefold)),
        bands=tuple(sorted({cell.band for cell in cells if cell.band})),
    )


MEMO_ENTRIES = 500
_MEMO: dict[str, tuple[tuple[str, int], Any]] = {}
"""Per process: the cells of the results' version last asked for (keyed with the language: the
trades' names). Kept as Python objects, so a hit costs nothing; the version comes from the
database, so every process sees a change at once."""


def forget() -> None:
    """Drop what this process keeps (tests: every test's database starts its counters anew)."""
    _MEMO.clear()


def cells(version: int | None = None) -> Cells:
    """The cells as of the results' version (computed on the first request after a change of the
    results; ``version``: as read already in this request)."""
    key = (get_language() or "", results_version() if version is None else version)
    hit = _MEMO.get("cells")
    if hit is not None and hit[0] == key:
        return cast(Cells, hit[1])
    value = build_cells()
    _MEMO["cells"] = (key, value)
    return value


@dataclass(frozen=True)
class OfferCount:
    slug: str
    title: str
    provider: str
    recommended: int
    taken_up: int

    @property
    def uptake_share(self) -> int | None:
        return dashboard.percent(self.taken_up, self.recommended)


def offer_counts() -> list[OfferCount]:
    """Per offer that was recommended or taken up at least once: how often (one query)."""
    from reallabor.offers.models import Offer, Recommendation, Uptake

    def counted(model: Any) -> Any:
        rows = model.objects.filter(offer=OuterRef("pk")).order_by().values("offer").annotate(n=Count("pk"))
        return Coalesce(Subquery(rows.values("n")[:1]), Value(0), output_field=IntegerField())

    offers = (
        Offer.objects.annotate(recommended=counted(Recommendation), taken_up=counted(Uptake))
        .filter(Q(recommended__gt=0) | Q(taken_up__gt=0))
        .order_by("-taken_up", "-recommended", "title", "pk")
        .values_list("slug", "title", "provider__name", "recommended", "taken_up")
    )
    return [
        OfferCount(slug=slug, title=title, provider=provider, recommended=recommended, taken_up=taken_up)
        for slug, title, provider, recommended, taken_up in offers
    ]
