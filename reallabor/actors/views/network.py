"""The network page: who is connected to whom, drawn as SVG and listed as text.

The drawing is rendered on the server (coordinates from ``actors.network``); ``network.js``
adds zooming, panning and highlighting a node's neighbours. The same graph is listed below it
(clusters with their members and each member's connections, and the gaps), for keyboard and
screen-reader users and without JavaScript.
"""

from __future__ import annotations

import dataclasses
from html import escape
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, path
from django.utils.functional import Promise
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from reallabor.actors import network as graph
from reallabor.actors.models import Relationship
from reallabor.actors.network_data import can_see_network, districts, lab_node_id, network_for, visible_labs
from reallabor.actors.permissions import can_see_personal_data
from reallabor.core.views_helpers import acting_user, internal_view, is_htmx, render_page, require
from reallabor.core.widgets import CheckboxSelectMultiple, Select
from reallabor.labs.models import LabOrganisation
from reallabor.organisations.models import Organisation

TYPE_LABELS: dict[str, Promise] = {
    graph.ORGANISATION: gettext_lazy("Organisation"),
    graph.PERSON: gettext_lazy("Person"),
    graph.LAB: gettext_lazy("Lab"),
    graph.MEASURE: gettext_lazy("Measure"),
}
TYPE_PLURALS: dict[str, Promise] = {
    graph.ORGANISATION: gettext_lazy("Organisations"),
    graph.PERSON: gettext_lazy("People"),
    graph.LAB: gettext_lazy("Labs"),
    graph.MEASURE: gettext_lazy("Measures"),
}

# How a connection reads in the row of its source and in the row of its target.
EDGE_TEXTS: dict[str, tuple[Promise, Promise]] = {
    graph.AFFILIATION: (gettext_lazy("works there"), gettext_lazy("works here")),
    graph.LAB_ROLE: (gettext_lazy("takes part in the lab"), gettext_lazy("takes part")),
    graph.LAB_COORDINATION: (gettext_lazy("coordinates the lab"), gettext_lazy("coordinates this lab")),
    graph.LAB_MEASURE: (gettext_lazy("measure of this lab"), gettext_lazy("lab of this measure")),
    graph.MEASURE_ACTOR: (gettext_lazy("actor in the measure"), gettext_lazy("actor")),
    graph.MEASURE_COORDINATION: (
        gettext_lazy("coordinates the measure"),
        gettext_lazy("coordinates this measure"),
    ),
    graph.INTERACTION: (gettext_lazy("interaction about it"), gettext_lazy("interaction about this")),
    graph.STAKEHOLDER: (gettext_lazy("stakeholder of the lab"), gettext_lazy("stakeholder")),
}
RELATIONSHIP_TEXTS: dict[str, tuple[Promise, Promise]] = {
    Relationship.Kind.MEMBER_OF: (gettext_lazy("is member of"), gettext_lazy("has as member")),
    Relationship.Kind.PARTNER_OF: (gettext_lazy("is partner of"), gettext_lazy("is partner of")),
    Relationship.Kind.SUPPLIER_OF: (gettext_lazy("is supplier of"), gettext_lazy("is supplied by")),
    Relationship.Kind.CUSTOMER_OF: (gettext_lazy("is customer of"), gettext_lazy("has as customer")),
    Relationship.Kind.ADVISES: (gettext_lazy("advises"), gettext_lazy("is advised by")),
    Relationship.Kind.HOSTS: (gettext_lazy("hosts"), gettext_lazy("is hosted by")),
    Relationship.Kind.FUNDS: (gettext_lazy("funds"), gettext_lazy("is funded by")),
    Relationship.Kind.SUCCESSOR_OF: (gettext_lazy("is successor of"), gettext_lazy("is predecessor of")),
    Relationship.Kind.KNOWS: (gettext_lazy("knows"), gettext_lazy("knows")),
}
LAB_ROLES = dict(LabOrganisation.Role.choices)


def connection_text(edge: graph.Edge, *, from_source: bool) -> str:
    """What the connection means, seen from one of its ends (``from_source``: the source's row)."""
    if edge.type == graph.RELATIONSHIP:
        texts = RELATIONSHIP_TEXTS.get(edge.kind)
        text = str(texts[0 if from_source else 1]) if texts else edge.kind
        detail = ""
    else:
        text = str(EDGE_TEXTS[edge.type][0 if from_source else 1]) if edge.type in EDGE_TEXTS else edge.type
        detail = str(LAB_ROLES.get(edge.kind, edge.kind)) if edge.type == graph.LAB_ROLE else edge.kind
    if detail:
        text = f"{text}: {detail}"
    if edge.former:
        text = _("formerly: %(connection)s") % {"connection": text}
    return text


