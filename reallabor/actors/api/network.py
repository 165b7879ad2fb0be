"""API of the actors' network: GET /api/v1/network, the graph with clusters, gaps and a layout.

The same filters as the page (``/netzwerk/``) and the same scope: the office sees people too,
readers and partners see organisations, labs and measures, others get 401 (not signed in) or 403.
"""

from typing import Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import AuthenticationError
from ninja.errors import ValidationError as SchemaValidationError

from reallabor.accounts.models import User
from reallabor.actors import network as graph
from reallabor.actors.network_data import can_see_network, lab_node_id, network_for
from reallabor.actors.permissions import can_see_personal_data
from reallabor.api.auth import get_user
from reallabor.api.errors import field_errors
from reallabor.api.schemas import ErrorOut, ShortText, ValidationErrorOut

router = Router(tags=["Network"])

NodeType = Literal["organisation", "person", "lab", "measure"]
OrganisationKind = Literal["company", "science", "multiplier", "politics", "civil_society", "administration"]


class NetworkFilterIn(Schema):
    lab: ShortText | None = Field(
        None, description="A lab's short name: the lab, its measures and who is linked to them."
    )
    types: list[NodeType] | None = Field(
        None, description="Node types to show (repeat the parameter); all when not given."
    )
    kind: OrganisationKind | None = Field(None, description="Organisations of this kind only.")
    district: ShortText | None = Field(None, description="Organisations and people of this district only.")
    q: ShortText | None = Field(
        None, description="Only the clusters with a node whose name contains these words."
    )
    former: bool = Field(False, description="Include former affiliations and ended relationships.")


class NetworkNodeOut(Schema):
    id: str = Field(examples=["organisation:tischlerei-beispiel"])
    type: str
    label: str
    url: str = Field(description="The node's page (empty when there is none).")
    kind: str
    district: str
    section: str = Field(description="Organisations: the WZ 2008 section of their sector.")
    degree: int
    cluster: int = Field(description="The index of the node's cluster in ``clusters``.")
    x: float
    y: float
    radius: float


class NetworkEdgeOut(Schema):
    source: str
    target: str
    type: str = Field(
        description="affiliation, relationship, lab_role, lab_coordination, lab_measure, measure_actor, "
        "measure_coordination, interaction or stakeholder"
    )
    kind: str = Field(description="The relationship's kind, or the role in a lab, measure or organisation.")
    former: bool


class NetworkClusterOut(Schema):
    index: int
    size: int
    hub: str = Field(description="The cluster's most connected node.")
    nodes: list[str]


class GapNodeOut(Schema):
    id: str
    type: str
    label: str
    url: str


class GapOut(Schema):
    count: int
    items: list[GapNodeOut] = Field(description=f"The first {graph.GAP_LIMIT} by name.")


class NetworkGapsOut(Schema):
    organisations_without_lab: GapOut
    measures_without_actors: GapOut
    people_without_organisation: GapOut | None = Field(description="For the office only (else null).")


class NetworkOut(Schema):
    nodes: list[NetworkNodeOut]
    edges: list[NetworkEdgeOut]
    clusters: list[NetworkClusterOut]
    gaps: NetworkGapsOut
    total: int = Field(
        description="Nodes after the filters; more than shown when only the most connected are shown."
    )
    shown: int
    truncated: bool
    focus_matches: int | None = Field(description="How many names matched ``q`` (null without ``q``).")
    width: int = Field(description="The view box of the layout's coordinates.")
    height: int


def _gap(gap: graph.GapList) -> dict[str, object]:
    return {
        "count": gap.count,
        "items": [
            {"id": node.id, "type": node.type, "label": node.label, "url": node.url} for node in gap.nodes
        ],
    }


@router.get(
    "/network",
    response={200: NetworkOut, 401: ErrorOut, 403: ErrorOut, 422: ValidationErrorOut},
)
def get_network(request: HttpRequest, filters: Query[NetworkFilterIn]) -> dict[str, object]:
    """Who is connected to whom: nodes with degree, cluster and coordinates, edges, clusters
    (largest first) and the gaps (office, readers and partners; people for the office only)."""
    user = get_user(request)
    if not isinstance(user, User):
        raise AuthenticationError()
    if not can_see_network(user):
        raise PermissionDenied(_("The network is for the office, readers and the partners of the labs."))
    office = can_see_personal_data(user)
    network_filter = graph.NetworkFilter(
        lab=lab_node_id(filters.lab.strip()) if filters.lab and filters.lab.strip() else "",
        types=frozenset(filters.types or graph.NODE_TYPES),
        kind=filters.kind or "",
        district=(filters.district or "").strip(),
        focus=(filters.q or "").strip(),
        include_former=filters.former,
    )
    try:
        network = network_for(user, network_filter)
    except ValidationError as error:
        raise SchemaValidationError(field_errors(error, "query")) from None
    return {
        "nodes": [
            {
                "id": node.id,
                "type": node.type,
                "label": node.label,
                "url": node.url,
                "kind": node.kind,
                "district": node.district,
                "section": node.section,
                "degree": node.degree,
                "cluster": node.component,
                "x": node.x,
                "y": node.y,
                "radius": node.radius,
            }
            for node in network.nodes
        ],
        "edges": [
            {
                "source": edge.source,
                "target": edge.target,
                "type": edge.type,
                "kind": edge.kind,
                "former": edge.former,
            }
            for edge in network.edges
        ],
        "clusters": [
            {
                "index": component.index,
                "size": component.size,
                "hub": component.hub,
                "nodes": list(component.node_ids),
            }
            for component in network.components
        ],
        "gaps": {
            "organisations_without_lab": _gap(network.gaps.organisations_without_lab),
            "measures_without_actors": _gap(network.gaps.measures_without_actors),
            "people_without_organisation": _gap(network.gaps.people_without_organisation) if office else None,
        },
        "total": network.total,
        "shown": len(network.nodes),
        "truncated": network.truncated,
        "focus_matches": network.focus_matches,
        "width": network.width,
        "height": network.height,
    }
