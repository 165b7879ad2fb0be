"""The stakeholder analysis per lab: actors on an interest × influence grid, and the needs that
link them to the lab's measures.

Positions are seen by the office (``permissions.can_see_stakeholders``) and changed by
administrators and the lab's coordinators (``permissions.can_edit_stakeholders``). The matching
itself is the pure ``actors.stakeholder_analysis.link_needs``; this module loads its data.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reallabor.accounts.models import User
from reallabor.actors import permissions
from reallabor.actors.models import Affiliation, Person, StakeholderPosition
from reallabor.actors.services.needs import NEED_FAMILIES
from reallabor.actors.stakeholder_analysis import (
    KEEP_INFORMED,
    KEEP_SATISFIED,
    KEY_PLAYERS,
    MONITOR,
    SCALE,
    ActorNeeds,
    MeasureNeeds,
    TermKey,
    link_needs,
    quadrant,
)
from reallabor.labs.models import Actor, Lab, LabOrganisation, Measure
from reallabor.organisations.models import Organisation
from reallabor.taxonomy.models import Tag

NOTE_MAX = 500
CANDIDATES_SHOWN = 200

QUADRANT_LABELS = {
    KEY_PLAYERS: gettext_lazy("Key players"),
    KEEP_SATISFIED: gettext_lazy("Keep satisfied"),
    KEEP_INFORMED: gettext_lazy("Keep informed"),
    MONITOR: gettext_lazy("Monitor"),
}
QUADRANT_HINTS = {
    KEY_PLAYERS: gettext_lazy("high influence, high interest: involve closely"),
    KEEP_SATISFIED: gettext_lazy("high influence, low interest: keep them satisfied"),
    KEEP_INFORMED: gettext_lazy("low influence, high interest: keep them informed"),
    MONITOR: gettext_lazy("low influence, low interest: keep an eye on them"),
}


def positions_of(lab: Lab) -> QuerySet[StakeholderPosition]:
    """The lab's positions: most influential and interested first."""
    return (
        StakeholderPosition.objects.filter(lab=lab)
        .select_related("organisation", "person", "assessed_by")
        .order_by(
            "-influence", "-interest", "organisation__name", "person__last_name", "person__first_name", "id"
        )
    )


def find_position(lab: Lab, *, organisation: str = "", person: str = "") -> StakeholderPosition | None:
    """A position of the lab by the organisation's slug or the person's UUID (None if not there)."""
    queryset = positions_of(lab)
    if organisation and len(organisation) <= 220:
        return queryset.filter(organisation__slug=organisation).first()
    if person:
        try:
            key = uuid.UUID(str(person))
        except ValueError:
            return None
        return queryset.filter(person__uuid=key).first()
    return None


# Writing -------------------------------------------------------------------------------------------


def _require(user: Any, lab: Lab) -> None:
    if not permissions.can_edit_stakeholders(user, lab):
        raise PermissionDenied(
            _("Only administrators and the lab's coordinators change its stakeholder analysis.")
        )


def _scale(value: Any, name: str, label: str, errors: dict[str, str]) -> int:
    try:
        number = int(str(value).strip()) if not isinstance(value, bool) else 0
    except (TypeError, ValueError):
        number = 0
    if number not in SCALE:
        errors[name] = _("The %(label)s is a whole number from 1 to 5.") % {"label": label}
    return number


def _actor(
    organisation: Any, person: Any, user: Any, errors: dict[str, str]
) -> tuple[Organisation | None, Person | None]:
    if organisation in (None, "") and person in (None, ""):
        errors["organisation"] = _("Choose an organisation or a person.")
        return None, None
    if organisation not in (None, "") and person not in (None, ""):
        errors["person"] = _("Choose either an organisation or a person, not both.")
        return None, None
    if organisation not in (None, ""):
        organisations = Organisation.objects.all() if user is None else Organisation.objects.visible_to(user)
        if isinstance(organisation, Organisation):
            found_org = organisations.filter(pk=organisation.pk).first()
        else:
            found_org = organisations.filter(slug=str(organisation).strip()[:220]).first()
        if found_org is None:
            errors["organisation"] = _("There is no organisation “%(value)s”.") % {
                "value": str(organisation)[:100]
            }
        return found_org, None
    people = Person.objects.all() if user is None else Person.objects.visible_to(user)
    found: Person | None
    if isinstance(person, Person):
        found = people.filter(pk=person.pk).first()
    else:
        try:
            found = people.filter(uuid=uuid.UUID(str(person).strip())).first()
        except ValueError:
            found = None
    if found is None:
        errors["person"] = _("There is no person with the ID “%(value)s”.") % {"value": str(person)[:60]}
    elif found.anonymised_at is not None:
        errors["person"] = _("An anonymised person cannot be placed on the grid.")
        found = None
    return None, found


