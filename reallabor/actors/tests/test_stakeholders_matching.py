"""The pure part of the stakeholder analysis: quadrants, needs matching, the grid layout (no database)."""

from __future__ import annotations

import pytest

from reallabor.actors.stakeholder_analysis import (
    KEEP_INFORMED,
    KEEP_SATISFIED,
    KEY_PLAYERS,
    MONITOR,
    ActorNeeds,
    GridPoint,
    MeasureNeeds,
    NeedLink,
    grid_layout,
    link_needs,
    quadrant,
)

DIGITAL = ("needs", "digitalisation")
WORKERS = ("needs", "skilled-workers")
VISIBILITY = ("needs", "visibility")
IMAGE = ("motivations", "image")


@pytest.mark.parametrize(
    ("interest", "influence", "expected"),
    [
        (5, 5, KEY_PLAYERS),
        (4, 4, KEY_PLAYERS),
        (3, 4, KEEP_SATISFIED),
        (1, 5, KEEP_SATISFIED),
        (4, 3, KEEP_INFORMED),
        (5, 1, KEEP_INFORMED),
        (3, 3, MONITOR),
        (1, 1, MONITOR),
    ],
)
def test_quadrant_counts_4_and_5_as_high(interest: int, influence: int, expected: str) -> None:
    assert quadrant(interest, influence) == expected


def test_an_organisation_is_linked_by_its_own_needs_to_every_measure_carrying_them() -> None:
    actors = [ActorNeeds(key="tischlerei", own=frozenset({DIGITAL, VISIBILITY, IMAGE}))]
    measures = [
        MeasureNeeds(key="kooperation", needs=frozenset({DIGITAL, WORKERS})),
        MeasureNeeds(key="hallobot", needs=frozenset({DIGITAL, IMAGE})),
        MeasureNeeds(key="fairtrade", needs=frozenset()),
    ]
    links = link_needs(actors, measures, term_order=[WORKERS, DIGITAL, VISIBILITY, IMAGE])
    assert links == {
        "tischlerei": [
            NeedLink(term=DIGITAL, measures=("kooperation", "hallobot"), own=True, via=()),
            NeedLink(term=IMAGE, measures=("hallobot",), own=True, via=()),
        ]
    }


def test_a_person_is_linked_through_the_needs_of_their_organisations_too() -> None:
    actors = [
        ActorNeeds(
            key="anna",
            own=frozenset({WORKERS}),
            inherited={DIGITAL: ("Tischlerei", "Innung"), WORKERS: ("Tischlerei",)},
        )
    ]
    measures = [MeasureNeeds(key="m1", needs=frozenset({DIGITAL, WORKERS}))]
    links = link_needs(actors, measures, term_order=[WORKERS, DIGITAL])
    assert links["anna"] == [
        NeedLink(term=WORKERS, measures=("m1",), own=True, via=("Tischlerei",)),
        NeedLink(term=DIGITAL, measures=("m1",), own=False, via=("Innung", "Tischlerei")),
    ]


def test_actors_without_shared_needs_get_an_empty_list_and_unknown_terms_sort_last() -> None:
    actors = [
        ActorNeeds(key="a", own=frozenset({VISIBILITY})),
        ActorNeeds(key="b", own=frozenset({IMAGE, DIGITAL})),
    ]
    measures = [MeasureNeeds(key="m", needs=frozenset({IMAGE, DIGITAL}))]
    links = link_needs(actors, measures, term_order=[IMAGE])
    assert links["a"] == []
    assert [link.term for link in links["b"]] == [IMAGE, DIGITAL]


def test_no_measures_means_no_links() -> None:
    assert link_needs([ActorNeeds(key="a", own=frozenset({DIGITAL}))], []) == {"a": []}


def test_grid_layout_places_markers_in_their_cells_numbered_in_order() -> None:
    layout = grid_layout(
        [
            GridPoint("x", interest=1, influence=5),
            GridPoint("y", interest=5, influence=1),
            GridPoint("z", 5, 1),
        ],
        cell=100,
        per_row=4,
        rows=3,
    )
    assert [(m.key, m.number) for m in layout.markers] == [("x", 1), ("y", 2), ("z", 3)]
    x, y, z = layout.markers
    assert 0 < x.x < 100 and 0 < x.y < 100  # left column, top row
    assert 400 < y.x < 500 and 400 < y.y < 500  # right column, bottom row
    assert (y.x, y.y) == (420.0, 433.3)  # below the free margin of 20 for the quadrant's name
    assert (z.x, z.y) == (440.0, 433.3)  # next place in the same cell
    assert layout.overflows == []


def test_a_full_cell_says_how_many_more_there_are() -> None:
    points = [GridPoint(str(n), interest=3, influence=3) for n in range(15)]
    layout = grid_layout(points, cell=100, per_row=4, rows=3)
    assert len(layout.markers) == 11  # 12 places, the last one says "+4"
    assert [m.number for m in layout.markers] == list(range(1, 12))
    (overflow,) = layout.overflows
    assert (overflow.interest, overflow.influence, overflow.count) == (3, 3, 4)
    assert 200 < overflow.x < 300 and 200 < overflow.y < 300


def test_points_off_the_scale_are_left_out() -> None:
    layout = grid_layout([GridPoint("bad", interest=0, influence=6), GridPoint("ok", 2, 2)])
    assert [(m.key, m.number) for m in layout.markers] == [("ok", 2)]
