"""The actors' network: who is connected to whom (pure: plain data in, plain data out).

The input is a list of nodes (organisations, people, labs, measures) and a list of edges between
them (affiliations, relationships, lab roles, measures and their actors, interactions, stakeholder
positions); ``network_data`` loads them from the database for a user. ``build_network`` filters
them (``NetworkFilter``), finds the gaps, the clusters (connected components) and each node's
degree, keeps the most connected nodes when there are too many to draw, and lays the graph out.

The layout is deterministic: the same nodes and edges (in any order) give the same coordinates.
Each cluster is laid out on its own by a force-directed algorithm (Fruchterman–Reingold with a
grid for the repulsion, a fixed seed and a bounded number of iterations), then the clusters are
packed in rows, largest first, and the whole is scaled into the view box.
"""

from __future__ import annotations

import math
import random
import zlib
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

ORGANISATION = "organisation"
PERSON = "person"
LAB = "lab"
MEASURE = "measure"
NODE_TYPES = (ORGANISATION, PERSON, LAB, MEASURE)

AFFILIATION = "affiliation"  # person — organisation
RELATIONSHIP = "relationship"  # organisation — organisation, person — person (kind: the relationship's)
LAB_ROLE = "lab_role"  # organisation — lab (kind: the role in the lab)
LAB_COORDINATION = "lab_coordination"  # organisation coordinating a lab — lab
LAB_MEASURE = "lab_measure"  # lab — its measure
MEASURE_ACTOR = "measure_actor"  # organisation — measure (kind: the role in the measure)
MEASURE_COORDINATION = "measure_coordination"  # organisation — measure
INTERACTION = "interaction"  # organisation — lab or measure (an interaction about them)
STAKEHOLDER = "stakeholder"  # organisation or person — lab (a stakeholder position)
EDGE_TYPES = (
    AFFILIATION,
    RELATIONSHIP,
    LAB_ROLE,
    LAB_COORDINATION,
    LAB_MEASURE,
    MEASURE_ACTOR,
    MEASURE_COORDINATION,
    INTERACTION,
    STAKEHOLDER,
)
ACTOR_EDGES = frozenset({MEASURE_ACTOR, MEASURE_COORDINATION})

NODE_LIMIT = 1500
"""Above this many nodes only the most connected are drawn (the layout is O(n²) at worst)."""
GAP_LIMIT = 200
"""At most this many entries per gap list (the count is always complete)."""
LABELLED = 30
"""Labels are drawn for this many of the most connected nodes (and for every lab)."""
WIDTH = 1000
"""The view box is this wide; its height follows from the layout."""
ITERATIONS = 80
"""Rounds of the force-directed layout (fewer for clusters of more than 300 nodes)."""
SEED = 4
MARGIN = 30.0
"""Room around the drawing (in view box units) for the nodes' shapes."""
GRAVITY = 0.05
"""The pull to a cluster's centre (the repulsion only reaches twice the ideal edge length)."""


@dataclass(frozen=True)
class Node:
    """A node as loaded: ``id`` is public (``organisation:<slug>``, ``person:<uuid>`` …)."""

    id: str
    type: str
    label: str
    url: str = ""
    kind: str = ""  # organisations: the kind (company, science …)
    district: str = ""  # organisations and people
    section: str = ""  # organisations: the WZ 2008 section of their sector


@dataclass(frozen=True)
class Edge:
    """An undirected link (``source`` and ``target`` keep the direction of relationships)."""

    source: str
    target: str
    type: str
    kind: str = ""  # the relationship's kind, the role in a lab or measure, the role at an organisation
    former: bool = False  # an ended affiliation or relationship


@dataclass(frozen=True)
class NetworkFilter:
    """What to show; every field is optional. Shared by the page and the API."""

    lab: str = ""  # a lab's node id: the lab, its measures and who is linked to them
    types: frozenset[str] = frozenset(NODE_TYPES)  # node types to show
    kind: str = ""  # organisations of this kind only
    district: str = ""  # organisations and people of this district only
    focus: str = ""  # only the clusters with a node whose label contains these words
    include_former: bool = False  # ended affiliations and relationships too


@dataclass(frozen=True)
class PlacedNode:
    id: str
    type: str
    label: str
    url: str
    kind: str
    district: str
    section: str
    degree: int
    component: int
    x: float
    y: float
    radius: float
    labelled: bool


