"""The actors' network as a user may see it: loads the nodes and edges for ``actors.network``.

Shared by the page and the API. What is loaded follows the user's scope:

- the office (administrators, lab coordinators: ``can_see_personal_data``) sees people and their
  affiliations, relationships between people, interactions and stakeholder positions as well;
- readers and partners see the organisations they may see (``Organisation.objects.visible_to``),
  the labs and measures they may see, relationships between organisations, lab roles, lab and
  measure coordination and the measures' actors, and no people;
- anyone else may not see the network (``can_see_network``).

A fixed number of queries whatever the size of the data: one ``values_list`` per table. The
layout of the same data is computed once and then taken from the cache.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import pickle
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from reallabor.actors import network as graph
from reallabor.actors.models import Affiliation, Interaction, Person, Relationship, StakeholderPosition
from reallabor.actors.permissions import can_see_personal_data
from reallabor.labs.models import Actor, Lab, LabOrganisation, Measure
from reallabor.organisations.models import Organisation
from reallabor.organisations.permissions import can_see_internal_organisation_data

CACHE_TIMEOUT = 60 * 60
DISTRICTS_SHOWN = 200


def can_see_network(user: Any) -> bool:
    """Who sees internal organisation data sees the network (people in it only for the office)."""
    return can_see_internal_organisation_data(user)


def lab_node_id(slug: str) -> str:
    return f"{graph.LAB}:{slug}"


def _url_maker(name: str, **placeholders: str) -> Callable[..., str]:
    """``reverse`` once with placeholders, then plain string formatting for every node (fast);
    an empty URL when the page does not exist."""
    try:
        template = reverse(name, kwargs=placeholders)
    except NoReverseMatch:
        return lambda **values: ""
    for key, placeholder in placeholders.items():
        template = template.replace(placeholder, "{" + key + "}")
    return lambda **values: template.format(**values)


_PERSON_PLACEHOLDER = "00000000-0000-4000-8000-000000000000"


def visible_labs(user: Any) -> list[tuple[str, str]]:
    """(slug, name) of the labs the user may see, for the lab filter."""
    return list(Lab.objects.visible_to(user).order_by("position", "name").values_list("slug", "name"))


def districts(user: Any) -> list[str]:
    """The districts of the organisations (and for the office the people) the user may see."""
    names = set(
        Organisation.objects.visible_to(user)
        .exclude(district="")
        .order_by("district")
        .values_list("district", flat=True)
        .distinct()[:DISTRICTS_SHOWN]
    )
    if can_see_personal_data(user):
        names.update(
            Person.objects.visible_to(user)
            .exclude(district="")
            .order_by("district")
            .values_list("district", flat=True)
            .distinct()[:DISTRICTS_SHOWN]
        )
    return sorted(names, key=str.casefold)[:DISTRICTS_SHOWN]


def load_network(
    user: Any, network_filter: graph.NetworkFilter | None = None
) -> tuple[list[graph.Node], list[graph.Edge]]:
    """The nodes and edges the user may see. Kind and district are applied in the queries already
    (``build_network`` applies every filter again)."""
    wanted = network_filter or graph.NetworkFilter()
    office = can_see_personal_data(user)
    today = timezone.localdate()
    nodes: list[graph.Node] = []
    edges: list[graph.Edge] = []

    organisation_url = _url_maker("organisations:organisation-detail", slug="slug-placeholder")
    organisations = Organisation.objects.visible_to(user)
    if wanted.kind:
        organisations = organisations.filter(kind=wanted.kind)
    if wanted.district:
        organisations = organisations.filter(district=wanted.district)
    organisation_ids: dict[int, str] = {}
    for pk, slug, name, kind, district, section in organisations.order_by().values_list(
        "pk", "slug", "name", "kind", "district", "sector__parent__code"
    ):
        node_id = organisation_ids[pk] = f"{graph.ORGANISATION}:{slug}"
        nodes.append(
            graph.Node(
                id=node_id,
                type=graph.ORGANISATION,
                label=name,
                url=organisation_url(slug=slug),
                kind=kind,
                district=district,
                section=section or "",
            )
        )

    lab_url = _url_maker("labs:lab-detail", slug="slug-placeholder")
    lab_ids: dict[int, str] = {}
    visible_lab_ids = Lab.objects.visible_to(user).values("pk")
    for pk, slug, name, coordinator_id in (
        Lab.objects.filter(pk__in=visible_lab_ids)
        .order_by()
        .values_list("pk", "slug", "name", "coordinator_id")
    ):
        node_id = lab_ids[pk] = lab_node_id(slug)
        nodes.append(graph.Node(id=node_id, type=graph.LAB, label=name, url=lab_url(slug=slug)))
        if coordinator_id in organisation_ids:
            edges.append(graph.Edge(organisation_ids[coordinator_id], node_id, graph.LAB_COORDINATION))

    measure_url = _url_maker("labs:measure-detail", lab_slug="lab-placeholder", slug="slug-placeholder")
    measure_ids: dict[int, str] = {}
    visible_measure_ids = Measure.objects.visible_to(user).values("pk")
    for pk, slug, title, lab_id, lab_slug in (
        Measure.objects.filter(pk__in=visible_measure_ids)
        .order_by()
        .values_list("pk", "slug", "title", "lab_id", "lab__slug")
    ):
        node_id = measure_ids[pk] = f"{graph.MEASURE}:{lab_slug}/{slug}"
        nodes.append(
            graph.Node(
                id=node_id, type=graph.MEASURE, label=title, url=measure_url(lab_slug=lab_slug, slug=slug)
            )
        )
        if lab_id in lab_ids:
            edges.append(graph.Edge(lab_ids[lab_id], node_id, graph.LAB_MEASURE))

    def link(
        source: str | None, target: str | None, edge_type: str, kind: str = "", former: bool = False
    ) -> None:
        if source and target:
            edges.append(graph.Edge(source, target, edge_type, kind, former))

    for lab_id, organisation_id, role in (
        LabOrganisation.objects.filter(lab_id__in=visible_lab_ids)
        .order_by()
        .values_list("lab_id", "organisation_id", "role")
    ):
        link(organisation_ids.get(organisation_id), lab_ids.get(lab_id), graph.LAB_ROLE, role)
    for measure_id, organisation_id in (
        Measure.coordinators.through.objects.filter(measure_id__in=visible_measure_ids)
        .order_by()
        .values_list("measure_id", "organisation_id")
    ):
        link(organisation_ids.get(organisation_id), measure_ids.get(measure_id), graph.MEASURE_COORDINATION)
    for measure_id, organisation_id, role in (
        Actor.objects.filter(measure_id__in=visible_measure_ids, organisation__isnull=False)
        .order_by()
        .values_list("measure_id", "organisation_id", "role")
    ):
        link(organisation_ids.get(organisation_id), measure_ids.get(measure_id), graph.MEASURE_ACTOR, role)

    person_ids: dict[int, str] = {}
    if office:
        person_url = _url_maker("actors:person-detail", uuid=_PERSON_PLACEHOLDER)
        people = Person.objects.visible_to(user).filter(anonymised_at__isnull=True)
        if wanted.district:
            people = people.filter(district=wanted.district)
        for pk, uuid, first_name, last_name, district in people.order_by().values_list(
            "pk", "uuid", "first_name", "last_name", "district"
        ):
            node_id = person_ids[pk] = f"{graph.PERSON}:{uuid}"
            name = " ".join(part for part in (first_name, last_name) if part)
            nodes.append(
                graph.Node(
                    id=node_id, type=graph.PERSON, label=name, url=person_url(uuid=uuid), district=district
                )
            )
        for person_id, organisation_id, role, end in (
            Affiliation.objects.visible_to(user)
            .filter(Q(start_date__isnull=True) | Q(start_date__lte=today))
            .order_by()
            .values_list("person_id", "organisation_id", "role", "end_date")
        ):
            link(
                person_ids.get(person_id),
                organisation_ids.get(organisation_id),
                graph.AFFILIATION,
                role,
                _ended(end, today),
            )

    relationships = Relationship.objects.filter(Q(start_date__isnull=True) | Q(start_date__lte=today))
    if not office:
        relationships = relationships.filter(source_organisation__isnull=False)
    for (
        source_org,
        target_org,
        source_person,
        target_person,
        kind,
        end,
    ) in relationships.order_by().values_list(
        "source_organisation_id",
        "target_organisation_id",
        "source_person_id",
        "target_person_id",
        "kind",
        "end_date",
    ):
        if source_org is not None:
            link(
                organisation_ids.get(source_org),
                organisation_ids.get(target_org),
                graph.RELATIONSHIP,
                kind,
                _ended(end, today),
            )
        else:
            link(
                person_ids.get(source_person),
                person_ids.get(target_person),
                graph.RELATIONSHIP,
                kind,
                _ended(end, today),
            )

    if office:
        for organisation_id, lab_id, measure_id in (
            Interaction.objects.visible_to(user)
            .filter(organisation__isnull=False)
            .filter(Q(lab__isnull=False) | Q(measure__isnull=False))
            .order_by()
            .values_list("organisation_id", "lab_id", "measure_id")
            .distinct()
        ):
            source = organisation_ids.get(organisation_id)
            link(source, lab_ids.get(lab_id), graph.INTERACTION)
            link(source, measure_ids.get(measure_id), graph.INTERACTION)
        for lab_id, organisation_id, person_id in StakeholderPosition.objects.order_by().values_list(
            "lab_id", "organisation_id", "person_id"
        ):
            link(
                organisation_ids.get(organisation_id) or person_ids.get(person_id),
                lab_ids.get(lab_id),
                graph.STAKEHOLDER,
            )
    return nodes, edges


def _ended(end: dt.date | None, today: dt.date) -> bool:
    return end is not None and end < today


def network_for(user: Any, network_filter: graph.NetworkFilter, **options: Any) -> graph.Network:
    """The network the user may see, filtered and laid out.

    Raises ``ValidationError`` naming ``lab`` when the lab is not one the user may see.
    """
    nodes, edges = load_network(user, network_filter)
    if network_filter.lab and not any(
        node.id == network_filter.lab for node in nodes if node.type == graph.LAB
    ):
        raise ValidationError({"lab": _("There is no such lab, or you may not see it.")})
    wanted = (
        network_filter.lab,
        sorted(network_filter.types),
        network_filter.kind,
        network_filter.district,
        network_filter.focus,
        network_filter.include_former,
    )
    data = (sorted(nodes, key=repr), sorted(edges, key=repr), wanted, sorted(options.items()))
    digest = hashlib.sha256(pickle.dumps(data)).hexdigest()
    key = f"actors:network:{digest}"
    found = cache.get(key)
    if isinstance(found, graph.Network):
        return found
    result = graph.build_network(nodes, edges, network_filter, **options)
    cache.set(key, result, CACHE_TIMEOUT)
    return result
