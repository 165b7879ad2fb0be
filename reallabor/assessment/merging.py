"""What the assessment app moves when the actors app merges two organisations or two people
(``reallabor.actors.services.duplicates.on_merge``, registered in ``AssessmentConfig.ready``)."""

from __future__ import annotations

from reallabor.actors.models import Person
from reallabor.actors.services.duplicates import move_unique, on_merge
from reallabor.assessment.models import Response, Share
from reallabor.organisations.models import Organisation

ORGANISATION_RELATIONS = frozenset(
    {"assessment.Response.organisation", "assessment.Response.shared_with", "assessment.Share.organisation"}
)
PERSON_RELATIONS = frozenset({"assessment.Response.person"})


def move_organisation(keep: Organisation, remove: Organisation) -> None:
    """The results move to ``keep`` (and become one line of re-takes); a result shared with both is
    shared once."""
    from reallabor.assessment.services import relink_retakes

    Response.objects.filter(organisation=remove).update(organisation=keep)
    move_unique(Share, "organisation", "response", keep, remove)
    relink_retakes(keep.pk)


def move_person(keep: Person, remove: Person) -> None:
    Response.objects.filter(person=remove).update(person=keep)


def register() -> None:
    on_merge("organisation", ORGANISATION_RELATIONS, move_organisation)
    on_merge("person", PERSON_RELATIONS, move_person)