@dataclass(frozen=True)
class Component:
    """A cluster: nodes connected with each other, most connected first."""

    index: int
    node_ids: tuple[str, ...]

    @property
    def size(self) -> int:
        return len(self.node_ids)

    @property
    def hub(self) -> str:
        return self.node_ids[0]


@dataclass(frozen=True)
class GapList:
    count: int
    nodes: tuple[Node, ...]  # the first ``GAP_LIMIT`` by label


@dataclass(frozen=True)
class Gaps:
    organisations_without_lab: GapList
    measures_without_actors: GapList
    people_without_organisation: GapList


@dataclass(frozen=True)
class Network:
    nodes: tuple[PlacedNode, ...]
    edges: tuple[Edge, ...]
    components: tuple[Component, ...]
    gaps: Gaps
    total: int  # nodes after the filters, before keeping only the most connected
    width: int
    height: int
    focus_matches: int | None = None  # how many nodes matched the focus words (None: no focus)
    _by_id: dict[str, PlacedNode] = field(default_factory=dict, compare=False, repr=False)

    @property
    def truncated(self) -> bool:
        return self.total > len(self.nodes)

    def node(self, node_id: str) -> PlacedNode:
        if not self._by_id:
            self._by_id.update((node.id, node) for node in self.nodes)
        return self._by_id[node_id]

    def connections(self) -> dict[str, list[tuple[Edge, str]]]:
        """Per node id its edges with the node at the other end, by that node's label."""
        result: dict[str, list[tuple[Edge, str]]] = {node.id: [] for node in self.nodes}
        for edge in self.edges:
            result[edge.source].append((edge, edge.target))
            result[edge.target].append((edge, edge.source))
        for node_id, links in result.items():
            links.sort(key=lambda link: (self.node(link[1]).label.casefold(), link[1], link[0].type))
            result[node_id] = links
        return result


# ---------------------------------------------------------------------------------------------
# Building the network


def build_network(
    nodes: Iterable[Node],
    edges: Iterable[Edge],
    network_filter: NetworkFilter | None = None,
    *,
    node_limit: int = NODE_LIMIT,
    gap_limit: int = GAP_LIMIT,
    width: int = WIDTH,
    iterations: int = ITERATIONS,
    seed: int = SEED,
) -> Network:
    """Filter, analyse and lay out the graph. Edges whose ends are not among the nodes are dropped."""
    wanted = network_filter or NetworkFilter()
    by_id: dict[str, Node] = {}
    for node in nodes:
        by_id.setdefault(node.id, node)
    # 1. The attribute filters.
    by_id = {
        node_id: node
        for node_id, node in sorted(by_id.items())
        if not (wanted.kind and node.type == ORGANISATION and node.kind != wanted.kind)
        and not (wanted.district and node.type in (ORGANISATION, PERSON) and node.district != wanted.district)
    }
    links = _clean_edges(edges, by_id, include_former=wanted.include_former)
    # 2. The lab's part of the network.
    if wanted.lab:
        keep = _lab_sphere(wanted.lab, by_id, links)
        by_id = {node_id: node for node_id, node in by_id.items() if node_id in keep}
        links = [edge for edge in links if edge.source in by_id and edge.target in by_id]
    # 3. The gaps, before node types are hidden.
    gaps = find_gaps(by_id.values(), links, limit=gap_limit)
    # 4. The node types to show.
    by_id = {node_id: node for node_id, node in by_id.items() if node.type in wanted.types}
    links = [edge for edge in links if edge.source in by_id and edge.target in by_id]
    # 5. Only the clusters around the nodes matching the focus words.
    focus_matches: int | None = None
    words = wanted.focus.casefold().split()
    if words:
        matching = [
            node_id for node_id, node in by_id.items() if all(word in node.label.casefold() for word in words)
        ]
        focus_matches = len(matching)
        keep = set().union(*(_component_of(start, links) for start in matching)) if matching else set()
        by_id = {node_id: node for node_id, node in by_id.items() if node_id in keep}
        links = [edge for edge in links if edge.source in by_id and edge.target in by_id]
    # 6. Too many to draw: the most connected.
    total = len(by_id)
    if total > node_limit:
        degree = _degrees(by_id, links)
        ranked = sorted(by_id, key=lambda node_id: (-degree[node_id], by_id[node_id].label, node_id))
        keep = set(ranked[: max(node_limit, 0)])
        by_id = {node_id: node for node_id, node in by_id.items() if node_id in keep}
        links = [edge for edge in links if edge.source in by_id and edge.target in by_id]
    # 7. Degrees, clusters and the layout of what is drawn.
    degree = _degrees(by_id, links)
    components = _components(by_id, links, degree)
    positions, height = _layout(components, links, degree, width=width, iterations=iterations, seed=seed)
    labelled = set(
        sorted(by_id, key=lambda node_id: (-degree[node_id], by_id[node_id].label, node_id))[:LABELLED]
    )
    component_of = {node_id: component.index for component in components for node_id in component.node_ids}
    placed = tuple(
        PlacedNode(
            id=node.id,
            type=node.type,
            label=node.label,
            url=node.url,
            kind=node.kind,
            district=node.district,
            section=node.section,
            degree=degree[node.id],
            component=component_of[node.id],
            x=positions[node.id][0],
            y=positions[node.id][1],
            radius=node_radius(node.type, degree[node.id]),
            labelled=(node.id in labelled and degree[node.id] > 0) or node.type == LAB,
        )
        for node in by_id.values()
    )
    return Network(
        nodes=placed,
        edges=tuple(links),
        components=tuple(components),
        gaps=gaps,
        total=total,
        width=width,
        height=height,
        focus_matches=focus_matches,
    )


