"""The stakeholder analysis of a lab, as pure functions (plain data in, plain data out; no ORM).

- ``quadrant(interest, influence)``: the four fields of the interest × influence grid. Both scales
  run from 1 to 5; 4 and 5 count as high, 1 to 3 as low (the middle, 3, is not yet "high").
- ``link_needs(actors, measures)``: for each actor, the needs and motivations it shares with the
  lab's measures (its own, and for a person those of their current organisations), each with the
  measures that carry it.
- ``grid_layout(points)``: where the markers of the actors go in the grid drawing.

``services.stakeholders`` loads the data, calls these and hands the result to the page and API.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

SCALE = (1, 2, 3, 4, 5)
HIGH_FROM = 4

KEY_PLAYERS = "key_players"
KEEP_SATISFIED = "keep_satisfied"
KEEP_INFORMED = "keep_informed"
MONITOR = "monitor"
QUADRANTS = (KEY_PLAYERS, KEEP_SATISFIED, KEEP_INFORMED, MONITOR)

TermKey = tuple[str, str]
"""A term as (vocabulary family, code): the same need in every version of the vocabulary."""


def quadrant(interest: int, influence: int) -> str:
    """Key players (high influence, high interest), keep satisfied (high influence, low interest),
    keep informed (low influence, high interest), monitor (both low)."""
    high_interest = interest >= HIGH_FROM
    high_influence = influence >= HIGH_FROM
    if high_influence:
        return KEY_PLAYERS if high_interest else KEEP_SATISFIED
    return KEEP_INFORMED if high_interest else MONITOR


@dataclass(frozen=True)
class ActorNeeds:
    """An actor's needs and motivations: its own, and those it has through its organisations."""

    key: str
    own: frozenset[TermKey] = frozenset()
    inherited: Mapping[TermKey, tuple[str, ...]] = field(default_factory=dict)
    """term → the names of the organisations the actor has it from (people only)."""


@dataclass(frozen=True)
class MeasureNeeds:
    key: str
    needs: frozenset[TermKey] = frozenset()


@dataclass(frozen=True)
class NeedLink:
    """A need the actor shares with measures of the lab."""

    term: TermKey
    measures: tuple[str, ...]
    """The keys of the measures tagged with the term, in the order the measures were given."""
    own: bool
    """The actor has the need itself (not only through an organisation)."""
    via: tuple[str, ...]
    """The organisations the actor has the need from (empty for an organisation's own need)."""


def link_needs(
    actors: Sequence[ActorNeeds],
    measures: Sequence[MeasureNeeds],
    term_order: Sequence[TermKey] = (),
) -> dict[str, list[NeedLink]]:
    """The needs linking each actor to the measures: actor key → links (an actor with none → []).

    Links are ordered by ``term_order`` (the vocabularies' order), then by family and code.
    """
    measures_by_term: dict[TermKey, list[str]] = {}
    for measure in measures:
        for term in measure.needs:
            measures_by_term.setdefault(term, []).append(measure.key)
    # Keep the given order of the measures for every term.
    position = {measure.key: index for index, measure in enumerate(measures)}
    rank = {term: index for index, term in enumerate(term_order)}

    def sort_key(term: TermKey) -> tuple[int, str, str]:
        return (rank.get(term, len(rank)), term[0], term[1])

    result: dict[str, list[NeedLink]] = {}
    for actor in actors:
        terms = set(actor.own) | set(actor.inherited)
        links = []
        for term in sorted(terms & set(measures_by_term), key=sort_key):
            keys = sorted(set(measures_by_term[term]), key=position.__getitem__)
            links.append(
                NeedLink(
                    term=term,
                    measures=tuple(keys),
                    own=term in actor.own,
                    via=tuple(sorted(set(actor.inherited.get(term, ())))),
                )
            )
        result[actor.key] = links
    return result


# The grid drawing ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class GridPoint:
    key: str
    interest: int
    influence: int


@dataclass(frozen=True)
class Marker:
    key: str
    number: int
    """1, 2, 3 … in the order the points were given: the drawing's labels and the table's."""
    x: float
    y: float


@dataclass(frozen=True)
class Overflow:
    """More actors in one cell than fit: the drawing says "+n" there."""

    interest: int
    influence: int
    count: int
    x: float
    y: float


@dataclass(frozen=True)
class GridLayout:
    cell: int
    markers: list[Marker]
    overflows: list[Overflow]


def grid_layout(
    points: Iterable[GridPoint], *, cell: int = 100, per_row: int = 4, rows: int = 3, margin: int = 20
) -> GridLayout:
    """Place numbered markers in a 5 × 5 grid of ``cell``-sized squares.

    x grows with interest (left to right), y with influence (bottom to top, as in the usual
    drawing); the top ``margin`` of each cell stays free for the quadrants' names. Markers are
    numbered 1, 2, 3 … in the order of ``points``. A cell holds up to
    ``per_row × rows`` markers; when more actors share a cell, its last place says "+n" instead.
    Points outside the 1–5 scale are left out (their numbers stay taken).
    """
    capacity = per_row * rows
    step = cell / (per_row + 1)
    row_step = (cell - margin) / rows
    cells: dict[tuple[int, int], list[tuple[int, GridPoint]]] = {}
    for number, point in enumerate(points, start=1):
        if point.interest in SCALE and point.influence in SCALE:
            cells.setdefault((point.interest, point.influence), []).append((number, point))

    def place(slot: tuple[int, int], index: int) -> tuple[float, float]:
        left = (slot[0] - 1) * cell
        top = (SCALE[-1] - slot[1]) * cell
        x = left + step * (index % per_row + 1)
        y = top + margin + row_step * (index // per_row + 0.5)
        return round(x, 1), round(y, 1)

    markers: list[Marker] = []
    overflows: list[Overflow] = []
    for slot, members in sorted(cells.items()):
        shown = members if len(members) <= capacity else members[: capacity - 1]
        for index, (number, point) in enumerate(shown):
            x, y = place(slot, index)
            markers.append(Marker(key=point.key, number=number, x=x, y=y))
        if len(shown) < len(members):
            x, y = place(slot, capacity - 1)
            overflows.append(
                Overflow(interest=slot[0], influence=slot[1], count=len(members) - len(shown), x=x, y=y)
            )
    markers.sort(key=lambda marker: marker.number)
    return GridLayout(cell=cell, markers=markers, overflows=overflows)
