"""The dashboard's arithmetic (``reallabor.assessment.dashboard``, pure): suppression of small
groups (property-based), totals that add up, means, gaps and quarters."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from reallabor.assessment import dashboard
from reallabor.assessment.dashboard import MIN_GROUP, Cell, Filters, PeriodCell

TRADES = st.sampled_from([None, 1, 2, 3, 4, 5, 6])
BANDS = st.sampled_from(["", "1-4", "5-9", "10-19"])
DISTRICTS = st.sampled_from(["", "Boy", "Eigen", "Kirchhellen", "Mitte"])


@st.composite
def cells(draw: st.DrawFn) -> Cell:
    count = draw(st.integers(min_value=1, max_value=12))
    scores = draw(st.lists(st.integers(min_value=0, max_value=1000), min_size=6, max_size=6))
    bands = draw(st.lists(st.integers(min_value=0, max_value=count), min_size=3, max_size=3))
    with_gaps = draw(st.integers(min_value=0, max_value=count))
    return Cell(
        trade=draw(TRADES),
        band=draw(BANDS),
        district=draw(DISTRICTS),
        count=count,
        overall_sum=scores[0] * count,  # in tenths
        dimension_sums=tuple(score * count for score in scores),
        bands=(*bands, count),  # not consistent shares, but sums that must add up
        with_gaps=with_gaps,
        gap_sums=tuple(score * with_gaps for score in scores),
        top_gaps=tuple(min(with_gaps, score % 3) for score in scores),
    )


CELL_LISTS = st.lists(cells(), max_size=25)
KEYS = [
    ("trade", lambda cell: cell.trade),
    ("band", lambda cell: cell.band),
    ("district", lambda cell: cell.district),
]


@settings(max_examples=300, deadline=None)
@given(CELL_LISTS, st.sampled_from(KEYS))
def test_no_group_of_fewer_than_five_can_be_seen_or_worked_out(
    items: list[Cell], grouping: tuple[str, object]
) -> None:
    _name, key = grouping
    table = dashboard.group_table(items, key, str)  # type: ignore[arg-type]
    truth: dict[str, int] = {}
    for cell in items:
        name = str(key(cell))  # type: ignore[operator]
        truth[name] = truth.get(name, 0) + cell.count
    total = sum(truth.values())
    assert table.total.count == total
    assert {row.key for row in table.rows} == set(truth)  # every group has its row
    for row in table.rows:
        if row.summary is not None:
            assert row.summary.count >= MIN_GROUP  # never a small group's numbers
            assert row.summary.count == truth[row.key]
        else:
            assert row.hidden in ("few", "protects")
            assert (row.hidden == "few") == (truth[row.key] < MIN_GROUP)
    hidden = total - table.shown_count
    if total >= MIN_GROUP:
        # the total minus the shown groups never gives away fewer than five businesses
        assert hidden == 0 or hidden >= MIN_GROUP
        # and the totals add up: shown groups + the others together = all
        assert table.shown_count + (table.other.count if table.other else 0) == total
        assert (table.other is None) == (hidden == 0)
    else:
        assert all(row.summary is None for row in table.rows)
        assert table.other is None


@settings(max_examples=200, deadline=None)
@given(CELL_LISTS)
def test_sums_add_up_whatever_the_filter(items: list[Cell]) -> None:
    total = dashboard.summarise(items)
    by_district: dict[str, dashboard.Summary] = {}
    for cell in items:
        by_district[cell.district] = by_district.get(cell.district, dashboard.Summary()) + cell
    again = dashboard.summarise(
        dashboard.summarise(dashboard.filtered(items, Filters(district=district))) for district in by_district
    )
    assert again == total
    assert sum(total.bands) == sum(sum(cell.bands) for cell in items)


@settings(max_examples=200, deadline=None)
@given(CELL_LISTS, TRADES, BANDS, DISTRICTS)
def test_the_dashboard_never_shows_a_filtered_total_below_five(
    items: list[Cell], trade: int | None, band: str, district: str
) -> None:
    board = dashboard.build(
        items,
        [],
        Filters(trade=trade, band=band or None, district=district or None),
        trade_label=str,
        band_label=str,
        district_label=str,
        dimension_labels={},
    )
    if board.total.count < MIN_GROUP:
        assert board.gaps == () and board.periods == ()
        for table in (board.by_trade, board.by_band, board.by_district):
            assert all(row.summary is None for row in table.rows) and table.other is None


def _cell(count: int, **fields: object) -> Cell:
    values: dict[str, object] = {
        "trade": None,
        "band": "",
        "district": "",
        "overall_sum": count * 400,
    }
    values.update(fields)
    return Cell(count=count, **values)  # type: ignore[arg-type]


def test_secondary_suppression_hides_the_smallest_shown_group() -> None:
    items = [_cell(9, district="A"), _cell(6, district="B"), _cell(2, district="C")]
    table = dashboard.group_table(items, lambda cell: cell.district, str)
    rows = {row.key: row for row in table.rows}
    assert rows["A"].summary is not None and rows["A"].summary.count == 9
    assert rows["B"].summary is None and rows["B"].hidden == "protects"
    assert rows["C"].summary is None and rows["C"].hidden == "few"
    assert table.other is not None and table.other.count == 8
    assert [row.key for row in table.rows] == ["A", "B", "C"]  # shown first, then hidden by label


def test_two_small_groups_together_are_shown_as_the_others() -> None:
    items = [_cell(9, district="A"), _cell(3, district="B"), _cell(4, district="C")]
    table = dashboard.group_table(items, lambda cell: cell.district, str)
    assert table.shown_count == 9
    assert table.other is not None and table.other.count == 7 and table.other_groups == 2


def test_means_round_half_up() -> None:
    assert dashboard.mean(945, 2) == Decimal("47.3")  # 94.5 / 2 = 47.25
    assert dashboard.mean(125, 2) == Decimal("6.3")
    assert dashboard.mean(0, 0) is None
    assert dashboard.percent(1, 3) == 33 and dashboard.percent(1, 2) == 50 and dashboard.percent(1, 0) is None


def test_the_three_largest_gaps() -> None:
    d = Decimal
    assert dashboard.top_gap_flags([d(5), d(0), d(30), d(20), d(10), d(40)]) == (
        False, False, True, True, False, True,
    )  # fmt: skip
    # equal gaps: the questionnaire's order; a gap of 0 is none; no relevance: none
    assert dashboard.top_gap_flags([d(10)] * 6) == (True, True, True, False, False, False)
    assert dashboard.top_gap_flags([d(0), d(0), d(5), None, None, None]) == (
        False, False, True, False, False, False,
    )  # fmt: skip
    assert dashboard.top_gap_flags([None] * 6) == (False,) * 6


def test_gap_rows_need_five_businesses_for_shares_and_means() -> None:
    summary = dashboard.Summary(
        count=6,
        with_gaps=4,
        gap_sums=(400,) * 6,
        top_gaps=(1, 4, 0, 2, 3, 2),
    )
    rows = dashboard.gap_rows(summary, {"2": "Bereitschaft"})
    assert [row.dimension for row in rows] == ["2", "5", "4", "6", "1", "3"]
    assert rows[0].label == "Bereitschaft" and rows[0].businesses == 4
    assert all(row.mean_gap is None and row.share is None for row in rows)
    enough = dashboard.gap_rows(dashboard.Summary(count=6, with_gaps=5, gap_sums=(400,) * 6), {})
    assert enough[0].mean_gap == Decimal("8.0") and enough[0].share == 0
    assert dashboard.gap_rows(dashboard.Summary(count=4), {}) == ()


def test_quarters_with_fewer_than_five_checks_show_no_numbers() -> None:
    periods = [
        PeriodCell(trade=None, band="", district="A", period="2025-Q1", count=3, overall_sum=900),
        PeriodCell(trade=None, band="", district="B", period="2025-Q1", count=2, overall_sum=600),
        PeriodCell(trade=None, band="", district="A", period="2024-Q4", count=4, overall_sum=400),
    ]
    rows = dashboard.period_rows(periods)
    assert [(row.period, row.count, row.mean_overall) for row in rows] == [
        ("2024-Q4", None, None),
        ("2025-Q1", 5, Decimal("30.0")),
    ]
    assert [
        row.count for row in dashboard.period_rows(dashboard.filtered(periods, Filters(district="A")))
    ] == [
        None,
        None,
    ]