def node_radius(node_type: str, degree: int) -> float:
    base = {LAB: 9.0, MEASURE: 6.0, ORGANISATION: 5.0, PERSON: 4.0}.get(node_type, 4.0)
    return round(base + min(12.0, 1.8 * math.sqrt(degree)), 1)


def _clean_edges(edges: Iterable[Edge], nodes: Mapping[str, Node], *, include_former: bool) -> list[Edge]:
    """Edges between known nodes, no loops, each pair linked once per type and kind (a current link
    wins over a former one), in a stable order."""
    found: dict[tuple[str, str, str, str], Edge] = {}
    for edge in edges:
        if edge.source == edge.target or edge.source not in nodes or edge.target not in nodes:
            continue
        if edge.former and not include_former:
            continue
        low, high = sorted((edge.source, edge.target))
        key = (low, high, edge.type, edge.kind)
        known = found.get(key)
        # A current link wins over a former one; otherwise the same one whatever the input order.
        if known is None or (edge.former, edge.source, edge.target) < (
            known.former,
            known.source,
            known.target,
        ):
            found[key] = edge
    return [found[key] for key in sorted(found)]


def _adjacency(links: Iterable[Edge]) -> dict[str, list[tuple[str, Edge]]]:
    adjacency: dict[str, list[tuple[str, Edge]]] = defaultdict(list)
    for edge in links:
        adjacency[edge.source].append((edge.target, edge))
        adjacency[edge.target].append((edge.source, edge))
    return adjacency


def _lab_sphere(lab: str, nodes: Mapping[str, Node], links: Sequence[Edge]) -> set[str]:
    """The lab, its measures, the organisations and people linked to them, and the people of those
    organisations."""
    if lab not in nodes or nodes[lab].type != LAB:
        return set()
    adjacency = _adjacency(links)
    core = {lab} | {
        other for other, edge in adjacency[lab] if edge.type == LAB_MEASURE and nodes[other].type == MEASURE
    }
    linked = {
        other
        for member in core
        for other, _edge in adjacency[member]
        if nodes[other].type in (ORGANISATION, PERSON)
    }
    people = {
        other
        for member in linked
        if nodes[member].type == ORGANISATION
        for other, edge in adjacency[member]
        if edge.type == AFFILIATION and nodes[other].type == PERSON
    }
    return core | linked | people


def find_gaps(nodes: Iterable[Node], links: Sequence[Edge], *, limit: int = GAP_LIMIT) -> Gaps:
    """Organisations linked to no lab (directly or through a measure), measures without an
    organisation as actor or coordinator, people without a current organisation. Ended links
    do not count."""
    node_list = list(nodes)
    types = {node.id: node.type for node in node_list}
    adjacency = _adjacency(edge for edge in links if not edge.former)

    def gap(selected: list[Node]) -> GapList:
        selected.sort(key=lambda node: (node.label.casefold(), node.id))
        return GapList(count=len(selected), nodes=tuple(selected[: max(limit, 0)]))

    return Gaps(
        organisations_without_lab=gap(
            [
                node
                for node in node_list
                if node.type == ORGANISATION
                and not any(types.get(other) in (LAB, MEASURE) for other, _edge in adjacency[node.id])
            ]
        ),
        measures_without_actors=gap(
            [
                node
                for node in node_list
                if node.type == MEASURE
                and not any(edge.type in ACTOR_EDGES for _other, edge in adjacency[node.id])
            ]
        ),
        people_without_organisation=gap(
            [
                node
                for node in node_list
                if node.type == PERSON
                and not any(edge.type == AFFILIATION for _other, edge in adjacency[node.id])
            ]
        ),
    )


