"""The office's dashboard of the check: the arithmetic (pure: no ORM, no Django).

The database side (``dashboard_data``) reduces the latest result of every business to **cells**:
one per combination of trade, headcount band and district, holding sums and counts only
(``Cell``); and the submitted checks over time, for the chosen filters, to ``PeriodCell`` (one
per quarter). Everything the page shows is added up from the cells here, for any filter (about
0.1 s for 9,000 cells, and only when the rendered page for those filters is not cached):

- ``summarise(cells)``: the totals of a set of cells (``Summary``);
- ``group_table(cells, by, labels)``: the distribution by trade, headcount band or district, with
  the **suppression** of small groups (``MIN_GROUP``, dma.md: at least five businesses): a group of
  fewer than five shows no numbers; and so that such a group cannot be worked out as the total
  minus the shown groups, the groups not shown are added up into one row "other groups", shown only
  when it holds at least five businesses — while it would hold one to four, the smallest shown
  group is hidden too (secondary suppression). Shown rows + other groups = the total, always.
- ``period_rows(cells)``: checks submitted and their mean overall score per quarter (a quarter
  with fewer than five checks shows no numbers; the database side counts them per quarter for the
  chosen filters only: per combination they would be nearly as many as the results);
- ``gap_rows(summary)``: per dimension, how many businesses have it among their three largest
  gaps, and the mean gap.

Sums are kept in whole tenths (the stored scores have one decimal), so adding up is exact and
fast; means are of the stored scores, rounded half up to one decimal.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Final

MIN_GROUP: Final = 5  # dma.md: a benchmark needs at least five businesses of the group
DIMENSION_COUNT: Final = 6
BAND_KEYS: Final = ("einstieg", "grundlagen", "fortgeschritten", "vorreiter")
TOP_GAPS: Final = 3  # "the most frequent gaps": a dimension among a business's three largest gaps

NO_COUNTS: Final = (0,) * DIMENSION_COUNT


@dataclass(frozen=True)
class Cell:
    """The latest results of the businesses of one trade, headcount band and district, summed."""

    trade: int | None  # the trade's term id (None: not given)
    band: str  # the headcount band's key ("" not given)
    district: str  # "" not given
    count: int  # businesses
    overall_sum: int  # in tenths (the sum of the overall scores × 10)
    dimension_sums: tuple[int, ...] = NO_COUNTS  # per dimension 1–6, in tenths
    bands: tuple[int, ...] = (0, 0, 0, 0)  # businesses per maturity band, in BAND_KEYS' order
    with_gaps: int = 0  # businesses that gave the relevance (and so have gaps)
    gap_sums: tuple[int, ...] = NO_COUNTS  # per dimension, over ``with_gaps``, in tenths
    top_gaps: tuple[int, ...] = NO_COUNTS  # per dimension: businesses with it among their 3 largest gaps


@dataclass(frozen=True)
class PeriodCell:
    """The checks submitted in one quarter by businesses of one trade, band and district."""

    trade: int | None
    band: str
    district: str
    period: str  # "2025-Q1"
    count: int
    overall_sum: int  # in tenths


@dataclass(frozen=True)
class Filters:
    """What the office picked; None: all."""

    trade: int | None = None
    band: str | None = None
    district: str | None = None

    def matches(self, cell: Cell | PeriodCell) -> bool:
        return (
            (self.trade is None or cell.trade == self.trade)
            and (self.band is None or cell.band == self.band)
            and (self.district is None or cell.district == self.district)
        )

    @property
    def active(self) -> bool:
        return self.trade is not None or self.band is not None or self.district is not None


def filtered[C: (Cell, PeriodCell)](cells: Iterable[C], filters: Filters) -> list[C]:
    return [cell for cell in cells if filters.matches(cell)]


def mean(tenths: int, count: int) -> Decimal | None:
    """The mean of ``count`` values that add up to ``tenths`` ÷ 10, rounded half up to one decimal
    (None for no count)."""
    if count <= 0:
        return None
    value = Fraction(tenths, 10 * count)
    scaled = abs(value) * 10 + Fraction(1, 2)
    rounded = Decimal(scaled.numerator // scaled.denominator).scaleb(-1)
    return -rounded if value < 0 else rounded


def percent(part: int, whole: int) -> int | None:
    """Whole per cent, half up."""
    if whole <= 0:
        return None
    scaled = Fraction(part * 100, whole) + Fraction(1, 2)
    return scaled.numerator // scaled.denominator


@dataclass(frozen=True)
class Summary:
    """Totals of some cells, with the means and shares the page shows."""

    count: int = 0
    overall_sum: int = 0  # tenths
    dimension_sums: tuple[int, ...] = NO_COUNTS  # tenths
    bands: tuple[int, ...] = (0, 0, 0, 0)
    with_gaps: int = 0
    gap_sums: tuple[int, ...] = NO_COUNTS  # tenths
    top_gaps: tuple[int, ...] = NO_COUNTS

    def __add__(self, other: Summary | Cell) -> Summary:
        return Summary(
            count=self.count + other.count,
            overall_sum=self.overall_sum + other.overall_sum,
            dimension_sums=tuple(
                a + b for a, b in zip(self.dimension_sums, other.dimension_sums, strict=True)
            ),
            bands=tuple(a + b for a, b in zip(self.bands, other.bands, strict=True)),
            with_gaps=self.with_gaps + other.with_gaps,
            gap_sums=tuple(a + b for a, b in zip(self.gap_sums, other.gap_sums, strict=True)),
            top_gaps=tuple(a + b for a, b in zip(self.top_gaps, other.top_gaps, strict=True)),
        )

    @property
    def shown(self) -> bool:
        """At least ``MIN_GROUP`` businesses: numbers may be shown."""
        return self.count >= MIN_GROUP

    @property
    def mean_overall(self) -> Decimal | None:
        return mean(self.overall_sum, self.count)

    @property
    def mean_dimensions(self) -> tuple[Decimal | None, ...]:
        return tuple(mean(total, self.count) for total in self.dimension_sums)

    @property
    def band_shares(self) -> tuple[int | None, ...]:
        """Per cent of the businesses in each maturity band (BAND_KEYS' order)."""
        return tuple(percent(number, self.count) for number in self.bands)


def summarise(items: Iterable[Cell | Summary]) -> Summary:
    """The totals of cells (or summaries), added up in place (many thousands of cells per page)."""
    count = overall = with_gaps = 0
    dimensions = [0] * DIMENSION_COUNT
    bands = [0] * len(BAND_KEYS)
    gaps = [0] * DIMENSION_COUNT
    top = [0] * DIMENSION_COUNT
    for item in items:
        count += item.count
        overall += item.overall_sum
        with_gaps += item.with_gaps
        for index in range(DIMENSION_COUNT):
            dimensions[index] += item.dimension_sums[index]
            gaps[index] += item.gap_sums[index]
            top[index] += item.top_gaps[index]
        for index, number in enumerate(item.bands):
            bands[index] += number
    return Summary(
        count=count,
        overall_sum=overall,
        dimension_sums=tuple(dimensions),
        bands=tuple(bands),
        with_gaps=with_gaps,
        gap_sums=tuple(gaps),
        top_gaps=tuple(top),
    )


@dataclass(frozen=True)
class GroupRow:
    key: str
    label: str
    summary: Summary | None  # None: not shown
    # "" shown; "few": fewer than five; "protects": hidden so that a smaller group stays hidden
    hidden: str = ""


@dataclass(frozen=True)
class GroupTable:
    rows: tuple[GroupRow, ...]
    other: Summary | None  # the groups not shown, added up (None: none, or fewer than five together)
    other_groups: int  # how many groups are not shown
    total: Summary  # every business of the cells (shown only when ``total.shown``)

    @property
    def shown_count(self) -> int:
        return sum(row.summary.count for row in self.rows if row.summary is not None)

    @property
    def other_few(self) -> bool:
        """Groups are hidden, but together fewer than five: "fewer than 5" also for them."""
        return self.other_groups > 0 and self.other is None


def group_table[K](
    cells: Iterable[Cell],
    key: Callable[[Cell], K],
    label: Callable[[K], str],
    *,
    text_key: Callable[[K], str] = str,
) -> GroupTable:
    """The businesses of ``cells`` grouped by ``key``: a row per group (shown or "fewer than 5")."""
    members: dict[K, list[Cell]] = {}
    for cell in cells:
        members.setdefault(key(cell), []).append(cell)
    groups = {value: summarise(items) for value, items in members.items()}
    total = summarise(groups.values())
    if not total.shown:
        rows = tuple(
            GroupRow(key=text_key(value), label=label(value), summary=None, hidden="few") for value in groups
        )
        return GroupTable(rows=_sorted(rows), other=None, other_groups=len(rows), total=total)
    shown = {value for value, summary in groups.items() if summary.shown}
    hidden_count = sum(summary.count for value, summary in groups.items() if value not in shown)
    protecting: set[K] = set()
    # Secondary suppression: while the hidden groups hold one to four businesses together, the total
    # minus the shown rows would give them away; hide the smallest shown group too.
    while 0 < hidden_count < MIN_GROUP and shown:
        smallest = min(shown, key=lambda value: (groups[value].count, label(value), text_key(value)))
        shown.discard(smallest)
        protecting.add(smallest)
        hidden_count += groups[smallest].count
    rows = tuple(
        GroupRow(
            key=text_key(value),
            label=label(value),
            summary=summary if value in shown else None,
            hidden="" if value in shown else "protects" if value in protecting else "few",
        )
        for value, summary in groups.items()
    )
    other = summarise(summary for value, summary in groups.items() if value not in shown)
    return GroupTable(
        rows=_sorted(rows),
        other=other if other.shown else None,
        other_groups=len(groups) - len(shown),
        total=total,
    )


def _sorted(rows: Iterable[GroupRow]) -> tuple[GroupRow, ...]:
    """Shown groups first, largest first; then the hidden ones by label (their size is not told)."""
    return tuple(
        sorted(
            rows,
            key=lambda row: (
                row.summary is None,
                -(row.summary.count if row.summary is not None else 0),
                row.label.casefold(),
                row.key,
            ),
        )
    )


@dataclass(frozen=True)
class PeriodRow:
    period: str
    count: int | None  # None: fewer than five checks (not shown)
    mean_overall: Decimal | None


def period_rows(cells: Iterable[PeriodCell]) -> tuple[PeriodRow, ...]:
    """Per quarter (oldest first): the checks submitted and their mean overall score."""
    counts: dict[str, int] = {}
    sums: dict[str, int] = {}
    for cell in cells:
        counts[cell.period] = counts.get(cell.period, 0) + cell.count
        sums[cell.period] = sums.get(cell.period, 0) + cell.overall_sum
    rows = []
    for period in sorted(counts):
        count = counts[period]
        if count >= MIN_GROUP:
            rows.append(PeriodRow(period=period, count=count, mean_overall=mean(sums[period], count)))
        else:
            rows.append(PeriodRow(period=period, count=None, mean_overall=None))
    return tuple(rows)


@dataclass(frozen=True)
class GapRow:
    dimension: str  # "1" … "6"
    label: str
    businesses: int  # with the dimension among their three largest gaps
    share: int | None  # per cent of the businesses that gave the relevance
    mean_gap: Decimal | None  # None: fewer than five businesses gave the relevance


def gap_rows(summary: Summary, labels: Mapping[str, str]) -> tuple[GapRow, ...]:
    """The dimensions by how many businesses have them among their three largest gaps (most first)."""
    if not summary.shown:
        return ()
    enough = summary.with_gaps >= MIN_GROUP
    rows = [
        GapRow(
            dimension=str(number),
            label=labels.get(str(number), str(number)),
            businesses=summary.top_gaps[number - 1],
            share=percent(summary.top_gaps[number - 1], summary.with_gaps) if enough else None,
            mean_gap=mean(summary.gap_sums[number - 1], summary.with_gaps) if enough else None,
        )
        for number in range(1, DIMENSION_COUNT + 1)
    ]
    rows.sort(key=lambda row: (-row.businesses, row.dimension))
    return tuple(rows)


def top_gap_flags(gaps: Sequence[Decimal | None]) -> tuple[bool, ...]:
    """Which dimensions are among the three largest gaps of one business (a gap of 0 is none;
    equal gaps in the questionnaire's order, as the result page ranks them)."""
    order = sorted(
        (index for index, gap in enumerate(gaps) if gap is not None and gap > 0),
        key=lambda index: (-(gaps[index] or 0), index),
    )
    chosen = set(order[:TOP_GAPS])
    return tuple(index in chosen for index in range(len(gaps)))


@dataclass(frozen=True)
class Dashboard:
    """Everything the page shows for one choice of filters."""

    filters: Filters
    total: Summary
    by_trade: GroupTable
    by_band: GroupTable
    by_district: GroupTable
    periods: tuple[PeriodRow, ...]
    gaps: tuple[GapRow, ...]
    dimension_labels: tuple[str, ...] = field(default=())


def build(
    cells: Sequence[Cell],
    period_cells: Sequence[PeriodCell],
    filters: Filters,
    *,
    trade_label: Callable[[int | None], str],
    band_label: Callable[[str], str],
    district_label: Callable[[str], str],
    dimension_labels: Mapping[str, str],
) -> Dashboard:
    chosen = filtered(cells, filters)
    total = summarise(chosen)
    return Dashboard(
        filters=filters,
        total=total,
        by_trade=group_table(
            chosen, lambda cell: cell.trade, trade_label, text_key=lambda value: str(value or "")
        ),
        by_band=group_table(chosen, lambda cell: cell.band, band_label),
        by_district=group_table(chosen, lambda cell: cell.district, district_label),
        periods=period_rows(filtered(period_cells, filters)) if total.shown else (),
        gaps=gap_rows(total, dimension_labels),
        dimension_labels=tuple(dimension_labels.get(str(n), str(n)) for n in range(1, DIMENSION_COUNT + 1)),
    )
