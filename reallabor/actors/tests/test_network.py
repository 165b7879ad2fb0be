"""The pure network module: filters, clusters, gaps, the most connected nodes and the layout."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from reallabor.actors.network import (
    AFFILIATION,
    INTERACTION,
    LAB,
    LAB_MEASURE,
    LAB_ROLE,
    MARGIN,
    MEASURE,
    MEASURE_ACTOR,
    MEASURE_COORDINATION,
    NODE_TYPES,
    ORGANISATION,
    PERSON,
    RELATIONSHIP,
    STAKEHOLDER,
    Edge,
    Network,
    NetworkFilter,
    Node,
    PlacedNode,
    build_network,
)


def org(slug: str, **fields: str) -> Node:
    return Node(id=f"organisation:{slug}", type=ORGANISATION, label=slug.title(), **fields)


def person(key: str, **fields: str) -> Node:
    return Node(id=f"person:{key}", type=PERSON, label=f"Person {key}", **fields)


def lab(slug: str) -> Node:
    return Node(id=f"lab:{slug}", type=LAB, label=f"Lab {slug}")


def measure(lab_slug: str, slug: str) -> Node:
    return Node(id=f"measure:{lab_slug}/{slug}", type=MEASURE, label=f"Measure {slug}")


def ids(network: Network) -> set[str]:
    return {node.id for node in network.nodes}


def small_city() -> tuple[list[Node], list[Edge]]:
    """Two labs; a crafts cluster around lab ``handwerk`` and a loose end.

    handwerk ── its measure ``digital`` (actor: tischlerei, coordinator: kammer)
    handwerk ── tischlerei (lab role) ── anna (works there), bernd (worked there until last year)
    kammer ── verband (relationship)
    handel (lab, with a measure ``wlan`` without actors), cafe (no link to any lab), clara (no organisation)
    """
    nodes = [
        lab("handwerk"),
        lab("handel"),
        measure("handwerk", "digital"),
        measure("handel", "wlan"),
        org("tischlerei", kind="company", district="Mitte"),
        org("kammer", kind="multiplier", district="Mitte"),
        org("verband", kind="multiplier", district="Eigen"),
        org("cafe", kind="company", district="Eigen"),
        person("anna", district="Mitte"),
        person("bernd"),
        person("clara", district="Kirchhellen"),
    ]
    edges = [
        Edge("lab:handwerk", "measure:handwerk/digital", LAB_MEASURE),
        Edge("lab:handel", "measure:handel/wlan", LAB_MEASURE),
        Edge("organisation:tischlerei", "measure:handwerk/digital", MEASURE_ACTOR, "Pilot"),
        Edge("organisation:kammer", "measure:handwerk/digital", MEASURE_COORDINATION),
        Edge("organisation:tischlerei", "lab:handwerk", LAB_ROLE, "partner"),
        Edge("person:anna", "organisation:tischlerei", AFFILIATION, "Inhaberin"),
        Edge("person:bernd", "organisation:tischlerei", AFFILIATION, "Meister", former=True),
        Edge("organisation:kammer", "organisation:verband", RELATIONSHIP, "member_of"),
    ]
    return nodes, edges


# --- building ------------------------------------------------------------------------------------


def test_degrees_clusters_and_gaps() -> None:
    network = build_network(*small_city())
    degree = {node.id: node.degree for node in network.nodes}
    assert degree["organisation:tischlerei"] == 3  # the measure, the lab, anna (bernd's role ended)
    assert degree["person:bernd"] == 0
    assert [component.size for component in network.components] == [6, 2, 1, 1, 1]
    # The most connected first; equally connected by name.
    assert network.components[0].node_ids[:2] == ("measure:handwerk/digital", "organisation:tischlerei")
    assert set(network.components[0].node_ids) == {
        "lab:handwerk",
        "measure:handwerk/digital",
        "organisation:tischlerei",
        "organisation:kammer",
        "organisation:verband",
        "person:anna",
    }
    assert set(network.components[1].node_ids) == {"lab:handel", "measure:handel/wlan"}
    gaps = network.gaps
    assert [node.id for node in gaps.organisations_without_lab.nodes] == [
        "organisation:cafe",
        "organisation:verband",
    ]
    assert [node.id for node in gaps.measures_without_actors.nodes] == ["measure:handel/wlan"]
    assert [node.id for node in gaps.people_without_organisation.nodes] == ["person:bernd", "person:clara"]
    assert not network.truncated
    assert network.total == 11


def test_bad_edges_are_dropped_and_duplicates_merged() -> None:
    nodes, edges = small_city()
    edges += [
        Edge("organisation:tischlerei", "organisation:gibt-es-nicht", RELATIONSHIP, "knows"),
        Edge("organisation:cafe", "organisation:cafe", RELATIONSHIP, "knows"),
        Edge("lab:handwerk", "organisation:tischlerei", LAB_ROLE, "partner"),  # the same link backwards
        Edge("organisation:tischlerei", "lab:handwerk", LAB_ROLE, "partner"),
    ]
    network = build_network([*nodes, org("tischlerei", kind="other")], edges)
    assert len(network.edges) == 7
    assert network.node("organisation:tischlerei").kind == "company"  # the first of a duplicate node wins


def test_former_links_only_when_asked() -> None:
    network = build_network(*small_city(), NetworkFilter(include_former=True))
    former = [edge for edge in network.edges if edge.former]
    assert [(edge.source, edge.target) for edge in former] == [("person:bernd", "organisation:tischlerei")]
    assert network.node("person:bernd").degree == 1
    # An ended role is no organisation: bernd is still in the gap.
    assert [node.id for node in network.gaps.people_without_organisation.nodes] == [
        "person:bernd",
        "person:clara",
    ]


def test_a_current_link_wins_over_a_former_one() -> None:
    nodes, edges = small_city()
    edges.append(Edge("person:bernd", "organisation:tischlerei", AFFILIATION, "Meister"))
    network = build_network(nodes, edges, NetworkFilter(include_former=True))
    bernd = [edge for edge in network.edges if edge.source == "person:bernd"]
    assert [edge.former for edge in bernd] == [False]


def test_lab_filter_keeps_the_lab_its_measures_and_who_is_linked() -> None:
    nodes, edges = small_city()
    edges.append(Edge("organisation:cafe", "lab:handel", INTERACTION))
    edges.append(Edge("person:clara", "lab:handel", STAKEHOLDER))
    network = build_network(nodes, edges, NetworkFilter(lab="lab:handwerk"))
    assert ids(network) == {
        "lab:handwerk",
        "measure:handwerk/digital",
        "organisation:tischlerei",
        "organisation:kammer",
        "person:anna",
    }
    handel = build_network(nodes, edges, NetworkFilter(lab="lab:handel"))
    assert ids(handel) == {"lab:handel", "measure:handel/wlan", "organisation:cafe", "person:clara"}
    assert [node.id for node in handel.gaps.measures_without_actors.nodes] == ["measure:handel/wlan"]
    assert handel.gaps.organisations_without_lab.count == 0
    assert [node.id for node in handel.gaps.people_without_organisation.nodes] == ["person:clara"]
    assert build_network(nodes, edges, NetworkFilter(lab="lab:gibt-es-nicht")).nodes == ()
    assert build_network(nodes, edges, NetworkFilter(lab="organisation:cafe")).nodes == ()


def test_types_kind_and_district() -> None:
    nodes, edges = small_city()
    network = build_network(nodes, edges, NetworkFilter(types=frozenset({ORGANISATION, LAB})))
    assert {node.type for node in network.nodes} == {ORGANISATION, LAB}
    assert all(edge.type in (LAB_ROLE, RELATIONSHIP) for edge in network.edges)
    # The gaps are found before the types are hidden: the measure without actors is still one.
    assert network.gaps.measures_without_actors.count == 1

    companies = build_network(nodes, edges, NetworkFilter(kind="company"))
    assert {node.id for node in companies.nodes if node.type == ORGANISATION} == {
        "organisation:tischlerei",
        "organisation:cafe",
    }
    assert {node.type for node in companies.nodes} == set(NODE_TYPES)

    mitte = build_network(nodes, edges, NetworkFilter(district="Mitte"))
    assert {node.id for node in mitte.nodes if node.type in (ORGANISATION, PERSON)} == {
        "organisation:tischlerei",
        "organisation:kammer",
        "person:anna",
    }


def test_focus_keeps_the_clusters_around_matching_names() -> None:
    nodes, edges = small_city()
    network = build_network(nodes, edges, NetworkFilter(focus="  VERBAND "))
    assert network.focus_matches == 1
    assert len(network.components) == 1
    assert "person:anna" in ids(network)
    several = build_network(nodes, edges, NetworkFilter(focus="lab"))
    assert several.focus_matches == 2
    assert {component.size for component in several.components} == {6, 2}
    nothing = build_network(nodes, edges, NetworkFilter(focus="gibt es nicht"))
    assert nothing.focus_matches == 0
    assert nothing.nodes == ()
    assert nothing.components == ()
    assert build_network(nodes, edges).focus_matches is None


def test_only_the_most_connected_above_the_limit() -> None:
    nodes, edges = small_city()
    network = build_network(nodes, edges, node_limit=3)
    assert network.truncated
    assert network.total == 11
    assert ids(network) == {"organisation:tischlerei", "measure:handwerk/digital", "organisation:kammer"}
    # Degrees and clusters are those of what is drawn.
    assert network.node("organisation:tischlerei").degree == 1
    assert sum(component.size for component in network.components) == 3


def test_gap_lists_are_cut_but_counted() -> None:
    nodes = [org(f"firma-{number:03}") for number in range(30)]
    network = build_network(nodes, [], gap_limit=5)
    assert network.gaps.organisations_without_lab.count == 30
    assert [node.id for node in network.gaps.organisations_without_lab.nodes] == [
        f"organisation:firma-{number:03}" for number in range(5)
    ]


def test_connections_per_node() -> None:
    network = build_network(*small_city())
    connections = network.connections()
    assert [other for _edge, other in connections["organisation:tischlerei"]] == [
        "lab:handwerk",
        "measure:handwerk/digital",
        "person:anna",
    ]
    assert connections["person:clara"] == []


def test_empty_input() -> None:
    network = build_network([], [])
    assert network.nodes == ()
    assert network.components == ()
    assert network.height > 0


def test_labels_for_labs_and_the_most_connected() -> None:
    network = build_network(*small_city())
    assert network.node("lab:handel").labelled
    assert network.node("organisation:tischlerei").labelled
    assert not network.node("person:clara").labelled  # no connection, no label
    assert network.node("organisation:tischlerei").radius > network.node("organisation:cafe").radius


# --- layout ----------------------------------------------------------------------------------------


def test_layout_is_deterministic_whatever_the_order() -> None:
    nodes, edges = small_city()
    first = build_network(nodes, edges)
    shuffled_nodes, shuffled_edges = nodes[:], edges[:]
    random.Random(7).shuffle(shuffled_nodes)
    random.Random(8).shuffle(shuffled_edges)
    second = build_network(shuffled_nodes, shuffled_edges)
    assert first == second
    assert {(node.x, node.y) for node in first.nodes} == {(node.x, node.y) for node in second.nodes}
    assert len({(node.x, node.y) for node in first.nodes}) == len(first.nodes)  # nobody on top of another


def test_connected_nodes_are_closer_than_clusters_apart() -> None:
    network = build_network(*small_city())
    tischlerei, anna = network.node("organisation:tischlerei"), network.node("person:anna")
    handel = network.node("lab:handel")
    assert _distance(tischlerei, anna) < _distance(tischlerei, handel)


def _distance(a: PlacedNode, b: PlacedNode) -> float:
    return float(((a.x - b.x) ** 2 + (a.y - b.y) ** 2) ** 0.5)


def test_a_large_graph_stays_in_the_view_box() -> None:
    rng = random.Random(3)
    nodes = [org(f"o{number}") for number in range(400)]
    edges = [
        Edge(
            f"organisation:o{rng.randrange(400)}",
            f"organisation:o{rng.randrange(400)}",
            RELATIONSHIP,
            "knows",
        )
        for _ in range(600)
    ]
    network = build_network(nodes, edges, node_limit=300)
    assert len(network.nodes) == 300
    assert network.total == 400
    _assert_inside(network)


def _assert_inside(network: Network) -> None:
    for node in network.nodes:
        assert MARGIN - 0.1 <= node.x <= network.width - MARGIN + 0.1, node
        assert MARGIN - 0.1 <= node.y <= network.height - MARGIN + 0.1, node


# --- properties ------------------------------------------------------------------------------------

EDGE_TYPES_USED = (AFFILIATION, RELATIONSHIP, LAB_ROLE, LAB_MEASURE, MEASURE_ACTOR, INTERACTION)


@st.composite
def graphs(draw: st.DrawFn) -> tuple[list[Node], list[Edge]]:
    count = draw(st.integers(min_value=0, max_value=35))
    nodes = [
        Node(
            id=f"{node_type}:{number}",
            type=node_type,
            label=draw(st.sampled_from(["Alpha", "Beta", "Gamma", "alpha beta"])),
            kind=draw(st.sampled_from(["", "company", "science"])),
        )
        for number, node_type in enumerate(
            draw(st.lists(st.sampled_from(NODE_TYPES), min_size=count, max_size=count))
        )
    ]
    names = [node.id for node in nodes] + ["organisation:unknown"]
    edges = draw(
        st.lists(
            st.builds(
                Edge,
                source=st.sampled_from(names),
                target=st.sampled_from(names),
                type=st.sampled_from(EDGE_TYPES_USED),
                kind=st.sampled_from(["", "knows"]),
                former=st.booleans(),
            ),
            max_size=60,
        )
    )
    return nodes, edges


filters = st.builds(
    NetworkFilter,
    types=st.frozensets(st.sampled_from(NODE_TYPES), min_size=1),
    kind=st.sampled_from(["", "company"]),
    focus=st.sampled_from(["", "alpha", "gamma"]),
    include_former=st.booleans(),
)


@settings(max_examples=60, deadline=None)
@given(graph=graphs(), network_filter=filters, limit=st.integers(min_value=1, max_value=40))
def test_properties(graph: tuple[list[Node], list[Edge]], network_filter: NetworkFilter, limit: int) -> None:
    nodes, edges = graph
    network = build_network(nodes, edges, network_filter, node_limit=limit, iterations=30)
    shown = ids(network)
    # Every edge's ends are nodes of the network; no loops, each link once.
    for edge in network.edges:
        assert edge.source in shown and edge.target in shown and edge.source != edge.target
    assert len(
        {(min(e.source, e.target), max(e.source, e.target), e.type, e.kind) for e in network.edges}
    ) == len(network.edges)
    # The clusters partition the nodes, and no edge joins two clusters.
    members = [node_id for component in network.components for node_id in component.node_ids]
    assert sorted(members) == sorted(shown)
    cluster_of = {node.id: node.component for node in network.nodes}
    assert all(cluster_of[edge.source] == cluster_of[edge.target] for edge in network.edges)
    assert [component.size for component in network.components] == sorted(
        (component.size for component in network.components), reverse=True
    )
    # Degrees count the drawn edges.
    for node in network.nodes:
        assert node.degree == sum(node.id in (edge.source, edge.target) for edge in network.edges)
    # The limit, the filters.
    assert len(network.nodes) <= limit
    assert len(network.nodes) == min(network.total, limit)
    assert all(node.type in network_filter.types for node in network.nodes)
    assert network_filter.include_former or not any(edge.former for edge in network.edges)
    # The layout: inside the view box, and the same again for the same input in another order.
    _assert_inside(network)
    again = build_network(nodes[::-1], edges[::-1], network_filter, node_limit=limit, iterations=30)
    assert again == network


def test_a_link_given_both_ways_is_kept_the_same_way_in_any_order() -> None:
    nodes = [
        Node(id="organisation:0", type=ORGANISATION, label="A"),
        Node(id="organisation:1", type=ORGANISATION, label="B"),
    ]
    both = [
        Edge(source="organisation:1", target="organisation:0", type=AFFILIATION),
        Edge(source="organisation:0", target="organisation:1", type=AFFILIATION),
    ]
    assert build_network(nodes, both).edges == build_network(nodes, both[::-1]).edges


def test_the_margins_stay_whole_when_the_height_is_rounded() -> None:
    """The view box's height is rounded up: rounded down, the top nodes moved into the margin
    (a case Hypothesis found: y = 29.8 with a margin of 30)."""
    nodes = [Node(id=f"organisation:{number}", type=ORGANISATION, label="Alpha") for number in range(19)]
    edges = [
        Edge(source="organisation:0", target="organisation:1", type=AFFILIATION),
        Edge(source="organisation:0", target="organisation:10", type=AFFILIATION),
        Edge(source="organisation:1", target="organisation:2", type=AFFILIATION),
    ]
    network = build_network(
        nodes, edges, NetworkFilter(types=frozenset([ORGANISATION])), node_limit=9, iterations=30
    )
    _assert_inside(network)