def _degrees(nodes: Mapping[str, Node], links: Iterable[Edge]) -> dict[str, int]:
    degree = dict.fromkeys(nodes, 0)
    for edge in links:
        degree[edge.source] += 1
        degree[edge.target] += 1
    return degree


def _component_of(start: str, links: Sequence[Edge]) -> set[str]:
    adjacency = _adjacency(links)
    seen = {start}
    stack = [start]
    while stack:
        current = stack.pop()
        for other, _edge in adjacency.get(current, ()):
            if other not in seen:
                seen.add(other)
                stack.append(other)
    return seen


def _components(
    nodes: Mapping[str, Node], links: Sequence[Edge], degree: Mapping[str, int]
) -> list[Component]:
    """The connected components, largest first; inside each the most connected node first."""
    adjacency = _adjacency(links)
    seen: set[str] = set()
    groups: list[list[str]] = []
    for start in sorted(nodes):
        if start in seen:
            continue
        seen.add(start)
        group = [start]
        stack = [start]
        while stack:
            current = stack.pop()
            for other, _edge in adjacency.get(current, ()):
                if other not in seen:
                    seen.add(other)
                    group.append(other)
                    stack.append(other)
        group.sort(key=lambda node_id: (-degree[node_id], nodes[node_id].label.casefold(), node_id))
        groups.append(group)
    groups.sort(key=lambda group: (-len(group), nodes[group[0]].label.casefold(), group[0]))
    return [Component(index=index, node_ids=tuple(group)) for index, group in enumerate(groups)]


# ---------------------------------------------------------------------------------------------
# Layout


def _layout(
    components: Sequence[Component],
    links: Sequence[Edge],
    degree: Mapping[str, int],
    *,
    width: int,
    iterations: int,
    seed: int,
) -> tuple[dict[str, tuple[float, float]], int]:
    """Coordinates in a view box ``width`` wide; returns them and the view box's height."""
    if not components:
        return {}, round(width * 0.4)
    by_component: dict[int, list[tuple[str, str]]] = defaultdict(list)
    component_of = {node_id: component.index for component in components for node_id in component.node_ids}
    for edge in links:
        by_component[component_of[edge.source]].append((edge.source, edge.target))
    boxes: list[tuple[Component, dict[str, tuple[float, float]], float, float]] = []
    for component in components:
        local = _force_layout(
            component.node_ids, by_component[component.index], seed=seed, iterations=iterations
        )
        boxes.append((component, *_normalised(local)))
    placed = _pack(boxes)
    min_x = min(x for x, _y in placed.values())
    min_y = min(y for _x, y in placed.values())
    extent_x = max(x for x, _y in placed.values()) - min_x
    extent_y = max(y for _x, y in placed.values()) - min_y
    inner = width - 2 * MARGIN
    scale = inner / max(extent_x, 1.0)
    # Small or flat drawings: no more than 90 units of the view box between neighbours.
    scale = min(scale, 90.0)
    max_height = 3 * width
    if extent_y * scale > max_height - 2 * MARGIN:
        scale = (max_height - 2 * MARGIN) / extent_y
    height = max(math.ceil(extent_y * scale + 2 * MARGIN), round(width * 0.4))  # margins kept whole
    offset_x = (width - extent_x * scale) / 2
    offset_y = (height - extent_y * scale) / 2
    positions = {
        node_id: (round(offset_x + (x - min_x) * scale, 1), round(offset_y + (y - min_y) * scale, 1))
        for node_id, (x, y) in placed.items()
    }
    return positions, height