@transaction.atomic
def set_stakeholder_position(
    *,
    user: Any,
    lab: Lab,
    organisation: Organisation | str | None = None,
    person: Person | str | None = None,
    interest: Any,
    influence: Any,
    note: str = "",
) -> StakeholderPosition:
    """Place an organisation or a person on the lab's grid, or move it (one position per actor)."""
    _require(user, lab)
    errors: dict[str, str] = {}
    found_org, found_person = _actor(organisation, person, user, errors)
    interest_value = _scale(interest, "interest", _("interest"), errors)
    influence_value = _scale(influence, "influence", _("influence"), errors)
    if note is None:
        note = ""
    if not isinstance(note, str):
        errors["note"] = _("The note must be text.")
        note = ""
    note = note.strip()
    if len(note) > NOTE_MAX:
        errors["note"] = _("The note has %(length)s characters; at most %(limit)s are possible.") % {
            "length": len(note),
            "limit": NOTE_MAX,
        }
    elif "\x00" in note:
        errors["note"] = _("The note contains a character that cannot be stored.")
    if errors:
        raise ValidationError(errors)
    lookup: dict[str, Any] = {"lab": lab}
    if found_org is not None:
        lookup["organisation"] = found_org
    else:
        lookup["person"] = found_person
    position, _created = StakeholderPosition.objects.update_or_create(
        **lookup,
        defaults={
            "interest": interest_value,
            "influence": influence_value,
            "note": note,
            "assessed_by": user if isinstance(user, User) else None,
        },
    )
    return position


@transaction.atomic
def remove_stakeholder_position(*, user: Any, position: StakeholderPosition) -> None:
    _require(user, position.lab)
    position.delete()


# The analysis ---------------------------------------------------------------------------------------


@dataclass
class LinkedNeed:
    family: str
    code: str
    label: str
    measures: list[Measure]
    own: bool
    via: tuple[str, ...]


@dataclass
class StakeholderRow:
    number: int
    position: StakeholderPosition
    quadrant: str
    links: list[LinkedNeed] = field(default_factory=list)

    @property
    def actor(self) -> Organisation | Person:
        return self.position.organisation or self.position.person  # type: ignore[return-value]

    @property
    def is_person(self) -> bool:
        return self.position.person_id is not None

    @property
    def quadrant_label(self) -> str:
        return str(QUADRANT_LABELS[self.quadrant])


@dataclass
class Analysis:
    lab: Lab
    rows: list[StakeholderRow]
    measures: list[Measure]
    measure_needs: dict[int, list[str]]
    """measure id → the labels of its needs and motivations."""

    @property
    def measure_rows(self) -> list[tuple[Measure, list[str]]]:
        return [(measure, self.measure_needs.get(measure.pk, [])) for measure in self.measures]

    @property
    def quadrants(self) -> list[tuple[str, str, str, list[StakeholderRow]]]:
        """(key, label, hint, rows) for the four quadrants, key players first."""
        return [
            (
                key,
                str(QUADRANT_LABELS[key]),
                str(QUADRANT_HINTS[key]),
                [row for row in self.rows if row.quadrant == key],
            )
            for key in (KEY_PLAYERS, KEEP_SATISFIED, KEEP_INFORMED, MONITOR)
        ]


def _key(tag: Tag) -> TermKey:
    return (tag.term.vocabulary.family, tag.term.code)