class NetworkFilterForm(forms.Form):
    """The network's filters (all optional; an invalid value is reported and ignored)."""

    lab = forms.ChoiceField(label=gettext_lazy("Lab"), required=False, widget=Select)
    types = forms.MultipleChoiceField(
        label=gettext_lazy("Show"), required=False, widget=CheckboxSelectMultiple
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind of organisation"),
        required=False,
        choices=[("", gettext_lazy("All kinds")), *Organisation.Kind.choices],
    )
    district = forms.ChoiceField(label=gettext_lazy("District"), required=False, widget=Select)
    q = forms.CharField(
        label=gettext_lazy("Only the clusters around"),
        required=False,
        max_length=100,
        help_text=gettext_lazy("A name or part of it"),
    )
    former = forms.BooleanField(
        label=gettext_lazy("Include former affiliations and ended relationships"), required=False
    )

    def __init__(
        self,
        *args: Any,
        labs: list[tuple[str, str]],
        district_names: list[str],
        office: bool,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.office = office
        self.fields["lab"].choices = [("", _("All labs")), *labs]  # type: ignore[attr-defined]
        self.fields["district"].choices = [  # type: ignore[attr-defined]
            ("", _("All districts")),
            *((name, name) for name in district_names),
        ]
        self.fields["types"].choices = [  # type: ignore[attr-defined]
            (node_type, TYPE_PLURALS[node_type])
            for node_type in graph.NODE_TYPES
            if office or node_type != graph.PERSON
        ]
        self.fields["types"].help_text = _("None ticked: all.")
        if not self.is_bound:
            self.initial["types"] = [value for value, _label in self.fields["types"].choices]  # type: ignore[attr-defined]

    def network_filter(self) -> graph.NetworkFilter:
        """The valid filters; invalid fields count as not given (the form keeps their errors)."""
        if not self.is_bound:
            return graph.NetworkFilter()
        self.is_valid()
        data = self.cleaned_data
        types = frozenset(data.get("types") or graph.NODE_TYPES)
        return graph.NetworkFilter(
            lab=lab_node_id(data["lab"]) if data.get("lab") else "",
            types=types,
            kind=data.get("kind") or "",
            district=data.get("district") or "",
            focus=(data.get("q") or "").strip(),
            include_former=bool(data.get("former")),
        )


def node_summary(node: graph.PlacedNode) -> str:
    """“Organisation, 3 connections”: the node's tooltip and the highlighting panel's line."""
    return ngettext("%(type)s, %(count)s connection", "%(type)s, %(count)s connections", node.degree) % {
        "type": TYPE_LABELS[node.type],
        "count": node.degree,
    }


def _short(label: str, length: int = 32) -> str:
    return label if len(label) <= length else label[: length - 1] + "…"


def _shape(node: graph.PlacedNode) -> str:
    r = node.radius
    if node.type == graph.LAB:
        return f'<rect x="{-r:.1f}" y="{-r:.1f}" width="{2 * r:.1f}" height="{2 * r:.1f}"/>'
    if node.type == graph.MEASURE:
        d = r * 1.3
        return f'<polygon points="0,{-d:.1f} {d:.1f},0 0,{d:.1f} {-d:.1f},0"/>'
    return f'<circle r="{r:.1f}"/>'


def drawing_svg(network: graph.Network, dom_ids: dict[str, str]) -> SafeString:
    """The drawing: edges as lines, nodes coloured (and shaped) by type, a tooltip each, labels
    for the most connected, the most connected drawn last (on top).

    Built here rather than in the template: template loops over thousands of nodes and edges
    take seconds. Every text is escaped; the styles come from network.css (no inline styles).
    """
    title = ngettext(
        "Network drawing with %(nodes)s node and %(edges)s connections",
        "Network drawing with %(nodes)s nodes and %(edges)s connections",
        len(network.nodes),
    ) % {"nodes": len(network.nodes), "edges": len(network.edges)}
    description = _("The clusters and every node's connections are listed below the drawing.")
    parts = [
        '<svg class="network-svg" id="network-svg" xmlns="http://www.w3.org/2000/svg" '
        f'viewBox="0 0 {network.width} {network.height}" role="img" '
        'aria-labelledby="network-svg-title" aria-describedby="network-svg-desc">',
        f'<title id="network-svg-title">{escape(title)}</title>',
        f'<desc id="network-svg-desc">{escape(description)}</desc>',
        '<g class="network-viewport"><g class="network-edges">',
    ]
    for edge in network.edges:
        source, target = network.node(edge.source), network.node(edge.target)
        former = " network-edge--former" if edge.former else ""
        parts.append(
            f'<line class="network-edge network-edge--{escape(edge.type)}{former}" '
            f'data-source="{dom_ids[edge.source]}" data-target="{dom_ids[edge.target]}" '
            f'x1="{source.x:.1f}" y1="{source.y:.1f}" x2="{target.x:.1f}" y2="{target.y:.1f}"/>'
        )
    parts.append('</g><g class="network-nodes">')
    for node in sorted(network.nodes, key=lambda node: (node.degree, node.label, node.id)):
        dom_id = dom_ids[node.id]
        label = escape(node.label)
        summary = escape(node_summary(node))
        text = (
            f'<text class="network-label" y="{node.radius + 12:.1f}" text-anchor="middle">'
            f"{escape(_short(node.label))}</text>"
            if node.labelled
            else ""
        )
        parts.append(
            f'<g class="network-node network-node--{escape(node.type)}" id="{dom_id}" '
            f'data-label="{label}" data-summary="{summary}" data-url="{escape(node.url)}" '
            f'data-entry="{dom_id.replace("node", "entry")}" transform="translate({node.x:.1f} {node.y:.1f})">'
            f"{_shape(node)}<title>{label} – {summary}</title>{text}</g>"
        )
    parts.append("</g></g></svg>")
    return mark_safe("".join(parts))  # every text above is escaped


def _clusters_context(network: graph.Network, dom_ids: dict[str, str]) -> tuple[list[Any], list[Any]]:
    """The clusters with more than one member (with each member's connections), and the nodes
    without any connection."""
    connections = network.connections()

    def member(node_id: str) -> dict[str, Any]:
        node = network.node(node_id)
        # One string per member: template loops over thousands of connections take seconds.
        items = "".join(
            f'<li><a href="#{dom_ids[other].replace("node", "entry")}">{escape(network.node(other).label)}</a> '
            f'<span class="meta">({escape(connection_text(edge, from_source=edge.source == node_id))})</span></li>'
            for edge, other in connections[node_id]
        )
        return {
            "entry_id": dom_ids[node_id].replace("node", "entry"),
            "node": node,
            "type_label": str(TYPE_LABELS[node.type]),
            "connections": mark_safe(f'<ul class="network-connections">{items}</ul>'),  # all escaped above
        }

    clusters: list[dict[str, Any]] = []
    alone: list[dict[str, Any]] = []
    for component in network.components:
        if component.size == 1:
            node = network.node(component.hub)
            alone.append(
                {
                    "entry_id": dom_ids[node.id].replace("node", "entry"),
                    "node": node,
                    "type_label": str(TYPE_LABELS[node.type]),
                }
            )
        else:
            clusters.append(
                {
                    "number": len(clusters) + 1,
                    "hub": network.node(component.hub),
                    "size": component.size,
                    "members": [member(node_id) for node_id in component.node_ids],
                }
            )
    alone.sort(key=lambda entry: (entry["node"].label.casefold(), entry["node"].id))
    return clusters, alone


def _gaps_context(network: graph.Network, office: bool) -> list[dict[str, Any]]:
    gaps = network.gaps
    sections: list[dict[str, Any]] = [
        {
            "id": "gap-organisations",
            "title": _("Organisations without a link to any lab"),
            "help": _(
                "Not taking part in a lab or a measure, not coordinating one, no interaction about one."
            ),
            "gap": gaps.organisations_without_lab,
        },
        {
            "id": "gap-measures",
            "title": _("Measures without participating organisations"),
            "help": _("No organisation is named as actor or coordinator of the measure."),
            "gap": gaps.measures_without_actors,
        },
    ]
    if office:
        sections.append(
            {
                "id": "gap-people",
                "title": _("People without an organisation"),
                "help": _("No current role at any organisation."),
                "gap": gaps.people_without_organisation,
            }
        )
    for section in sections:
        gap: graph.GapList = section["gap"]
        section["more"] = gap.count - len(gap.nodes)
    return sections


@internal_view
def network_view(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    require(
        can_see_network(user),
        _("The network is for the office, readers and the partners of the labs."),
    )
    office = can_see_personal_data(user)
    form = NetworkFilterForm(
        request.GET or None, labs=visible_labs(user), district_names=districts(user), office=office
    )
    network_filter = form.network_filter()
    try:
        network = network_for(user, network_filter)
    except ValidationError as error:  # a lab that disappeared meanwhile: show everything
        form.add_error("lab", error.message_dict.get("lab", []))
        network_filter = dataclasses.replace(network_filter, lab="")
        network = network_for(user, network_filter)
    dom_ids = {node.id: f"network-node-{index}" for index, node in enumerate(network.nodes)}
    clusters, alone = _clusters_context(network, dom_ids)
    legend = [
        {"type": node_type, "label": TYPE_PLURALS[node_type]}
        for node_type in graph.NODE_TYPES
        if node_type in network_filter.types and (office or node_type != graph.PERSON)
    ]
    context: dict[str, Any] = {
        "form": form,
        "network": network,
        "network_filter": network_filter,
        "drawing": drawing_svg(network, dom_ids),
        "clusters": clusters,
        "alone": alone,
        "gaps": _gaps_context(network, office),
        "legend": legend,
        "office": office,
        "is_htmx": is_htmx(request),
        "crumbs": [(_("Network"), None)],
    }
    return render_page(request, "actors/network.html", context, partial="results")


urlpatterns: list[URLPattern] = [
    path("netzwerk/", network_view, name="network"),
]
