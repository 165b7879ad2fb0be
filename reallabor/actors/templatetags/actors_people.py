"""Panels of the people area for other pages.

``{% load actors_people %}``

- ``{% organisation_people organisation %}``: the organisation's current and former people with
  role and dates, and a link to add a person (the office only; nothing for anybody else).
- ``{% relationships_panel obj %}``: the relationships of an organisation or a person, outgoing
  and incoming, typed and dated. A person's: the office only. An organisation's: everybody who
  sees the organisation's internal data (readers, partners, the office), limited to
  relationships with organisations they can see; only the office adds, edits and deletes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import template
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from reallabor.actors.models import Affiliation, Person, Relationship
from reallabor.actors.permissions import can_manage_people, can_see_personal_data
from reallabor.actors.services.relationships import relationships_of, visible_relationships
from reallabor.organisations.models import Organisation
from reallabor.organisations.permissions import can_see_internal_organisation_data

register = template.Library()

PEOPLE_SHOWN = 100
RELATIONSHIPS_SHOWN = 200


def _user(context: Any) -> Any:
    request = context.get("request")
    return getattr(request, "user", None) if request is not None else None


@register.simple_tag(takes_context=True)
def organisation_people(context: Any, organisation: Organisation) -> str:
    request = context.get("request")
    user = _user(context)
    if user is None or not can_see_personal_data(user) or not isinstance(organisation, Organisation):
        return ""
    today = timezone.localdate()
    rows = (
        Affiliation.objects.filter(organisation=organisation, person__anonymised_at__isnull=True)
        .select_related("person")
        .order_by("-is_primary", "person__last_name", "person__first_name", "id")
    )
    current = list(rows.exclude(end_date__lt=today)[: PEOPLE_SHOWN + 1])
    former = list(rows.filter(end_date__lt=today).order_by("-end_date", "id")[: PEOPLE_SHOWN + 1])
    return render_to_string(
        "actors/includes/people_organisation_people.html",
        {
            "organisation": organisation,
            "current": current[:PEOPLE_SHOWN],
            "former": former[:PEOPLE_SHOWN],
            "more_current": len(current) > PEOPLE_SHOWN,
            "more_former": len(former) > PEOPLE_SHOWN,
            "shown": PEOPLE_SHOWN,
            "today": today,
        },
        request=request,
    )


@dataclass
class RelationshipRow:
    relationship: Relationship
    outgoing: bool
    other: Organisation | Person
    ended: bool
    edit_url: str
    delete_url: str


def _may_see(user: Any, obj: Any) -> bool:
    if isinstance(obj, Person):
        return can_see_personal_data(user)
    if isinstance(obj, Organisation):
        if can_see_personal_data(user):
            return True
        return (
            can_see_internal_organisation_data(user)
            and Organisation.objects.visible_to(user).filter(pk=obj.pk).exists()
        )
    return False


@register.simple_tag(takes_context=True)
def relationships_panel(context: Any, obj: Organisation | Person) -> str:
    request = context.get("request")
    user = _user(context)
    if user is None or not _may_see(user, obj):
        return ""
    is_person = isinstance(obj, Person)
    anchor_kwargs: dict[str, Any] = {"uuid": obj.uuid} if is_person else {"slug": obj.slug}  # type: ignore[union-attr]
    prefix = "actors:person-relationship" if is_person else "actors:organisation-relationship"
    today = timezone.localdate()
    relationships = (
        relationships_of(obj, visible_relationships(user))
        .select_related("source_organisation", "target_organisation", "source_person", "target_person")
        .order_by("kind", "start_date", "id")[: RELATIONSHIPS_SHOWN + 1]
    )
    rows: list[RelationshipRow] = []
    for relationship in relationships:
        outgoing = (
            relationship.source_person_id == obj.pk
            if is_person
            else relationship.source_organisation_id == obj.pk
        )
        if is_person:
            other: Any = relationship.target_person if outgoing else relationship.source_person
        else:
            other = relationship.target_organisation if outgoing else relationship.source_organisation
        kwargs = {**anchor_kwargs, "pk": relationship.pk}
        rows.append(
            RelationshipRow(
                relationship=relationship,
                outgoing=outgoing,
                other=other,
                ended=relationship.end_date is not None and relationship.end_date < today,
                edit_url=reverse(f"{prefix}-edit", kwargs=kwargs),
                delete_url=reverse(f"{prefix}-delete", kwargs=kwargs),
            )
        )
    may_manage = can_manage_people(user) and not (is_person and obj.anonymised_at is not None)  # type: ignore[union-attr]
    return render_to_string(
        "actors/includes/relationships_panel.html",
        {
            "anchor": obj,
            "rows": rows[:RELATIONSHIPS_SHOWN],
            "more": len(rows) > RELATIONSHIPS_SHOWN,
            "shown": RELATIONSHIPS_SHOWN,
            "may_manage": may_manage,
            "add_url": reverse(f"{prefix}-create", kwargs=anchor_kwargs),
        },
        request=request,
    )