def stakeholder_analysis(*, user: Any, lab: Lab, positions: list[StakeholderPosition]) -> Analysis:
    """The rows of the analysis for ``positions`` (a constant number of queries)."""
    measures = list(
        (Measure.objects.all() if user is None else Measure.objects.visible_to(user))
        .filter(lab=lab)
        .select_related("lab")
        .order_by("position", "id")
    )
    measure_type = ContentType.objects.get_for_model(Measure)
    organisation_type = ContentType.objects.get_for_model(Organisation)
    person_type = ContentType.objects.get_for_model(Person)
    measure_tags = list(
        Tag.objects.filter(
            content_type=measure_type,
            object_id__in=[measure.pk for measure in measures],
            term__vocabulary__family__in=NEED_FAMILIES,
        ).select_related("term__vocabulary")
    )
    person_ids = [position.person_id for position in positions if position.person_id]
    organisation_ids = {position.organisation_id for position in positions if position.organisation_id}
    affiliations = list(
        Affiliation.objects.current()
        .filter(person_id__in=person_ids)
        .select_related("organisation")
        .only("person_id", "organisation__name", "organisation__slug")
    )
    all_organisation_ids = organisation_ids | {affiliation.organisation_id for affiliation in affiliations}
    actor_tags = list(
        Tag.objects.filter(term__vocabulary__family__in=NEED_FAMILIES)
        .filter(
            Q(content_type=organisation_type, object_id__in=all_organisation_ids)
            | Q(content_type=person_type, object_id__in=person_ids)
        )
        .select_related("term__vocabulary")
    )
    labels: dict[TermKey, str] = {}
    order: dict[TermKey, tuple[int, int, str]] = {}
    for tag in [*measure_tags, *actor_tags]:
        key = _key(tag)
        if key not in labels or not tag.term.vocabulary.is_retired:
            labels[key] = tag.term.label
            order[key] = (NEED_FAMILIES.index(key[0]), tag.term.position, key[1])
    tags_by_object: dict[tuple[int, int], set[TermKey]] = {}
    for tag in actor_tags:
        tags_by_object.setdefault((tag.content_type_id, tag.object_id), set()).add(_key(tag))
    organisations_of: dict[int, list[str]] = {}
    names: dict[int, str] = {}
    for affiliation in affiliations:
        organisations_of.setdefault(affiliation.person_id, []).append(affiliation.organisation_id)  # type: ignore[arg-type]
        names[affiliation.organisation_id] = affiliation.organisation.name
    actors: list[ActorNeeds] = []
    for position in positions:
        if position.organisation_id:
            own = tags_by_object.get((organisation_type.pk, position.organisation_id), set())
            actors.append(ActorNeeds(key=str(position.pk), own=frozenset(own)))
            continue
        own = tags_by_object.get((person_type.pk, position.person_id), set())  # type: ignore[arg-type]
        inherited: dict[TermKey, list[str]] = {}
        for organisation_id in organisations_of.get(position.person_id, []):  # type: ignore[arg-type]
            for term in tags_by_object.get((organisation_type.pk, organisation_id), set()):  # type: ignore[arg-type]
                inherited.setdefault(term, []).append(names[organisation_id])  # type: ignore[index]
        actors.append(
            ActorNeeds(
                key=str(position.pk),
                own=frozenset(own),
                inherited={term: tuple(via) for term, via in inherited.items()},
            )
        )
    needs_by_measure: dict[int, set[TermKey]] = {}
    for tag in measure_tags:
        needs_by_measure.setdefault(tag.object_id, set()).add(_key(tag))
    measure_data = [
        MeasureNeeds(key=str(measure.pk), needs=frozenset(needs_by_measure.get(measure.pk, set())))
        for measure in measures
    ]
    term_order = sorted(order, key=order.__getitem__)
    links = link_needs(actors, measure_data, term_order)
    measures_by_key = {str(measure.pk): measure for measure in measures}
    rows = []
    for number, position in enumerate(positions, start=1):
        rows.append(
            StakeholderRow(
                number=number,
                position=position,
                quadrant=quadrant(position.interest, position.influence),
                links=[
                    LinkedNeed(
                        family=link.term[0],
                        code=link.term[1],
                        label=labels[link.term],
                        measures=[measures_by_key[key] for key in link.measures],
                        own=link.own,
                        via=link.via,
                    )
                    for link in links[str(position.pk)]
                ],
            )
        )
    measure_needs = {
        measure.pk: [
            labels[term] for term in sorted(needs_by_measure.get(measure.pk, set()), key=order.__getitem__)
        ]
        for measure in measures
    }
    return Analysis(lab=lab, rows=rows, measures=measures, measure_needs=measure_needs)


# Candidates for the page's form ---------------------------------------------------------------------


def candidate_organisations(lab: Lab) -> list[Organisation]:
    """Organisations linked to the lab: taking part, actors or coordinators of its measures, its coordinator."""
    ids = (
        Q(pk__in=LabOrganisation.objects.filter(lab=lab).values("organisation_id"))
        | Q(
            pk__in=Actor.objects.filter(measure__lab=lab, organisation__isnull=False).values(
                "organisation_id"
            )
        )
        | Q(pk__in=Measure.coordinators.through.objects.filter(measure__lab=lab).values("organisation_id"))
    )
    if lab.coordinator_id:
        ids |= Q(pk=lab.coordinator_id)
    return list(Organisation.objects.filter(ids).only("name", "slug").order_by("name")[:CANDIDATES_SHOWN])


def candidate_people(organisations: list[Organisation]) -> list[Person]:
    """People currently working at these organisations (not anonymised)."""
    person_ids = Affiliation.objects.current().filter(organisation__in=organisations).values("person_id")
    return list(
        Person.objects.filter(pk__in=person_ids, anonymised_at__isnull=True)
        .only("uuid", "first_name", "last_name", "anonymised_at")
        .order_by("last_name", "first_name")[:CANDIDATES_SHOWN]
    )