def _force_layout(
    node_ids: Sequence[str], links: Sequence[tuple[str, str]], *, seed: int, iterations: int
) -> dict[str, tuple[float, float]]:
    """Fruchterman–Reingold in a square of side √n, ideal edge length 1.

    Repulsion only between nodes closer than twice the ideal length (found through a grid of
    cells of that size, as in the original paper), plus a weak pull to the centre that keeps
    the cluster together. Fewer iterations for large clusters bound the time.
    """
    count = len(node_ids)
    if count == 1:
        return {node_ids[0]: (0.0, 0.0)}
    if count == 2:
        return {node_ids[0]: (0.0, 0.0), node_ids[1]: (1.0, 0.0)}
    ordered = sorted(node_ids)
    index = {node_id: number for number, node_id in enumerate(ordered)}
    pairs = sorted({(min(index[a], index[b]), max(index[a], index[b])) for a, b in links})
    rng = random.Random(seed * 1_000_003 + zlib.crc32(ordered[0].encode()))  # noqa: S311 - a layout, not a secret
    side = math.sqrt(count)
    xs = [rng.uniform(0, side) for _ in ordered]
    ys = [rng.uniform(0, side) for _ in ordered]
    centre = side / 2
    rounds = max(10, min(iterations, iterations * 300 // count)) if count > 300 else iterations
    temperature = start_temperature = side / 5
    cell = 2.0
    for step in range(rounds):
        dx = [0.0] * count
        dy = [0.0] * count
        grid: dict[tuple[int, int], list[int]] = defaultdict(list)
        for i in range(count):
            grid[(math.floor(xs[i] / cell), math.floor(ys[i] / cell))].append(i)
        for (cx, cy), members in grid.items():
            for ox in (-1, 0, 1):
                for oy in (-1, 0, 1):
                    others = grid.get((cx + ox, cy + oy))
                    if not others:
                        continue
                    for i in members:
                        xi, yi = xs[i], ys[i]
                        for j in others:
                            if j <= i:
                                continue
                            ddx = xi - xs[j]
                            ddy = yi - ys[j]
                            d2 = ddx * ddx + ddy * ddy
                            if d2 > 4.0:
                                continue
                            if d2 < 1e-6:
                                ddx, ddy = 0.01 * (j - i), 0.01
                                d2 = ddx * ddx + ddy * ddy
                            force = 1.0 / d2  # k² / d, along the unit vector
                            dx[i] += ddx * force
                            dy[i] += ddy * force
                            dx[j] -= ddx * force
                            dy[j] -= ddy * force
        for i, j in pairs:
            ddx = xs[i] - xs[j]
            ddy = ys[i] - ys[j]
            distance = math.sqrt(ddx * ddx + ddy * ddy)
            # d² / k, along the unit vector
            dx[i] -= ddx * distance
            dy[i] -= ddy * distance
            dx[j] += ddx * distance
            dy[j] += ddy * distance
        for i in range(count):
            dx[i] -= GRAVITY * (xs[i] - centre)
            dy[i] -= GRAVITY * (ys[i] - centre)
            length = math.sqrt(dx[i] * dx[i] + dy[i] * dy[i])
            if length > 0:
                limit = min(length, temperature) / length
                xs[i] += dx[i] * limit
                ys[i] += dy[i] * limit
        temperature = start_temperature * (1 - (step + 1) / rounds) + 0.01
    return {node_id: (xs[i], ys[i]) for i, node_id in enumerate(ordered)}


def _normalised(
    positions: Mapping[str, tuple[float, float]],
) -> tuple[dict[str, tuple[float, float]], float, float]:
    """Positions moved to start at (0, 0), with the box's width and height."""
    min_x = min(x for x, _y in positions.values())
    min_y = min(y for _x, y in positions.values())
    moved = {node_id: (x - min_x, y - min_y) for node_id, (x, y) in positions.items()}
    return (
        moved,
        max(x for x, _y in moved.values()),
        max(y for _x, y in moved.values()),
    )


def _pack(
    boxes: Sequence[tuple[Component, dict[str, tuple[float, float]], float, float]],
) -> dict[str, tuple[float, float]]:
    """Clusters in rows (largest first), each row as wide as the whole is roughly tall."""
    gap = 1.2
    area = sum((w + gap) * (h + gap) for _c, _p, w, h in boxes)
    row_width = max(max(w for _c, _p, w, _h in boxes), math.sqrt(area) * 1.6)
    placed: dict[str, tuple[float, float]] = {}
    x = y = row_height = 0.0
    for _component, positions, w, h in boxes:
        if x > 0 and x + w > row_width:
            x = 0.0
            y += row_height + gap
            row_height = 0.0
        for node_id, (px, py) in positions.items():
            placed[node_id] = (x + px, y + py)
        x += w + gap
        row_height = max(row_height, h)
    return placed
